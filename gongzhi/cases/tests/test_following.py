"""Following a case someone else reported, and the follow secret of a report made without an
account: one rule for every follower (reporter, merged duplicate's reporter, resident who chose to
follow, secret-link holder) — each rates once per closing, the first rating is the case's; those
who reported the problem (and the grid worker) verify. Refusals change nothing."""

import pytest
from django.http import Http404

from gongzhi.accounts.services import issue_token
from gongzhi.cases import selectors
from gongzhi.cases.choices import CaseState, FollowKind
from gongzhi.cases.models import Case, CaseEvent, CaseFollower, CaseRating
from gongzhi.cases.services import following, merging, workflow
from gongzhi.cases.services.intake import Report, submit_case
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.demo.personas import ensure_user
from gongzhi.notifications.models import Notification

from .conftest import IN_GRID_A

pytestmark = pytest.mark.django_db
S = CaseState


@pytest.fixture
def neighbour(city):
    """A signed-in resident who saw the same problem."""
    return ensure_user("neighbour", "邻居 钱多", phone="13700000001")


def anonymous_report(catalogue, description="路边有一堆垃圾"):
    intake = submit_case(actor=None, report=Report(description=description, lng=IN_GRID_A[0], lat=IN_GRID_A[1],
                                                   category=catalogue["litter"]))
    return intake.case, intake.follow_token


def footprint(case):
    return (Case.objects.get(pk=case.pk).version, CaseFollower.objects.filter(case=case).count(),
            CaseRating.objects.filter(case=case).count(), CaseEvent.objects.filter(case=case).count(),
            AuditEntry.objects.count())


# --- following --------------------------------------------------------------------------------------


def test_a_resident_follows_someone_elses_case_is_told_and_rates_it(flow, neighbour):
    case = flow.registered()
    row = following.follow_case(actor=neighbour, case=case)
    assert row.kind == FollowKind.FOLLOWER
    assert following.follow_case(actor=neighbour, case=case).pk == row.pk  # idempotent
    assert AuditEntry.objects.filter(action="case.follow", actor=neighbour).count() == 1
    assert list(selectors.my_cases(neighbour)) == [case]
    # The public view only: not the reporter's words, place or recording.
    with pytest.raises(Http404):
        selectors.case_detail(neighbour, case.pk)

    case = workflow.dispatch_case(actor=flow.users["community_secretary"], case=case)
    assert Notification.objects.filter(recipient=neighbour, verb="case.dispatched").exists()
    case = workflow.accept_case(actor=flow.users["department_staff"], case=case)
    case = workflow.resolve_case(actor=flow.users["department_staff"], case=case, feedback="已清运")
    with pytest.raises(DomainError):  # checking on the spot is for those who reported it
        workflow.verify_case(actor=neighbour, case=case, passed=True)
    case = workflow.verify_case(actor=flow.users["resident"], case=case, passed=True)
    case = workflow.close_case(actor=flow.users["community_secretary"], case=case)
    assert Notification.objects.filter(recipient=neighbour, verb="case.rating_wanted").exists()

    # One rule: the first rating after closing is the case's; the next is kept beside it.
    case = workflow.rate_case(actor=neighbour, case=case, value="basically_satisfied")
    assert case.state == S.RATED and case.rating == "basically_satisfied"
    case = workflow.rate_case(actor=flow.users["resident"], case=case, value="satisfied")
    assert case.rating == "basically_satisfied" and CaseRating.objects.filter(case=case).count() == 2
    with pytest.raises(DomainError):
        workflow.rate_case(actor=neighbour, case=case, value="satisfied")


@pytest.mark.parametrize(("persona", "outcome"), [
    ("resident", "reporter"),  # reported it: already follows, nothing new
    ("neighbour", "follower"),
    ("street_officer_b", "follower"),  # no staff view of a case in another street
    ("community_secretary", "refused"), ("street_officer_a", "refused"), ("grid_worker", "refused"),
    ("department_staff", "refused"), ("district_officer", "refused"), ("auditor", "refused"),
    ("city_admin", "refused"),
])
def test_who_may_follow(flow, neighbour, persona, outcome):
    case = flow.dispatched()
    user = neighbour if persona == "neighbour" else flow.users[persona]
    before = footprint(case)
    if outcome == "refused":
        with pytest.raises(DomainError) as refused:
            following.follow_case(actor=user, case=case)
        assert refused.value.code == "forbidden" and "workbench" in str(refused.value.message)
        assert footprint(case) == before
    else:
        assert following.follow_case(actor=user, case=case).kind == outcome


def test_no_following_a_case_that_is_over_or_without_an_account(flow, neighbour, catalogue):
    closed = flow.closed()
    before = footprint(closed)
    with pytest.raises(DomainError) as refused:
        following.follow_case(actor=neighbour, case=closed)
    assert refused.value.code == "illegal_transition" and "can no longer be followed" in str(refused.value.message)
    assert footprint(closed) == before
    with pytest.raises(DomainError):
        following.follow_case(actor=None, case=flow.registered())

    survivor, duplicate = flow.registered(), flow.report(description="同一堆垃圾")
    merging.merge_cases(actor=flow.users["community_secretary"], survivor=survivor, duplicates=[duplicate],
                        reason="同一问题")
    with pytest.raises(DomainError) as refused:
        following.follow_case(actor=neighbour, case=Case.objects.get(pk=duplicate.pk))
    assert survivor.tracking_number in str(refused.value.message)


def test_unfollowing(flow, neighbour):
    case = flow.registered()
    following.follow_case(actor=neighbour, case=case)
    assert following.unfollow_case(actor=neighbour, case=case) is True
    assert following.unfollow_case(actor=neighbour, case=case) is False  # idempotent
    assert AuditEntry.objects.filter(action="case.unfollow", actor=neighbour).count() == 1
    assert list(selectors.my_cases(neighbour)) == []
    before = footprint(case)
    with pytest.raises(DomainError):  # the reporter follows to the end
        following.unfollow_case(actor=flow.users["resident"], case=case)
    assert footprint(case) == before


def test_merging_keeps_how_each_one_follows(flow, neighbour, catalogue):
    survivor = flow.registered()
    duplicate, token = anonymous_report(catalogue, "同一堆垃圾，没人管")
    following.follow_case(actor=neighbour, case=duplicate)
    merging.merge_cases(actor=flow.users["community_secretary"], survivor=survivor, duplicates=[duplicate],
                        reason="同一问题")
    rows = {(r.user_id, r.kind, bool(r.token_hash)) for r in CaseFollower.objects.filter(case=survivor)}
    assert rows == {(flow.users["resident"].pk, FollowKind.REPORTER, False), (neighbour.pk, FollowKind.FOLLOWER, False),
                    (None, FollowKind.MERGED, True)}
    survivor.refresh_from_db()
    assert selectors.follows_by_token(survivor, token) and not selectors.follows_by_token(survivor, token + "x")
    assert following.token_codes(survivor) == [survivor.tracking_code, duplicate.tracking_code]


# --- the follow secret of a report made without an account -------------------------------------------


def walk_to_resolved(flow, case):
    u = flow.users
    case = workflow.register_case(actor=u["community_secretary"], case=case)
    case = workflow.dispatch_case(actor=u["community_secretary"], case=case)
    case = workflow.accept_case(actor=u["department_staff"], case=case)
    return workflow.resolve_case(actor=u["department_staff"], case=case, feedback="已清运")


def test_the_secret_link_verifies_and_rates_like_a_signed_in_reporter(flow, catalogue):
    case, token = anonymous_report(catalogue)
    case = walk_to_resolved(flow, case)
    before = footprint(case)
    for wrong in ("", "not-the-secret"):
        with pytest.raises(DomainError):
            workflow.verify_case(actor=None, case=case, passed=True, follow_token=wrong or "x")
    assert footprint(case) == before
    case = workflow.verify_case(actor=None, case=case, passed=True, follow_token=token)
    assert case.state == S.VERIFIED
    event = CaseEvent.objects.filter(case=case, kind="verified").get()
    assert event.actor is None and event.actor_label == workflow.LINK_LABEL
    assert AuditEntry.objects.filter(action="case.verify", actor_label=workflow.LINK_LABEL).exists()

    case = workflow.close_case(actor=flow.users["community_secretary"], case=case)
    case = workflow.rate_case(actor=None, case=case, value="satisfied", follow_token=token)
    assert case.state == S.RATED and CaseRating.objects.get(case=case).token_hash
    with pytest.raises(DomainError) as twice:
        workflow.rate_case(actor=None, case=case, value="satisfied", follow_token=token)
    assert twice.value.code == "duplicate"


def test_a_failed_check_by_the_link_reopens_the_case_once(flow, catalogue):
    case, token = anonymous_report(catalogue)
    case = walk_to_resolved(flow, case)
    with pytest.raises(DomainError):
        workflow.verify_case(actor=None, case=case, passed=False, follow_token=token)  # say what is wrong
    case = workflow.verify_case(actor=None, case=case, passed=False, note="垃圾还在", follow_token=token)
    assert case.state == S.IN_PROGRESS and case.reopen_count == 1


def test_a_merged_anonymous_reporter_rates_the_survivor_with_their_own_link(flow, catalogue):
    survivor = flow.registered()
    duplicate, token = anonymous_report(catalogue, "同一堆垃圾")
    merging.merge_cases(actor=flow.users["community_secretary"], survivor=survivor, duplicates=[duplicate],
                        reason="同一问题")
    u = flow.users
    case = workflow.dispatch_case(actor=u["community_secretary"], case=Case.objects.get(pk=survivor.pk))
    case = workflow.accept_case(actor=u["department_staff"], case=case)
    case = workflow.resolve_case(actor=u["department_staff"], case=case, feedback="已清运")
    case = workflow.verify_case(actor=None, case=case, passed=True, follow_token=token)
    case = workflow.close_case(actor=u["community_secretary"], case=case)
    case = workflow.rate_case(actor=u["resident"], case=case, value="satisfied")
    case = workflow.rate_case(actor=None, case=case, value="dissatisfied", follow_token=token)
    # The reporter rated first: the case's rating stands; the second is kept beside it.
    assert case.state == S.RATED and case.rating == "satisfied"
    assert sorted(CaseRating.objects.filter(case=case).values_list("value", flat=True)) == ["dissatisfied",
                                                                                           "satisfied"]


# --- pages ------------------------------------------------------------------------------------------------


def test_the_tracking_page_offers_to_follow_and_the_list_shows_it(flow, neighbour, client):
    case = flow.registered()
    anonymous = client.get(f"/cases/track/{case.tracking_code}/").content.decode()
    assert "to follow this case instead of reporting it again" in anonymous
    client.force_login(neighbour, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    page = client.get(f"/cases/track/{case.tracking_code}/").content.decode()
    assert "Follow this case" in page and case.description not in page
    assert client.post(f"/cases/track/{case.tracking_code}/follow/").status_code == 302
    assert CaseFollower.objects.filter(case=case, user=neighbour, kind=FollowKind.FOLLOWER).exists()
    page = client.get(f"/cases/track/{case.tracking_code}/").content.decode()
    assert "Stop following" in page and "Follow this case" not in page
    mine = client.get("/cases/mine/").content.decode()
    assert case.tracking_number in mine and "Following" in mine and case.description not in mine
    assert client.post(f"/cases/track/{case.tracking_code}/unfollow/").status_code == 302
    assert not CaseFollower.objects.filter(case=case, user=neighbour).exists()


def test_staff_are_not_offered_to_follow_and_are_refused(flow, client_as):
    case = flow.registered()
    desk = client_as("community_secretary")
    assert "Follow this case" not in desk.get(f"/cases/track/{case.tracking_code}/").content.decode()
    before = footprint(case)
    assert desk.post(f"/cases/track/{case.tracking_code}/follow/").status_code == 403
    assert footprint(case) == before


def test_the_secret_link_checks_and_rates_on_the_page(flow, catalogue, client):
    case, token = anonymous_report(catalogue)
    case = walk_to_resolved(flow, case)
    code = case.tracking_code
    assert 'id="verify"' not in client.get(f"/cases/track/{code}/").content.decode()
    assert client.get(f"/cases/track/{code}/", {"token": token}).status_code == 302  # kept in a cookie
    page = client.get(f"/cases/track/{code}/").content.decode()
    assert 'id="verify"' in page and case.description in page
    response = client.post(f"/cases/track/{code}/verify/", {"verify-version": case.version, "verify-passed": "yes",
                                                                "verify-note": ""})
    assert response.status_code == 302 and Case.objects.get(pk=case.pk).state == S.VERIFIED
    case = workflow.close_case(actor=flow.users["community_secretary"], case=Case.objects.get(pk=case.pk))
    response = client.post(f"/cases/track/{code}/rate/", {"version": case.version, "rating": "satisfied"})
    assert response.status_code == 302 and Case.objects.get(pk=case.pk).state == S.RATED


def test_a_merged_reporters_link_works_on_the_survivors_page(flow, catalogue, client):
    survivor = flow.registered()
    duplicate, token = anonymous_report(catalogue, "同一堆垃圾")
    merging.merge_cases(actor=flow.users["community_secretary"], survivor=survivor, duplicates=[duplicate],
                        reason="同一问题")
    client.get(f"/cases/track/{duplicate.tracking_code}/", {"token": token})  # the cookie of their report
    u = flow.users
    case = workflow.dispatch_case(actor=u["community_secretary"], case=Case.objects.get(pk=survivor.pk))
    case = workflow.accept_case(actor=u["department_staff"], case=case)
    case = workflow.resolve_case(actor=u["department_staff"], case=case, feedback="已清运")
    page = client.get(f"/cases/track/{survivor.tracking_code}/").content.decode()
    assert 'id="verify"' in page


def test_a_follower_is_not_offered_the_check(flow, neighbour, client):
    case = flow.resolved()
    following.follow_case(actor=neighbour, case=case)
    client.force_login(neighbour, backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
    assert 'id="verify"' not in client.get(f"/cases/track/{case.tracking_code}/").content.decode()
    before = footprint(case)
    response = client.post(f"/cases/track/{case.tracking_code}/verify/",
                           {"verify-version": case.version, "verify-passed": "yes"})
    assert response.status_code == 404 and footprint(case) == before


# --- the API ----------------------------------------------------------------------------------------------


def bearer(user) -> dict:
    _token, raw = issue_token(actor=user)
    return {"Authorization": f"Bearer {raw}"}


def test_following_over_the_api(flow, neighbour, client):
    case = flow.registered()
    path = f"/api/v1/cases/track/{case.tracking_code}/follow"
    assert client.post(path).status_code == 401
    headers = bearer(neighbour)
    assert client.get(path, headers=headers).json() == {"tracking_number": case.tracking_number,
                                                         "tracking_code": case.tracking_code, "following": False,
                                                         "how": ""}
    assert client.post(path, headers=headers).json()["how"] == "follower"
    assert client.post(path, headers=headers).status_code == 200  # idempotent
    mine = client.get("/api/v1/cases/mine", headers=headers).json()
    assert [c["tracking_number"] for c in mine["items"]] == [case.tracking_number]
    assert client.get(f"/api/v1/cases/{case.pk}", headers=headers).status_code == 404  # the public view only
    assert client.delete(path, headers=headers).json()["following"] is False
    refused = client.post(path, headers=bearer(flow.users["community_secretary"]))
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    gone = client.post(f"/api/v1/cases/track/{flow.closed().tracking_code}/follow", headers=headers)
    assert gone.status_code == 400 and gone.json()["code"] == "illegal_transition"


def test_a_follower_rates_and_a_link_holder_verifies_over_the_api(flow, neighbour, catalogue, client):
    case, token = anonymous_report(catalogue)
    following.follow_case(actor=neighbour, case=case)
    case = walk_to_resolved(flow, case)
    code = case.tracking_code
    verify = f"/api/v1/cases/track/{code}/verify"
    assert client.post(verify, {"passed": True, "follow_token": "wrong"}, content_type="application/json"
                       ).status_code == 403
    assert client.post(verify, {"passed": True}, content_type="application/json",
                       headers=bearer(neighbour)).status_code == 403  # a follower does not verify
    answer = client.post(verify, {"passed": True, "follow_token": token}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["state"] == S.VERIFIED
    workflow.close_case(actor=flow.users["community_secretary"], case=Case.objects.get(pk=case.pk))
    rated = client.post(f"/api/v1/cases/track/{code}/rate", {"rating": "satisfied"},
                        content_type="application/json", headers=bearer(neighbour))
    assert rated.status_code == 200 and rated.json()["rating"] == "satisfied"
    again = client.post(f"/api/v1/cases/track/{code}/rate", {"rating": "dissatisfied", "follow_token": token},
                        content_type="application/json")
    assert again.status_code == 200 and again.json()["rating"] == "satisfied"  # the first one stands
