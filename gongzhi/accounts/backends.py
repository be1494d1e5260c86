from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UsernameOrPhoneBackend(ModelBackend):
    """Residents and grid workers know their phone number better than a username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        username = username.strip()
        field = "phone" if username.isdigit() and len(username) == 11 else "username"
        try:
            user = User.objects.get(**{field: username})
        except User.DoesNotExist:
            User().set_password(password)  # spend the hashing time anyway: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
