"""Exchanges: eligible by age (lower in hardship), offered by a neighbour, done, and confirmed by
both sides before the credits move; disputes resolved by staff with a reason; illegal or stale
transitions refused with nothing changed."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from gongzhi.core import ledger
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.lovebank import books
from gongzhi.lovebank.choices import ExchangeStatus as S
from gongzhi.lovebank.models import Exchange
from gongzhi.lovebank.services import exchanges as svc
from gongzhi.lovebank.services import members

from .factories import certify, person, set_birth

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def people(city):
    with time_machine.travel(TODAY, tick=False):
        elder, helper = person("老张"), person("小刘")
        certify(elder, city.community_a, "6", dt.date(2026, 1, 5))
        certify(helper, city.community_a, "1", dt.date(2026, 1, 6))
        set_birth(elder, dt.date(1955, 1, 1))
        yield elder, helper


def ask(elder, credits="2", key="k1"):
    return svc.request_help(actor=elder, service_kind="escort", credits=credits, wanted_on=dt.date(2026, 5, 10),
                            key=key)[0]


def test_the_credits_move_only_after_both_sides_confirm(people):
    elder, helper = people
    with time_machine.travel(TODAY, tick=False):
        x = ask(elder)
        assert svc.request_help(actor=elder, service_kind="escort", credits="2", wanted_on=dt.date(2026, 5, 10),
                                key="k1") == (x, False)
        x = svc.offer(actor=helper, exchange_id=x.pk, expected_version=x.version)
        x = svc.mark_done(actor=helper, exchange_id=x.pk)
        x = svc.confirm(actor=helper, exchange_id=x.pk)
        assert x.status == S.DONE and x.transaction is None
        assert books.balance_of(elder.pk) == D("6.00") and books.balance_of(helper.pk) == D("1.00")
        x = svc.confirm(actor=elder, exchange_id=x.pk)
    assert x.status == S.COMPLETED and x.transaction is not None
    assert books.balance_of(elder.pk) == D("4.00") and books.balance_of(helper.pk) == D("3.00")
    assert ledger.verify_all()


def test_too_young_or_unknown_age_may_not_draw_help(city, people):
    _elder, helper = people
    with time_machine.travel(TODAY, tick=False):
        with pytest.raises(DomainError) as unknown:
            ask(helper)
        assert "birth date" in str(unknown.value.message)
        set_birth(helper, dt.date(1963, 1, 1))  # 63: under 65
        with pytest.raises(DomainError):
            ask(helper)
        assert not Exchange.objects.exists()
        # In hardship the age is 60: staff flag it with a reason, then it works.
        member = helper.bank_member
        members.flag_hardship(actor=city.users["community_secretary"], member_id=member.pk, hardship=True,
                              reason="低保户")
        assert ask(helper, credits="1").status == S.REQUESTED


def test_a_request_beyond_the_balance_is_refused(people):
    elder, _helper = people
    with time_machine.travel(TODAY, tick=False), pytest.raises(DomainError) as refused:
        ask(elder, credits="7")
    assert refused.value.code == "insufficient" and not Exchange.objects.exists()


def test_illegal_and_stale_transitions_change_nothing(people):
    elder, helper = people
    with time_machine.travel(TODAY, tick=False):
        x = ask(elder)
        with pytest.raises(DomainError):
            svc.offer(actor=elder, exchange_id=x.pk)  # own request
        with pytest.raises(DomainError):
            svc.confirm(actor=elder, exchange_id=x.pk)  # not done yet
        with pytest.raises(PermissionDenied):
            svc.mark_done(actor=elder, exchange_id=x.pk)  # only the helper
        x = svc.offer(actor=helper, exchange_id=x.pk)
        with pytest.raises(DomainError) as stale:
            svc.mark_done(actor=helper, exchange_id=x.pk, expected_version=x.version - 1)
        assert stale.value.code == "stale"
    x.refresh_from_db()
    assert x.status == S.OFFERED and x.done_at is None


def test_a_stranger_cannot_touch_an_exchange(city, people):
    elder, _helper = people
    stranger = person("路人")
    certify(stranger, city.community_b, "1")
    with time_machine.travel(TODAY, tick=False):
        x = ask(elder)
        with pytest.raises(DomainError) as missing:
            svc.offer(actor=stranger, exchange_id=x.pk)  # another community: not near them
        assert missing.value.code == "not_found"
    x.refresh_from_db()
    assert x.status == S.REQUESTED and x.provider is None


@pytest.mark.parametrize(("outcome", "elder_after", "helper_after", "status"),
                         [("complete", "4.00", "3.00", S.COMPLETED), ("cancel", "6.00", "1.00", S.CANCELLED)])
def test_staff_resolve_a_dispute(city, people, outcome, elder_after, helper_after, status):
    elder, helper = people
    with time_machine.travel(TODAY, tick=False):
        x = ask(elder)
        svc.offer(actor=helper, exchange_id=x.pk)
        svc.mark_done(actor=helper, exchange_id=x.pk)
        x = svc.dispute(actor=elder, exchange_id=x.pk, reason="没有来")
        assert x.status == S.DISPUTED
        with pytest.raises(DomainError):
            svc.confirm(actor=helper, exchange_id=x.pk)
        # Street B's officer does not reach it: nothing changes.
        with pytest.raises(DomainError) as denied:
            svc.resolve(actor=city.users["street_officer_b"], exchange_id=x.pk, outcome=outcome, reason="x")
        assert denied.value.code == "not_found"
        x = svc.resolve(actor=city.users["community_secretary"], exchange_id=x.pk, outcome=outcome,
                        reason="电话核实")
    assert x.status == status and x.resolution_reason == "电话核实"
    assert str(books.balance_of(elder.pk)) == elder_after and str(books.balance_of(helper.pk)) == helper_after
    assert AuditEntry.objects.filter(action="lovebank.exchange_resolve", object_id=str(x.pk)).exists()


def test_the_requester_withdraws_before_it_is_done(people):
    elder, _helper = people
    with time_machine.travel(TODAY, tick=False):
        x = ask(elder)
        x = svc.cancel(actor=elder, exchange_id=x.pk, reason="家人回来了")
    assert x.status == S.CANCELLED and books.balance_of(elder.pk) == D("6.00")


def test_a_dispute_is_a_to_do_on_the_desk_of_its_community_only(city, people):
    from gongzhi.core.seams.todos import todos_for

    elder, helper = people
    with time_machine.travel(TODAY, tick=False):
        x = ask(elder)
        svc.offer(actor=helper, exchange_id=x.pk)
        svc.dispute(actor=helper, exchange_id=x.pk, reason="时间冲突")
    mine = [t for t in todos_for(city.users["community_secretary"]) if t.code == "lovebank.disputes"]
    assert [t.count for t in mine] == [1] and "1 love-bank dispute to resolve" in mine[0].text
    theirs = [t for t in todos_for(city.users["street_officer_b"]) if t.code == "lovebank.disputes" and t.count]
    assert theirs == []
