from django.urls import path

from .views import desk, phone

app_name = "squads"
urlpatterns = [
    # a member's phone pages
    path("my/", phone.my_squad, name="my"),
    path("my/alerts/<int:pk>/", phone.my_alert, name="my_alert"),
    path("my/alerts/<int:pk>/ack", phone.my_ack, name="my_ack"),
    path("my/alerts/<int:pk>/here", phone.my_check_in, name="my_check_in"),
    path("my/readiness/<int:pk>", phone.my_readiness, name="my_readiness"),
    path("my/tasks/", phone.my_tasks, name="my_tasks"),
    path("my/tasks/<int:pk>/done", phone.my_task_done, name="my_task_done"),
    # the desk
    path("", desk.squad_list, name="list"),
    path("new", desk.squad_new, name="new"),
    path("<int:pk>/", desk.squad_detail, name="detail"),
    path("<int:pk>/edit", desk.squad_edit, name="edit"),
    path("<int:pk>/disband", desk.squad_disband, name="disband"),
    path("<int:pk>/members", desk.member_add, name="member_add"),
    path("members/<int:pk>/edit", desk.member_update, name="member_update"),
    path("members/<int:pk>/remove", desk.member_remove, name="member_remove"),
    path("<int:pk>/readiness", desk.readiness_start, name="readiness_start"),
    path("<int:pk>/alert", desk.alert_new, name="alert_new"),
    path("<int:pk>/figures", desk.squad_figures, name="figures"),
    path("alerts/", desk.alert_list, name="alerts"),
    path("alerts/<int:pk>/", desk.alert_console, name="alert"),
    path("alerts/<int:pk>/counts", desk.alert_counts, name="alert_counts"),
    path("alerts/<int:pk>/tasks", desk.alert_task, name="alert_task"),
    path("alerts/<int:pk>/notes", desk.alert_note, name="alert_note"),
    path("alerts/<int:pk>/muster", desk.alert_muster, name="alert_muster"),
    path("alerts/<int:pk>/stand-down", desk.alert_stand_down, name="alert_stand_down"),
    path("alerts/<int:pk>/report", desk.alert_report, name="alert_report"),
    path("tasks/<int:pk>/cancel", desk.task_cancel, name="task_cancel"),
]
