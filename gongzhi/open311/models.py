"""Open311 GeoReport v2: the partners allowed to post (by API key), the extra questions each
service asks, and what a partner sent with a request or an update beyond the case itself."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import Datatype


class Open311Client(models.Model):
    """A partner system posting requests and updates with an API key. Only the key's hash is
    kept. Its cases come in on the open311 channel, reported by the client's own service account
    (a user without password or role), so the case's reporter says which partner sent it."""

    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text="last characters of the key, to tell keys apart")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="open311_client",
                                verbose_name=_("service account"))
    is_active = models.BooleanField(_("active"), default=True)
    rate_limit_per_minute = models.PositiveIntegerField(
        _("requests per minute"), null=True, blank=True,
        help_text=_("how many requests the key may make in a minute; empty: the site's default"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 client")
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} …{self.hint}"

    @property
    def is_live(self) -> bool:
        return self.is_active and self.revoked_at is None


class Open311Attribute(models.Model):
    """One extra question a service (a sub-category) asks: GeoReport's service definition
    attribute. `values` holds the choices of a list: [{"key", "name_zh", "name_en"}]."""

    category = models.ForeignKey("cases.Category", on_delete=models.CASCADE, related_name="open311_attributes")
    code = models.SlugField(_("code"), max_length=40)
    variable = models.BooleanField(default=True, help_text="false: information shown to the user, no input")
    datatype = models.CharField(max_length=16, choices=Datatype.choices)
    required = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=1)
    description_zh = models.CharField(max_length=200)
    description_en = models.CharField(max_length=200)
    datatype_description_zh = models.CharField(max_length=200, blank=True)
    datatype_description_en = models.CharField(max_length=200, blank=True)
    values = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("Open311 attribute")
        ordering = ["category", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_code_once"),
            models.UniqueConstraint(fields=["category", "order"], name="open311_attribute_order_once"),
            models.CheckConstraint(name="open311_attribute_order_positive", condition=Q(order__gte=1)),
        ]

    def __str__(self):
        return f"{self.category.code}:{self.code}" if Open311Attribute.category.is_cached(self) else self.code

    @staticmethod
    def _english() -> bool:
        return (get_language() or "").startswith("en")

    @property
    def description(self) -> str:
        return self.description_en if self._english() else self.description_zh

    @property
    def datatype_description(self) -> str:
        return self.datatype_description_en if self._english() else self.datatype_description_zh

    def choices(self) -> list[tuple[str, str]]:
        """(key, name) of a list's values, in the current language."""
        name = "name_en" if self._english() else "name_zh"
        return [(str(v["key"]), v.get(name) or v.get("name_zh") or str(v["key"])) for v in self.values]


class Open311Request(models.Model):
    """What came with a case posted through Open311 that the case itself does not hold. Personal
    fields (email, device, account) are kept for the handling staff and never published."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="open311")
    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT, related_name="requests")
    token = models.CharField(max_length=32, unique=True)
    attributes = models.JSONField(default=dict, blank=True, help_text="attribute code → value(s), as checked")
    media_url = models.URLField(max_length=500, blank=True, help_text="the partner's link to a photo")
    address_id = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Open311 request")
        indexes = [models.Index(fields=["client", "created_at"])]

    def __str__(self):
        return f"{self.client_id}:{self.case_id}"


class Open311Update(models.Model):
    """A note a partner posted on a case (servicerequestupdates): the timeline row it became, the
    partner's own id for it (a repeated post with the same id adds nothing), its media link and
    any status it asked for — which staff see, and which never changes the case by itself."""

    event = models.OneToOneField("cases.CaseEvent", on_delete=models.CASCADE, related_name="open311_update")
    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT, related_name="updates")
    external_id = models.CharField(max_length=100, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    requested_status = models.CharField(max_length=32, blank=True)
    partner_datetime = models.DateTimeField(null=True, blank=True, help_text="updated_datetime as the partner sent it")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Open311 update")
        constraints = [
            models.UniqueConstraint(fields=["client", "external_id"], condition=~Q(external_id=""),
                                    name="open311_update_once_per_partner_id"),
        ]

    def __str__(self):
        return f"{self.client_id}:{self.external_id or self.event_id}"
