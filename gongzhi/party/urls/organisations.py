"""The party organisations pages' routes."""

urlpatterns = []
