"""Every transition of the main path, the refusals of illegal ones, and reopening."""

import datetime as dt
import io

import pytest
from django.utils import translation

from gongzhi.cases.choices import CaseState, EventKind, Rating
from gongzhi.cases.models import Case, CaseEvent, CaseRating
from gongzhi.cases.services import workflow
from gongzhi.core.errors import DomainError, StaleEdit
from gongzhi.core.models import AuditEntry
from gongzhi.notifications.models import Notification

from .conftest import MONDAY, SHANGHAI

pytestmark = pytest.mark.django_db
S = CaseState


def kinds(case):
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("kind", flat=True))


def test_the_whole_path_writes_timeline_audit_and_notices(flow, department):
    u = flow.users
    case = flow.report()
    assert case.state == S.SUBMITTED and case.tracking_number == "2026030900001"
    assert (case.grid.code, case.street.code) == ("420902001001001", "420902001000")

    case = workflow.register_case(actor=u["community_secretary"], case=case)
    assert case.state == S.REGISTERED and case.terms["handling"] == {"amount": 1, "unit": "days"}
    case = workflow.dispatch_case(actor=u["community_secretary"], case=case)
    # Litter is routed by territory to the urban-management squadron serving street A.
    assert case.handling_department == department
    assert case.dispatcher_division == case.community and case.dispatcher_level == "community"
    # 2 working hours to accept, 1 working day to handle (the close of Tuesday).
    assert case.response_due == MONDAY + dt.timedelta(hours=2)
    assert case.handling_due == dt.datetime(2026, 3, 10, 17, 30, tzinfo=SHANGHAI)
    assert case.response_warn_at == MONDAY + dt.timedelta(minutes=96)

    case = workflow.accept_case(actor=u["department_staff"], case=case)
    case = workflow.start_case(actor=u["department_staff"], case=case)
    case = workflow.resolve_case(actor=u["department_staff"], case=case, feedback="已清运")
    case = workflow.verify_case(actor=u["grid_worker"], case=case, passed=True)
    case = workflow.close_case(actor=u["community_secretary"], case=case)
    case = workflow.rate_case(actor=u["resident"], case=case, value=Rating.SATISFIED, comment="很快")
    assert case.state == S.RATED and case.rating == Rating.SATISFIED
    assert case.version == 9
    assert kinds(case) == ["submitted", "registered", "dispatched", "accepted", "started", "resolved", "verified",
                           "closed", "rated"]
    assert AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).count() == 9
    told = set(Notification.objects.filter(recipient=u["resident"]).values_list("verb", flat=True))
    assert told == {"case.registered", "case.dispatched", "case.resolved", "case.rating_wanted"}
    assert Notification.objects.filter(recipient=u["department_staff"], verb="case.dispatched").exists()
    assert Notification.objects.filter(recipient=u["grid_worker"], verb="case.verify").exists()


def test_rejecting_needs_a_reason_and_ends_the_case(flow):
    case = flow.report()
    with pytest.raises(DomainError):
        workflow.reject_case(actor=flow.users["community_secretary"], case=case, reason=" ")
    case = workflow.reject_case(actor=flow.users["community_secretary"], case=case, reason="不属于受理范围")
    assert case.state == S.REJECTED and case.rejection_reason == "不属于受理范围"
    with pytest.raises(DomainError):
        workflow.register_case(actor=flow.users["community_secretary"], case=case)


@pytest.mark.parametrize(("step", "persona", "call"), [
    ("report", "department_staff", lambda c, u: workflow.accept_case(actor=u, case=c)),
    ("report", "community_secretary", lambda c, u: workflow.dispatch_case(actor=u, case=c)),
    ("dispatched", "department_staff", lambda c, u: (workflow.resolve_case(actor=u, case=c, feedback="x") and None)
     or workflow.close_case(actor=u, case=c)),
    ("accepted", "department_staff", lambda c, u: workflow.accept_case(actor=u, case=c)),
    ("resolved", "community_secretary", lambda c, u: workflow.close_case(actor=u, case=c)),
    ("closed", "community_secretary", lambda c, u: workflow.register_case(actor=u, case=c)),
])
def test_an_illegal_transition_is_refused_and_changes_nothing(flow, step, persona, call):
    case = getattr(flow, step)()
    state, version = case.state, case.version
    events = CaseEvent.objects.count()
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        call(case, flow.users[persona])
    assert refused.value.code in ("illegal_transition", "forbidden")
    case.refresh_from_db()
    if step != "dispatched":  # that one's first call was legal
        assert (case.state, case.version) == (state, version)
        assert (CaseEvent.objects.count(), AuditEntry.objects.count()) == (events, audits)


def test_the_illegal_transition_message_says_why(flow):
    case = flow.report()
    with translation.override("en"), pytest.raises(DomainError, match=r"is submitted: it cannot be accepted") \
            as refused:
        workflow.accept_case(actor=None, case=case)
    assert refused.value.code == "illegal_transition"


@pytest.mark.parametrize(("persona", "allowed"), [
    ("department_staff", True), ("grid_worker", False), ("resident", False), ("street_officer_b", False),
    ("street_officer_a", False),  # the street may see it, but the department holds it
])
def test_only_the_handling_unit_accepts(flow, persona, allowed):
    case = flow.dispatched()
    if allowed:
        assert workflow.accept_case(actor=flow.users[persona], case=case).state == S.ACCEPTED
    else:
        with pytest.raises(DomainError) as refused:
            workflow.accept_case(actor=flow.users[persona], case=case)
        assert refused.value.code == "forbidden"


def test_a_stale_version_loses(flow):
    case = flow.dispatched()
    seen = case.version
    workflow.accept_case(actor=flow.users["department_staff"], case=case, expected_version=seen)
    with pytest.raises(StaleEdit):
        workflow.accept_case(actor=flow.users["department_staff"], case=case, expected_version=seen)
    case.refresh_from_db()
    assert case.version == seen + 1 and kinds(case).count(EventKind.ACCEPTED) == 1


def test_the_reporter_may_verify_and_a_failed_check_reopens_once_then_goes_back(flow):
    u = flow.users
    case = flow.resolved()
    case = workflow.verify_case(actor=u["resident"], case=case, passed=False, note="还有垃圾")
    assert case.state == S.IN_PROGRESS and case.reopen_count == 1 and case.handling_department_id
    case = workflow.resolve_case(actor=u["department_staff"], case=case, feedback="再次清运")
    case = workflow.verify_case(actor=u["grid_worker"], case=case, passed=False, note="仍未清理")
    # The rule reopened it once; now the dispatcher decides again.
    assert case.state == S.REGISTERED and case.handling_department is None and case.handling_due is None
    assert kinds(case)[-2:] == ["verification_failed", "reopened"]


def test_a_failed_verification_needs_a_note(flow):
    case = flow.resolved()
    with pytest.raises(DomainError):
        workflow.verify_case(actor=flow.users["grid_worker"], case=case, passed=False)


def test_a_dissatisfied_rating_reopens_once(flow):
    u = flow.users
    case = flow.closed()
    case = workflow.rate_case(actor=u["resident"], case=case, value=Rating.DISSATISFIED, comment="没处理干净")
    assert case.state == S.IN_PROGRESS and case.reopened_on_rating and case.rating == ""
    assert CaseRating.objects.filter(case=case, value=Rating.DISSATISFIED).count() == 1
    case = workflow.resolve_case(actor=u["department_staff"], case=case, feedback="彻底清理")
    case = workflow.verify_case(actor=u["grid_worker"], case=case, passed=True)
    case = workflow.close_case(actor=u["community_secretary"], case=case)
    case = workflow.rate_case(actor=u["resident"], case=case, value=Rating.DISSATISFIED)
    assert case.state == S.RATED and case.rating == Rating.DISSATISFIED  # the second time it stands


def test_only_followers_rate_and_only_once(flow):
    u = flow.users
    case = flow.closed()
    with pytest.raises(DomainError):
        workflow.rate_case(actor=u["grid_worker"], case=case, value=Rating.SATISFIED)
    workflow.rate_case(actor=u["resident"], case=case, value=Rating.SATISFIED)
    with pytest.raises(DomainError) as refused:
        workflow.rate_case(actor=u["resident"], case=case, value=Rating.SATISFIED)
    assert refused.value.code in ("duplicate", "illegal_transition")


def test_an_anonymous_reporter_rates_with_the_follow_token(flow):
    from gongzhi.cases.services.intake import Report, submit_case
    from gongzhi.demo.fixture_city import X0, Y0

    intake = submit_case(actor=None, report=Report(description="井盖丢了", lng=X0 + 0.001, lat=Y0 + 0.001,
                                                   category=Case.category.field.related_model.objects.get(
                                                       code="manhole-cover"), contact_phone="13812345678"))
    assert intake.follow_token
    case = intake.case
    u = flow.users
    case = workflow.register_case(actor=u["community_secretary"], case=case)
    case = workflow.dispatch_case(actor=u["street_officer_a"], case=case)
    assert case.handling_division == case.street  # no water department: the street office handles it
    case = workflow.accept_case(actor=u["street_officer_a"], case=case)
    case = workflow.resolve_case(actor=u["street_officer_a"], case=case, feedback="已补装")
    case = workflow.verify_case(actor=u["grid_worker"], case=case, passed=True)
    case = workflow.close_case(actor=u["street_officer_a"], case=case)
    with pytest.raises(DomainError):
        workflow.rate_case(actor=None, case=case, value=Rating.SATISFIED, follow_token="wrong")
    case = workflow.rate_case(actor=None, case=case, value=Rating.SATISFIED, follow_token=intake.follow_token)
    assert case.state == S.RATED


def test_dispatch_to_a_named_office_and_refuse_a_foreign_one(flow, city):
    case = flow.registered()
    with pytest.raises(DomainError):
        workflow.dispatch_case(actor=flow.users["community_secretary"], case=case, division=city.street_b)
    case = workflow.dispatch_case(actor=flow.users["community_secretary"], case=case, division=city.community_a)
    assert case.handling_division == city.community_a
    # The community's own office handles it: its secretary accepts.
    assert workflow.accept_case(actor=flow.users["community_secretary"], case=case).state == S.ACCEPTED


def test_community_matters_go_to_the_community(flow, city):
    case = flow.dispatched(category="neighbour-dispute")
    assert case.handling_division == city.community_a


def test_catalogue_edits_never_rewrite_a_registered_case(flow, catalogue):
    from gongzhi.cases.services.catalogue import update_category

    case = flow.registered()
    update_category(actor=flow.users["city_admin"], category=catalogue["litter"],
                    changes={"handling_limit": 9, "routing": "street"})
    case = workflow.dispatch_case(actor=flow.users["community_secretary"], case=case)
    assert case.terms["handling"]["amount"] == 1 and case.handling_department is not None


def test_seeding_the_catalogue_is_idempotent_and_keeps_edits(catalogue, city):
    from django.core.management import call_command

    from gongzhi.cases.models import Category
    from gongzhi.cases.services.catalogue import seed_catalogue, update_category

    assert len(catalogue) > 40 and all(c.name_zh and c.name_en for c in catalogue.values())
    update_category(actor=city.users["city_admin"], category=catalogue["noise"], changes={"handling_limit": 5})
    assert seed_catalogue() == 0
    call_command("seed_catalogue", stdout=io.StringIO())
    assert Category.objects.get(code="noise").handling_limit == 5
    with pytest.raises(DomainError):
        update_category(actor=city.users["street_officer_a"], category=catalogue["noise"],
                        changes={"handling_limit": 1})
    with pytest.raises(DomainError):  # a sub-category must keep its terms
        update_category(actor=city.users["city_admin"], category=catalogue["noise"], changes={"routing": ""})
