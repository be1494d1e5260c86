from django.urls import path

from .views import actions, detail, report, track, workbench

app_name = "cases"
urlpatterns = [
    path("", workbench.workbench, name="workbench"),
    path("accept/", workbench.bulk_accept, name="bulk_accept"),
    path("new/", report.new_case, name="new"),
    path("report/", report.report, name="report"),
    path("report/suggest/", report.suggest, name="suggest"),
    path("report/where/", report.where, name="where"),
    path("report/nearby/", report.nearby, name="nearby"),
    path("report/areas.json", report.areas, name="areas"),
    path("report/sent/<str:code>/", report.sent, name="sent"),
    path("track/", track.lookup, name="lookup"),
    path("track/<str:code>/", track.track, name="track"),
    path("track/<str:code>/rate/", track.rate, name="rate"),
    path("track/<str:code>/verify/", track.verify, name="verify"),
    path("track/<str:code>/follow/", track.follow, name="follow"),
    path("track/<str:code>/unfollow/", track.unfollow, name="unfollow"),
    path("track/<str:code>/photos/<int:attachment_id>/", track.public_photo, name="public_photo"),
    path("mine/", track.mine, name="mine"),
    path("<int:pk>/", detail.detail, name="detail"),
    path("<int:pk>/files/<int:attachment_id>/", detail.attachment, name="attachment"),
    path("<int:pk>/contact/", detail.reveal_contact, name="reveal_contact"),
    path("<int:pk>/summonses/<int:summons_id>/<str:step>/", actions.answer_summons, name="summons"),
    path("<int:pk>/<str:action>/", actions.act, name="act"),
]
