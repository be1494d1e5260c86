"""/lovebank/: the holder's phone pages and the community's desk."""

from django.urls import path

from .views import desk, phone

app_name = "lovebank"
urlpatterns = [
    path("", phone.home, name="home"),
    path("request/", phone.request_help, name="request_help"),
    path("offer/", phone.offer_help, name="offer_help"),
    path("exchanges/", phone.my_exchanges, name="exchanges"),
    path("exchanges/<int:pk>/<slug:step>/", phone.exchange_step, name="exchange_step"),
    path("family/", phone.family, name="family"),
    path("family/transfer/", phone.transfer, name="transfer"),
    path("desk/members/", desk.members_page, name="members"),
    path("desk/members/<int:pk>/hardship/", desk.member_hardship, name="member_hardship"),
    path("desk/members/<int:pk>/details/", desk.member_details, name="member_details"),
    path("desk/relations/", desk.relations_page, name="relations"),
    path("desk/relations/<int:pk>/decide/", desk.relation_decide, name="relation_decide"),
    path("desk/exchanges/", desk.exchanges_page, name="desk_exchanges"),
    path("desk/exchanges/<int:pk>/resolve/", desk.exchange_resolve, name="exchange_resolve"),
    path("desk/rules/", desk.rules_page, name="rules"),
    path("desk/report/", desk.report_page, name="report"),
    path("desk/report/export/", desk.report_export, name="report_export"),
]
