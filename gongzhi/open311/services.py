"""Writes of the Open311 app: API keys, the services' attributes, and what partners post —
requests (cases on the open311 channel, through the cases intake) and updates (a public note on
the case's timeline, never a change of its state)."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.choices import Role
from gongzhi.accounts.models import User
from gongzhi.cases.choices import Channel, EventKind
from gongzhi.cases.models import Case, Category
from gongzhi.cases.services import notices
from gongzhi.cases.services.base import audit_case, lock_case, log
from gongzhi.cases.services.intake import MAX_DESCRIPTION, Report, submit_case
from gongzhi.core import audit, scope
from gongzhi.core.digests import secret_digest as hash_key
from gongzhi.core.errors import DomainError

from .attributes_seed import ATTRIBUTES
from .errors import Open311Error, bad_request, not_found
from .forms import RequestIn, UpdateIn, check_attributes
from .models import Open311Attribute, Open311Client, Open311Request, Open311Update
from .status import status_of

DEMO_KEY = "gongzhi-demo-open311"  # published in the docs: demo data only
DEMO_NAME = "演示合作方 (demo partner)"
KEY_PREFIX = "o311_"
MIN_KEY_LENGTH = 16


# --- API keys -----------------------------------------------------------------------------------


def client_for_key(raw: str | None) -> Open311Client | None:
    """The live client holding this key, or None."""
    raw = (raw or "").strip()
    if not raw:
        return None
    return (Open311Client.objects.select_related("user")
            .filter(key_hash=hash_key(raw), is_active=True, revoked_at__isnull=True).first())


def _require_admin(actor) -> None:
    """Keys are issued and revoked by a city administrator (`actor=None`: the system, a command)."""
    if actor is None or scope.is_global(actor) or Role.CITY_ADMIN in scope.roles(actor):
        return
    raise DomainError(_("Only a city administrator may issue or revoke Open311 keys."), code="forbidden")


@dataclass(frozen=True)
class IssuedKey:
    client: Open311Client
    raw_key: str  # shown once; only its hash is stored


@transaction.atomic
def issue_key(*, actor, name: str, raw_key: str | None = None, rate_limit_per_minute: int | None = None) -> IssuedKey:
    """A new partner with its key and its own service account (no password, no role: it may only
    report, as a resident does, on the open311 channel)."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError(_("Name the partner system (up to 100 characters)."), code="invalid")
    raw = raw_key or KEY_PREFIX + secrets.token_urlsafe(32)
    if len(raw) < MIN_KEY_LENGTH:
        raise DomainError(_("A key needs at least %(n)d characters.") % {"n": MIN_KEY_LENGTH}, code="invalid")
    if Open311Client.objects.filter(key_hash=hash_key(raw)).exists():
        raise DomainError(_("This key is already issued."), code="duplicate")
    user = User(username=f"open311-{slugify(name)[:40] or 'client'}-{secrets.token_hex(3)}",
                display_name=f"Open311 · {name}"[:64])
    user.set_unusable_password()
    user.save()
    creator = actor if getattr(actor, "is_authenticated", False) else None
    _check_rate(rate_limit_per_minute)
    client = Open311Client.objects.create(name=name, key_hash=hash_key(raw), hint=raw[-4:], user=user,
                                          created_by=creator, rate_limit_per_minute=rate_limit_per_minute)
    audit.record(actor=actor, action="open311.key_issue", obj=client,
                 after={"name": name, "user": user.pk, "hint": client.hint,
                        "rate_limit_per_minute": rate_limit_per_minute})
    return IssuedKey(client=client, raw_key=raw)


@transaction.atomic
def revoke_key(*, actor, client: Open311Client, reason: str = "") -> Open311Client:
    _require_admin(actor)
    client = Open311Client.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        return client
    client.is_active, client.revoked_at = False, timezone.now()
    client.save(update_fields=["is_active", "revoked_at"])
    audit.record(actor=actor, action="open311.key_revoke", obj=client, before={"is_active": True},
                 after={"is_active": False}, reason=reason)
    return client


MAX_RATE_PER_MINUTE = 100_000


def _check_rate(per_minute: int | None) -> None:
    if per_minute is not None and not 0 <= per_minute <= MAX_RATE_PER_MINUTE:
        raise DomainError(_("A rate limit is 0 (none) to %(n)d requests a minute.") % {"n": MAX_RATE_PER_MINUTE},
                          code="invalid")


@transaction.atomic
def set_rate_limit(*, actor, client: Open311Client, per_minute: int | None, reason: str = "") -> Open311Client:
    """A key's own requests per minute (None: the site's default; 0: no limit)."""
    _require_admin(actor)
    _check_rate(per_minute)
    client = Open311Client.objects.select_for_update().get(pk=client.pk)
    before = {"rate_limit_per_minute": client.rate_limit_per_minute}
    client.rate_limit_per_minute = per_minute
    client.save(update_fields=["rate_limit_per_minute"])
    audit.record(actor=actor, action="open311.key_rate_limit", obj=client, before=before,
                 after={"rate_limit_per_minute": per_minute}, reason=reason)
    return client


def ensure_demo_key() -> Open311Client:
    """The demo partner with the published key `gongzhi-demo-open311`, and the seeded services'
    attributes. Running it again changes nothing."""
    client = Open311Client.objects.filter(key_hash=hash_key(DEMO_KEY)).first()
    if client is None:
        try:
            client = issue_key(actor=None, name=DEMO_NAME, raw_key=DEMO_KEY).client
        except DomainError:  # issued by a concurrent run a moment ago
            client = Open311Client.objects.get(key_hash=hash_key(DEMO_KEY))
    seed_attributes()
    return client


# --- attributes ---------------------------------------------------------------------------------


@transaction.atomic
def seed_attributes(*, actor=None) -> int:
    """Give each seeded service that has no attributes yet the questions of attributes_seed.py.
    A service whose attributes exist (perhaps edited) is left alone. Returns how many were made."""
    made = 0
    asked = set(Open311Attribute.objects.values_list("category_id", flat=True))
    for category in Category.objects.filter(code__in=list(ATTRIBUTES), parent__isnull=False):
        if category.pk in asked:
            continue
        rows = [_attribute(category, order, spec) for order, spec in enumerate(ATTRIBUTES[category.code], start=1)]
        Open311Attribute.objects.bulk_create(rows)
        audit.record(actor=actor, actor_label="seed" if actor is None else "", action="open311.attributes_seed",
                     obj=category, after={"attributes": [r.code for r in rows]})
        made += len(rows)
    return made


def _attribute(category, order: int, spec: tuple) -> Open311Attribute:
    code, datatype, required, (zh, en), values, options = spec
    described = options.get("datatype_description", ("", ""))
    return Open311Attribute(
        category=category, code=code, datatype=datatype, required=required, order=order,
        variable=options.get("variable", True), description_zh=zh, description_en=en,
        datatype_description_zh=described[0], datatype_description_en=described[1],
        values=[{"key": k, "name_zh": vzh, "name_en": ven} for k, vzh, ven in values],
    )


# --- requests -----------------------------------------------------------------------------------


def submit_request(*, client: Open311Client, data: RequestIn) -> Open311Request:
    """POST requests: a case on the open311 channel, reported by the client's service account,
    located by lat/long (or a registered building's address), with the answers to the service's
    questions appended to its description for the staff who register it."""
    category = Category.objects.filter(code=data.service_code, parent__isnull=False, is_active=True).first()
    if category is None:
        raise not_found(_("service_code %(code)s was not found.") % {"code": data.service_code})
    definitions = list(Open311Attribute.objects.filter(category=category).order_by("order", "code"))
    answers = check_attributes(definitions, data.attributes)
    lng, lat = _position(data)
    description = compose_description(data.description, category, definitions, answers)
    report = Report(description=description, lng=lng, lat=lat, channel=Channel.OPEN311,
                    address=data.address_string, category=category, contact_name=data.contact_name,
                    contact_phone=data.phone, description_public=data.description_public)
    try:
        with transaction.atomic():
            case = submit_case(actor=client.user, report=report).case
            return Open311Request.objects.create(
                case=case, client=client, token=secrets.token_urlsafe(16), attributes=answers,
                media_url=data.media_url, address_id=data.address_id, email=data.email, device_id=data.device_id,
                account_id=data.account_id)
    except DomainError as exc:
        if exc.code == "outside_grids":
            raise bad_request(_("The location (lat %(lat)s, long %(lng)s) is outside every grid this city serves.")
                              % {"lat": lat, "lng": lng}) from None
        raise bad_request(exc.message) from None


def _position(data: RequestIn) -> tuple[float, float]:
    """lat/long as given, or the position of the one registered building with that address."""
    if data.lat is not None and data.lng is not None:
        return data.lng, data.lat
    if data.address_string:
        from gongzhi.registry.models import Building

        hits = list(Building.objects.filter(Q(address=data.address_string) | Q(name=data.address_string),
                                            archived_at__isnull=True, lng__isnull=False, lat__isnull=False)
                    .values_list("lng", "lat")[:2])
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise bad_request(_("address_string matches several buildings: send lat and long."))
        raise bad_request(_("address_string %(address)s is not a building we know: send lat and long (WGS84).")
                          % {"address": data.address_string})
    raise bad_request(_("address_id is not used by this city: send lat and long (WGS84)."))


def compose_description(text: str, category, definitions, answers: dict) -> str:
    """The reporter's words, then one line per answered question, in the site's language (the
    staff registering the case read it there)."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [f"{a.description} {_answer_text(a, answers[a.code])}" for a in definitions if a.code in answers]
        text = text or category.name
    if not lines:
        return text
    appendix = "\n\n" + "\n".join(lines)
    room = MAX_DESCRIPTION - len(appendix)
    if len(text) > room:
        text = text[:max(room - 1, 0)] + "…"
    return (text + appendix)[:MAX_DESCRIPTION]


def _answer_text(attribute, value) -> str:
    names = dict(attribute.choices())
    if isinstance(value, list):
        return "、".join(names.get(v, v) for v in value)
    return str(names.get(value, value))


# --- updates ------------------------------------------------------------------------------------


def post_update(*, client: Open311Client, data: UpdateIn) -> Open311Update:
    """POST servicerequestupdates: the partner's comment becomes a public note on the case's
    timeline (its reporter's channel speaking), audited, and the handling unit is told. A partner
    may comment only on the requests it posted. A status it sends is recorded for staff and never
    applied: the case moves only through its workflow. Posting the same update_id again adds
    nothing."""
    case = Case.objects.filter(tracking_number=data.service_request_id).first()
    if case is None:
        raise not_found(_("service_request_id %(id)s was not found.") % {"id": data.service_request_id})
    if not Open311Request.objects.filter(case=case, client=client).exists():
        raise Open311Error(403, _("This api_key may post updates only to the requests it submitted."))
    if data.update_id and (earlier := _earlier(client, data.update_id)) is not None:
        return _replay(earlier, case, data)
    try:
        with transaction.atomic():
            return _record_update(client, case, data)
    except IntegrityError:
        earlier = _earlier(client, data.update_id) if data.update_id else None
        if earlier is None:
            raise
        return _replay(earlier, case, data)


def _earlier(client, update_id: str) -> Open311Update | None:
    return Open311Update.objects.select_related("event").filter(client=client, external_id=update_id).first()


def _replay(earlier: Open311Update, case: Case, data: UpdateIn) -> Open311Update:
    if earlier.event.case_id != case.pk or earlier.event.public_note != data.description:
        raise bad_request(_("update_id %(id)s was already used for a different update.") % {"id": data.update_id})
    return earlier


def _record_update(client: Open311Client, case: Case, data: UpdateIn) -> Open311Update:
    case = lock_case(case)  # after any transition under way, so the note reads in order
    current = status_of(case.state)
    asked = data.status if data.status and data.status != current else ""
    staff_note = ""
    if asked:
        staff_note = _("%(partner)s asked for status %(status)s; the case changes only through its workflow "
                       "(verify or close it if the partner is right).") % {"partner": client.name, "status": asked}
    event = log(case, EventKind.COMMENTED, actor=client.user, from_state=case.state, note=staff_note,
                public_note=data.description, unit_name=client.name,
                data={"open311_client": client.pk, "update_id": data.update_id, "requested_status": asked})
    partner = Open311Update.objects.create(
        event=event, client=client, external_id=data.update_id, media_url=data.media_url, requested_status=asked,
        partner_datetime=data.updated_datetime)
    audit_case(case, "comment", actor=client.user, extra={"event": event.pk, "open311_client": client.pk,
                                                           "requested_status": asked})
    if case.handling_department_id or case.handling_division_id:
        notices.tell_unit(case, "case.commented", gettext_lazy("Case %(number)s: new comment from %(partner)s"),
                          gettext_lazy("%(text)s"), partner=client.name, text=data.description[:200])
    return partner
