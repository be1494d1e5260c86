"""Bulk creation of divisions: the one write path of `gongzhi import-divisions` (a CSV in the national
statistical format) and of the demo city, which adds boundaries to its rows.

An import is all or nothing: every row is checked first and every problem is reported with its row
and column; only a clean list is written, in one transaction, level by level with bulk inserts, so
thousands of divisions take seconds. Each created division gets the same cached ancestor columns,
history row and audit row that `hierarchy.create_division` gives one division.
"""

import codecs
import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry

from ..choices import ANCESTOR_LEVELS, CODE_DIGITS, LEVELS, ChangeKind, Level
from ..geo import measure
from ..models import Division, DivisionChange
from .hierarchy import AUDITED_FIELDS, rename_division, set_ancestors

BATCH = 500  # divisions per bulk INSERT (Django splits further where a database needs it)
# What an import does with a code already active under another name: refuse the file, rename the
# division, or keep the division as it is.
REFUSE, RENAME, KEEP = "refuse", "rename", "keep"
NAME_MAX = Division._meta.get_field("name").max_length

# 城乡分类代码 of the statistical division list (villages and communities only).
URBAN_RURAL_CODES = {
    "111": "主城区", "112": "城乡结合区", "121": "镇中心区", "122": "镇乡结合区", "123": "特殊区域",
    "210": "乡中心区", "220": "村庄",
}

# The kind of a division, read from the end of its name (longest suffix first).
KIND_SUFFIXES = {
    Level.PROVINCE: [("特别行政区", "特别行政区"), ("自治区", "自治区"), ("省", "省"), ("市", "直辖市")],
    Level.CITY: [("自治州", "自治州"), ("地区", "地区"), ("盟", "盟"), ("市辖区", "市辖区"),
                 ("市", "地级市")],
    Level.DISTRICT: [("自治县", "自治县"), ("自治旗", "自治旗"), ("林区", "林区"), ("特区", "特区"),
                     ("县", "县"), ("旗", "旗"), ("区", "市辖区"), ("市", "县级市")],
    Level.STREET: [("街道", "街道"), ("民族乡", "民族乡"), ("镇", "镇"), ("乡", "乡"), ("苏木", "苏木"),
                   ("办事处", "办事处")],
    Level.COMMUNITY: [("社区", "社区"), ("村", "村"), ("嘎查", "嘎查"), ("大队", "大队")],
}

# The statistical list names a community or village by its committee (书院社区居委会, 前进村委会);
# people and our pages name the place (书院社区, 前进村).
COMMITTEE_SUFFIXES = [
    ("社区居民居委会", "社区"), ("社区居民委员会", "社区"), ("社区居委会", "社区"), ("社区委会", "社区"),
    ("居民委员会", "社区"), ("居委会", "社区"), ("村民委员会", "村"), ("村委会", "村"),
]

# Column names a division file may use, in Chinese (as the statistical list has them) or English.
HEADERS = {
    "统计用区划代码": "code", "区划代码": "code", "code": "code",
    "名称": "name", "name": "name",
    "城乡分类代码": "urban_rural_code", "urban_rural_code": "urban_rural_code",
}


# --- rows and problems ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DivisionRow:
    """One division to import. `code` has 12 digits (15 for a grid); the level and the parent
    follow from it. `line` is the row in the source file, for error messages."""

    code: str
    name: str
    urban_rural_code: str = ""
    kind: str = ""
    geometry: dict | None = None
    area_m2: float | None = None
    line: int | None = None


@dataclass(frozen=True)
class RowError:
    line: int | None
    column: str  # "code", "name", "urban_rural_code", or "" for the whole row or file
    message: str
    code: str = "invalid"  # what kind of problem: bad_code, duplicate, name_conflict, no_parent …

    def describe(self, labels: dict[str, str] | None = None) -> str:
        """"row 7, 统计用区划代码: …" with the column named as the file names it."""
        where = [_("row %(n)d") % {"n": self.line}] if self.line else []
        if self.column:
            where.append((labels or {}).get(self.column, self.column))
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportRejected(DomainError):
    """Some rows are wrong; nothing was written. `errors` names every problem."""

    def __init__(self, errors: list[RowError]):
        super().__init__(
            _("%(count)d problem(s) found; nothing was imported.") % {"count": len(errors)},
            code="import_rejected", details=errors,
        )
        self.errors = errors


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)  # level → divisions created
    unchanged: int = 0  # already there with the same name
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # code, old name, new name

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


# --- names, kinds and codes -----------------------------------------------------------------------


def display_name(level: str, name: str) -> str:
    """The name as people say it: a community's or village's committee suffix is dropped."""
    name = name.strip()
    if level == Level.COMMUNITY:
        for suffix, kind in COMMITTEE_SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)] + kind
    return name


def division_kind(level: str, name: str, urban_rural_code: str = "") -> str:
    """街道, 镇, 乡, 社区, 村 … from the end of the name; for a community whose name does not tell,
    the urban-rural code does (1xx urban: 社区, 2xx rural: 村)."""
    for suffix, kind in KIND_SUFFIXES.get(level, []):
        if name.endswith(suffix):
            return kind
    if level == Level.COMMUNITY and urban_rural_code in URBAN_RURAL_CODES:
        return "社区" if urban_rural_code.startswith("1") else "村"
    return ""


def level_of(code: str) -> str:
    """province: digits 3–12 zero; city: 5–12; district: 7–12; street: 10–12; otherwise a community
    or village; 15 digits: a grid."""
    if len(code) == CODE_DIGITS[Level.GRID]:
        return Level.GRID
    for level in (Level.PROVINCE, Level.CITY, Level.DISTRICT, Level.STREET):
        if not code[CODE_DIGITS[level]:].strip("0"):
            return level
    return Level.COMMUNITY


def parent_code(code: str, level: str) -> str | None:
    if level == Level.PROVINCE:
        return None
    above = LEVELS[LEVELS.index(level) - 1]
    return code[: CODE_DIGITS[above]].ljust(12, "0")


def code_problem(code: str) -> str | None:
    if not code.isdigit() or len(code) not in (12, 15):
        return _("A division code has 12 digits (15 for a grid): %(code)s") % {"code": code or "—"}
    if code.startswith("00"):
        return _("%(code)s names no province (its first two digits are 00).") % {"code": code}
    if len(code) == 15 and code.endswith("000"):
        return _("Grid numbers start at 001: %(code)s") % {"code": code}
    return None


# --- reading a file -------------------------------------------------------------------------------


@dataclass
class DivisionFile:
    rows: list[DivisionRow]
    labels: dict[str, str]  # column key → the header the file uses for it


def read_division_csv(data: bytes) -> DivisionFile:
    """Rows of a CSV in the statistical format: 统计用区划代码, 名称 and optionally 城乡分类代码 (or
    code, name, urban_rural_code), in UTF-8 with or without BOM, or GB18030/GBK."""
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    header = next(reader, None)
    labels = {}
    for cell in header or []:
        key = HEADERS.get(cell.strip().lower())
        if key and key not in labels:
            labels[key] = cell.strip()
    missing = [key for key in ("code", "name") if key not in labels]
    if missing:
        wanted = {"code": "统计用区划代码 (code)", "name": "名称 (name)"}
        raise ImportRejected([
            RowError(1, "", _("The header has no column %(column)s.") % {"column": wanted[k]}, "bad_header")
            for k in missing
        ])
    index = {HEADERS[cell.strip().lower()]: i for i, cell in reversed(list(enumerate(header)))
             if cell.strip().lower() in HEADERS}
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(key, cells=cells):
            i = index.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        rows.append(DivisionRow(code=cell("code"), name=cell("name"),
                                urban_rural_code=cell("urban_rural_code"), line=line))
    return DivisionFile(rows=rows, labels=labels)


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    for encoding in ("utf-8", "gb18030"):  # GB18030 reads GBK and GB2312 files too
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    message = _("The file is neither UTF-8 nor GB18030/GBK text.")
    raise ImportRejected([RowError(None, "", message, "bad_encoding")])


# --- checking -------------------------------------------------------------------------------------


@dataclass
class _Planned:
    row: DivisionRow
    code: str
    level: str
    name: str
    kind: str
    parent_code: str | None
    faulty: bool = False  # the row has a problem of its own: comparing it further says nothing


@dataclass
class _Plan:
    new: list[_Planned] = field(default_factory=list)
    renames: list[tuple[Division, str]] = field(default_factory=list)
    unchanged: int = 0
    known: dict[str, Division] = field(default_factory=dict)  # active divisions by code
    errors: list[RowError] = field(default_factory=list)


def _plan(rows: list[DivisionRow], *, existing_names: str) -> _Plan:
    plan = _Plan()
    planned = _read_rows(rows, plan.errors)
    wanted = set(planned) | {p.parent_code for p in planned.values() if p.parent_code}
    plan.known = _active_by_code(wanted)
    for p in planned.values():
        current = plan.known.get(p.code)
        if p.faulty:
            continue
        if current is None:
            _check_parent(p, planned, plan)
            plan.new.append(p)
        elif current.name == p.name or existing_names == KEEP:
            plan.unchanged += 1
        elif existing_names == RENAME:
            plan.renames.append((current, p.name))
        else:
            message = _("%(code)s is already in use by %(current)s, under another name.") % {
                "code": p.code, "current": current.name}
            plan.errors.append(RowError(p.row.line, "name", message, "name_conflict"))
    plan.new.sort(key=lambda p: (LEVELS.index(p.level), p.code))
    plan.errors.sort(key=lambda e: (e.line or 0, e.column))
    return plan


def _read_rows(rows: list[DivisionRow], errors: list[RowError]) -> dict[str, _Planned]:
    """Each row's code, level, name and kind, with the problems a row shows on its own."""
    planned: dict[str, _Planned] = {}
    for row in rows:
        code = row.code.strip()
        problem = code_problem(code)
        if problem:
            errors.append(RowError(row.line, "code", problem, "bad_code"))
            continue
        level = level_of(code)
        name = display_name(level, row.name)
        problems = len(errors)
        if not name:
            errors.append(RowError(row.line, "name", _("The name is empty."), "empty_name"))
        elif len(name) > NAME_MAX:
            message = _("A name has at most %(n)d characters.") % {"n": NAME_MAX}
            errors.append(RowError(row.line, "name", message, "long_name"))
        if row.urban_rural_code and row.urban_rural_code not in URBAN_RURAL_CODES:
            message = _("Unknown urban-rural code %(value)s (expected one of %(codes)s).") % {
                "value": row.urban_rural_code, "codes": ", ".join(URBAN_RURAL_CODES)}
            errors.append(RowError(row.line, "urban_rural_code", message, "bad_urban_rural_code"))
        if code in planned:
            message = _("%(code)s appears twice (first in row %(first)s).") % {
                "code": code, "first": planned[code].row.line or "?"}
            errors.append(RowError(row.line, "code", message, "duplicate"))
            continue
        kind = row.kind or division_kind(level, name, row.urban_rural_code)
        planned[code] = _Planned(row, code, level, name, kind, parent_code(code, level),
                                 faulty=len(errors) > problems)
    return planned


def _check_parent(p: _Planned, planned: dict[str, _Planned], plan: _Plan) -> None:
    if p.parent_code is None:
        return
    above = LEVELS[LEVELS.index(p.level) - 1]
    if level_of(p.parent_code) != above:
        message = _("The %(level)s digits of %(code)s are 00, but a %(child)s must lie in a %(level)s.") % {
            "code": p.code, "level": Level(above).label.lower(), "child": Level(p.level).label.lower()}
    elif p.parent_code not in planned and p.parent_code not in plan.known and p.level != Level.CITY:
        # A city may come without its province (a deployment of one city); nothing else floats.
        message = _("Its parent %(parent)s is neither in the file nor in the database.") % {
            "parent": p.parent_code}
    else:
        return
    plan.errors.append(RowError(p.row.line, "code", message, "no_parent"))


def _active_by_code(codes: set[str]) -> dict[str, Division]:
    codes = sorted(codes)
    found = {}
    for i in range(0, len(codes), BATCH):
        chunk = codes[i:i + BATCH]
        found.update((d.code, d) for d in Division.objects.filter(is_active=True, code__in=chunk))
    return found


# --- writing --------------------------------------------------------------------------------------


Progress = Callable[[str, int, int], None]  # (level, done, total)


@transaction.atomic
def import_divisions(*, actor, rows: Iterable[DivisionRow], reason: str, actor_label: str = "",
                     existing_names: str = REFUSE, progress: Progress | None = None) -> ImportReport:
    """Create every division of `rows` not already active (by code), or none if any row is wrong.

    A code already active with the same name is left alone, so importing a file twice changes
    nothing. With a different name it is a problem (`existing_names=REFUSE`), a rename audited
    with `reason` (RENAME), or left alone too (KEEP: the demo, which never overrides what people
    changed). Raises ImportRejected naming every problem."""
    if not reason.strip():
        raise DomainError(_("Say why the divisions are imported."))
    if existing_names not in (REFUSE, RENAME, KEEP):
        raise ValueError(f"existing_names: {existing_names!r}")
    plan = _plan(list(rows), existing_names=existing_names)
    if plan.errors:
        raise ImportRejected(plan.errors)
    report = ImportReport(unchanged=plan.unchanged)
    by_code = dict(plan.known)
    for level in LEVELS:
        batch = [p for p in plan.new if p.level == level]
        if batch:
            created = _create_level(level, batch, by_code, progress)
            _record_creation(created, batch, actor=actor, actor_label=actor_label, reason=reason)
            report.created[level] = len(created)
    for division, name in plan.renames:
        rename_division(actor=actor, division=division, name=name, reason=reason)
        report.renamed.append((division.code, division.name, name))
    return report


def _create_level(level: str, batch: list[_Planned], by_code: dict[str, Division],
                  progress: Progress | None) -> list[Division]:
    """Insert one level's divisions; their parents are already in `by_code` (levels go top down)."""
    now = timezone.now()
    divisions = []
    for p in batch:
        geometry, area = p.row.geometry, p.row.area_m2
        if geometry is not None and area is None:
            area = measure.area_m2(geometry)
        division = Division(level=level, code=p.code, name=p.name, kind=p.kind,
                            parent=by_code.get(p.parent_code) if p.parent_code else None,
                            geometry=geometry, area_m2=area, created_at=now, updated_at=now)
        set_ancestors(division)
        divisions.append(division)
    for i in range(0, len(divisions), BATCH):
        Division.objects.bulk_create(divisions[i:i + BATCH])
        if progress:
            progress(level, min(i + BATCH, len(divisions)), len(divisions))
    if level in ANCESTOR_LEVELS:
        # A division's own level column points at itself, which needs its id: one UPDATE per level.
        Division.objects.filter(level=level, is_active=True, **{f"{level}_id__isnull": True}).update(
            **{f"{level}_id": F("pk")})
        for division in divisions:
            setattr(division, f"{level}_id", division.pk)
    by_code.update((d.code, d) for d in divisions)
    return divisions


def _record_creation(divisions: list[Division], batch: list[_Planned], *, actor, actor_label: str,
                     reason: str) -> None:
    """One history row and one audit row per division, as create_division writes, in bulk."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    changes, entries = [], []
    for division, p in zip(divisions, batch, strict=True):
        after = {"code": division.code, "name": division.name}
        if p.row.urban_rural_code:
            # The model has no column for it; the history keeps what the statistical list said.
            after["urban_rural_code"] = p.row.urban_rural_code
        changes.append(DivisionChange(division=division, kind=ChangeKind.IMPORTED, at=now, actor=user,
                                      reason=reason[:500], after=after))
        entries.append(_audit_entry(division, user=user, actor_label=actor_label, reason=reason, at=now))
    DivisionChange.objects.bulk_create(changes, batch_size=BATCH)
    AuditEntry.objects.bulk_create(entries, batch_size=BATCH)


def _audit_entry(division: Division, *, user, actor_label: str, reason: str, at) -> AuditEntry:
    """The row audit.record would write for a created division, unsaved so it can go in bulk."""
    return AuditEntry(
        at=at, actor=user, actor_label=actor_label or ("" if user else "system"), action="division.import",
        object_type=division._meta.label_lower, object_id=str(division.pk), object_repr=str(division)[:200],
        division=division, after=audit.snapshot(division, AUDITED_FIELDS), reason=reason[:500],
    )
