"""Response headers that hold on every page: a Content-Security-Policy that lets no inline or
outside script run, and `Cache-Control: private, no-store` on what a signed-in user is shown, so a
shared proxy or the browser's back button after sign-out keeps no one's personal data (unless the
view chose its own caching).

Our pages load every script from our own static files (no inline script, no CDN). Styles allow
'unsafe-inline': Leaflet, ECharts and htmx set element styles, and a bar's width is a style
attribute; a style cannot run code. A deployment with a tile service adds its origin to img-src."""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.cache import patch_cache_control


def content_security_policy() -> str:
    images = ["'self'", "data:", "blob:"]
    tiles = urlsplit(settings.MAP_TILE_URL.replace("{s}", "a")) if settings.MAP_TILE_URL else None
    if tiles and tiles.scheme and tiles.netloc:
        host = tiles.netloc.replace("a.", "*.", 1) if "{s}" in settings.MAP_TILE_URL else tiles.netloc
        images.append(f"{tiles.scheme}://{host}")
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {' '.join(images)}",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        # Static files never get here (whitenoise answers them first); an API call with a token has
        # its user set by the API's authentication.
        signed_in = getattr(getattr(request, "user", None), "is_authenticated", False)
        # A view that chose its own caching (a photo kept an hour in the user's own browser) keeps it.
        if (signed_in or request.path_info.startswith("/api/")) and "Cache-Control" not in response.headers:
            patch_cache_control(response, private=True, no_store=True)
        return response
