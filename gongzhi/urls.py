from django.urls import include, path

from gongzhi.api import api
from gongzhi.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("divisions/", include("gongzhi.divisions.urls")),
    path("departments/", include("gongzhi.departments.urls")),
    path("audit/", include("gongzhi.core.audit_urls")),
    path("registry/", include("gongzhi.registry.urls")),
    path("cases/", include("gongzhi.cases.urls")),
    path("notifications/", include("gongzhi.notifications.urls")),
    path("open311/v2/", include("gongzhi.open311.urls")),
    path("assessment/", include("gongzhi.assessment.urls")),
    path("party/", include("gongzhi.party.urls")),
    path("service/", include("gongzhi.service.urls")),
    path("volunteering/", include("gongzhi.volunteering.urls")),
    path("points/", include("gongzhi.points.urls")),
    path("lovebank/", include("gongzhi.lovebank.urls")),
    path("squads/", include("gongzhi.squads.urls")),
    path("", include("gongzhi.core.urls")),
]
