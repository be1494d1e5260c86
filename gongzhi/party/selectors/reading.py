"""What a reader is shown of the free text on party rows: a phone or ID number typed into a
reason, a comment, an agreement or a visit's summary is masked for anyone without the right to
reveal party members' numbers on that row (PartyAction.REVEAL: the community and party
secretaries) — the same rule as the members' own numbers. In memory only; rows never change.

The edit forms keep the text whole: whoever edits it needs it as written, and a masked text saved
back would lose the number for good."""

from collections import defaultdict

from gongzhi.core import scope
from gongzhi.core.masking import mask_numbers_in_text

from ..models import (
    FeedbackCard,
    LeaderProblem,
    LeaderVisit,
    Member,
    MemberRegistration,
    OrganisationChange,
    Project,
    ServiceEntry,
    Transfer,
    UnitRegistration,
)
from ..permissions import PartyAction as A

FREE_TEXT: dict[type, tuple[str, ...]] = {
    Member: ("state_reason",),
    Transfer: ("reason",),
    OrganisationChange: ("reason",),
    UnitRegistration: ("agreement", "end_reason"),
    Project: ("description", "note"),
    MemberRegistration: ("decline_reason",),
    ServiceEntry: ("activity", "void_reason"),
    FeedbackCard: ("comment",),
    LeaderVisit: ("summary",),
    LeaderProblem: ("title", "resolution"),
}


BATCH = 2000


def as_read_by(user, rows) -> list:
    """`rows` (party rows of any of the kinds above) as `user` may read them; one query per kind
    for a reader who may reveal somewhere, none for anyone else."""
    rows = list(rows)
    shown = _revealable(user, rows)
    for row in rows:
        if (type(row), row.pk) in shown:
            continue
        for name in FREE_TEXT.get(type(row), ()):
            value = getattr(row, name, None)
            if isinstance(value, str) and value:
                setattr(row, name, mask_numbers_in_text(value))
    return rows


def as_read_by_one(user, row):
    as_read_by(user, [row])
    return row


def read_page(user, page):
    """A page of a paginated list (gongzhi.core.pagination), read by `user`."""
    page.object_list = as_read_by(user, page.object_list)
    return page


def _revealable(user, rows) -> set[tuple[type, int]]:
    if user is None or not scope.may(user, A.REVEAL):
        return set()
    pks: dict[type, list[int]] = defaultdict(list)
    for row in rows:
        if type(row) in FREE_TEXT and row.pk is not None:
            pks[type(row)].append(row.pk)
    shown = set()
    for model, ids in pks.items():
        for start in range(0, len(ids), BATCH):  # an export reads thousands: keep each IN list short
            rows = model.objects.filter(pk__in=ids[start:start + BATCH])
            shown.update((model, pk) for pk in scope.restrict(rows, user, A.REVEAL).values_list("pk", flat=True))
    return shown
