from django.urls import path

from . import views, views_admin

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.password_change, name="password_change"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    # People and roles, for holders of MANAGE_USERS.
    path("users/", views_admin.users, name="users"),
    path("users/new/", views_admin.user_new, name="user_new"),
    path("users/pick-division/", views_admin.picker, name="division_picker"),
    path("users/<int:pk>/", views_admin.user_detail, name="user_detail"),
    path("users/<int:pk>/roles/", views_admin.user_grant, name="user_grant"),
    path("users/<int:pk>/roles/<int:assignment_id>/revoke/", views_admin.user_revoke, name="user_revoke"),
    path("users/<int:pk>/deactivate/", views_admin.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views_admin.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/password/", views_admin.user_password_reset, name="user_password_reset"),
]
