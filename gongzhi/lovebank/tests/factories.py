"""Love-bank test helpers: certified-hours records shaped like gongzhi.volunteering's ServiceHours
(what the hook carries), and people of the fixture city."""

import datetime as dt
import itertools
from decimal import Decimal
from types import SimpleNamespace

from gongzhi.demo.personas import ensure_user
from gongzhi.lovebank import deposits_hooks

_ids = itertools.count(900_000)
_phones = itertools.count(13_800_000_100)


def hours_record(person, community, hours, served_on=dt.date(2026, 3, 2), *, by_group=False, pk=None,
                 source="activity"):
    return SimpleNamespace(pk=pk or next(_ids), person=person, hours=Decimal(str(hours)), served_on=served_on,
                           community=community, source=source, source_id=None, by_group=by_group,
                           group_name="", certified_by=None)


def certify(person, community, hours, served_on=dt.date(2026, 3, 2), **kw):
    """As if volunteering certified hours: the hook handler runs."""
    record = hours_record(person, community, hours, served_on, **kw)
    return record, deposits_hooks.on_hours_certified(hours=record)


def person(name: str, *, phone: str | None = None):
    return ensure_user(f"lb_{name}", name, phone=phone or str(next(_phones)))


def set_birth(user, born: dt.date):
    from gongzhi.lovebank.models import BankMember

    BankMember.objects.filter(user=user).update(birth_date=born)
