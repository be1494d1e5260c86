from . import members, organisations, registrations

app_name = "party"
urlpatterns = [*organisations.urlpatterns, *members.urlpatterns, *registrations.urlpatterns]
