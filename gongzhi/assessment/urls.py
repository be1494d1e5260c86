from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.ranking, name="ranking"),
    path("ranking.xlsx", views.ranking_export, name="ranking_export"),
    path("cases/", views.cases, name="cases"),
    path("cases.xlsx", views.cases_export, name="cases_export"),
    path("units/<str:unit_type>/<int:pk>/", views.unit, name="unit"),
    path("weights/", views.weights, name="weights"),
]
