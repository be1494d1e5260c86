"""Volunteering objects on the fixture city (gongzhi.demo.fixture_city), for tests."""

import datetime as dt

from django.utils import timezone

from gongzhi.demo.personas import ensure_role, ensure_user
from gongzhi.volunteering.choices import ActivityStatus, VolunteerStatus
from gongzhi.volunteering.models import Activity, Slot, Volunteer

# 书院社区's point (inside grid A of the fixture city)
LNG, LAT = 113.905, 30.905


def make_volunteer(user, community, status=VolunteerStatus.ACTIVE) -> Volunteer:
    v = Volunteer(user=user, status=status, registered_by=user)
    v.site_in(community)
    v.save()
    return v


def resident(city, username, name, community=None, *, volunteer=True):
    from gongzhi.accounts.choices import Role

    user = ensure_user(username, name)
    ensure_role(user, Role.RESIDENT, division=community or city.community_a)
    if volunteer:
        make_volunteer(user, community or city.community_a)
    return user


def make_activity(city, *, community=None, organiser=None, title="清洁家园", start=None, hours=3,
                  slots=(("保洁", 2),), status=ActivityStatus.PUBLISHED, lat=LAT, lng=LNG) -> Activity:
    community = community or city.community_a
    start = start or timezone.now() + dt.timedelta(days=2)
    organiser = organiser or city.users["community_secretary"]
    a = Activity(title=title, place="书院广场", starts_at=start, ends_at=start + dt.timedelta(hours=hours),
                 organiser=organiser, created_by=organiser, status=status, lat=lat, lng=lng,
                 published_at=timezone.now() if status != ActivityStatus.DRAFT else None)
    a.site_in(community)
    a.save()
    for i, (role, cap) in enumerate(slots):
        Slot.objects.create(activity=a, role=role, capacity=cap, order=i)
    return a
