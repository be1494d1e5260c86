"""Scoped reads of points: every list, detail and form choice goes through here (gongzhi.core.scope)."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q, Sum

from gongzhi.core import ledger, scope
from gongzhi.divisions.models import Division

from .choices import AppealStatus, AwardStatus, PeriodStatus
from .models import Appeal, Award, Item, Merchant, Period, Redemption, Rule, Scheme, Standing
from .permissions import PointsAction as A

KIND = "points"
PERSON = "accounts.user"


def districts_for(user, action: str):
    return scope.restrict(Division.objects.filter(level="district", is_active=True), user, action).order_by("code")


def communities_for(user, action: str):
    return scope.restrict(Division.objects.filter(level="community", is_active=True), user, action).order_by("code")


def merchant_divisions(user):
    """Where the user may open a merchant: communities and streets of their shop scope."""
    return scope.restrict(Division.objects.filter(level__in=["street", "community"], is_active=True), user,
                          A.SHOP).order_by("code")


def rules_for(user, action: str = A.VIEW, *, district=None, active: bool | None = None):
    qs = scope.restrict(Rule.objects.all(), user, action).select_related("district")
    if district is not None:
        qs = qs.filter(district=district)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("district__code", "code")


def scheme_of(district_id) -> Scheme | None:
    return Scheme.objects.filter(district_id=district_id).first()


def schemes_for(user):
    return scope.restrict(Scheme.objects.all(), user, A.VIEW).select_related("district").order_by("district__code")


def awards_for(user, action: str = A.VIEW, *, person=None, community=None, status: str = ""):
    qs = scope.restrict(Award.objects.all(), user, action).select_related("rule", "person", "community",
                                                                          "awarded_by")
    if person is not None:
        qs = qs.filter(person=person)
    if community is not None:
        qs = qs.filter(community=community)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-awarded_at", "-id")


def awardable_people(user, community):
    """Who may be awarded points in `community` by `user`: party members living there and the
    community's registered volunteers (when the volunteering app keeps them)."""
    users = get_user_model().objects.filter(is_active=True)
    if community is None or not scope.covers(user, A.AWARD, community):
        return users.none()
    q = Q(party_member__home_community=community, party_member__state="active")
    try:
        from gongzhi.volunteering.models import Volunteer  # noqa: F401

        q |= Q(volunteer__community=community, volunteer__status="active")
    except ImportError:
        pass
    return users.filter(q).distinct().order_by("username")


def account_of(user):
    return ledger.open_account(kind=KIND, owner_type=PERSON, owner_id=user.pk)


def balance_of(user) -> Decimal:
    from gongzhi.core.models import LedgerAccount

    row = LedgerAccount.objects.filter(kind=KIND, owner_type=PERSON, owner_id=user.pk, name="main").values_list(
        "balance", flat=True).first()
    return row if row is not None else Decimal(0)


def statement_of(user):
    """The user's own points statement, newest first (an empty one before their first award)."""
    from gongzhi.core.models import LedgerAccount, LedgerEntry

    account = LedgerAccount.objects.filter(kind=KIND, owner_type=PERSON, owner_id=user.pk, name="main").first()
    if account is None:
        return LedgerEntry.objects.none()
    return ledger.entries_for(account)


def periods_for(user, *, district=None):
    qs = scope.restrict(Period.objects.all(), user, A.VIEW).select_related("district")
    if district is not None:
        qs = qs.filter(district=district)
    return qs


def period_in_scope(user, pk, action: str = A.VIEW) -> Period:
    return scope.get_in_scope(Period.objects.select_related("district"), user, action, pk=pk)


def standings_for(user, period, action: str = A.VIEW):
    return scope.restrict(Standing.objects.filter(period=period), user, action).select_related("person",
                                                                                                "community")


def my_standings(user):
    return Standing.objects.filter(person=user).select_related("period", "period__district").order_by(
        "-period__year", "-period__half")


def appeals_for(user, action: str = A.VIEW, *, status: str = "", period=None):
    qs = scope.restrict(Appeal.objects.all(), user, action).select_related(
        "standing", "standing__period", "person", "community")
    if status:
        qs = qs.filter(status=status)
    if period is not None:
        qs = qs.filter(standing__period=period)
    return qs


def decidable_appeals(user):
    """Appeals the user may decide: those of the periods of districts they publish for."""
    periods = scope.restrict(Period.objects.all(), user, A.PUBLISH).values("pk")
    return Appeal.objects.filter(standing__period__in=periods)


def merchants_for(user, action: str = A.VIEW):
    return scope.restrict(Merchant.objects.all(), user, action).select_related("community", "street")


def items_on_offer():
    """The shop: every active item of an active merchant (the catalogue is open to everyone)."""
    return (Item.objects.filter(active=True, merchant__active=True)
            .select_related("merchant", "merchant__community", "merchant__street").order_by("merchant__name", "name"))


def items_for(user, action: str = A.SHOP):
    return scope.restrict(Item.objects.all(), user, action).select_related("merchant")


def redemptions_for(user, action: str = A.VIEW):
    return scope.restrict(Redemption.objects.all(), user, action).select_related("item", "item__merchant",
                                                                                  "person")


def my_redemptions(user):
    return Redemption.objects.filter(person=user).select_related("item", "item__merchant")


def points_between(user_ids, start: dt.date, end: dt.date, *, district_id=None) -> dict[int, Decimal]:
    """{user_id: points} awarded (and not reversed) for occurrences between `start` and `end`."""
    qs = Award.objects.filter(person_id__in=list(user_ids), status=AwardStatus.AWARDED,
                              occurred_on__range=(start, end))
    if district_id is not None:
        qs = qs.filter(district_id=district_id)
    rows = qs.values_list("person_id").annotate(total=Sum("points")).order_by()
    return {pk: Decimal(total or 0).quantize(Decimal("0.01")) for pk, total in rows}


def member_points(member_ids, period) -> dict[int, tuple[Decimal, bool]]:
    """{member_id: (points, passed)} for the party's member review and the unit's appraisal.

    `period` is a published Period (its standings: the published and appeal-corrected figures) or
    a (start, end) pair of dates (live figures against each member's district pass mark). Members
    without a user account, or without points, answer (0, False)."""
    from gongzhi.party.models import Member

    members = list(Member.objects.filter(pk__in=list(member_ids)).values_list("pk", "user_id", "home_district_id"))
    out = {pk: (Decimal(0), False) for pk, _u, _d in members}
    users = {user_id: pk for pk, user_id, _d in members if user_id}
    if isinstance(period, Period):
        rows = Standing.objects.filter(period=period, person_id__in=list(users)).values_list(
            "person_id", "points", "passed")
        for user_id, points, passed in rows:
            out[users[user_id]] = (points, passed)
        return out
    start, end = period
    totals = points_between(list(users), start, end)
    marks = dict(Scheme.objects.values_list("district_id", "pass_mark"))
    for pk, user_id, district_id in members:
        if user_id:
            points = totals.get(user_id, Decimal(0))
            out[pk] = (points, points >= marks.get(district_id, Decimal(60)))
    return out


def open_appeal_count(user) -> int:
    return decidable_appeals(user).filter(status=AppealStatus.FILED).count()


def published_periods():
    return Period.objects.filter(status=PeriodStatus.PUBLISHED)
