"""API authentication: a bearer token, or the browser's logged-in session (with CSRF).

A user who still has a one-time password from an administrator is known but refused: every call
answers 403 with the code `password_change_required` (not 401, which would say the credentials are
wrong and send a client into a sign-in loop).

A bearer token that is unknown, revoked or expired answers 401 at once, even where a caller may
come without an account (a report): the client meant to act as someone, and must learn that its
token no longer works rather than see its report filed as anonymous."""

from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from .services import password_change_required, user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is None:
            raise AuthenticationError()
        if user.must_change_password:
            raise password_change_required()
        request.user = user
        return user


class StaffSession(SessionAuth):
    """The pages' own htmx and map requests reuse the session cookie.

    The CSRF check guards what a signed-in session may do; a request without a signed-in session
    is not authenticated by it at all, so it goes on to the next way (anonymous, or 401) instead
    of being refused as a forged session request (403 `csrf`)."""

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and getattr(user, "must_change_password", False):
            raise password_change_required()
        return user


api_auth = [BearerToken(), StaffSession()]
