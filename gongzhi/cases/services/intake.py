"""Reports coming in: every channel ends here, in one submitted case.

The location decides the grid, community and street. The same report sent twice (the same
idempotency key from the same reporter and channel — a double tap or a retry after a lost answer)
gives back the first case instead of a second one."""

import hashlib
import secrets
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.divisions.geo.locate import locate_grid

from ..choices import STAFF_CHANNELS, CaseState, Channel, EventKind
from ..models import Case, CaseFollower, Category
from ..permissions import CaseAction, covers_grid
from ..uploads import PreparedFile, file_store
from .base import audit_case, log
from .tracking import next_tracking_number

MAX_DESCRIPTION = 2000


@dataclass
class Report:
    """What a reporter says, whatever the channel."""

    description: str
    lng: float
    lat: float
    channel: str = Channel.RESIDENT_APP
    crs: str = "wgs84"
    address: str = ""
    category: Category | None = None
    is_anonymous: bool = False
    contact_name: str = ""
    contact_phone: str = ""
    idempotency_key: str = ""
    files: list[PreparedFile] = field(default_factory=list)


@dataclass
class Intake:
    case: Case
    created: bool
    # Given once, to a reporter without an account: the secret that lets them follow and rate.
    follow_token: str = ""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def submit_case(*, actor, report: Report) -> Intake:
    """File a report as a submitted case (staff taking a call, a walk-in or a letter register it at
    once when they name the category)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    _check(report, user)
    key = report.idempotency_key.strip()[:64]
    if key and (earlier := _earlier(user, report.channel, key)) is not None:
        return _replay(earlier, report)
    if report.category is None:
        # The page suggests one from the words typed; every case needs one for its time limits.
        raise DomainError(_("Choose what kind of problem it is."), code="invalid")
    grid = locate_grid(report.lng, report.lat, report.crs)
    if grid is None:
        raise DomainError(_("This place is outside every grid we serve. Move the pin inside the city's "
                            "communities, or type the address and let staff place it."), code="outside_grids")
    if (report.channel in STAFF_CHANNELS or report.channel == Channel.GRID_PATROL) \
            and not covers_grid(user, CaseAction.REPORT, grid):
        raise DomainError(_("You may file reports only inside your own grids."), code="forbidden")
    try:
        with file_store() as store, transaction.atomic():
            intake = _create(user, report, key, grid, store)
    except IntegrityError:
        # The same key won a race a moment ago: answer with that case.
        earlier = _earlier(user, report.channel, key) if key else None
        if earlier is None:
            raise
        return _replay(earlier, report)
    return intake


def _check(report: Report, user) -> None:
    report.description = report.description.strip()
    if not report.description:
        raise DomainError(_("Say what happened."), code="invalid")
    if len(report.description) > MAX_DESCRIPTION:
        raise DomainError(_("Keep the description under %(n)d characters.") % {"n": MAX_DESCRIPTION})
    if report.category is not None and (not report.category.is_leaf or not report.category.is_active):
        raise DomainError(_("Choose a sub-category of the catalogue."), code="invalid")
    if report.channel not in Channel.values:
        raise DomainError(_("Unknown channel."), code="invalid")
    if user is None and report.channel not in (Channel.RESIDENT_APP, Channel.OPEN311):
        raise DomainError(_("Sign in to file a report through this channel."), code="forbidden")


def _earlier(user, channel: str, key: str) -> Case | None:
    return Case.objects.filter(reporter=user, channel=channel, idempotency_key=key).first()


def _replay(earlier: Case, report: Report) -> Intake:
    same = earlier.description == report.description and (
        report.category is None or earlier.category_id == report.category.pk
    )
    if not same:
        raise DomainError(_("This idempotency key was already used for a different report."), code="conflict")
    return Intake(case=earlier, created=False)


def _create(user, report: Report, key: str, grid, store) -> Intake:
    now = timezone.now()
    case = Case(
        channel=report.channel, reporter=user, is_anonymous=report.is_anonymous,
        contact_name=report.contact_name.strip()[:64], contact_phone=report.contact_phone.strip()[:20],
        description=report.description, lng=report.lng, lat=report.lat, address=report.address.strip()[:200],
        grid=grid, community_id=grid.community_id, street_id=grid.street_id, district_id=grid.district_id,
        city_id=grid.city_id, category=report.category, idempotency_key=key, submitted_at=now,
        updated_at=now, state=CaseState.SUBMITTED,
    )
    token = ""
    if user is None:
        # Nobody signed in reported it: the reporter follows and rates it with a secret link.
        token = secrets.token_urlsafe(18)
        case.follow_token_hash = hash_token(token)
    # A placeholder until the rows below are written: the day's counter is then locked only for
    # the last moments of the transaction, so concurrent reports queue on it briefly.
    case.tracking_number = f"new-{secrets.token_hex(8)}"
    case.save()
    # The reporter follows the case: by account, or (phoned in, written in, anonymous) by phone.
    # Staff taking a report down file it (`reporter`) but do not follow it.
    if report.channel not in STAFF_CHANNELS and user is not None:
        CaseFollower.objects.create(case=case, user=user)
    elif case.contact_phone:
        CaseFollower.objects.create(case=case, phone=case.contact_phone)
    event = log(case, EventKind.SUBMITTED, actor=user, public_note=_("Report received."),
                data={"channel": case.channel})
    store.save(case, report.files, event=event, user=user)
    case.tracking_number = next_tracking_number(now)
    Case.objects.filter(pk=case.pk).update(tracking_number=case.tracking_number)
    audit_case(case, "submit", actor=user, extra={"channel": case.channel, "files": len(report.files)})
    if report.channel in STAFF_CHANNELS and case.category_id is not None:
        from .workflow import register_case

        case = register_case(actor=user, case=case)
    return Intake(case=case, created=True, follow_token=token)

