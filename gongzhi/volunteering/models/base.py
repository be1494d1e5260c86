"""Where a volunteering row lies: its community, with the community's ancestors cached beside it, so
"everything under this street" is one indexed `street_id = X` (gongzhi.core.scope.subtree_q)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def _cached(level):
    return models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+", null=True,
                             blank=True, db_index=False, db_constraint=False, editable=False, verbose_name=level)


class InCommunity(models.Model):
    community = models.ForeignKey("divisions.Division", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    street = _cached("street")
    district = _cached("district")
    city = _cached("city")

    class Meta:
        abstract = True

    def site_in(self, community) -> None:
        self.community = community
        self.street_id = community.street_id
        self.district_id = community.district_id
        self.city_id = community.city_id


def community_indexes(prefix: str, *extra: str) -> list[models.Index]:
    return [models.Index(fields=[level, *extra], name=f"{prefix}_{level}")
            for level in ("community", "street", "district")]
