from django.urls import path

from .views import grid, households, residents, statistics

app_name = "registry"
urlpatterns = [
    path("", grid.my_grid, name="grid"),
    path("households/new/", households.new_household, name="household_new"),
    path("households/<int:pk>/", households.household, name="household"),
    path("households/<int:pk>/edit/", households.edit_household, name="household_edit"),
    path("households/<int:pk>/visits/", households.log_visit, name="visit_log"),
    path("households/<int:pk>/members/new/", residents.new_resident, name="resident_new"),
    path("residents/<int:pk>/edit/", residents.edit_resident, name="resident_edit"),
    path("residents/<int:pk>/reveal/<str:field>/", residents.reveal, name="reveal"),
    path("visits/<int:pk>/close/", households.close_follow_up, name="follow_up_close"),
    path("visits/<int:pk>/photos/<int:photo_id>/", households.visit_photo, name="visit_photo"),
    path("statistics/<int:pk>/", statistics.division_statistics, name="statistics"),
]
