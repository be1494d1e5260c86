"""How a domain keeps its secrets in the audit trail: an app may narrow a search of the trail and
mask rows as they are shown (an anonymous reporter stays anonymous there too), without the audit
pages knowing the app. Rows are never changed: masking works on the page's objects in memory."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class AuditPrivacy:
    key: str
    # (entries, the page's filters) -> entries: e.g. a search by person that must not link them to
    # what they did anonymously.
    narrow: Callable[[QuerySet, dict], QuerySet] = lambda entries, filters: entries
    # (a page of entries) -> None, rewriting what is shown of each.
    mask: Callable[[list], None] = lambda entries: None


_rules: dict[str, AuditPrivacy] = {}


def register_audit_privacy(rule: AuditPrivacy) -> AuditPrivacy:
    _rules[rule.key] = rule
    return rule


def narrow_entries(entries: QuerySet, filters: dict) -> QuerySet:
    for rule in _rules.values():
        entries = rule.narrow(entries, filters)
    return entries


def mask_entries(entries: list) -> list:
    for rule in _rules.values():
        rule.mask(entries)
    return entries
