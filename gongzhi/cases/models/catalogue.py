from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gongzhi.departments.models import DepartmentKind
from gongzhi.divisions.choices import Level
from gongzhi.workdays.choices import TimeUnit

from ..choices import CaseClass, RoutingRule


class Category(models.Model):
    """A class (top level) or sub-category (second level) of the case catalogue.

    Sub-categories carry the terms a case is handled under: its response and handling limits in
    working time, what counts as done, and who handles it. A case copies these terms when it is
    registered (`Case.terms`), so editing the catalogue never rewrites existing cases."""

    code = models.SlugField(_("code"), max_length=40, unique=True,
                            help_text=_("stable; also the Open311 service code"))
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    case_class = models.CharField(_("class"), max_length=16, choices=CaseClass.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=64)
    name_en = models.CharField(_("name (English)"), max_length=100)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True,
                                help_text=_("words residents use for it, separated by spaces"))
    response_limit = models.PositiveIntegerField(_("response limit"), null=True, blank=True)
    response_unit = models.CharField(max_length=8, choices=TimeUnit.choices, blank=True)
    handling_limit = models.PositiveIntegerField(_("handling limit"), null=True, blank=True)
    handling_unit = models.CharField(max_length=8, choices=TimeUnit.choices, blank=True)
    close_criteria = models.TextField(_("close criteria"), blank=True)
    routing = models.CharField(_("routing rule"), max_length=16, choices=RoutingRule.choices, blank=True)
    department_kind = models.CharField(_("handling department kind"), max_length=32,
                                       choices=DepartmentKind.choices, blank=True)
    department_level = models.CharField(_("handling department level"), max_length=16, blank=True,
                                        choices=[(Level.DISTRICT, Level.DISTRICT.label),
                                                 (Level.STREET, Level.STREET.label)],
                                        help_text=_("by territory: the level the department belongs to; "
                                                    "blank for any"))
    owner_department = models.ForeignKey("departments.Department", on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+", verbose_name=_("owner department"))
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case catalogue")
        ordering = ["sort_order", "code"]
        constraints = [
            # A class groups sub-categories; only a sub-category is something a case is filed under.
            models.CheckConstraint(
                name="category_terms_on_subcategories",
                condition=Q(parent__isnull=True, response_limit__isnull=True, handling_limit__isnull=True)
                | Q(parent__isnull=False, response_limit__isnull=False, handling_limit__isnull=False)
                & ~Q(routing=""),
            ),
        ]

    def __str__(self):
        return self.name_zh

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @property
    def is_leaf(self) -> bool:
        return self.parent_id is not None

    def clean(self):
        if self.parent is not None and self.parent.parent_id is not None:
            raise ValidationError(_("The catalogue has two levels: a sub-category's parent is a class."))
        # What the database's constraint also says, in words, before it is reached (a class's check
        # leaves out the parent, which the constraint reads).
        if self.parent_id is None and (self.response_limit is not None or self.handling_limit is not None):
            raise ValidationError(_("A class has no time limits: give them to its sub-categories."))
        for limit, unit in ((self.response_limit, self.response_unit), (self.handling_limit, self.handling_unit)):
            if limit is not None and not unit:
                raise ValidationError(_("A time limit needs its unit (hours or days)."))
        if self.routing == RoutingRule.TERRITORY and not self.department_kind:
            raise ValidationError(_("Routing by territory needs a department kind."))
        if self.routing == RoutingRule.OWNER and self.owner_department_id is None:
            raise ValidationError(_("Routing by owner needs the owner department."))

    def terms(self) -> dict:
        """What a case registered under this sub-category is handled by (copied onto the case)."""
        return {
            "category": self.code,
            "response": {"amount": self.response_limit, "unit": self.response_unit},
            "handling": {"amount": self.handling_limit, "unit": self.handling_unit},
            "close_criteria": self.close_criteria,
            "routing": {
                "rule": self.routing,
                "department_kind": self.department_kind,
                "department_level": self.department_level,
                "owner_department": self.owner_department_id,
            },
        }
