"""The three orders (三单制): a resident's order for help (点单), dispatched by the community or a
branch (下单) and taken by a party member or volunteer (接单), done, confirmed and rated.

An order lies in its community, with the community's ancestors cached beside it (and its grid when
the place is known), so "everything under this street" is one indexed `street_id = X`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from gongzhi.core import crypto
from gongzhi.core.masking import mask_phone

from .choices import OrderStatus, TakerKind, TakerStatus
from .storage import order_photos


def _cached(level):
    return models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+", null=True,
                             blank=True, db_index=False, db_constraint=False, editable=False, verbose_name=level)


class ServiceKind(models.Model):
    """What help may be ordered: a catalogue with city-wide rows (no district) that a district may
    add to or switch off by its own rows of the same code."""

    code = models.SlugField(_("code"), max_length=40)
    district = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("district"))
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    default_hours = models.DecimalField(_("usual hours"), max_digits=5, decimal_places=2, default=1)
    working_days = models.PositiveSmallIntegerField(_("working days to serve"), default=3)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("kind of help")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="svc_kind_code"),
            models.UniqueConstraint(fields=["code"], condition=Q(district__isnull=True), name="svc_kind_city_code"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        lang = translation.get_language() or settings.LANGUAGE_CODE
        return self.name_zh if lang.lower().startswith("zh") else self.name_en


class Order(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.ForeignKey(ServiceKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("help wanted"))
    description = models.TextField(_("what is needed"))
    wanted_at = models.DateTimeField(_("wanted at"))
    place = models.CharField(_("where"), max_length=200)
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    community = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    grid = _cached("grid")
    street = _cached("street")
    district = _cached("district")
    city = _cached("city")
    # Who is served (None: a neighbour without a phone, named in the contact fields) and who ordered.
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="service_orders", verbose_name=_("resident"))
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("ordered by"))
    contact_name = models.CharField(_("contact"), max_length=64, blank=True)
    contact_phone_sealed = models.CharField(max_length=120, blank=True, editable=False)
    contact_phone_last4 = models.CharField(max_length=4, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    team_name = models.CharField(_("team"), max_length=100, blank=True)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    dispatched_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(_("serve by"))
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_note = models.TextField(_("what was done"), blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2, null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)
    cancelled_late = models.BooleanField(default=False)
    # Where a disputed no-show goes back to when the dispatcher withdraws it.
    resume_status = models.CharField(max_length=16, blank=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("turned into case"))
    from_case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("from case"))
    idempotency_key = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="bumped on every edit; stale edits are refused")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            *[models.Index(fields=[level, "status", "deadline"], name=f"svc_order_{level}")
              for level in ("community", "street", "district")],
            models.Index(fields=["resident", "-created_at"], name="svc_order_resident"),
            models.Index(fields=["status", "reminded_at", "deadline"], name="svc_order_remind"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["ordered_by", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="svc_order_idem"),
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                   name="svc_order_rating"),
        ]

    def __str__(self):
        return self.number

    def site_in(self, community, grid=None) -> None:
        self.community = community
        self.grid_id = grid.pk if grid is not None else None
        self.street_id = community.street_id
        self.district_id = community.district_id
        self.city_id = community.city_id

    def set_contact_phone(self, value: str) -> None:
        value = (value or "").strip()
        self.contact_phone_sealed = crypto.seal(value) if value else ""
        self.contact_phone_last4 = value[-4:]

    @property
    def contact_phone(self) -> str:
        return crypto.unseal(self.contact_phone_sealed) if self.contact_phone_sealed else ""

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone) if self.contact_phone_sealed else ""

    @property
    def is_overdue(self) -> bool:
        from .choices import OPEN

        return self.status in OPEN and self.deadline < timezone.now()


class OrderTaker(models.Model):
    """Someone serving an order: a party member or volunteer assigned by the dispatcher or taking
    it from the pool. A no-show stays on the row (with its dispute), never deleted."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_takings")
    kind = models.CharField(max_length=16, choices=TakerKind.choices)
    status = models.CharField(max_length=16, choices=TakerStatus.choices, default=TakerStatus.ASSIGNED)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    no_show_reason = models.CharField(max_length=200, blank=True)
    dispute_reason = models.CharField(max_length=500, blank=True)
    decision_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["order", "user"], name="svc_taker_once")]
        indexes = [models.Index(fields=["user", "status"], name="svc_taker_user")]

    def __str__(self):
        return f"{self.order} · {self.user}"

    @property
    def serving(self) -> bool:
        return self.status in (TakerStatus.ASSIGNED, TakerStatus.EXCUSED)


def photo_path(photo: "OrderPhoto", filename: str) -> str:
    return f"{timezone.now():%Y/%m}/{photo.order_id}-{timezone.now():%H%M%S%f}.jpg"


class OrderPhoto(models.Model):
    """A photo of the work done, re-encoded without its EXIF (gongzhi.cases.uploads)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(storage=order_photos, upload_to=photo_path, max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.image.name


class OrderEvent(models.Model):
    """One step on an order's timeline: a code and its parameters, rendered in the reader's language
    (gongzhi.service.timeline)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    code = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return self.code
