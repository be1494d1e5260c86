"""The party registrations pages' routes."""

urlpatterns = []
