"""The case catalogue held in memory: every report names a sub-category, and every answer that
lists cases shows their categories, so asking the database each time is waste.

Each process keeps one copy (gongzhi.core.process_copy) and checks at most once a second whether
the table changed anywhere (a fingerprint: how many rows, the highest id, version sum and last
edit). The catalogue services also drop this process's copy when an edit commits, so the editing
process sees it at once and the others within a second.
"""

from django.db import models

from gongzhi.core.process_copy import ProcessCopy


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


def _read() -> Catalogue:
    from .models import Category

    return Catalogue(list(Category.objects.all()))


_copy = ProcessCopy(_fingerprint, _read)
catalogue = _copy.get  # this process's copy, re-read when the table changed
forget_catalogue = _copy.forget
