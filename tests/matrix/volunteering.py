"""The volunteering routes in the access matrix (gongzhi/volunteering): the objects they point at
(`build`), the kinds that name them (`KINDS`), and their rows (see tests/matrix/spec.py).

Who holds what (gongzhi/volunteering/permissions.py): VIEW — the desks, the district, the grid
worker (their community's), the auditor; MANAGE and ORGANISE — the city, the streets and the
community secretary; SERVE — the resident (a registered volunteer of community A here). A published
activity is a public call for volunteers: the resident reaches both streets' activities. What is
somebody else's own (their sign-up, their hours) nobody reaches: every persona gets 404."""

import datetime as dt
from functools import cache

VVIEW = frozenset({"city_admin", "district_officer", "street_officer_a", "street_officer_b", "community_secretary",
                   "grid_worker", "auditor"})
VORG = frozenset({"city_admin", "street_officer_a", "street_officer_b", "community_secretary"})
SERVERS = frozenset({"resident"})
NOBODY = frozenset()
BOTH = {"resident": "ab"}


def build(a, b, party, city) -> None:
    from django.utils import timezone

    from gongzhi.demo.personas import ensure_user
    from gongzhi.volunteering.choices import CorrectionStatus
    from gongzhi.volunteering.models import Correction, HonourEntry, HonourList
    from gongzhi.volunteering.services.hours import certify_hours
    from gongzhi.volunteering.tests.factories import make_activity, make_volunteer

    make_volunteer(city.users["resident"], city.community_a)
    # Tomorrow (and the day after for B, so the resident's sign-ups never overlap): nothing the
    # matrix sends may start, finish or certify it.
    tomorrow = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    for i, (side, community) in enumerate(((a, city.community_a), (b, city.community_b))):
        user = ensure_user(f"volunteer_{community.code}", f"志愿者 {community.name}")
        side.vol_volunteer = make_volunteer(user, community)
        side.vol_activity = make_activity(city, community=community, title=f"{community.name}清洁家园",
                                      start=tomorrow + dt.timedelta(days=i), organiser=city.users["city_admin"])
        act = side.vol_checkin = side.vol_activity  # a check-in code names the activity
        side.vol_signup = act.signups.create(slot=act.slots.first(), person=user, status="confirmed",
                                             starts_at=act.starts_at, ends_at=act.ends_at)
        side.vol_service_hours = certify_hours(actor=None, person=user, hours=2, served_on=dt.date(2026, 3, 1),
                                           community=community, source="activity", source_id=side.vol_activity.pk,
                                           key=f"matrix.{community.code}")
        # Decided already: an accept or refuse the matrix sends changes nothing.
        side.vol_correction = Correction.objects.create(
            hours=side.vol_service_hours, activity=side.vol_activity, requested_by=user, reason="我待到了最后",
            proposed_hours=3, status=CorrectionStatus.REFUSED, refusal_reason="签到记录为2小时")
        side.vol_honour_list = HonourList(year=2026, published_by=city.users["city_admin"],
                                      notice_ends_on=dt.date(2026, 1, 10))
        side.vol_honour_list.site_in(community)
        side.vol_honour_list.save()
        HonourEntry.objects.create(honour_list=side.vol_honour_list, person=user, name=str(user), hours=2, rank=1)


def _pk(name):
    return lambda world, side: getattr(getattr(world, side), name).pk


def _checkin_token(world, side):
    # Signed when the request is made, so the code has not expired however long the run takes.
    from gongzhi.volunteering.services.signups import checkin_token

    return checkin_token(getattr(world, side).vol_activity)


KINDS: dict = {
    **{f"vol_{name}": _pk(f"vol_{name}") for name in ("activity", "signup", "service_hours", "correction",
                                                      "honour_list", "volunteer")},
    "vol_checkin": _checkin_token,
}


def _title(world, side):
    return getattr(world, side).vol_activity.title


def __getattr__(name):
    if name in ("API_ENTRIES", "PAGE_ENTRIES"):
        return _entries()[name]
    raise AttributeError(name)


@cache
def _entries() -> dict:
    from .spec import ALL, REACHED, E, fixed

    S = "/api/v1/service/activities"
    ACT = {"activity_id": "vol_activity"}
    SIGN = {"signup_id": "vol_signup"}
    CORR = {"correction_id": "vol_correction"}
    PACT = {"pk": "vol_activity"}
    PCORR = {"pk": "vol_correction"}

    API_ENTRIES = [
        E("GET", f"{S}/", ok=VVIEW | SERVERS),
        E("POST", f"{S}/", ok=VORG, status=REACHED),
        E("GET", f"{S}/{{activity_id}}", params=ACT, ok=VVIEW | SERVERS, denied=404, reach=BOTH, shows=_title),
        E("PUT", f"{S}/{{activity_id}}", params=ACT, ok=VORG, status=REACHED, denied=404),
        *[E("POST", f"{S}/{{activity_id}}/{step}", params=ACT, ok=VORG, status=REACHED, denied=404)
          for step in ("publish", "cancel", "finish")],
        E("POST", f"{S}/{{activity_id}}/signups", params=ACT, ok=SERVERS, status=REACHED, reach=BOTH),
        E("GET", f"{S}/{{activity_id}}/signups", params=ACT, ok=VVIEW),
        E("POST", f"{S}/signups/{{signup_id}}/withdraw", params=SIGN, ok=NOBODY, denied=404),
        E("POST", f"{S}/check-in", ok=SERVERS, status=REACHED),
        E("POST", f"{S}/{{activity_id}}/check-in/location", params=ACT, ok=SERVERS, status=REACHED, reach=BOTH),
        E("GET", f"{S}/{{activity_id}}/check-in-code", params=ACT, ok=VORG),
        E("POST", f"{S}/signups/{{signup_id}}/certify", params=SIGN, ok=VORG, status=REACHED, denied=404),
        E("GET", f"{S}/corrections", ok=VVIEW),
        E("POST", f"{S}/corrections", ok=SERVERS, status=REACHED),
        *[E("POST", f"{S}/corrections/{{correction_id}}/{step}", params=CORR, ok=VORG, status=REACHED, denied=404)
          for step in ("accept", "refuse")],
        E("GET", f"{S}/hours/mine", ok=ALL),
        E("GET", f"{S}/signups/mine", ok=ALL),
    ]

    PAGE_ENTRIES = [
        # the volunteer's phone
        E("GET", "volunteering:home", ok=SERVERS),
        E("GET", "volunteering:activity", params=PACT, ok=VVIEW | SERVERS, denied=404, reach=BOTH, shows=_title),
        E("POST", "volunteering:sign_up", params=PACT, ok=SERVERS, status=REACHED, reach=BOTH),
        E("POST", "volunteering:check_in_location", params=PACT, ok=SERVERS, status=REACHED, reach=BOTH),
        E("POST", "volunteering:withdraw", params={"pk": "vol_signup"}, ok=NOBODY, denied=404),
        E("GET", "volunteering:my_signups", ok=ALL),
        E("GET", "volunteering:check_in", params={"token": "vol_checkin"}, ok=VVIEW | SERVERS, denied=404,
          reach=BOTH, shows=_title),
        E("POST", "volunteering:check_in", params={"token": "vol_checkin"}, ok=SERVERS, status=REACHED, reach=BOTH),
        E("GET", "volunteering:my_hours", ok=ALL),
        E("POST", "volunteering:correction_request", params={"pk": "vol_service_hours"}, ok=NOBODY, denied=404),
        E("POST", "volunteering:certificate", ok=SERVERS, status=REACHED),
        E("GET", "volunteering:register", ok=SERVERS),
        E("POST", "volunteering:register", ok=SERVERS, status=REACHED),
        E("POST", "volunteering:leave", ok=SERVERS, status=REACHED),
        # anyone: the honour list is public, and so is a certificate's verification
        E("GET", "volunteering:honour_public", params={"pk": "vol_honour_list"}, ok=ALL, anon=200, scoped=False),
        E("GET", "volunteering:verify", ok=ALL, anon=200),
        # the desk
        E("GET", "volunteering:activities", ok=VVIEW),
        E("GET", "volunteering:activity_new", ok=VORG),
        E("POST", "volunteering:activity_new", ok=VORG, status=REACHED),
        E("GET", "volunteering:roster", params=PACT, ok=VVIEW, shows=_title),
        E("GET", "volunteering:activity_edit", params=PACT, ok=VORG),
        E("POST", "volunteering:activity_edit", params=PACT, ok=VORG, status=REACHED),
        E("GET", "volunteering:qr_code", params=PACT, ok=VORG, shows=_title),
        *[E("POST", f"volunteering:{name}", params=PACT, ok=VORG, status=REACHED)
          for name in ("activity_publish", "activity_cancel", "activity_finish", "certify")],
        E("GET", "volunteering:corrections", ok=VVIEW),
        E("GET", "volunteering:correction", params=PCORR, ok=VVIEW),
        *[E("POST", f"volunteering:{name}", params=PCORR, ok=VORG, status=REACHED)
          for name in ("correction_accept", "correction_refuse")],
        E("GET", "volunteering:volunteers", ok=VVIEW),
        E("GET", "volunteering:volunteer_new", ok=VORG),
        E("POST", "volunteering:volunteer_new", ok=VORG, status=REACHED),
        E("POST", "volunteering:volunteer_step", params={"pk": "vol_volunteer", "step": fixed("approve")}, ok=VORG,
          status=REACHED),
        E("GET", "volunteering:honours", ok=VVIEW),
        E("POST", "volunteering:honours", ok=VORG, status=REACHED),
        E("POST", "volunteering:honour_withdraw", params={"pk": "vol_honour_list"}, ok=VORG, status=REACHED),
    ]
    return {"API_ENTRIES": API_ENTRIES, "PAGE_ENTRIES": PAGE_ENTRIES}
