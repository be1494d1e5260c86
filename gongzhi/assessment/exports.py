"""Exporting a ranking and a drill-down list to .xlsx, headers in Chinese unless the user reads
English; each export writes one audit row with its filters and the number of rows. The rows are
exactly those the page shows the user (the same scoped selectors)."""

import datetime as dt
import tempfile
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from gongzhi.cases.models import Case
from gongzhi.core import audit

from .choices import Standing, UnitType
from .periods import Period, local_tz
from .ranking import Ranking, RankRow
from .units import Unit

ZH, EN = "zh-hans", "en"
CHUNK = 2000

# (key, Chinese, English)
RANKING_COLUMNS = [
    ("rank", "名次", "Rank"),
    ("rank_change", "名次较上月", "Places gained since last month"),
    ("name", "单位", "Unit"),
    ("code", "编码", "Code"),
    ("standing", "榜单", "List"),
    ("score", "综合得分", "Score"),
    ("received", "受理量", "Received"),
    ("response_rate", "响应率", "Response rate"),
    ("responded", "按时签收", "Accepted in time"),
    ("response_counted", "应签收", "Needed a response"),
    ("on_time_rate", "按期办结率", "On-time rate"),
    ("on_time", "按期办结", "Resolved on time"),
    ("handling_counted", "应办结", "Handling deadline counted"),
    ("resolution_rate", "解决率", "Resolution rate"),
    ("resolved", "已解决", "Closed as resolved"),
    ("valid", "有效件", "Valid cases"),
    ("satisfaction_rate", "满意率", "Satisfaction rate"),
    ("satisfied", "满意及基本满意", "Satisfied or basically satisfied"),
    ("rated", "参评件数", "Rated"),
    ("avg_handling_hours", "平均办理时长（工作小时）", "Average handling time (working hours)"),
    ("sidestep_return", "退单", "Returns"),
    ("sidestep_transfer", "转办", "Transfers"),
    ("sidestep_extension", "延期", "Extensions"),
    ("sidestep_suspension", "缓办", "Suspensions"),
    ("sidestep_void", "作废", "Voids"),
    ("reopened", "重办", "Reopened"),
    ("escalated", "超期督办", "Escalated as overdue"),
    ("summoned_on_time", "按时报到", "Reported in on time"),
    ("summoned_late", "迟到", "Reported in late"),
    ("summoned_absent", "缺席", "Absent"),
]
RATE_KEYS = {"response_rate", "on_time_rate", "resolution_rate", "satisfaction_rate"}
STANDING_WORDS = {Standing.RED: ("红榜", "Red list"), Standing.BLACK: ("黑榜", "Black list"),
                  Standing.RANKED: ("", ""), Standing.UNRANKED: ("不参与排名", "Not ranked")}
UNIT_TYPE_WORDS = {UnitType.STREET: ("街道", "streets"), UnitType.DEPARTMENT: ("部门", "departments"),
                   UnitType.COMMUNITY: ("社区", "communities"), UnitType.GRID: ("网格", "grids")}

CASE_COLUMNS = [
    ("tracking_number", "受理编号", "Tracking number"),
    ("submitted_at", "上报时间", "Reported at"),
    ("category", "类别", "Category"),
    ("state", "状态", "State"),
    ("handling_unit", "承办单位", "Handling unit"),
    ("street", "街道", "Street"),
    ("community", "社区", "Community"),
    ("grid", "网格", "Grid"),
    ("response_due", "签收时限", "Accept by"),
    ("accepted_at", "签收时间", "Accepted at"),
    ("handling_due", "办结时限", "Resolve by"),
    ("resolved_at", "办结时间", "Resolved at"),
    ("closed_at", "结案时间", "Closed at"),
    ("rating", "评价", "Rating"),
    ("reopen_count", "重办次数", "Times reopened"),
]


def export_language(language: str | None = None) -> str:
    """English for a user reading English, Chinese otherwise (the product's language)."""
    return EN if (language or translation.get_language() or "").startswith("en") else ZH


def _header(columns, language: str) -> list[str]:
    return [zh if language == ZH else en for _key, zh, en in columns]


@dataclass
class ExportFile:
    file: object  # an open binary file at position 0
    rows: int
    filename: str


def _local(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, local_tz()).replace(tzinfo=None)
    return value


def _ranking_value(row: RankRow, key: str, language: str):
    f = row.figures
    if key == "rank_change":
        return row.rank_change
    if key in ("rank", "name", "code", "score"):
        return getattr(row, key)
    if key == "standing":
        zh, en = STANDING_WORDS[row.standing]
        return zh if language == ZH else en
    if key.startswith("sidestep_"):
        return f.sidesteps.get(key.removeprefix("sidestep_"), 0)
    if key.startswith("summoned_"):
        return f.roll_call.get(key.removeprefix("summoned_"), 0)
    if key == "avg_handling_hours":
        return None if f.avg_handling_hours is None else round(f.avg_handling_hours, 2)
    return getattr(f, key)


def _save(workbook: Workbook) -> object:
    out = tempfile.TemporaryFile()  # noqa: SIM115  (handed to the caller, who streams and closes it)
    workbook.save(out)
    out.seek(0)
    return out


def export_ranking(*, actor, ranking: Ranking, rows: list[RankRow], city=None, language: str = ZH) -> ExportFile:
    workbook = Workbook(write_only=True)
    zh, en = UNIT_TYPE_WORDS[ranking.unit_type]
    sheet = workbook.create_sheet(f"{ranking.month:%Y-%m} {zh if language == ZH else en}")
    sheet.append(_header(RANKING_COLUMNS, language))
    for row in rows:
        cells = []
        for key, _zh, _en in RANKING_COLUMNS:
            cell = WriteOnlyCell(sheet, _ranking_value(row, key, language))
            if key in RATE_KEYS:
                cell.number_format = "0.0%"
            cells.append(cell)
        sheet.append(cells)
    out = _save(workbook)
    _audit(actor, "assessment.export_ranking", city or actor, city, {
        "unit_type": ranking.unit_type, "month": f"{ranking.month:%Y-%m}", "source": ranking.source,
        "city": city.pk if city is not None else None, "rows": len(rows)})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportFile(out, len(rows), f"ranking-{ranking.unit_type}-{ranking.month:%Y-%m}-{stamp}.xlsx")


def _case_value(case: Case, key: str):
    if key == "category":
        return case.category.name
    if key == "state":
        return str(case.get_state_display())
    if key == "rating":
        return str(case.get_rating_display()) if case.rating else ""
    if key == "handling_unit":
        return case.handling_unit_name
    if key in ("street", "community", "grid"):
        return getattr(case, key).name
    return _local(getattr(case, key))


def export_cases(*, actor, unit: Unit, period: Period, metric: str, cases, language: str = ZH) -> ExportFile:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"{period.first:%Y%m%d}-{period.last:%Y%m%d}")
    sheet.append(_header(CASE_COLUMNS, language))
    count = 0
    with translation.override(language):
        for case in cases.iterator(chunk_size=CHUNK):
            sheet.append([_case_value(case, key) for key, _zh, _en in CASE_COLUMNS])
            count += 1
    out = _save(workbook)
    division = unit.obj.division if unit.type == UnitType.DEPARTMENT else unit.obj
    _audit(actor, "assessment.export_cases", unit.obj, division, {
        "unit_type": unit.type, "unit": unit.pk, "metric": metric, "start": period.first.isoformat(),
        "end": period.last.isoformat(), "rows": count})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    span = f"{period.first:%Y%m%d}-{period.last:%Y%m%d}"
    return ExportFile(out, count, f"cases-{unit.type}-{unit.pk}-{metric}-{span}-{stamp}.xlsx")


@transaction.atomic
def _audit(actor, action: str, obj, division, after: dict) -> None:
    audit.record(actor=actor, action=action, obj=obj, division=division, after=after)
