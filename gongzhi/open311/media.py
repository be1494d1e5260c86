"""Public photo links for GeoReport's media_url.

A case's photos are served to staff and followers only (gongzhi.cases.api.reads); Open311
publishes the first photo of a public case through a signed link, so photo ids cannot be walked.
Photos were re-encoded on upload, without their location metadata."""

from django.core import signing
from django.http import FileResponse, Http404
from django.urls import reverse

from gongzhi.cases.choices import AttachmentKind
from gongzhi.cases.models import CaseAttachment

from .privacy import is_private

SALT = "gongzhi.open311.media"
PUBLIC_KINDS = (AttachmentKind.PHOTO, AttachmentKind.AFTER_PHOTO)


def media_path(attachment: CaseAttachment) -> str:
    return reverse("open311:media", kwargs={"signed": signing.Signer(salt=SALT).sign(str(attachment.pk))})


def media_view(request, signed: str):
    try:
        pk = int(signing.Signer(salt=SALT).unsign(signed))
    except (signing.BadSignature, ValueError):
        raise Http404 from None
    row = CaseAttachment.objects.select_related("case", "case__category").filter(
        pk=pk, kind__in=PUBLIC_KINDS).first()
    if row is None or is_private(row.case):
        raise Http404
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
