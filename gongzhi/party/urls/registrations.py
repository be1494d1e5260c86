"""The party registrations pages' routes: the double report-in (the member's phone pages and the
community's desk), the service record, feedback cards, the dashboard, and linked leaders."""

from django.urls import path

from ..views import leaders, phone
from ..views import registrations as desk

urlpatterns = [
    # the member's phone pages
    path("report-in/", phone.report_in, name="report_in"),
    path("me/branch/", phone.my_branch, name="my_branch"),
    path("me/service/", phone.my_service, name="my_service"),
    # the community's desk
    path("report-in/desk/", desk.registrations, name="registrations"),
    path("report-in/desk/new/", desk.registration_new, name="registration_new"),
    path("report-in/desk/<int:pk>/confirm/", desk.registration_confirm, name="registration_confirm"),
    path("report-in/desk/<int:pk>/decline/", desk.registration_decline, name="registration_decline"),
    path("report-in/qr/<int:pk>/", desk.qr_code, name="report_in_qr_code"),
    path("report-in/dashboard/", desk.dashboard, name="report_in_dashboard"),
    path("report-in/policy/", desk.policy, name="report_in_policy"),
    path("report-in/units/", desk.units, name="units"),
    path("report-in/units/new/", desk.unit_new, name="unit_new"),
    path("report-in/units/<int:pk>/", desk.unit, name="unit"),
    path("report-in/units/<int:pk>/end/", desk.unit_end, name="unit_end"),
    path("report-in/units/<int:pk>/projects/", desk.project_new, name="project_new"),
    path("report-in/projects/<int:pk>/", desk.project_update, name="project_update"),
    path("report-in/service/", desk.service, name="service"),
    path("report-in/service/<int:pk>/void/", desk.service_void, name="service_void"),
    path("report-in/cards/", desk.cards, name="cards"),
    path("report-in/cards/issue/", desk.cards_issue, name="cards_issue"),
    path("report-in/cards/print/", desk.cards_print, name="cards_print"),
    path("report-in/cards/export/", desk.cards_export, name="cards_export"),
    path("report-in/cards/<int:pk>/acknowledge/", desk.card_acknowledge, name="card_acknowledge"),
    # a community's QR code opens this (last: its code is any word)
    path("report-in/<str:code>/", phone.report_in_qr, name="report_in_qr"),
    # linked leaders
    path("leaders/", leaders.leaders, name="leaders"),
    path("leaders/new/", leaders.leader_new, name="leader_new"),
    path("leaders/<int:pk>/", leaders.leader, name="leader"),
    path("leaders/<int:pk>/end/", leaders.leader_end, name="leader_end"),
    path("leaders/<int:pk>/visits/", leaders.leader_visit, name="leader_visit"),
    path("leaders/<int:pk>/problems/", leaders.leader_problem, name="leader_problem"),
    path("leaders/problems/<int:pk>/", leaders.leader_problem_update, name="leader_problem_update"),
]
