"""The order loop as people meet it: a resident orders help, the community dispatches (or publishes)
it, a member or volunteer takes it and records what was done, the resident confirms and rates —
and the takers' hours are certified; each refusal leaves the order as it was."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from gongzhi.core.errors import DomainError, StaleEdit
from gongzhi.core.models import AuditEntry
from gongzhi.core.scope import NotInScope
from gongzhi.core.seams import hooks
from gongzhi.notifications.models import Notification
from gongzhi.service.choices import OrderStatus, TakerStatus
from gongzhi.service.models import Order, OrderTaker
from gongzhi.service.services import cases as case_services
from gongzhi.service.services import no_shows, orders, reminders
from gongzhi.service.timeline import render

from .factories import build_service, place

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def s(city):
    return build_service(city)


def state(order):
    order = Order.objects.get(pk=order.pk)
    return order.status, order.version, list(order.assignments.values_list("user_id", "status"))


def test_place_dispatch_take_done_confirm_certifies_hours(s, django_capture_on_commit_callbacks):
    from gongzhi.volunteering.models import ServiceHours

    closed = []
    hooks.connect("service.order_closed", lambda order: closed.append((order.pk, [u.pk for u in order.takers],
                                                                       order.rating)), key="test.closed")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            order = place(s)
        assert order.status == OrderStatus.PLACED and order.number.startswith("S")
        assert order.community == s.city.community_a and order.street_id == s.city.street_a.pk
        # The desk is told an order waits.
        assert Notification.objects.filter(recipient=s.desk, verb="service.order_placed").exists()
        with django_capture_on_commit_callbacks(execute=True):
            order = orders.dispatch(actor=s.desk, order_id=order.pk, taker_ids=[s.member.pk, s.volunteer.pk],
                                    team_name="", expected_version=order.version)
        assert order.status == OrderStatus.DISPATCHED
        assert Notification.objects.filter(recipient=s.member, verb="service.order_assigned").exists()
        order = orders.take(actor=s.member, order_id=order.pk)
        assert order.status == OrderStatus.TAKEN
        order = orders.record_done(actor=s.member, order_id=order.pk, note="买了菜，送到家", hours="1.5")
        assert order.status == OrderStatus.DONE and order.hours == Decimal("1.50")
        order = orders.confirm_and_rate(actor=s.resident, order_id=order.pk, rating=5, comment="很好",
                                        expected_version=order.version)
    finally:
        hooks.disconnect("service.order_closed", "test.closed")
    assert order.status == OrderStatus.CONFIRMED and order.rating == 5
    hours = ServiceHours.objects.filter(source="order", source_id=order.pk).order_by("person_id")
    assert [(h.person_id, h.hours) for h in hours] == sorted([(s.member.pk, Decimal("1.50")),
                                                              (s.volunteer.pk, Decimal("1.50"))])
    assert closed == [(order.pk, [s.member.pk, s.volunteer.pk], 5)]
    codes = list(order.events.values_list("code", flat=True))
    assert codes == ["placed", "dispatched", "accepted", "done", "confirmed", "hours_certified"]
    assert AuditEntry.objects.filter(object_type="service.order", object_id=str(order.pk)).count() == 5
    # Confirming again changes nothing and certifies nothing more.
    with pytest.raises(DomainError):
        orders.confirm_and_rate(actor=s.resident, order_id=order.pk, rating=4)
    assert ServiceHours.objects.filter(source="order", source_id=order.pk).count() == 2


def test_published_order_has_one_winner(s):
    order = place(s)
    order = orders.publish(actor=s.desk, order_id=order.pk)
    seen = order.version
    first = orders.take(actor=s.volunteer, order_id=order.pk, expected_version=seen)
    assert first.status == OrderStatus.TAKEN
    # The member read the pool at the same moment: the order is gone.
    with pytest.raises(DomainError) as refused:
        orders.take(actor=s.member, order_id=order.pk, expected_version=seen)
    assert refused.value.code in ("stale", "conflict")
    assert list(OrderTaker.objects.filter(order=order).values_list("user_id", flat=True)) == [s.volunteer.pk]


def test_someone_serving_elsewhere_may_not_take(s):
    order = orders.publish(actor=s.desk, order_id=place(s).pk)
    before = state(order)
    # 赵强 serves community B: the pool of community A is not his (the order does not exist for him).
    with pytest.raises(NotInScope):
        orders.take(actor=s.member_b_user, order_id=order.pk)
    assert state(order) == before


def test_scope_denials_change_nothing(s):
    order = place(s)
    before = state(order)
    # The street B officer does not see it; the resident sees it but may not dispatch it.
    with pytest.raises(NotInScope):
        orders.dispatch(actor=s.city.users["street_officer_b"], order_id=order.pk, taker_ids=[s.member.pk])
    with pytest.raises(PermissionDenied):
        orders.dispatch(actor=s.resident, order_id=order.pk, taker_ids=[s.member.pk])
    # A taker from community B is not among community A's takers: read as missing.
    with pytest.raises(NotInScope):
        orders.dispatch(actor=s.desk, order_id=order.pk, taker_ids=[s.member.pk, s.member_b_user.pk])
    # A resident may not order in another community.
    with pytest.raises(NotInScope):
        place(s, community=s.city.community_b)
    assert state(order) == before
    assert Order.objects.count() == 1


def test_the_branch_secretary_dispatches_for_the_branchs_community(s):
    order = place(s)
    order = orders.dispatch(actor=s.party.branch_secretary, order_id=order.pk, taker_ids=[s.member.pk])
    assert order.status == OrderStatus.DISPATCHED
    other = place(s, actor=s.city.users["street_officer_b"], community=s.city.community_b, for_neighbour=True,
                  contact_name="王大爷")
    with pytest.raises(NotInScope):
        orders.publish(actor=s.party.branch_secretary, order_id=other.pk)


def test_idempotent_create(s):
    first = place(s, key="tap-1")
    again = place(s, key="tap-1")
    assert again.pk == first.pk and Order.objects.count() == 1
    with pytest.raises(DomainError) as refused:
        place(s, key="tap-1", description="另一件事")
    assert refused.value.code == "conflict"


def test_stale_version_is_refused(s):
    order = place(s)
    stale = order.version
    orders.publish(actor=s.desk, order_id=order.pk, expected_version=stale)
    before = state(order)
    with pytest.raises(StaleEdit):
        orders.cancel(actor=s.resident, order_id=order.pk, reason="不需要了", expected_version=stale)
    assert state(order) == before


@override_settings(GONGZHI_SERVICE={"CANCEL_WINDOW_HOURS": 6})
def test_cancellation_window(s, django_capture_on_commit_callbacks):
    early = orders.dispatch(actor=s.desk, order_id=place(s, hours_ahead=48).pk, taker_ids=[s.member.pk])
    early = orders.cancel(actor=s.resident, order_id=early.pk, reason="家人回来了")
    assert early.status == OrderStatus.CANCELLED and not early.cancelled_late
    late = orders.dispatch(actor=s.desk, order_id=place(s, hours_ahead=3).pk, taker_ids=[s.member.pk])
    with django_capture_on_commit_callbacks(execute=True):
        late = orders.cancel(actor=s.resident, order_id=late.pk, reason="临时有事")
    assert late.status == OrderStatus.CANCELLED and late.cancelled_late
    assert Notification.objects.filter(recipient=s.desk, verb="service.order_cancelled_late").exists()
    assert "6" in render(late.events.last())
    # Nobody but who ordered it (or the desk) cancels it.
    other = place(s)
    with pytest.raises(PermissionDenied):
        orders.cancel(actor=s.city.users["auditor"], order_id=other.pk, reason="x")
    assert Order.objects.get(pk=other.pk).status == OrderStatus.PLACED


def test_no_show_dispute_withdrawn_and_upheld(s):
    order = orders.dispatch(actor=s.desk, order_id=place(s).pk, taker_ids=[s.member.pk])
    order = no_shows.mark_no_show(actor=s.desk, order_id=order.pk, taker_id=s.member.pk, reason="约定时间未到")
    assert order.status == OrderStatus.NO_SHOW
    # Someone else may not dispute it (the order is not theirs even to see).
    with pytest.raises(NotInScope):
        no_shows.dispute_no_show(actor=s.volunteer, order_id=order.pk, reason="x")
    order = no_shows.dispute_no_show(actor=s.member, order_id=order.pk, reason="我到了，家里没人")
    assert order.status == OrderStatus.DISPUTED
    order = no_shows.decide_dispute(actor=s.desk, order_id=order.pk, taker_id=s.member.pk, upheld=False,
                                    note="核实属实")
    assert order.status == OrderStatus.DISPATCHED
    assert OrderTaker.objects.get(order=order, user=s.member).status == TakerStatus.ASSIGNED
    # A second no-show, disputed, upheld: the order waits to be dispatched again.
    order = no_shows.mark_no_show(actor=s.desk, order_id=order.pk, taker_id=s.member.pk, reason="又没来")
    no_shows.dispute_no_show(actor=s.member, order_id=order.pk, reason="路上堵车")
    order = no_shows.decide_dispute(actor=s.desk, order_id=order.pk, taker_id=s.member.pk, upheld=True)
    assert order.status == OrderStatus.NO_SHOW
    order = orders.dispatch(actor=s.desk, order_id=order.pk, taker_ids=[s.volunteer.pk])
    assert dict(OrderTaker.objects.filter(order=order).values_list("user_id", "status")) == {
        s.member.pk: TakerStatus.NO_SHOW, s.volunteer.pk: TakerStatus.ASSIGNED}


def test_reminders_once(s, django_capture_on_commit_callbacks):
    order = orders.dispatch(actor=s.desk, order_id=place(s, hours_ahead=1).pk, taker_ids=[s.member.pk])
    Order.objects.filter(pk=order.pk).update(deadline=timezone.now() + dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.remind_due() == 1
        assert reminders.remind_due() == 0
    assert Notification.objects.filter(recipient=s.member, verb="service.deadline_near").count() == 1


def test_order_turns_into_a_case_and_a_case_spawns_an_order(s):
    from gongzhi.cases.models import Case, Category
    from gongzhi.cases.services.catalogue import seed_catalogue

    seed_catalogue()
    category = Category.objects.filter(parent__isnull=False, is_active=True).first()
    order = place(s)
    order = case_services.turn_into_case(actor=s.desk, order_id=order.pk, category_id=category.pk)
    assert order.status == OrderStatus.CASE and order.case is not None
    case = Case.objects.get(pk=order.case_id)
    assert case.community_id == s.city.community_a.pk
    spawned, created = case_services.order_from_case(actor=s.desk, case_id=case.pk, kind_id=s.kind.pk,
                                                     wanted_at=timezone.now() + dt.timedelta(days=1))
    assert created and spawned.from_case_id == case.pk and spawned.community == s.city.community_a
    # The street B officer does not see the case: read as missing.
    with pytest.raises(NotInScope):
        case_services.order_from_case(actor=s.city.users["street_officer_b"], case_id=case.pk, kind_id=s.kind.pk,
                                      wanted_at=timezone.now() + dt.timedelta(days=1))


def test_metrics_of_a_street(s):
    from types import SimpleNamespace

    from gongzhi.core.seams.metrics import metric

    for rating in (5, 3):
        order = orders.dispatch(actor=s.desk, order_id=place(s).pk, taker_ids=[s.member.pk])
        orders.take(actor=s.member, order_id=order.pk)
        orders.record_done(actor=s.member, order_id=order.pk, note="完成", hours="2")
        orders.confirm_and_rate(actor=s.resident, order_id=order.pk, rating=rating)
    today = timezone.localdate()
    period = SimpleNamespace(first=today.replace(day=1), last=today)
    street_a = SimpleNamespace(type="street", pk=s.city.street_a.pk)
    street_b = SimpleNamespace(type="street", pk=s.city.street_b.pk)
    assert metric("service.orders_served").compute(street_a, period) == 2
    assert metric("service.order_hours").compute(street_a, period) == 4.0
    assert metric("service.satisfaction").compute(street_a, period) == 0.5
    assert metric("service.orders_served").compute(street_b, period) == 0
    assert metric("service.satisfaction").compute(street_b, period) is None
