"""What the followers of a case are told about it: its reporter reads about "your report"; a
resident who follows someone else's case, or whose own report was merged into it, reads about
"the case you follow" — it is not their report."""

import pytest

from gongzhi.cases.services import following, merging, workflow
from gongzhi.demo.personas import ensure_user
from gongzhi.notifications.models import Message, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbour(city):
    """A signed-in resident who follows a case somebody else reported."""
    return ensure_user("neighbour", "邻居 钱多", phone="13700000001")


def told(user, verb) -> Notification:
    return Notification.objects.get(recipient=user, verb=verb)


def texted(phone: str, about: str) -> list[str]:
    return list(Message.objects.filter(channel="sms", address=phone, text__contains=about).values_list("text",
                                                                                                       flat=True))


def test_registering_tells_the_reporter_of_their_report_and_a_follower_of_the_case(flow, neighbour):
    case = flow.report()
    following.follow_case(actor=neighbour, case=case)
    workflow.register_case(actor=flow.users["community_secretary"], case=case)
    number = case.tracking_number

    assert told(flow.users["resident"], "case.registered").body == (
        f"Your report was accepted as case {number}. Follow it at the tracking page.")
    notice = told(neighbour, "case.registered")
    assert notice.title == f"Case {number} registered"
    assert notice.body == f"Case {number}, which you follow, was accepted. See how it goes at the tracking page."
    [sms] = texted(neighbour.phone, number)
    assert "which you follow" in sms and "Your report" not in sms


def test_a_refusal_tells_the_reporter_of_their_report_and_a_follower_of_the_case(flow, neighbour):
    case = flow.report()
    following.follow_case(actor=neighbour, case=case)
    reason = "不属于本社区"
    workflow.reject_case(actor=flow.users["community_secretary"], case=case, reason=reason)
    number = case.tracking_number

    assert told(flow.users["resident"], "case.rejected").body == f"Your report {number} was not registered: {reason}"
    assert told(neighbour, "case.rejected").body == f"Case {number}, which you follow, was not registered: {reason}"


def test_a_merge_tells_each_follower_of_the_duplicate_in_their_own_words(flow, neighbour):
    survivor = flow.registered()
    earlier = flow.report(persona=None, contact_phone="13812345678", description="同一堆垃圾，早上就有")
    duplicate = flow.report(persona=None, contact_phone="13812345679", description="同一堆垃圾")
    following.follow_case(actor=neighbour, case=duplicate)
    secretary = flow.users["community_secretary"]
    merging.merge_cases(actor=secretary, survivor=duplicate, duplicates=[earlier], reason="同一问题")
    merging.merge_cases(actor=secretary, survivor=survivor, duplicates=[duplicate], reason="同一问题")
    old, new = duplicate.tracking_number, survivor.tracking_number

    # Its reporter, by phone: their report joins the survivor.
    assert texted("13812345679", new) == [f"Your report {old} joins case {new} Someone reported the same problem: "
                                          f"follow and rate case {new} instead."]
    # A resident who followed it, and the reporter of a report merged into it earlier: the case they follow.
    notice = told(neighbour, "case.merged")
    assert notice.title == f"Case {old}, which you follow, joins case {new}"
    assert notice.body == (f"Someone reported the same problem: you follow case {new} now, and rate it when it is "
                           "closed.")
    [sms] = texted("13812345678", new)
    assert sms.startswith(f"Case {old}, which you follow, joins case {new}")


def test_everyone_who_follows_is_told_the_news_itself_in_the_same_words(flow, neighbour):
    case = flow.registered()
    following.follow_case(actor=neighbour, case=case)
    workflow.dispatch_case(actor=flow.users["community_secretary"], case=case)

    assert told(flow.users["resident"], "case.dispatched").body == told(neighbour, "case.dispatched").body


def test_followers_read_the_case_they_follow_in_chinese(flow, neighbour, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    case = flow.report()
    following.follow_case(actor=neighbour, case=case)
    workflow.register_case(actor=flow.users["community_secretary"], case=case)

    assert told(flow.users["resident"], "case.registered").body.startswith("您的诉求已立案")
    assert told(neighbour, "case.registered").body.startswith(f"您关注的案件{case.tracking_number}已立案")
