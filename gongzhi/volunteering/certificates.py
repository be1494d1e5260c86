"""The certificate of a person's hours as a PDF (reportlab), in Chinese with reportlab's built-in
CID font, so no font file has to ship with the platform."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def render_certificate(cert, *, verify_url: str = "") -> bytes:
    font = _font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    # The figures are in the document's properties as plain text too: a reader (or a test) finds
    # them without decoding the CID font's glyphs.
    pdf.setTitle(_("Volunteer service certificate"))
    pdf.setSubject(f"{cert.number} {cert.hours}")
    pdf.setAuthor("Gongzhi")
    width, height = A4
    pdf.setStrokeColorRGB(0.75, 0.1, 0.1)
    pdf.setLineWidth(3)
    pdf.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    pdf.setFont(font, 28)
    pdf.drawCentredString(width / 2, height - 60 * mm, _("Volunteer service certificate"))
    pdf.setFont(font, 15)
    y = height - 90 * mm
    lines = [
        _("This certifies that %(name)s has served as a volunteer.") % {"name": cert.name},
        _("Certified service hours: %(hours)s (%(records)d records)") % {"hours": cert.hours,
                                                                      "records": cert.records},
    ]
    if cert.stars:
        lines.append(_("Star level: %(stars)d-star volunteer") % {"stars": cert.stars})
    for line in lines:
        pdf.drawCentredString(width / 2, y, line)
        y -= 12 * mm
    pdf.setFont(font, 11)
    pdf.drawString(30 * mm, 45 * mm, _("Verification number: %(number)s") % {"number": cert.number})
    if verify_url:
        pdf.drawString(30 * mm, 38 * mm, _("Verify at: %(url)s") % {"url": verify_url})
    pdf.drawString(30 * mm, 31 * mm, _("Issued: %(date)s") % {"date": timezone.localtime(cert.issued_at)
                                                              .strftime("%Y-%m-%d")})
    pdf.showPage()
    pdf.save()
    return out.getvalue()
