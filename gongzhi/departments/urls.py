from django.urls import path

from . import views

app_name = "departments"
urlpatterns = [
    path("", views.department_list, name="list"),
    path("new/", views.department_new, name="new"),
    path("<int:pk>/", views.department_detail, name="detail"),
    path("<int:pk>/edit/", views.department_edit, name="edit"),
    path("<int:pk>/archive/", views.department_archive, name="archive"),
    path("<int:pk>/restore/", views.department_restore, name="restore"),
]
