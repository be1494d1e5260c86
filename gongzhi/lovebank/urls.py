app_name = "lovebank"
urlpatterns: list = []
