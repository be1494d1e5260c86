"""Ledger memos of points, rendered from their code and parameters in the reader's language."""

from django.utils.translation import gettext as _

from gongzhi.core.ledger import REVERSAL_MEMO


def _title(code: str) -> str:
    return {"points.award": _("points awarded"), "points.correction": _("a correction after an appeal"),
            "points.redeem": _("a redemption in the shop")}.get(code, code)


def render(code: str, params: dict) -> str:
    p = params or {}
    if code == "points.award":
        return _("Points for %(item)s (%(on)s)") % {"item": p.get("item", ""), "on": p.get("on", "")}
    if code == "points.correction":
        return _("Correction after an appeal, %(period)s") % {"period": p.get("period", "")}
    if code == "points.redeem":
        return _("Redeemed %(quantity)s × %(item)s at %(merchant)s") % {
            "quantity": p.get("quantity", 1), "item": p.get("item", ""), "merchant": p.get("merchant", "")}
    if code == REVERSAL_MEMO:
        return _("Reversal of %(what)s") % {"what": _title(p.get("memo_code", ""))}
    return code
