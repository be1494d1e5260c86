"""The party members pages' routes (namespace "party")."""

from django.urls import path

from ..views import members as views

urlpatterns = [
    path("members/", views.member_list, name="members"),
    path("members/new/", views.member_new, name="member_new"),
    path("members/import/", views.member_import, name="member_import"),
    path("members/export/", views.member_export, name="member_export"),
    path("members/template/", views.member_template, name="member_template"),
    path("members/residents/", views.member_residents, name="member_residents"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/transfer/", views.member_transfer, name="member_transfer"),
    path("members/<int:pk>/end/", views.member_end, name="member_end"),
    path("members/<int:pk>/reveal/<str:field>/", views.member_reveal, name="member_reveal"),
]
