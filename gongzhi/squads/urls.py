app_name = "squads"
urlpatterns: list = []
