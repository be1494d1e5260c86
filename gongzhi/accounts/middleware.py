from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class PasswordChangeRequiredMiddleware:
    """While a signed-in user still has the one-time password an administrator gave them, every
    page leads to the password change, whatever link or bookmark they follow.

    The API is left to its authentication (gongzhi.accounts.auth), which answers 403 with the code
    `password_change_required` in JSON rather than a redirect to a page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def __call__(self, request):
        # The path first: an API call or a static file never loads the session's user for this.
        if not self._open(request.path_info):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
                return self._to_change_page(request)
        return self.get_response(request)

    def _open(self, path: str) -> bool:
        if self._open_paths is None:
            self._open_paths = (reverse("accounts:password_change"), reverse("accounts:logout"), "/api/",
                                "/i18n/", "/healthz", settings.STATIC_URL or "/static/")
        return path.startswith(self._open_paths)

    @staticmethod
    def _to_change_page(request):
        target = reverse("accounts:password_change")
        if request.method == "GET" and request.path_info != "/":
            # After the change the person lands where they meant to go.
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            # htmx would swap the change page into a fragment: have it load the whole page.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
