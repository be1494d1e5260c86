from django.urls import include, path

from gongzhi.api import api
from gongzhi.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("divisions/", include("gongzhi.divisions.urls")),
    path("audit/", include("gongzhi.core.audit_urls")),
    path("", include("gongzhi.core.urls")),
]
