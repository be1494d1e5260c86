from django.urls import path

from . import views

app_name = "divisions"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("search/", views.search, name="search"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/rename/", views.rename, name="rename"),
    path("<int:pk>/map/", views.grid_map, name="map"),
    path("<int:pk>/coverage/", views.coverage, name="coverage"),
    path("<int:pk>/split/", views.split, name="split"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/import/", views.import_grids, name="import"),
]
