"""Reading GeoReport arguments: w3 dates, the filters of the list endpoints, and the fields of a
posted request or update. Every problem found is reported at once (the spec's error array)."""

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gongzhi.cases.services.intake import MAX_DESCRIPTION

from .choices import Datatype, Status
from .errors import Open311Error, bad_request

MAX_RESULTS = 1000  # the spec's response volume
MAX_SPAN = dt.timedelta(days=90)
# Dates a query may name: wide enough for any real record, narrow enough that the 90-day window
# around them and their conversion to UTC stay inside what datetime and the database can hold.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
MAX_URL = 500
MAX_STRING = 200
MAX_TEXT = 1000
DATE_ONLY = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
# "+08:00" sent unencoded in a query string arrives as " 08:00".
SPACED_OFFSET = re.compile(r" (\d{2}:?\d{2})$")
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
PHONE = re.compile(r"^[0-9+\-() ]{3,20}$")
STATUS_WORD = re.compile(r"^[A-Za-z_ ]{1,32}$")
http_url = URLValidator(schemes=["http", "https"])


def parse_w3(raw: str | None, name: str) -> dt.datetime | None:
    """A w3 date or date-time (the spec wants a time zone; one without is read as local time)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    raw = SPACED_OFFSET.sub(r"+\1", raw)
    try:
        if DATE_ONLY.match(raw):
            parts = [int(p) for p in raw.split("-")] + [1, 1]
            value = dt.datetime(parts[0], parts[1], parts[2])
        else:
            value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise bad_request(_("%(name)s must be a w3 date-time such as 2026-03-09T09:00:00+08:00.") % {"name": name})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not EARLIEST <= value <= LATEST:
        raise bad_request(_("%(name)s must lie between the years %(first)d and %(last)d.")
                          % {"name": name, "first": EARLIEST.year, "last": LATEST.year})
    return value


def _list(params, name: str) -> list[str]:
    """A comma-delimited argument that may also be given several times."""
    out = []
    for raw in params.getlist(name):
        out.extend(v.strip() for v in raw.split(","))
    return [v for v in out if v]


def _window(params, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """start_date / end_date: at most 90 days apart; the last 90 days when neither is given."""
    start, end = parse_w3(params.get("start_date"), "start_date"), parse_w3(params.get("end_date"), "end_date")
    if start is None and end is None:
        end = now
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if start > end:
        raise bad_request(_("start_date must come before end_date."))
    if end - start > MAX_SPAN:
        raise bad_request(_("start_date and end_date may not span more than 90 days."))
    return start, end


@dataclass(frozen=True)
class RequestQuery:
    """GET requests: ids override every other argument."""

    ids: list[str]
    service_codes: list[str]
    statuses: list[str]
    start: dt.datetime
    end: dt.datetime


def request_query(params, now: dt.datetime | None = None) -> RequestQuery:
    ids = _list(params, "service_request_id")
    if len(ids) > MAX_RESULTS:
        raise bad_request(_("Ask for at most %(n)d service_request_id at once.") % {"n": MAX_RESULTS})
    if ids:
        now = now or timezone.now()
        return RequestQuery(ids=ids, service_codes=[], statuses=[], start=now, end=now)
    statuses = [s.lower() for s in _list(params, "status")]
    wrong = sorted(set(statuses) - set(Status.values))
    if wrong:
        raise bad_request(_("status must be open or closed, not %(value)s.") % {"value": ", ".join(wrong)})
    start, end = _window(params, now or timezone.now())
    return RequestQuery(ids=[], service_codes=_list(params, "service_code"), statuses=statuses, start=start, end=end)


@dataclass(frozen=True)
class UpdateQuery:
    ids: list[str]
    start: dt.datetime | None
    end: dt.datetime | None


def update_query(params, now: dt.datetime | None = None) -> UpdateQuery:
    """The updates of some requests (all of them unless dates are given), or of every request in
    a window (the last 90 days by default)."""
    ids = _list(params, "service_request_id")
    if len(ids) > MAX_RESULTS:
        raise bad_request(_("Ask for at most %(n)d service_request_id at once.") % {"n": MAX_RESULTS})
    if ids and not (params.get("start_date") or params.get("end_date")):
        return UpdateQuery(ids=ids, start=None, end=None)
    start, end = _window(params, now or timezone.now())
    return UpdateQuery(ids=ids, start=start, end=end)


# --- POST requests ------------------------------------------------------------------------------


@dataclass
class RequestIn:
    service_code: str
    lat: float | None = None
    lng: float | None = None
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    media_url: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)
    description_public: bool = False  # our extension: publish the description (default: withheld)

    @property
    def contact_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name) if p)[:64]


def _text(data, name: str, limit: int, problems: list[str]) -> str:
    value = (data.get(name) or "").strip()
    if len(value) > limit:
        problems.append(_("%(name)s is too long: at most %(n)d characters.") % {"name": name, "n": limit})
    return value


def _url(data, name: str, problems: list[str]) -> str:
    value = _text(data, name, MAX_URL, problems)
    if value:
        try:
            http_url(value)
        except ValidationError:
            problems.append(_("%(name)s must be an http or https URL.") % {"name": name})
    return value


def _coordinate(raw: str, name: str, bound: float, problems: list[str]) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > bound:
        problems.append(_("%(name)s must be a WGS84 coordinate in decimal degrees.") % {"name": name})
        return None
    return value


def request_in(data) -> RequestIn:
    """The fields of POST requests, checked on their own (the service's attributes and the place
    are checked against the catalogue and the map afterwards)."""
    problems: list[str] = []
    code = (data.get("service_code") or "").strip()
    if not code:
        problems.append(_("service_code is required."))
    out = RequestIn(service_code=code)
    lat, lng = (data.get("lat") or "").strip(), (data.get("long") or "").strip()
    if bool(lat) != bool(lng):
        problems.append(_("Send lat and long together."))
    elif lat:
        out.lat = _coordinate(lat, "lat", 90, problems)
        out.lng = _coordinate(lng, "long", 180, problems)
    out.address_string = _text(data, "address_string", 200, problems)
    out.address_id = _text(data, "address_id", 100, problems)
    if not (lat or lng or out.address_string or out.address_id):
        problems.append(_("A location is required: lat and long, or address_string, or address_id."))
    out.description = _text(data, "description", MAX_DESCRIPTION, problems)
    out.media_url = _url(data, "media_url", problems)
    out.email = _text(data, "email", 254, problems)
    if out.email:
        try:
            validate_email(out.email)
        except ValidationError:
            problems.append(_("email is not a valid e-mail address."))
    out.phone = _text(data, "phone", 20, problems)
    if out.phone and not PHONE.match(out.phone):
        problems.append(_("phone may hold only digits, spaces and + - ( )."))
    for name in ("device_id", "account_id"):
        setattr(out, name, _text(data, name, 100, problems))
    for name in ("first_name", "last_name"):
        setattr(out, name, _text(data, name, 32, problems))
    out.description_public = (data.get("description_public") or "").strip().lower() in ("true", "1", "yes")
    for key in data:
        match = ATTRIBUTE_KEY.match(key)
        if match:
            values = [v.strip() for v in data.getlist(key) if v.strip()]
            out.attributes.setdefault(match.group(1), []).extend(values)
    if problems:
        raise bad_request(*problems)
    return out


def check_attributes(definitions, given: dict[str, list[str]]) -> dict:
    """The answers to a service's questions, checked: code → str, number or list. Codes the
    service does not ask for are ignored; information-only attributes take no answer."""
    problems: list[str] = []
    answers: dict = {}
    for attribute in definitions:
        if not attribute.variable:
            continue
        values = given.get(attribute.code, [])
        name = f"attribute[{attribute.code}]"
        if not values:
            if attribute.required:
                problems.append(_("%(name)s is required: %(question)s") % {
                    "name": name, "question": attribute.description})
            continue
        value = _answer(attribute, name, values, problems)
        if value is not None:
            answers[attribute.code] = value
    if problems:
        raise bad_request(*problems)
    return answers


def _answer(attribute, name: str, values: list[str], problems: list[str]):
    keys = [key for key, _label in attribute.choices()]
    if attribute.datatype == Datatype.MULTI:
        wrong = [v for v in values if v not in keys]
        if wrong:
            problems.append(_("%(name)s: choose among %(keys)s.") % {"name": name, "keys": ", ".join(keys)})
            return None
        return list(dict.fromkeys(values))
    if len(values) > 1:
        problems.append(_("%(name)s takes one value.") % {"name": name})
        return None
    value = values[0]
    if attribute.datatype == Datatype.SINGLE:
        if value not in keys:
            problems.append(_("%(name)s: choose one of %(keys)s.") % {"name": name, "keys": ", ".join(keys)})
            return None
        return value
    if attribute.datatype == Datatype.NUMBER:
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            problems.append(_("%(name)s must be a number.") % {"name": name})
            return None
        return int(number) if number.is_integer() else number
    if attribute.datatype == Datatype.DATETIME:
        try:
            return parse_w3(value, name).isoformat()
        except Open311Error as exc:
            problems.extend(exc.messages)
            return None
    limit = MAX_TEXT if attribute.datatype == Datatype.TEXT else MAX_STRING
    if len(value) > limit:
        problems.append(_("%(name)s is too long: at most %(n)d characters.") % {"name": name, "n": limit})
        return None
    return value if attribute.datatype == Datatype.TEXT else " ".join(value.split())


# --- POST servicerequestupdates -----------------------------------------------------------------


@dataclass
class UpdateIn:
    service_request_id: str
    description: str
    status: str = ""
    update_id: str = ""
    updated_datetime: dt.datetime | None = None
    media_url: str = ""


def update_in(data) -> UpdateIn:
    problems: list[str] = []
    number = (data.get("service_request_id") or "").strip()
    if not number:
        problems.append(_("service_request_id is required."))
    description = _text(data, "description", MAX_DESCRIPTION, problems)
    if not description:
        problems.append(_("description is required: the text of the update."))
    status = (data.get("status") or "").strip()
    if status and not STATUS_WORD.match(status):
        problems.append(_("status is not a status word."))
    update_id = _text(data, "update_id", 100, problems)
    media_url = _url(data, "media_url", problems)
    when = None
    try:
        when = parse_w3(data.get("updated_datetime"), "updated_datetime")
    except Open311Error as exc:
        problems.extend(exc.messages)
    if problems:
        raise bad_request(*problems)
    return UpdateIn(service_request_id=number, description=description, status=status.lower().replace(" ", "_"),
                    update_id=update_id, updated_datetime=when, media_url=media_url)
