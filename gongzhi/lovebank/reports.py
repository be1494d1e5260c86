"""The bank's yearly report per community (and its street's total): hours deposited, credits
drawn as help, hours donated, credits transferred, members, active members — and its export to
CSV or XLSX with Chinese headers (English for an English reader), one audit row per export."""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import translation
from openpyxl import Workbook

from gongzhi.core import audit, scope

from .choices import DepositStatus, ExchangeStatus
from .models import BankMember, Deposit, Exchange, Transfer
from .permissions import BankAction as A

ZERO = Decimal("0.00")
COLUMNS = [
    ("street", "街道", "Street"),
    ("community", "社区", "Community"),
    ("deposited", "存入（小时）", "Hours deposited"),
    ("credited", "记入个人（时间币）", "Credited to members"),
    ("donated", "捐赠（小时）", "Hours donated"),
    ("drawn", "兑换支出（时间币）", "Credits drawn as help"),
    ("transferred", "转赠（时间币）", "Credits transferred"),
    ("members", "会员数", "Members"),
    ("active", "活跃会员", "Active members"),
]


@dataclass
class Row:
    community_id: int
    community: str
    street: str
    deposited: Decimal = ZERO
    credited: Decimal = ZERO
    donated: Decimal = ZERO
    drawn: Decimal = ZERO
    transferred: Decimal = ZERO
    members: int = 0
    active: int = 0
    active_ids: set = field(default_factory=set, repr=False)


def _sum(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def yearly(user, year: int, *, area=None) -> tuple[list[Row], Row]:
    """One row per community the user may see (within `area` when given), and the total."""
    from gongzhi.divisions.models import Division

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    communities = scope.restrict(Division.objects.filter(level="community"), user, A.VIEW)
    if area is not None:
        communities = communities.filter(scope.subtree_q(area))
    rows = {c.pk: Row(c.pk, c.name, c.parent.name if c.parent else "")
            for c in communities.select_related("parent").order_by("code")}
    ids = list(rows)
    deposits = (Deposit.objects.filter(community_id__in=ids, served_on__range=(start, end),
                                       status=DepositStatus.DEPOSITED)
                .values("community_id").annotate(h=Sum("hours"), c=Sum("credited"), d=Sum("donated")))
    for d in deposits:
        r = rows[d["community_id"]]
        r.deposited, r.credited, r.donated = _sum(d["h"]), _sum(d["c"]), _sum(d["d"])
    drawn = (Exchange.objects.filter(community_id__in=ids, status=ExchangeStatus.COMPLETED,
                                     closed_at__date__range=(start, end))
             .values("community_id").annotate(s=Sum("credits")))
    for d in drawn:
        rows[d["community_id"]].drawn = _sum(d["s"])
    transfers = (Transfer.objects.filter(sender__community_id__in=ids, at__date__range=(start, end))
                 .values("sender__community_id").annotate(s=Sum("credits")))
    for d in transfers:
        rows[d["sender__community_id"]].transferred = _sum(d["s"])
    members = (BankMember.objects.filter(community_id__in=ids, opened_at__date__lte=end)
               .values("community_id").annotate(n=Count("id")))
    for d in members:
        rows[d["community_id"]].members = d["n"]
    active = set(Deposit.objects.filter(community_id__in=ids, served_on__range=(start, end))
                 .values_list("member__community_id", "member_id"))
    active |= set(Exchange.objects.filter(community_id__in=ids, status=ExchangeStatus.COMPLETED,
                                          closed_at__date__range=(start, end))
                  .values_list("community_id", "requester_id"))
    active |= set(Exchange.objects.filter(community_id__in=ids, status=ExchangeStatus.COMPLETED,
                                          closed_at__date__range=(start, end))
                  .values_list("provider__community_id", "provider_id"))
    for community_id, member_id in active:
        if community_id in rows:
            rows[community_id].active_ids.add(member_id)
    total = Row(0, "", "")
    for r in rows.values():
        r.active = len(r.active_ids)
        for name in ("deposited", "credited", "donated", "drawn", "transferred", "members", "active"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
    return list(rows.values()), total


def _header(language: str) -> list[str]:
    zh = not language.startswith("en")
    return [c[1] if zh else c[2] for c in COLUMNS]


def _values(row: Row) -> list:
    return [getattr(row, key) for key, _zh, _en in COLUMNS]


@transaction.atomic
def export(*, actor, year: int, area, fmt: str) -> tuple[bytes, str, str]:
    """(content, file name, content type) of the yearly report, as the page shows it."""
    rows, total = yearly(actor, year, area=area)
    language = translation.get_language() or "zh-hans"
    header = _header(language)
    body = [_values(r) for r in rows]
    body.append(["合计" if not language.startswith("en") else "Total", "", *_values(total)[2:]])
    name = f"lovebank-{year}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(body)
        content, ctype, name = ("\ufeff" + out.getvalue()).encode(), "text/csv; charset=utf-8", f"{name}.csv"
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = str(year)
        sheet.append(header)
        for values in body:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in values])
        out = io.BytesIO()
        book.save(out)
        content = out.getvalue()
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = f"{name}.xlsx"
    audit.record(actor=actor, action="lovebank.export", obj=actor, division=area,
                 after={"year": year, "format": fmt, "rows": len(rows)})
    return content, name, ctype
