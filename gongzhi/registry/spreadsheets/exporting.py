"""Exporting a filtered registry list to .xlsx: scoped, masked, audited, streamed.

Rows come from the same selectors as the pages (so an export holds exactly what the list shows),
narrowed to the actor's EXPORT scope, read in chunks with `values_list(...).iterator()` and streamed
by a lean writer (writer.py) into an unlinked temporary file: 100,000 residents take seconds and
little memory. ID and phone numbers are masked unless the export asks for full values, which needs
REVEAL over the rows as well (rows outside it are left out). Every export writes one audit row with
the filters and the number of rows.
"""

import itertools
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, crypto
from gongzhi.core.masking import mask_id_number, mask_numbers_in_text, mask_phone
from gongzhi.divisions.models import Division

from .. import permissions, selectors
from ..choices import (
    FacilityKind,
    Gender,
    HouseholdKind,
    OrganisationKind,
    Relation,
    Residence,
    ResidentStatus,
    ThingCategory,
    ThingState,
)
from ..models import ResidentTag
from ..permissions import RegistryAction
from ..tags import FLOATING
from .columns import BUILDINGS, EN, FACILITIES, ORGANISATIONS, RESIDENTS, THINGS, ZH, Column, title, word
from .writer import XlsxWriter

CHUNK = 2000
EXPORTABLE = ("residents", "households", "buildings", "things", "facilities", "organisations")


@dataclass
class ExportFile:
    file: object  # an open binary file at position 0; closing it frees the disk space
    rows: int
    filename: str


def export_list(*, actor, entity: str, division: Division | None = None, filters: dict | None = None,
                full_values: bool = False, language: str = ZH, limit: int | None = None) -> ExportFile:
    """The `entity` list in `division` (or the actor's whole export scope), filtered like the page.

    `filters` are the list selector's keyword arguments (e.g. {"tag": <Tag>, "status": "active"});
    `limit` keeps the first rows only."""
    if entity not in EXPORTABLE:
        raise KeyError(entity)
    if actor is None or not permissions.may(actor, RegistryAction.EXPORT):
        raise PermissionDenied(_("You may not export registry lists."))
    if full_values and (entity != "residents" or not permissions.may(actor, RegistryAction.REVEAL)):
        raise PermissionDenied(_("You may not export full personal numbers."))
    filters = dict(filters or {})
    if division is None:
        tops = permissions.covered_divisions(actor, RegistryAction.EXPORT)
        division = tops[0] if len(tops) == 1 else None
    header, rows = WRITERS[entity](actor, division, filters, full_values, language)
    widths = [max(10, min(30, len(h) * 2 + 2)) for h in header]
    out = tempfile.TemporaryFile()  # noqa: SIM115  (handed to the caller, who streams and closes it)
    count = 0
    with XlsxWriter(out, title(entity, language), widths) as sheet:
        sheet.header(header)
        for row in itertools.islice(rows, limit):
            sheet.append(row)
            count += 1
    out.seek(0)
    _audit(actor, entity, division, {**filters, **({"limit": limit} if limit else {})}, full_values, count)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportFile(file=out, rows=count, filename=f"{entity}-{division.code if division else 'all'}-{stamp}.xlsx")


@transaction.atomic
def _audit(actor, entity, division, filters, full_values, count) -> None:
    described = {k: (v.pk if hasattr(v, "pk") else v) for k, v in filters.items()}
    audit.record(actor=actor, action="registry.export", obj=division or actor, division=division,
                 after={"entity": entity, "filters": described, "rows": count, "full_values": full_values})


def _headers(columns: list[Column], language: str, extra: list[tuple[str, str]]) -> list[str]:
    return [c.header(language) for c in columns] + [zh if language == ZH else en for zh, en in extra]


def _chunks(values) -> Iterator[list[tuple]]:
    chunk = []
    for row in values.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- residents -----------------------------------------------------------------------------------------

RESIDENT_EXTRA = [("网格编码", "Grid code"), ("网格", "Grid"), ("状态", "Status"), ("最近走访", "Last visited")]
RESIDENT_VALUES = ("id", "name", "gender", "birth_date", "id_number_sealed", "phone_sealed",
                   "household__building__address", "household__room", "household__kind", "relation", "residence",
                   "registered_address", "notes", "grid__code", "grid__name", "status", "household__last_visited_on")


def _residents(actor, division, filters, full_values, language):
    qs = selectors.residents_for(actor, division=division, action=RegistryAction.EXPORT, **filters)
    if full_values:
        qs = permissions.restrict(qs, actor, RegistryAction.REVEAL)
    values = qs.order_by("id").values_list(*RESIDENT_VALUES)
    show_id = crypto.unseal if full_values else (lambda s: mask_id_number(crypto.unseal(s)))
    show_phone = crypto.unseal if full_values else (lambda s: mask_phone(crypto.unseal(s)))
    # Numbers typed into the notes are whole only where the numbers themselves are.
    show_notes = (lambda s: s) if full_values else mask_numbers_in_text
    english = language == EN

    def rows():
        for chunk in _chunks(values):
            tags = _live_tags([r[0] for r in chunk], english)
            for (pk, name, gender, birth, sealed_id, sealed_phone, address, room, kind, relation, residence,
                 registered, notes, grid_code, grid_name, status, last_visit) in chunk:
                names, permit = tags.get(pk, ([], (None, None)))
                yield [name, word(Gender, gender, language), birth, show_id(sealed_id), show_phone(sealed_phone),
                       address, room, word(HouseholdKind, kind, language), word(Relation, relation, language),
                       word(Residence, residence, language), registered, "、".join(names), permit[0], permit[1],
                       show_notes(notes), grid_code, grid_name, word(ResidentStatus, status, language), last_visit]

    return _headers(RESIDENTS, language, RESIDENT_EXTRA), rows()


def _live_tags(resident_ids: list[int], english: bool) -> dict[int, tuple[list[str], tuple]]:
    out: dict[int, tuple[list[str], tuple]] = {}
    links = (ResidentTag.objects.filter(resident_id__in=resident_ids, ended_on__isnull=True)
             .order_by("resident_id", "tag__sort_order")
             .values_list("resident_id", "tag__name", "tag__name_en", "tag__code", "permit_valid_from",
                          "permit_valid_until"))
    for resident_id, name, name_en, code, permit_from, permit_until in links:
        names = out.setdefault(resident_id, ([], (None, None)))[0]
        names.append(name_en or name if english else name)
        if code == FLOATING:
            out[resident_id] = (names, (permit_from, permit_until))
    return out


# --- households ----------------------------------------------------------------------------------------

HOUSEHOLD_HEADER = [("楼栋地址", "Building address"), ("房号", "Room"), ("住户类型", "Household kind"),
                    ("在住人数", "Members"), ("最近走访", "Last visited"), ("网格编码", "Grid code"), ("网格", "Grid")]


def _households(actor, division, filters, full_values, language):
    qs = permissions.restrict(selectors.households_for(actor, division=division, **filters), actor,
                              RegistryAction.EXPORT)
    values = qs.values_list("building__address", "room", "kind", "member_count", "last_visited_on", "grid__code",
                            "grid__name")

    def rows():
        for chunk in _chunks(values):
            for address, room, kind, members, last_visit, grid_code, grid_name in chunk:
                yield [address, room, word(HouseholdKind, kind, language), members, last_visit, grid_code, grid_name]

    return [zh if language == ZH else en for zh, en in HOUSEHOLD_HEADER], rows()


# --- places, things and organisations -------------------------------------------------------------------

PLACED = {
    "buildings": (BUILDINGS, selectors.buildings_for, {}),
    "things": (THINGS, selectors.things_for, {"category": ThingCategory, "state": ThingState}),
    "facilities": (FACILITIES, selectors.facilities_for, {"kind": FacilityKind}),
    "organisations": (ORGANISATIONS, selectors.organisations_for, {"kind": OrganisationKind}),
}


def _placed(entity):
    columns, selector, choices = PLACED[entity]

    def writer(actor, division, filters, full_values, language):
        qs = permissions.restrict(selector(actor, division=division, **filters), actor, RegistryAction.EXPORT)
        names = ["grid__code" if c.key == "grid_code" else "contact_phone_sealed" if c.key == "contact_phone"
                 else c.key for c in columns]
        values = qs.prefetch_related(None).values_list(*names, "grid__name")

        def rows():
            for chunk in _chunks(values):
                for row in chunk:
                    out = []
                    for column, value in zip(columns, row, strict=False):
                        if column.key in choices:
                            value = word(choices[column.key], value, language)
                        elif column.key == "contact_phone":
                            value = mask_phone(crypto.unseal(value))
                        elif isinstance(value, Decimal):
                            value = float(value)
                        out.append(value)
                    yield [*out, row[-1]]

        return _headers(columns, language, [("网格", "Grid")]), rows()

    return writer


WRITERS = {"residents": _residents, "households": _households,
           **{entity: _placed(entity) for entity in PLACED}}
