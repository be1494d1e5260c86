"""The case catalogue held in memory: every report names a sub-category, and every answer that
lists cases shows their categories, so asking the database each time is waste.

Each process keeps one copy and checks at most once a second whether the table changed anywhere
(a fingerprint: how many rows, the highest id, version sum and last edit). The catalogue services
also drop this process's copy when an edit commits, so the editing process sees it at once and the
others within a second. The copies are read-only: never change an object taken from here.
"""

import threading
from time import monotonic

from django.db import models

RECHECK_SECONDS = 1.0

_lock = threading.Lock()
_cached: dict = {"catalogue": None, "token": None, "checked": 0.0}


class Catalogue:
    """The categories by id and by code, as read at one moment."""

    def __init__(self, categories):
        self.by_id = {c.pk: c for c in categories}
        self.by_code = {c.code: c for c in categories}

    def leaf(self, code: str):
        """The active sub-category with this code, or None."""
        category = self.by_code.get(code)
        return category if category is not None and category.is_leaf and category.is_active else None

    def active(self, code: str):
        category = self.by_code.get(code)
        return category if category is not None and category.is_active else None


def _fingerprint():
    from .models import Category

    return tuple(Category.objects.aggregate(
        n=models.Count("id"), top=models.Max("id"), versions=models.Sum("version"), edited=models.Max("updated_at"),
    ).values())


def catalogue() -> Catalogue:
    """This process's copy, re-read when the table changed (checked at most once a second)."""
    from .models import Category

    now = monotonic()
    with _lock:
        current = _cached["catalogue"]
        if current is not None and now - _cached["checked"] < RECHECK_SECONDS:
            return current
        token = _fingerprint()
        if current is None or token != _cached["token"]:
            current = Catalogue(list(Category.objects.all()))
            _cached.update(catalogue=current, token=token)
        _cached["checked"] = now
        return current


def forget_catalogue() -> None:
    """Drop this process's copy; the next use reads the table again."""
    with _lock:
        _cached.update(catalogue=None, token=None, checked=0.0)
