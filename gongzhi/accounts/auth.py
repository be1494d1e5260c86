"""API authentication: a bearer token, or the browser's logged-in session (with CSRF)."""

from ninja.security import HttpBearer, SessionAuth

from .services import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class StaffSession(SessionAuth):
    """The pages' own htmx and map requests reuse the session cookie."""


api_auth = [BearerToken(), StaffSession()]
