"""Pages anyone may open: a published honour list (光荣榜), and the verification of a certificate
by its number."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..selectors import honours as sel


@require_GET
def honour_list(request, pk):
    honour = sel.public_honour_list(pk)
    if honour is None:
        raise Http404
    return render(request, "volunteering/public/honour.html", {
        "honour": honour, "entries": honour.entries.all()[:200],
    })


@require_GET
def verify(request):
    number = (request.GET.get("number") or "").strip()
    cert = sel.verify(number) if number else None
    return render(request, "volunteering/public/verify.html", {
        "number": number, "cert": cert, "masked_name": _mask_name(cert.name) if cert else "",
    })


def _mask_name(name: str) -> str:
    """The first character and stars: enough to match the paper, not to learn a stranger's name."""
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""
