import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import roles

from .choices import Role

phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number."))


class User(AbstractUser):
    phone = models.CharField(
        _("mobile phone"), max_length=11, blank=True, null=True, unique=True, validators=[phone_validator]
    )
    display_name = models.CharField(_("name"), max_length=64, blank=True)
    # Set when an administrator gives a one-time password (new account, reset); until the person
    # chooses their own, every page leads to the password change and the API answers 403.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username

    @property
    def masked_phone(self) -> str:
        from gongzhi.core.masking import mask_phone

        return mask_phone(self.phone or "")


class RoleAssignment(models.Model):
    """A user holds a role over a division's whole subtree (or, for department staff, over the
    divisions their department serves). Revoked assignments stay for the audit trail."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=roles.role_choices)
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("role assignment")
        constraints = [
            models.CheckConstraint(
                name="department_staff_has_department",
                condition=(Q(role=Role.DEPARTMENT_STAFF, department__isnull=False, division__isnull=True)
                           | (~Q(role=Role.DEPARTMENT_STAFF) & Q(division__isnull=False, department__isnull=True))),
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self):
        where = self.department or self.division
        return f"{self.get_role_display()} · {where}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its hash is stored; the raw value is shown once."""

    PREFIX = "gz_"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text="last characters, to tell tokens apart")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        ordering = ["-created_at"]

    def __str__(self):
        name = self.name or _("token")
        return f"{name} …{self.hint}"

    @classmethod
    def new_raw_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_live(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


def default_token_expiry():
    return timezone.now() + timezone.timedelta(days=settings.API_TOKEN_DAYS)
