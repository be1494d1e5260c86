"""The party organisations pages' routes: the tree, an organisation and its forms, the coverage check."""

from django.urls import path

from ..views import coverage, organisations

urlpatterns = [
    path("", organisations.home, name="home"),
    path("organisations/<int:pk>/", organisations.detail, name="organisation"),
    path("organisations/<int:pk>/children/", organisations.children, name="organisation_children"),
    path("organisations/<int:pk>/<slug:action>/", organisations.organisation_action, name="organisation_action"),
    path("seats/<int:pk>/<slug:action>/", organisations.seat_action, name="seat_action"),
    path("facilities/<int:pk>/<slug:action>/", organisations.facility_action, name="facility_action"),
    path("coverage/", coverage.coverage, name="coverage"),
]
