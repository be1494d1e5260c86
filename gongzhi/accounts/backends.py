from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


def is_phone(value: str) -> bool:
    return value.isdigit() and len(value) == 11


def throttle_identity(request, credentials) -> str:
    """The account a login attempt is for, whether typed as a username or a phone number, so the
    failure limit cannot be doubled by alternating the two."""
    typed = ((credentials or {}).get("username") or request.POST.get("username") or "").strip()
    if is_phone(typed):
        found = get_user_model().objects.filter(phone=typed).values_list("username", flat=True).first()
        if found:
            return found
    return typed


class UsernameOrPhoneBackend(ModelBackend):
    """Residents and grid workers know their phone number better than a username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        username = username.strip()
        field = "phone" if is_phone(username) else "username"
        try:
            user = User.objects.get(**{field: username})
        except User.DoesNotExist:
            User().set_password(password)  # spend the hashing time anyway: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
