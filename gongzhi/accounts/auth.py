"""API authentication: a bearer token, or the browser's logged-in session (with CSRF).

A user who still has a one-time password from an administrator is known but refused: every call
answers 403 with the code `password_change_required` (not 401, which would say the credentials are
wrong and send a client into a sign-in loop)."""

from ninja.security import HttpBearer, SessionAuth

from .services import password_change_required, user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            if user.must_change_password:
                raise password_change_required()
            request.user = user
        return user


class StaffSession(SessionAuth):
    """The pages' own htmx and map requests reuse the session cookie."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and getattr(user, "must_change_password", False):
            raise password_change_required()
        return user


api_auth = [BearerToken(), StaffSession()]
