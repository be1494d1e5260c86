"""Party members in and out of .xlsx: the blank template, the import, the export.

The import is all or nothing: every row goes through the very service a page uses
(services.members.add_member), each in a savepoint, and if any row is refused the whole import is
rolled back and the problems listed by row and column, in the user's language — the file is fixed
and sent again. A branch's or a street's members are hundreds to a few thousand rows: the import runs
while the user waits (MAX_ROWS). The organisation column names an organisation by its name or its
code, among those the importer may keep members of; the community column a community by its name or
its division code.

The export holds the list as the page filters it, in the user's EXPORT scope, ID and phone numbers
masked, with Chinese headers; each export writes one audit row. The spreadsheet reader and writer
are the registry's (gongzhi.registry.spreadsheets).
"""

import io
import tempfile
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gongzhi.core import audit, scope
from gongzhi.core.errors import DomainError
from gongzhi.registry import validation
from gongzhi.registry.choices import Gender
from gongzhi.registry.spreadsheets.columns import choice_lookup, normalise_header
from gongzhi.registry.spreadsheets.reader import XlsxReader
from gongzhi.registry.spreadsheets.writer import XlsxWriter

from ..choices import MemberCategory, MemberState, MemberStatus
from ..permissions import PartyAction
from ..selectors import members as selectors
from . import members as services

A = PartyAction
MAX_ROWS = 3000
PROBLEMS_SHOWN = 200
SHEET_TITLE = "党员"

GENDER_WORDS = {"male": "男", "female": "女"}
STATUS_WORDS = {MemberStatus.FULL: "正式党员", MemberStatus.PROBATIONARY: "预备党员"}
CATEGORY_WORDS = {MemberCategory.EMPLOYED: "在职党员", MemberCategory.RETIRED: "离退休党员",
                  MemberCategory.MOBILE: "流动党员", MemberCategory.STUDENT: "学生党员", MemberCategory.OTHER: "其他"}
STATE_WORDS = {MemberState.ACTIVE: "正常", MemberState.TRANSFERRED_OUT: "已转出", MemberState.DECEASED: "已故",
               MemberState.LEFT: "已出党"}
EXTRA_WORDS = {
    "status": {"正式": MemberStatus.FULL, "预备": MemberStatus.PROBATIONARY},
    "category": {"在职": MemberCategory.EMPLOYED, "离退休": MemberCategory.RETIRED, "退休": MemberCategory.RETIRED,
                 "离休": MemberCategory.RETIRED, "流动": MemberCategory.MOBILE, "学生": MemberCategory.STUDENT},
}


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = "text"  # text date choice id_number phone
    required: bool = False
    width: int = 14
    example: object = ""
    help_zh: str = ""
    words: dict | None = None  # a choice column's Chinese word for each stored value


COLUMNS = [
    Column("name", "姓名", "Name", required=True, width=10, example="张伟"),
    Column("gender", "性别", "Gender", kind="choice", width=6, example="男", words=GENDER_WORDS,
           help_zh="男/女；有身份证号时可不填"),
    Column("birth_date", "出生日期", "Birth date", kind="date", width=12, example="1980-01-02",
           help_zh="如 1980-01-02；有身份证号时可不填"),
    Column("id_number", "公民身份号码", "ID number", kind="id_number", width=21, example="429999198001020016",
           help_zh="18位，单元格设为文本格式"),
    Column("phone", "联系电话", "Phone", kind="phone", width=14, example="13900000000",
           help_zh="11位手机号或带区号的固话"),
    Column("organisation", "所在党组织", "Party organisation", required=True, width=26,
           example="书院社区第一网格党支部", help_zh="组织关系所在党组织的全称或编码，须在您可管理的范围内"),
    Column("status", "党员状态", "Status", kind="choice", width=10, example="正式党员", words=STATUS_WORDS),
    Column("category", "党员类别", "Category", kind="choice", width=12, example="在职党员", words=CATEGORY_WORDS),
    Column("joined_on", "入党日期", "Joined the party", kind="date", width=12, example="2005-07-01"),
    Column("confirmed_on", "转正日期", "Became a full member", kind="date", width=12, example="2006-07-01",
           help_zh="预备党员不填"),
    Column("workplace", "工作单位", "Workplace", width=20, example="孝南区城市管理执法局"),
    Column("home_community", "居住社区", "Community lived in", width=16, example="书院社区",
           help_zh="社区名称或12位区划代码；党员到居住社区报到"),
    Column("account", "平台账号", "Platform account", width=14,
           help_zh="已在平台注册的手机号或用户名，可不填"),
]
BY_KEY = {c.key: c for c in COLUMNS}
CHOICES = {"gender": Gender, "status": MemberStatus, "category": MemberCategory}
# The export: the template's columns (but the account, which may be a phone number), then these.
EXPORT_EXTRA = [("organisation_code", "党组织编码"), ("state", "组织关系状态"), ("state_reason", "原因")]
HEADER_FILL = PatternFill("solid", fgColor="FFE8F0FE")
REQUIRED_FONT = Font(bold=True, color="FFC00000")


# --- the template -------------------------------------------------------------------------------------


def template() -> bytes:
    """The blank import template: Chinese headers, an example row, text-formatted ID and phone
    columns, drop-down lists for the choice columns and a sheet explaining each column."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    ws.append([c.zh for c in COLUMNS])
    ws.append([c.example for c in COLUMNS])
    for i, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(column.width, len(column.zh) * 2 + 4)
        cell = ws.cell(row=1, column=i)
        cell.fill = HEADER_FILL
        cell.font = REQUIRED_FONT if column.required else Font(bold=True)
        if column.kind in ("id_number", "phone", "text"):
            for row in range(2, 502):
                ws.cell(row=row, column=i).number_format = "@"
        if column.kind == "choice":
            listed = DataValidation(type="list", formula1='"' + ",".join(column.words.values()) + '"',
                                    allow_blank=True)
            listed.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            ws.add_data_validation(listed)
    ws.freeze_panes = "A2"
    help_sheet = wb.create_sheet("说明")
    help_sheet.append(["列", "必填", "说明"])
    for column in COLUMNS:
        notes = column.help_zh
        if column.kind == "choice":
            notes = f"{notes} 可选：{'、'.join(column.words.values())}".strip()
        help_sheet.append([column.zh, "是" if column.required else "", notes])
    help_sheet.append([])
    help_sheet.append(["", "", f"每次最多导入 {MAX_ROWS} 行；任何一行有误则整个文件不导入，请按提示修改后重新上传。"])
    for letter, width in (("A", 16), ("B", 8), ("C", 80)):
        help_sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- the import ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def imported(self) -> bool:
        return self.created > 0 and not self.problem_count

    def add(self, row: int, column: str, message) -> None:
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_SHOWN:
            self.problems.append(Problem(row, column, str(message)))


class _Lookups:
    """Organisations (in the importer's scope) and communities by what a sheet calls them, each
    distinct value looked up once."""

    def __init__(self, actor):
        self.actor = actor
        self._organisations = None
        self._communities: dict[str, object] = {}

    def organisation(self, text: str):
        if self._organisations is None:
            by_name, by_code = {}, {}
            for pk, name, code in selectors.organisation_choices(self.actor).values_list("pk", "name", "code"):
                by_name.setdefault(name, []).append(pk)
                by_code[code.lower()] = pk
            self._organisations = (by_name, by_code)
        by_name, by_code = self._organisations
        found = by_name.get(text, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise validation.Invalid(_("Several organisations have this name; write its code instead."))
        if text.lower() in by_code:
            return by_code[text.lower()]
        raise validation.Invalid(_("No organisation of yours has this name or code."))

    def community(self, text: str):
        if text not in self._communities:
            communities = selectors.community_choices()
            found = list(communities.filter(code=text).values_list("pk", flat=True)[:2]) if text.isdigit() else []
            if not found:
                found = list(communities.filter(name=text).values_list("pk", flat=True)[:2])
            self._communities[text] = (
                found[0] if len(found) == 1 else
                validation.Invalid(_("Several communities have this name; write its division code instead."))
                if found else validation.Invalid(_("No community has this name or code.")))
        value = self._communities[text]
        if isinstance(value, validation.Invalid):
            raise value
        return value


def _text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def _lookup_table(key: str) -> dict:
    table = choice_lookup(Gender) if key == "gender" else {}
    if key != "gender":
        for value, label in CHOICES[key].choices:
            table[value] = value
            table[str(label).lower()] = value
    table.update({word: value for value, word in BY_KEY[key].words.items()})
    table.update(EXTRA_WORDS.get(key, {}))
    return table


def _clean(column: Column, raw, lookups: _Lookups, tables: dict):
    if column.kind == "date":
        return validation.clean_date(raw, not_after_today=True)
    if column.kind == "choice":
        text = _text(raw)
        value = tables[column.key].get(text, tables[column.key].get(text.lower()))
        if value is None:
            raise validation.Invalid(_("Write one of: %(words)s.") % {"words": "、".join(column.words.values())})
        return value
    if column.kind in ("id_number", "phone"):
        return raw if isinstance(raw, int | float) else _text(raw)  # the service says what is wrong
    if column.key == "organisation":
        return lookups.organisation(_text(raw))
    if column.key == "home_community":
        return lookups.community(_text(raw))
    return _text(raw)


def _positions(header: list) -> dict[str, int]:
    known = {}
    for column in COLUMNS:
        for text in (column.zh, column.en, column.key):
            known[normalise_header(text)] = column
    positions = {}
    for i, text in enumerate(header):
        column = known.get(normalise_header(text))
        if column is None:
            continue
        if column.key in positions:
            raise DomainError(_("The column “%(column)s” appears twice.") % {"column": text}, code="bad_file")
        positions[column.key] = i
    missing = [c.zh for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        raise DomainError(_("The spreadsheet lacks the columns %(columns)s. Start from the template.")
                          % {"columns": "、".join(missing)}, code="bad_file")
    return positions


# The fields a service names in its refusals, and the column each is in.
FIELD_COLUMNS = {**{c.key: c.key for c in COLUMNS}, "letter_number": None, "resident": None}


def import_members(*, actor, source) -> ImportResult:
    """Read the sheet's rows and add each as a member through services.members.add_member, in one
    transaction: if any row is refused, nothing is written and the result lists every problem."""
    if actor is None or not scope.may(actor, A.EDIT_MEMBERS):
        raise PermissionDenied(_("You may not add party members."))
    reader = XlsxReader(io.BytesIO(source) if isinstance(source, bytes) else source)
    rows = reader.rows()
    first = next(rows, None)
    if first is None:
        raise DomainError(_("The spreadsheet is empty."), code="bad_file")
    header = ["" if h is None else str(h) for h in first[1]]
    positions = _positions(header)
    headers = {key: header[i] for key, i in positions.items()}
    lookups, tables = _Lookups(actor), {key: _lookup_table(key) for key in CHOICES}
    result = ImportResult()
    cleaned = []
    for number, values in rows:
        result.rows += 1
        if result.rows > MAX_ROWS:
            raise DomainError(_("A spreadsheet may hold at most %(n)d members; split it and import each part.")
                              % {"n": MAX_ROWS}, code="bad_file")
        out, bad = {}, False
        for key, i in positions.items():
            raw = values[i] if i < len(values) else None
            column = BY_KEY[key]
            if raw is None or raw == "":
                if column.required:
                    result.add(number, headers[key], _("Required."))
                    bad = True
                continue
            try:
                out[key] = _clean(column, raw, lookups, tables)
            except validation.Invalid as exc:
                result.add(number, headers[key], exc.message)
                bad = True
        if not bad:
            cleaned.append((number, out))
    if not result.rows:
        raise DomainError(_("The spreadsheet has no rows below its header."), code="bad_file")
    with transaction.atomic():
        for number, out in cleaned:
            try:
                with transaction.atomic():
                    services.add_member(actor=actor, **out)
            except DomainError as exc:
                _note_refusal(result, number, exc, headers)
            else:
                result.created += 1
        if result.problem_count:
            transaction.set_rollback(True)
            result.created = 0
    return result


def _note_refusal(result: ImportResult, number: int, exc: DomainError, headers: dict) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    placed = False
    for name, message in details.items():
        key = FIELD_COLUMNS.get(name)
        if key is not None:
            result.add(number, headers.get(key) or BY_KEY[key].zh, message)
            placed = True
    if not placed:
        result.add(number, "", exc.message)


# --- the export ---------------------------------------------------------------------------------------


@dataclass
class ExportFile:
    file: object  # an open binary file at position 0; closing it frees the disk space
    rows: int
    filename: str


def export_members(*, actor, filters: dict | None = None) -> ExportFile:
    """The members list as filtered (`filters`: selectors.members_for's keyword arguments), in the
    actor's EXPORT scope, masked, with Chinese headers. One audit row records the filters and the count."""
    if actor is None or not scope.may(actor, A.EXPORT):
        raise PermissionDenied(_("You may not export party members."))
    filters = dict(filters or {})
    rows = selectors.members_for(actor, action=A.EXPORT, **filters).select_related(None).select_related(
        "organisation", "home_community")
    columns = [c for c in COLUMNS if c.key != "account"]
    header = [c.zh for c in columns] + [zh for _key, zh in EXPORT_EXTRA]
    widths = [max(10, min(30, len(h) * 2 + 2)) for h in header]
    out = tempfile.TemporaryFile()  # noqa: SIM115  (handed to the caller, who streams and closes it)
    count = 0
    with XlsxWriter(out, SHEET_TITLE, widths) as sheet:
        sheet.header(header)
        batch = []
        for member in rows.iterator(chunk_size=2000):
            batch.append(member)
            if len(batch) == 2000:
                count += _append_rows(sheet, actor, batch)
                batch = []
        count += _append_rows(sheet, actor, batch)
    out.seek(0)
    _audit_export(actor, filters, count)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportFile(file=out, rows=count, filename=f"party-members-{stamp}.xlsx")


def _append_rows(sheet, actor, members) -> int:
    """The members' rows, their free text as the actor may read it (one query a batch)."""
    from ..selectors.reading import as_read_by

    for member in as_read_by(actor, members):
        sheet.append(_export_row(member))
    return len(members)


def _export_row(m) -> list:
    return [
        m.name, GENDER_WORDS.get(m.gender, m.gender), m.birth_date, m.masked_id_number, m.masked_phone,
        m.organisation.name, STATUS_WORDS.get(m.status, m.status), CATEGORY_WORDS.get(m.category, m.category),
        m.joined_on, m.confirmed_on, m.workplace, m.home_community.name if m.home_community_id else "",
        m.organisation.code, STATE_WORDS.get(m.state, m.state), m.state_reason,
    ]


@transaction.atomic
def _audit_export(actor, filters: dict, count: int) -> None:
    described = {k: (v.pk if hasattr(v, "pk") else v) for k, v in filters.items() if v not in (None, "")}
    audit.record(actor=actor, action="party.member.export", obj=actor, after={"filters": described, "rows": count})
