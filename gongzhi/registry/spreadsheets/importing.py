"""Importing a community's spreadsheet into the registry.

Every row is checked and every problem is named by row and column (as headed in the file): ID numbers
(GB 11643 checksum, and agreement with the birth date and gender given), phones, dates, choices, an
address or grid code that resolves to a building or grid in the importer's scope, duplicates inside
the file and against the registry. Two modes:

- all or nothing: the file is written in one transaction, which is rolled back if any row has a
  problem — so a clean file costs one pass, and a file with problems changes nothing;
- valid rows: each batch of valid rows is written in its own transaction; the rejected rows come
  back as a spreadsheet with a column saying what is wrong with each.

Speed (the goal: 100,000 rows at 5,000 a second, on SQLite and PostgreSQL) comes from a lean reader
(reader.py); lookups loaded once (buildings by address and grids by code in scope, tags, choices), and
each distinct value of a repeating column (choices, addresses, dates, tags) checked once; rows read and
checked in a thread of their own while the database writes the previous batch; one duplicate query per
batch of 2,000 rows on the indexed ID hash; multi-row inserts or a binary COPY (bulk.py), which skip
the ORM's per-value preparation; and, on PostgreSQL, foreign keys checked as each batch is written,
while the next one is read, rather than all at the commit.

Audit: the job (services/imports.py) writes one audit row per import, with the counts; the residents'
history gets a "registered" event each.
"""

import contextlib
import datetime as dt
import io
import queue
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from openpyxl import Workbook

from gongzhi.core import crypto
from gongzhi.core.errors import DomainError
from gongzhi.divisions.models import Division

from .. import permissions, validation
from ..bulk import BulkInsert
from ..choices import EventKind, HouseholdKind, ImportMode, Relation, Residence, ResidentStatus
from ..models import (
    PLACE_COLUMNS,
    PLACE_LEVELS,
    Building,
    Facility,
    Household,
    Organisation,
    Resident,
    ResidentEvent,
    ResidentTag,
    Tag,
    Thing,
)
from ..names import initials
from ..permissions import RegistryAction
from ..tags import FLOATING
from .columns import EN, PROBLEMS_HEADER, SHEETS, ZH, Column, choice_lookup, header_map, normalise_header, title
from .reader import XlsxReader

BATCH = 2000
PROBLEMS_KEPT = 1000
# Kinds of cell whose outcome is remembered per distinct value, up to MEMO_SIZE values a column.
MEMO_KINDS = frozenset({"choice", "address", "grid", "date"})
MEMO_SIZE = 50_000
TAG_SEPARATORS = re.compile(r"[,，、;；/\s]+")

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    entity: str
    mode: str
    rows: int = 0
    created: int = 0
    households_created: int = 0
    rejected: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    rejected_file: bytes | None = None
    language: str = ZH

    @property
    def imported(self) -> bool:
        return self.created > 0


AMBIGUOUS = object()  # an address that names buildings in two districts of the importer's scope


# --- cell values ------------------------------------------------------------------------------------


def clean_cell(column: Column, value, lookups: "Lookups"):
    """The stored value for one cell, or Invalid. Empty cells are None (the caller checks `required`)."""
    if value is None or value == "":
        return None
    kind = column.kind
    if kind == "id_number":
        return validation.clean_id_number(value, today=lookups.today)
    if kind == "date":
        return validation.clean_date(value)
    if kind == "phone":
        return validation.clean_phone(value)
    if kind == "choice":
        found = lookups.choice(column).get(str(value).strip().lower())
        if found is None:
            raise validation.Invalid(_("Unknown value “%(value)s”.") % {"value": value})
        return found
    if kind == "int":
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise validation.Invalid(_("Not a whole number.")) from None
        if not number.is_integer() or not 0 <= number <= 10000:
            raise validation.Invalid(_("Not a whole number."))
        return int(number)
    if kind == "float":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise validation.Invalid(_("Not a number.")) from None
    if kind == "decimal":
        try:
            number = Decimal(str(value)).quantize(Decimal("0.1"))
        except InvalidOperation:
            raise validation.Invalid(_("Not a number.")) from None
        if number < 0 or number > 10_000_000:
            raise validation.Invalid(_("Not a floor area."))
        return number
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > column.max_length:
        raise validation.Invalid(_("At most %(n)d characters.") % {"n": column.max_length})
    if kind == "grid":
        grid = lookups.grids.get(text)
        if grid is None:
            raise validation.Invalid(_("No grid with this code in your area."))
        return grid
    if kind == "address":
        building = lookups.buildings.get(text)
        if building is None:
            raise validation.Invalid(_("No building with this address in your area. Register the building first."))
        if building is AMBIGUOUS:
            raise validation.Invalid(_("Buildings in several districts have this address."))
        return building
    return text



class Lookups:
    """What cleaning needs, loaded once per import: the grids and buildings in the importer's scope,
    the tags, the spellings of each choice."""

    def __init__(self, actor, columns: list[Column]):
        self.actor = actor
        keys = {c.kind for c in columns}
        self.grids = self._grids() if "grid" in keys else {}
        self.buildings = self._buildings() if "address" in keys else {}
        self.tags = self._tags() if "tags" in keys else {}
        self._choices: dict = {}
        self.today = timezone.localdate()

    def choice(self, column: Column) -> dict[str, str]:
        if column.choices not in self._choices:
            self._choices[column.choices] = choice_lookup(column.choices)
        return self._choices[column.choices]

    def _grids(self) -> dict[str, Division]:
        return {g.code: g for g in permissions.grids_in_scope(self.actor, RegistryAction.IMPORT)}

    def _buildings(self) -> dict:
        out: dict = {}
        rows = permissions.restrict(Building.objects.filter(archived_at__isnull=True), self.actor,
                                    RegistryAction.IMPORT).values_list("address", "id", *PLACE_COLUMNS)
        for address, pk, *place in rows:
            out[address] = AMBIGUOUS if address in out else (pk, *place)
        return out

    def _tags(self) -> dict[str, Tag]:
        out = {}
        for tag in Tag.objects.filter(is_active=True):
            for text in (tag.name, tag.code, tag.name_en):
                if text:
                    out[text.lower()] = tag
        return out


# --- the import ---------------------------------------------------------------------------------------


def import_spreadsheet(*, actor, entity: str, source, mode: str = ImportMode.ALL_OR_NOTHING,
                       progress: Progress | None = None) -> ImportResult:
    """Read an .xlsx file (a path, bytes or a file object) of `entity` rows into the registry."""
    if entity not in IMPORTERS:
        raise DomainError(_("Unknown kind of list: %(entity)s") % {"entity": entity})
    mode = ImportMode(mode)
    if actor is None or not permissions.may(actor, RegistryAction.IMPORT):
        raise PermissionDenied(_("You may not import into the registry."))
    reader = XlsxReader(io.BytesIO(source) if isinstance(source, bytes) else source)
    rows = reader.rows()
    header = next(rows, None)
    if header is None:
        raise DomainError(_("The spreadsheet is empty."), code="bad_file")
    importer = IMPORTERS[entity](actor, header[1])
    result = ImportResult(entity=entity, mode=mode, language=importer.language)
    total = (reader.last_row - header[0]) if reader.last_row else None
    rejected = RejectedRows(importer)

    def cleaned_batches():
        """Read and clean ahead, in a thread of its own: the file is parsed and rows are checked
        while the database takes the previous batch (it waits on the database without the GIL)."""
        batch = []
        for number, values in rows:
            batch.append((number, values))
            if len(batch) == BATCH:
                yield batch, importer.clean_batch(batch)
                batch = []
        if batch:
            yield batch, importer.clean_batch(batch)

    def run(writing_allowed: Callable[[], bool], per_batch_transaction: bool):
        for batch, (items, problems) in read_ahead(cleaned_batches()):
            items = importer.verify(items, problems)
            result.rows += len(batch)
            if problems:
                _note(result, problems)
                rejected.add(batch, problems)
            if items and writing_allowed():
                if per_batch_transaction:
                    with transaction.atomic(), foreign_keys_checked_per_statement(importer.tables):
                        importer.write(items, result)
                else:
                    importer.write(items, result)
            if progress:
                progress(result.rows, total)

    with _large_page_cache():
        _run_mode(mode, run, result, importer.tables)
    result.rejected_file = rejected.finish()
    return result


def read_ahead(iterator, depth: int = 2):
    """Iterate `iterator` in a thread of its own, up to `depth` items ahead of the consumer. The
    thread runs in the caller's language (messages are translated as the rows are checked);
    an exception there is raised here."""
    language = translation.get_language()
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce():
        try:
            with translation.override(language):
                for item in iterator:
                    if stop.is_set():
                        return
                    handoff.put((item, None))
        except BaseException as exc:  # handed to the consumer, who raises it
            handoff.put((None, exc))
            return
        handoff.put((done, None))

    producer = threading.Thread(target=produce, name="import-read-ahead", daemon=True)
    producer.start()
    try:
        while True:
            item, exc = handoff.get()
            if exc is not None:
                raise exc
            if item is done:
                return
            yield item
    finally:
        stop.set()
        while producer.is_alive():  # let a producer blocked on a full queue see `stop`
            try:
                handoff.get_nowait()
            except queue.Empty:
                producer.join(0.05)


def _run_mode(mode, run, result, tables: list[str]) -> None:
    if mode == ImportMode.ALL_OR_NOTHING:
        with transaction.atomic(), foreign_keys_checked_per_statement(tables):
            run(lambda: result.problem_count == 0, per_batch_transaction=False)
            if result.problem_count:
                transaction.set_rollback(True)
                result.created = result.households_created = 0
    else:
        run(lambda: True, per_batch_transaction=True)


@contextlib.contextmanager
def foreign_keys_checked_per_statement(tables: list[str]):
    """On PostgreSQL, check the foreign keys of `tables` at the end of each statement instead of at
    commit (Django declares them DEFERRABLE INITIALLY DEFERRED). The checks are the same; made as the
    batches are written, the database runs them while the next batch is read and checked, instead of
    all of them at the end (a residents' import: some 700,000 key checks, a third of the database's
    time). The rows go in parents first, so no check is early. Put back to deferred afterwards (a
    rollback, after an error or of a refused file, does that by itself). Runs inside a transaction."""
    if connection.vendor != "postgresql" or not tables:
        yield
        return
    key = tuple(tables)
    with connection.cursor() as cursor:
        if key not in _deferred_keys:
            cursor.execute("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.conname) FROM pg_constraint c "
                           "JOIN pg_namespace n ON n.oid = c.connamespace "
                           "WHERE c.contype = 'f' AND c.condeferrable AND c.condeferred "
                           "AND c.conrelid = ANY(%s::regclass[]) ORDER BY 1", [list(tables)])
            _deferred_keys[key] = ", ".join(row[0] for row in cursor.fetchall())
        names = _deferred_keys[key]
        if names:
            # Names from the catalogue, quoted by the database itself.
            cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
    yield
    if names and not connection.needs_rollback:  # a rollback (to the savepoint) puts them back itself
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")


_deferred_keys: dict[tuple, str] = {}  # tables → their deferred foreign keys, for SET CONSTRAINTS


@contextlib.contextmanager
def _large_page_cache():
    """On SQLite, a page cache of 256 MB for the import's connection (the default is 2 MB): a big
    registry's indexes (ID hash, name, phone) take inserts at random places, and re-reading their
    pages from the operating system costs more than the import itself. Restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _note(result: ImportResult, problems: dict[int, list[Problem]]) -> None:
    result.rejected += len(problems)
    for row_problems in problems.values():
        result.problem_count += len(row_problems)
        room = PROBLEMS_KEPT - len(result.problems)
        if room > 0:
            result.problems.extend(row_problems[:room])


class RejectedRows:
    """The rows with problems, as the user wrote them, with a last column saying what is wrong."""

    def __init__(self, importer: "SheetImporter"):
        self.importer = importer
        self.workbook = None
        self.sheet = None

    def add(self, batch: list[tuple[int, list]], problems: dict[int, list[Problem]]) -> None:
        if self.workbook is None:
            self.workbook = Workbook(write_only=True)
            self.sheet = self.workbook.create_sheet(title(self.importer.entity, self.importer.language))
            self.sheet.append([*self.importer.raw_header, PROBLEMS_HEADER[self.importer.language]])
        width = len(self.importer.raw_header)
        for number, values in batch:
            if number in problems:
                cells = [*values[:width], *[None] * (width - len(values))]
                reasons = "；".join(f"{p.column}: {p.message}" if p.column else p.message for p in problems[number])
                self.sheet.append([*cells, reasons])

    def finish(self) -> bytes | None:
        if self.workbook is None:
            return None
        out = io.BytesIO()
        self.workbook.save(out)
        return out.getvalue()


class SheetImporter:
    """Cleans rows of one entity and writes the valid ones. Subclasses set `entity` and implement
    `clean_row` (no queries: it runs in the read-ahead thread) and `write`; `verify` adds the checks that
    need the database."""

    entity = ""
    tables: list[str] = []  # the tables `write` inserts into

    def __init__(self, actor, raw_header: list):
        self.actor = actor
        self.columns = SHEETS[self.entity]
        self.raw_header = ["" if h is None else str(h) for h in raw_header]
        known = header_map(self.columns)
        self.positions: dict[str, int] = {}
        for i, text in enumerate(self.raw_header):
            column = known.get(normalise_header(text))
            if column is None:
                continue
            if column.key in self.positions:
                raise DomainError(_("The column “%(column)s” appears twice.") % {"column": text}, code="bad_file")
            self.positions[column.key] = i
        missing = [c for c in self.columns if c.required and c.key not in self.positions]
        zh_headers = sum(1 for i in self.positions.values() if self.raw_header[i] in {c.zh for c in self.columns})
        self.language = ZH if zh_headers or not self.positions else EN
        if missing:
            raise DomainError(
                _("The spreadsheet lacks the columns %(columns)s. Start from the template.")
                % {"columns": "、".join(c.header(self.language) for c in missing)},
                code="bad_file", details=[{"row": 1, "column": c.header(self.language),
                                           "message": _("missing column")} for c in missing])
        self.by_key = {c.key: c for c in self.columns}
        self.lookups = Lookups(actor, [c for c in self.columns if c.key in self.positions])
        self.today = timezone.localdate()
        # (key, position, cleaner, required, header) of each known column, in the file's order.
        self.plan = [(key, i, self._cleaner(self.by_key[key]), self.by_key[key].required, self.header_of(key))
                     for key, i in sorted(self.positions.items(), key=lambda item: item[1])]

    def header_of(self, key: str) -> str:
        i = self.positions.get(key)
        return self.raw_header[i] if i is not None else self.by_key[key].header(self.language)

    def cells(self, values: list) -> dict:
        return {key: values[i] if i < len(values) else None for key, i in self.positions.items()}

    def clean_cells(self, number: int, values: list) -> tuple[dict, list[Problem]]:
        """Each known column's stored value; problems for the invalid and the missing required ones."""
        out, problems = {}, []
        width = len(values)
        for key, i, clean, required, header in self.plan:
            raw = values[i] if i < width else None
            if raw is None or raw == "":
                if required:
                    problems.append(Problem(number, header, _("Required.")))
                out[key] = None
                continue
            try:
                out[key] = clean(raw)
            except validation.Invalid as exc:
                problems.append(Problem(number, header, exc.message))
        return out, problems

    def _cleaner(self, column: Column) -> Callable:
        """`clean_cell` for one column; for the kinds whose values repeat down a sheet (choices,
        addresses, grid codes, dates), each distinct value is checked once and the outcome remembered."""
        lookups = self.lookups
        if column.kind == "text":
            limit = column.max_length

            def text(raw):
                if raw.__class__ is str and len(raw) <= limit and raw == raw.strip():
                    return raw  # as the reader gives text: trimmed, and not too long
                return clean_cell(column, raw, lookups)

            return text
        if column.kind not in MEMO_KINDS:
            return lambda raw: clean_cell(column, raw, lookups)
        memo: dict = {}

        def clean(raw):
            key = raw if raw.__class__ is str else (raw.__class__, raw)  # 1, 1.0 and True differ here
            found = memo.get(key)
            if found is None:
                try:
                    found = (clean_cell(column, raw, lookups), None)
                except validation.Invalid as exc:
                    found = (None, exc.message)
                if len(memo) < MEMO_SIZE:
                    memo[key] = found
            if found[1] is not None:
                raise validation.Invalid(found[1])
            return found[0]

        return clean

    def clean_batch(self, batch: list[tuple[int, list]]) -> tuple[list, dict[int, list[Problem]]]:
        """The valid items of a batch and the problems of the others. Runs in the read-ahead thread:
        no database access here (everything needed was loaded into `lookups`)."""
        items, problems = [], {}
        for number, values in batch:
            item, row_problems = self.clean_row(number, values)
            if row_problems:
                problems[number] = row_problems
            else:
                items.append(item)
        return items, problems

    def verify(self, items: list, problems: dict[int, list[Problem]]) -> list:
        """The checks that need the database (duplicates against the registry): the items that pass;
        the others' problems are added to `problems`."""
        return items

    def clean_row(self, number: int, values: list):
        raise NotImplementedError

    def write(self, items: list, result: ImportResult) -> None:
        raise NotImplementedError


# --- residents --------------------------------------------------------------------------------------

# The columns each row type is written with (BulkInsert: tuples in this order).
RESIDENT_COLUMNS = ["name", "name_initials", "gender", "birth_date", "id_number_sealed", "id_number_hash", "id_last4",
                    "phone_sealed", "phone_hash", "household", "relation", "residence", "registered_address",
                    "status", "notes", *PLACE_LEVELS, "created_at", "updated_at", "version"]
HOUSEHOLD_COLUMNS = ["building", "room", "kind", *PLACE_LEVELS, "created_at", "updated_at", "version"]
EVENT_COLUMNS = ["resident", "kind", "occurred_on", "recorded_at", "actor", "to_household", "note", *PLACE_LEVELS]
TAG_COLUMNS = ["resident", "tag", "started_on", "permit_valid_from", "permit_valid_until"]


@dataclass
class ResidentRow:
    number: int
    person: tuple  # RESIDENT_COLUMNS up to "household"
    details: tuple  # RESIDENT_COLUMNS after "household", up to the place
    id_hash: str | None
    building: tuple  # (building id, *place columns)
    room: str
    household_kind: str
    tags: list[Tag]
    permit_valid_from: dt.date | None
    permit_valid_until: dt.date | None


class ResidentImporter(SheetImporter):
    entity = "residents"
    tables = [m._meta.db_table for m in (Household, Resident, ResidentEvent, ResidentTag)]

    def __init__(self, actor, raw_header):
        super().__init__(actor, raw_header)
        self.seen_ids: dict[str, int] = {}
        self.tag_memo: dict = {}
        self.households: dict[tuple[int, str], int] = {}
        self.loaded_buildings: set[int] = set()
        self.now = timezone.now()
        self.actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        self.note = _("imported")
        self.insert_resident = BulkInsert(Resident, RESIDENT_COLUMNS)
        self.insert_household = BulkInsert(Household, HOUSEHOLD_COLUMNS)
        self.insert_event = BulkInsert(ResidentEvent, EVENT_COLUMNS, returning=False)
        self.insert_tag = BulkInsert(ResidentTag, TAG_COLUMNS, returning=False)

    @sensitive_variables("values", "data", "id_number", "phone", "person")
    def clean_row(self, number, values):
        data, problems = self.clean_cells(number, values)
        tags, tag_problems = self._tags(number, data.get("tags"))
        problems += tag_problems
        id_number = data.get("id_number")
        if id_number:
            for key, message in validation.id_agreement_problems(
                    id_number, birth_date=data.get("birth_date"), gender=data.get("gender") or "").items():
                problems.append(Problem(number, self.header_of(key), message))
        birth = data.get("birth_date") or (validation.id_birth_date(id_number) if id_number else None)
        if birth and birth > self.today:
            problems.append(Problem(number, self.header_of("birth_date"), _("The date is in the future.")))
        permit_from, permit_until = data.get("permit_valid_from"), data.get("permit_valid_until")
        if (permit_from or permit_until) and not any(t.code == FLOATING for t in tags):
            key = "permit_valid_from" if permit_from else "permit_valid_until"
            problems.append(Problem(number, self.header_of(key),
                                    _("Residence-permit dates go with the floating-population tag.")))
        if permit_from and permit_until and permit_until < permit_from:
            problems.append(Problem(number, self.header_of("permit_valid_until"),
                                    _("The permit ends before it starts.")))
        id_hash = crypto.blind_index(id_number, crypto.ID_NUMBER) if id_number else None
        if id_hash and not problems:
            first = self.seen_ids.get(id_hash)
            if first is not None:
                problems.append(Problem(number, self.header_of("id_number"),
                                        _("The same ID number as row %(row)d.") % {"row": first}))
            else:
                self.seen_ids[id_hash] = number
        if problems:
            return None, problems
        phone = data.get("phone") or ""
        name = data["name"]
        person = (name, initials(name), data.get("gender") or (validation.id_gender(id_number) if id_number else ""),
                  birth, crypto.seal(id_number or ""), id_hash, (id_number or "")[-4:], crypto.seal(phone),
                  crypto.blind_index(phone, crypto.PHONE))
        details = (data.get("relation") or Relation.OTHER, data.get("residence") or Residence.BOTH,
                   data.get("registered_address") or "", ResidentStatus.ACTIVE, data.get("notes") or "")
        return ResidentRow(number, person, details, id_hash, data["building"], data.get("room") or "",
                           data.get("household_kind") or HouseholdKind.OWNER_OCCUPIED, tags, permit_from,
                           permit_until), []

    def _tags(self, number: int, text) -> tuple[list[Tag], list[Problem]]:
        if not text:
            return [], []
        key = text if text.__class__ is str else (text.__class__, text)
        found = self.tag_memo.get(key)  # a sheet repeats a few combinations of tags
        if found is None:
            tags, unknown = [], []
            for name in TAG_SEPARATORS.split(str(text)):
                if not name:
                    continue
                tag = self.lookups.tags.get(name.lower())
                if tag is None:
                    unknown.append(_("Unknown tag “%(tag)s”.") % {"tag": name})
                elif tag not in tags:
                    tags.append(tag)
            found = (tags, unknown)
            if len(self.tag_memo) < MEMO_SIZE:
                self.tag_memo[key] = found
        tags, unknown = found
        return tags, [Problem(number, self.header_of("tags"), message) for message in unknown]

    def verify(self, items, problems):
        hashes = [i.id_hash for i in items if i.id_hash]
        if hashes:
            known = registered_hashes(hashes)
            if known:
                kept = []
                for item in items:
                    if item.id_hash in known:
                        problems[item.number] = [Problem(item.number, self.header_of("id_number"),
                                                         _("A person with this ID number is already in the registry."))]
                    else:
                        kept.append(item)
                items = kept
        return items

    def write(self, items: list[ResidentRow], result: ImportResult) -> None:
        result.households_created += self._households(items)
        now, stamps = self.now, (self.now, self.now, 1)
        households = [self.households[(item.building[0], item.room)] for item in items]
        ids = self.insert_resident.insert(
            (*item.person, household, *item.details, *item.building[1:], *stamps)
            for item, household in zip(items, households, strict=True))
        self.insert_event.insert(
            (pk, EventKind.REGISTERED, self.today, now, self.actor_id, household, self.note, *item.building[1:])
            for pk, item, household in zip(ids, items, households, strict=True))
        self.insert_tag.insert(
            (pk, tag.pk, self.today, *((item.permit_valid_from, item.permit_valid_until) if tag.code == FLOATING
                                       else (None, None)))
            for pk, item in zip(ids, items, strict=True) for tag in item.tags)
        result.created += len(ids)

    def _households(self, items: list[ResidentRow]) -> int:
        """Find or create the household of each row's building and room; how many were created."""
        new_buildings = {i.building[0] for i in items} - self.loaded_buildings
        if new_buildings:
            for building_id, room, pk in Household.objects.filter(
                    building_id__in=new_buildings, archived_at__isnull=True).values_list("building_id", "room", "id"):
                self.households[(building_id, room)] = pk
            self.loaded_buildings |= new_buildings
        missing: dict[tuple[int, str], tuple] = {}
        for item in items:
            key = (item.building[0], item.room)
            if key not in self.households and key not in missing:
                missing[key] = (*key, item.household_kind, *item.building[1:], self.now, self.now, 1)
        if missing:
            for key, pk in zip(missing, self.insert_household.insert(missing.values()), strict=True):
                self.households[key] = pk
        return len(missing)


def registered_hashes(hashes: list[str]) -> set[str]:
    """The ID-number hashes among `hashes` already in the registry: one indexed query per batch, in
    plain SQL (the ORM spends ten times the database's time preparing 2,000 parameters)."""
    quote = connection.ops.quote_name
    table, column = Resident._meta.db_table, Resident._meta.get_field("id_number_hash").column
    found: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(hashes), BATCH):
            chunk = hashes[start:start + BATCH]
            # Identifiers from the model's metadata, quoted; the hashes are parameters.
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} "  # noqa: S608
                           f"WHERE {quote(column)} IN ({', '.join(['%s'] * len(chunk))})", chunk)
            found.update(row[0] for row in cursor.fetchall())
    return found


# --- places, things and organisations -------------------------------------------------------------------


@dataclass
class PlacedRow:
    number: int
    obj: Building | Thing | Facility | Organisation


class PlacedImporter(SheetImporter):
    """Rows that become one model instance each, placed in the grid their grid code names."""

    model = None
    unique_column = ""
    unique_message = ""

    def __init__(self, actor, raw_header):
        super().__init__(actor, raw_header)
        self.seen: dict = {}
        self.tables = [self.model._meta.db_table]

    def unique_key(self, obj):
        return None

    def clean_row(self, number, values):
        data, problems = self.clean_cells(number, values)
        for axis, low, high in (("lng", 73, 136), ("lat", 3, 54)):
            if data.get(axis) is not None and not low <= data[axis] <= high:
                problems.append(Problem(number, self.header_of(axis), _("The position lies outside China.")))
        if problems:
            return None, problems
        grid = data.pop("grid_code")
        phone = data.pop("contact_phone", None)
        obj = self.model(**{key: self._stored(key, value) for key, value in data.items()})
        obj.place_in(grid)
        if phone:
            obj.set_contact_phone(phone)
        key = self.unique_key(obj)
        if key is not None:
            first = self.seen.get(key)
            if first is not None:
                return None, [Problem(number, self.header_of(self.unique_column),
                                      _("The same as row %(row)d.") % {"row": first})]
            self.seen[key] = number
        return PlacedRow(number, obj), []

    def _stored(self, key: str, value):
        """An empty cell is the field's default ("" for text, the first state …), or NULL where allowed."""
        if value is not None:
            return value
        model_field = self.model._meta.get_field(key)
        return None if model_field.null else model_field.get_default()

    def verify(self, items, problems):
        taken = self.taken(items) if items else set()
        if taken:
            kept = []
            for item in items:
                if self.unique_key(item.obj) in taken:
                    problems[item.number] = [Problem(item.number, self.header_of(self.unique_column),
                                                     self.unique_message)]
                else:
                    kept.append(item)
            items = kept
        return items

    def taken(self, items: list["PlacedRow"]) -> set:
        """The unique keys of `items` already in the registry."""
        return set()

    def write(self, items: list["PlacedRow"], result):
        self.model.objects.bulk_create([item.obj for item in items], batch_size=500)
        result.created += len(items)


class BuildingImporter(PlacedImporter):
    entity = "buildings"
    model = Building
    unique_column = "address"

    @property
    def unique_message(self):
        return _("A building with this address is already registered in the district.")

    def unique_key(self, obj):
        return (obj.district_id, obj.address)

    def taken(self, items):
        districts = {i.obj.district_id for i in items}
        addresses = {i.obj.address for i in items}
        return set(Building.objects.filter(district_id__in=districts, address__in=addresses,
                                           archived_at__isnull=True).values_list("district_id", "address"))


class ThingImporter(PlacedImporter):
    entity = "things"
    model = Thing
    unique_column = "code"

    @property
    def unique_message(self):
        return _("This code is already in use.")

    def unique_key(self, obj):
        return obj.code

    def taken(self, items):
        return set(Thing.objects.filter(code__in=[i.obj.code for i in items], archived_at__isnull=True)
                   .values_list("code", flat=True))


class FacilityImporter(PlacedImporter):
    entity = "facilities"
    model = Facility


class OrganisationImporter(PlacedImporter):
    entity = "organisations"
    model = Organisation


IMPORTERS: dict[str, type[SheetImporter]] = {
    "residents": ResidentImporter, "buildings": BuildingImporter, "things": ThingImporter,
    "facilities": FacilityImporter, "organisations": OrganisationImporter,
}
