"""GeoReport v2 under /open311/v2/: every resource in .json and .xml."""

from django.urls import path, re_path

from . import media, views

app_name = "open311"
FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    path("", views.discovery, {"fmt": "xml"}, name="root"),
    re_path(rf"^discovery{FMT}", views.discovery, name="discovery"),
    re_path(rf"^services{FMT}", views.service_list, name="services"),
    re_path(rf"^services/(?P<service_code>[-\w]+){FMT}", views.service_definition, name="service"),
    re_path(rf"^requests{FMT}", views.requests, name="requests"),
    re_path(rf"^requests/(?P<service_request_id>[-\w]+){FMT}", views.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[-\w]+){FMT}", views.token, name="token"),
    re_path(rf"^servicerequestupdates{FMT}", views.updates, name="updates"),
    path("media/<str:signed>", media.media_view, name="media"),
    re_path(r"^(?P<path>.*)$", views.unknown),
]
