"""Writes to the case catalogue: seeding, adding and editing categories, each audited.

Edits never reach existing cases: a case carries the terms it was registered under."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.errors import DomainError, StaleEdit

from ..catalogue_cache import forget_catalogue
from ..catalogue_seed import CATALOGUE
from ..models import Category
from ..permissions import CaseAction, may_anywhere

EDITABLE = ["name_zh", "name_en", "keywords", "response_limit", "response_unit", "handling_limit", "handling_unit",
            "close_criteria", "routing", "department_kind", "department_level", "owner_department", "sort_order",
            "is_active"]


@transaction.atomic
def seed_catalogue(*, actor=None, actor_label: str = "seed") -> int:
    """Create the catalogue's missing classes and sub-categories (by code). Existing ones — and
    an administrator's edits to them — are left alone. Returns how many were created."""
    existing = set(Category.objects.values_list("code", flat=True))
    created = []
    for order, (code, case_class, zh, en, children) in enumerate(CATALOGUE):
        parent = Category.objects.filter(code=code).first()
        if parent is None:
            parent = Category.objects.create(code=code, case_class=case_class, name_zh=zh, name_en=en,
                                             sort_order=order * 100)
            created.append(parent)
        for i, (sub, sub_zh, sub_en, keywords, response, handling, (rule, kind), criteria) in enumerate(children):
            if sub in existing:
                continue
            created.append(Category.objects.create(
                code=sub, parent=parent, case_class=case_class, name_zh=sub_zh, name_en=sub_en, keywords=keywords,
                response_limit=response[0], response_unit=response[1], handling_limit=handling[0],
                handling_unit=handling[1], routing=rule, department_kind=kind, close_criteria=criteria,
                sort_order=order * 100 + i + 1,
            ))
    for category in created:
        audit.record(actor=actor, actor_label=actor_label, action="category.create", obj=category,
                     after=audit.snapshot(category, ["code", "parent", *EDITABLE]), reason="seed")
    if created:
        _changed()
    return len(created)


def _changed() -> None:
    """This process's copy of the catalogue is stale: drop it now (the editing transaction reads
    its own change) and again when the change commits (for this process's other threads); other
    processes notice within a second (gongzhi.cases.catalogue_cache)."""
    forget_catalogue()
    transaction.on_commit(forget_catalogue)


def require_catalogue_manager(actor) -> None:
    """Refuse (403) before anything a request names is looked up: whoever may not edit the
    catalogue learns nothing about it from the answer."""
    if actor is not None and not may_anywhere(actor, CaseAction.MANAGE_CATALOGUE):
        raise DomainError(_("You may not edit the case catalogue."), code="forbidden")


def _validated(category: Category) -> None:
    try:
        category.full_clean(exclude=["parent"] if category.parent_id is None else None)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="invalid", details=exc.message_dict) from None


@transaction.atomic
def create_category(*, actor, code: str, parent: Category | None, name_zh: str, name_en: str, **fields) -> Category:
    require_catalogue_manager(actor)
    if parent is not None and parent.parent_id is not None:
        raise DomainError(_("The catalogue has two levels: a sub-category's parent is a class."), code="invalid")
    case_class = parent.case_class if parent is not None else fields.pop("case_class", "")
    fields.pop("case_class", None)
    category = Category(code=code, parent=parent, case_class=case_class, name_zh=name_zh, name_en=name_en, **fields)
    _validated(category)
    category.save()
    audit.record(actor=actor, action="category.create", obj=category,
                 after=audit.snapshot(category, ["code", "parent", *EDITABLE]))
    _changed()
    return category


@transaction.atomic
def update_category(*, actor, category: Category, changes: dict, expected_version: int | None = None) -> Category:
    require_catalogue_manager(actor)
    category = Category.objects.select_for_update().get(pk=category.pk)
    if expected_version is not None and category.version != expected_version:
        raise StaleEdit(_("Someone else changed %(name)s meanwhile. Reload the page and try again.")
                        % {"name": category.name_zh})
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise DomainError(_("These fields cannot be edited: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    before = audit.snapshot(category, EDITABLE)
    for name, value in changes.items():
        setattr(category, name, value)
    _validated(category)
    category.version += 1
    category.updated_at = timezone.now()
    category.save(update_fields=[*changes, "version", "updated_at"])
    audit.record(actor=actor, action="category.update", obj=category, before=before,
                 after=audit.snapshot(category, EDITABLE))
    _changed()
    return category
