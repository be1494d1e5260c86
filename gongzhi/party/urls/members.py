"""The party members pages' routes."""

urlpatterns = []
