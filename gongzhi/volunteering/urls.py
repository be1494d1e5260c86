from django.urls import path

from .views import desk, phone, public

app_name = "volunteering"
urlpatterns = [
    # the volunteer's phone
    path("", phone.home, name="home"),
    path("activities/<int:pk>/", phone.activity, name="activity"),
    path("activities/<int:pk>/sign-up/", phone.sign_up, name="sign_up"),
    path("activities/<int:pk>/check-in/location/", phone.check_in_location, name="check_in_location"),
    path("signups/<int:pk>/withdraw/", phone.withdraw, name="withdraw"),
    path("mine/", phone.my_signups, name="my_signups"),
    path("check-in/<str:token>/", phone.check_in, name="check_in"),
    path("hours/", phone.my_hours, name="my_hours"),
    path("hours/<int:pk>/correction/", phone.correction_request, name="correction_request"),
    path("hours/certificate/", phone.certificate, name="certificate"),
    path("register/", phone.register, name="register"),
    path("register/leave/", phone.leave, name="leave"),
    # anyone
    path("honours/<int:pk>/", public.honour_list, name="honour_public"),
    path("certificates/verify/", public.verify, name="verify"),
    # the desk
    path("desk/activities/", desk.activities, name="activities"),
    path("desk/activities/new/", desk.activity_new, name="activity_new"),
    path("desk/activities/<int:pk>/", desk.roster, name="roster"),
    path("desk/activities/<int:pk>/edit/", desk.activity_edit, name="activity_edit"),
    path("desk/activities/<int:pk>/qr/", desk.qr_code, name="qr_code"),
    path("desk/activities/<int:pk>/publish/", desk.activity_publish, name="activity_publish"),
    path("desk/activities/<int:pk>/cancel/", desk.activity_cancel, name="activity_cancel"),
    path("desk/activities/<int:pk>/finish/", desk.activity_finish, name="activity_finish"),
    path("desk/activities/<int:pk>/certify/", desk.certify, name="certify"),
    path("desk/corrections/", desk.corrections, name="corrections"),
    path("desk/corrections/<int:pk>/", desk.correction, name="correction"),
    path("desk/corrections/<int:pk>/accept/", desk.correction_accept, name="correction_accept"),
    path("desk/corrections/<int:pk>/refuse/", desk.correction_refuse, name="correction_refuse"),
    path("desk/volunteers/", desk.volunteer_list, name="volunteers"),
    path("desk/volunteers/new/", desk.volunteer_new, name="volunteer_new"),
    path("desk/volunteers/<int:pk>/<str:step>/", desk.volunteer_step, name="volunteer_step"),
    path("desk/honours/", desk.honour_lists, name="honours"),
    path("desk/honours/<int:pk>/withdraw/", desk.honour_withdraw, name="honour_withdraw"),
]
