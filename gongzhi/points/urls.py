from django.urls import path

from .views import desk, phone

app_name = "points"
urlpatterns = [
    # a person's own, on the phone
    path("", phone.mine, name="mine"),
    path("standings/<int:pk>/appeal/", phone.appeal, name="appeal"),
    path("shop/", phone.shop_page, name="shop"),
    path("shop/<int:pk>/redeem/", phone.redeem, name="redeem"),
    # the desk
    path("rules/", desk.rules_page, name="rules"),
    path("rules/new/", desk.rule_new, name="rule_new"),
    path("rules/<int:pk>/", desk.rule_edit, name="rule_edit"),
    path("schemes/<int:pk>/", desk.scheme_edit, name="scheme_edit"),
    path("award/", desk.award, name="award"),
    path("ledger/", desk.awards_page, name="awards"),
    path("ledger/<int:pk>/reverse/", desk.award_reverse, name="award_reverse"),
    path("periods/", desk.periods_page, name="periods"),
    path("periods/publish/", desk.period_publish, name="period_publish"),
    path("periods/<int:pk>/", desk.period, name="period"),
    path("periods/<int:pk>/finalise/", desk.period_finalise, name="period_finalise"),
    path("appeals/<int:pk>/decide/", desk.appeal_decide, name="appeal_decide"),
    path("merchants/", desk.merchants, name="merchants"),
    path("merchants/new/", desk.merchant_new, name="merchant_new"),
    path("merchants/<int:pk>/items/", desk.item_new, name="item_new"),
    path("items/<int:pk>/", desk.item_update, name="item_update"),
    path("redemptions/", desk.redemptions, name="redemptions"),
    path("redemptions/<int:pk>/cancel/", desk.redemption_cancel, name="redemption_cancel"),
]
