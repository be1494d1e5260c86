"""Awards: by hand at the desk (scope, caps, idempotency, evidence), automatically from other apps'
announcements (hours, orders, report-ins), and reversals."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from gongzhi.core import ledger
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry, LedgerTransaction
from gongzhi.core.scope import NotInScope
from gongzhi.core.seams import hooks
from gongzhi.points import selectors as sel
from gongzhi.points.choices import AwardStatus
from gongzhi.points.models import Award
from gongzhi.points.services import awards

from .factories import build_points

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def pts(city):
    return build_points(city)


def by_hand(city, pts, actor="community_secretary", *, person=None, rule="good_deed", community=None, key="k1",
            evidence="扶老人过马路，有照片", day=DAY):
    return awards.award_by_hand(actor=city.users[actor] if isinstance(actor, str) else actor,
                                person_id=(person or pts.person_a).pk, rule_id=pts.rules[rule].pk,
                                community_id=(community or city.community_a).pk, occurred_on=day, evidence=evidence,
                                reason="好人好事", idempotency_key=key)


def test_an_award_by_hand_shows_in_the_persons_balance_and_statement(city, pts):
    award = by_hand(city, pts)
    assert award.status == AwardStatus.AWARDED and award.points == Decimal("5.00")
    assert sel.balance_of(pts.person_a) == Decimal("5.00")
    entry = sel.statement_of(pts.person_a).get()
    assert entry.amount == Decimal("5.00") and entry.transaction.memo_code == "points.award"
    assert AuditEntry.objects.filter(action="points.award", object_id=str(award.pk)).exists()
    assert ledger.verify_all()


def test_the_same_key_again_awards_once(city, pts):
    first = by_hand(city, pts)
    again = by_hand(city, pts)
    assert again.pk == first.pk
    assert Award.objects.count() == 1 and sel.balance_of(pts.person_a) == Decimal("5.00")


def test_over_the_cap_a_manual_award_is_refused_and_posts_nothing(city, pts):
    for n in range(4):  # 4 × 5 = the half-year cap of 20
        by_hand(city, pts, key=f"k{n}")
    before = LedgerTransaction.objects.count()
    with pytest.raises(DomainError) as refused:
        by_hand(city, pts, key="k-over")
    assert "cap" in str(refused.value.message)
    assert LedgerTransaction.objects.count() == before and sel.balance_of(pts.person_a) == Decimal("20.00")
    # The next half-year starts afresh.
    by_hand(city, pts, key="k-july", day=dt.date(2026, 7, 1))
    assert sel.balance_of(pts.person_a) == Decimal("25.00")


def test_evidence_the_rule_asks_for_is_required(city, pts):
    with pytest.raises(DomainError):
        by_hand(city, pts, evidence="  ")
    assert not Award.objects.exists()


@pytest.mark.parametrize("what", ["person", "community"])
def test_a_desk_cannot_award_outside_its_scope_and_nothing_changes(city, pts, what):
    # Street B's officer names street A's member or community: both read as missing.
    kwargs = {"person": pts.person_a, "community": city.community_b} if what == "person" else \
        {"person": pts.person_a, "community": city.community_a}
    with pytest.raises(NotInScope):
        by_hand(city, pts, "street_officer_b", **kwargs)
    assert not Award.objects.exists() and not LedgerTransaction.objects.exists()


def test_roles_without_the_award_action_are_refused(city, pts):
    for persona in ("resident", "auditor", "district_officer", "grid_worker"):
        with pytest.raises(PermissionDenied):
            by_hand(city, pts, persona, key=persona)
    assert not Award.objects.exists()


def test_a_rule_may_narrow_who_awards_it(city, pts):
    rule = pts.rules["good_deed"]
    rule.awarders = ["street_officer"]
    rule.save()
    with pytest.raises(PermissionDenied):
        by_hand(city, pts)
    assert by_hand(city, pts, "street_officer_a").status == AwardStatus.AWARDED


def test_a_reversal_takes_the_points_back_and_is_not_repeated(city, pts):
    award = by_hand(city, pts)
    with pytest.raises(NotInScope):
        awards.reverse_award(actor=city.users["street_officer_b"], award_id=award.pk, reason="错录")
    reversed_ = awards.reverse_award(actor=city.users["street_officer_a"], award_id=award.pk, reason="错录")
    assert reversed_.status == AwardStatus.REVERSED and sel.balance_of(pts.person_a) == 0
    with pytest.raises(DomainError):
        awards.reverse_award(actor=city.users["street_officer_a"], award_id=award.pk, reason="again")
    assert sel.statement_of(pts.person_a).count() == 2 and ledger.verify_all()


def hours(pk, person, community, h="3.00", source="activity", day=DAY):
    return SimpleNamespace(pk=pk, person=person, hours=Decimal(h), served_on=day, community=community,
                           source=source, source_id=None, by_group=False)


def test_certified_hours_earn_points_per_hour_capped_without_failing_the_certifier(city, pts):
    hooks.announce("volunteering.hours_certified", hours=hours(1, pts.person_a, city.community_a, "20"))
    hooks.announce("volunteering.hours_certified", hours=hours(1, pts.person_a, city.community_a, "20"))  # replay
    hooks.announce("volunteering.hours_certified", hours=hours(2, pts.person_a, city.community_a, "8"))
    hooks.announce("volunteering.hours_certified", hours=hours(3, pts.person_a, city.community_a, "4"))
    hooks.announce("volunteering.hours_certified", hours=hours(4, pts.person_a, city.community_a, "3"))
    rows = {a.source_id: a for a in Award.objects.all()}
    assert rows[1].points == 20 and rows[2].points == 8  # the half-year cap is 30
    assert rows[3].points == 2 and rows[3].capped == 2
    assert rows[4].status == AwardStatus.CAPPED and rows[4].posting is None and rows[4].capped == 3
    assert sel.balance_of(pts.person_a) == Decimal("30.00")


def test_voided_hours_take_their_points_back(city, pts):
    record = hours(7, pts.person_a, city.community_a, "2", source="order")
    hooks.announce("volunteering.hours_certified", hours=record)
    assert sel.balance_of(pts.person_a) == Decimal("2.00")
    hooks.announce("volunteering.hours_voided", hours=record, reason="重复登记")
    assert sel.balance_of(pts.person_a) == 0
    assert Award.objects.get().status == AwardStatus.REVERSED and ledger.verify_all()


def test_a_rated_order_earns_each_taker_points(city, pts):
    order = SimpleNamespace(pk=11, community=city.community_a, takers=[pts.person_a, pts.person_b], rating=5)
    hooks.announce("service.order_closed", order=order)
    hooks.announce("service.order_closed", order=order)
    assert sel.balance_of(pts.person_a) == Decimal("2.00") == sel.balance_of(pts.person_b)
    unrated = SimpleNamespace(pk=12, community=city.community_a, takers=[pts.person_a], rating=None)
    hooks.announce("service.order_closed", order=unrated)
    assert Award.objects.count() == 2


def test_a_confirmed_report_in_earns_points(city, pts):
    from gongzhi.party.services import registrations

    reg = registrations.register_at_desk(actor=city.users["community_secretary"], member_id=pts.party.member_a.pk,
                                         community_id=city.community_a.pk)
    award = Award.objects.get(source="report_in")
    assert award.person == pts.person_a and award.source_id == reg.pk
    assert sel.balance_of(pts.person_a) == pts.rules["report_in"].points


def test_hours_certified_and_voided_by_the_volunteering_app_move_points(city, pts):
    from gongzhi.volunteering.services.hours import certify_hours, void_hours

    record = certify_hours(actor=city.users["community_secretary"], person=pts.person_a, hours=Decimal("3"),
                           served_on=DAY, community=city.community_a, source="activity", key="act.1.a")
    assert sel.balance_of(pts.person_a) == Decimal("3.00")
    void_hours(actor=city.users["community_secretary"], hours=record, reason="签到有误")
    assert sel.balance_of(pts.person_a) == 0 and Award.objects.get().status == AwardStatus.REVERSED
    assert ledger.verify_all()
