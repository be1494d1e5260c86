"""A person's own points on the phone: balance and statement, published results and appeals, the
shop and what they redeemed."""

import uuid

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.pages import attempt
from gongzhi.core.pagination import paginate

from .. import memos
from .. import selectors as sel
from ..choices import PeriodStatus
from ..services import periods, shop


@login_required
@require_GET
def mine(request):
    user = request.user
    page = paginate(request, sel.statement_of(user))
    for entry in page.object_list:
        entry.memo = memos.render(entry.transaction.memo_code, entry.transaction.memo_params)
    today = timezone.localdate()
    standings = list(sel.my_standings(user)[:6])
    open_appeals = set(sel.appeals_for(user, status="filed").values_list("standing_id", flat=True))
    for s in standings:
        s.may_appeal = (s.period.status == PeriodStatus.PUBLISHED and today <= s.period.appeal_until
                        and s.pk not in open_appeals)
    return render(request, "points/phone/mine.html", {
        "balance": sel.balance_of(user), "page": page, "standings": standings,
        "appeals": sel.appeals_for(user).filter(person=user)[:10],
        "redemptions": sel.my_redemptions(user)[:10]})


@login_required
@require_POST
def appeal(request, pk):
    attempt(request, lambda: periods.file_appeal(actor=request.user, standing_id=pk,
                                                  reason=request.POST.get("reason", "")),
            _("Your appeal is filed; the district will answer it."))
    return redirect("points:mine")


@login_required
@require_GET
def shop_page(request):
    page = paginate(request, sel.items_on_offer())
    return render(request, "points/phone/shop.html", {"page": page, "balance": sel.balance_of(request.user),
                                                      "key": uuid.uuid4().hex})


@login_required
@require_POST
def redeem(request, pk):
    attempt(request, lambda: shop.redeem(actor=request.user, item_id=pk, quantity=request.POST.get("quantity", 1),
                                         idempotency_key=request.POST.get("key", "")),
            _("Redeemed. Show your statement at the merchant."))
    return redirect("points:shop")
