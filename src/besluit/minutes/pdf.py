"""The minutes as a tagged PDF/UA document (texts.pdf, WeasyPrint)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from besluit.minutes.models import Minutes, MinutesVersion
from besluit.texts import books, pdf


def render(minutes: Minutes, version: MinutesVersion, out, *, lang: str = "nl") -> int:
    meeting = minutes.meeting
    with translation.override(lang):
        branding = books.branding_of(meeting.association)
        when = formats.date_format(timezone.localtime(meeting.starts_at), "l j F Y")
        text = pdf.text_context(pdf.NumberedText(version.document, version.line_width))
        html = render_to_string(
            "minutes/pdf.html",
            {
                "data": {"lang": lang},
                "b": branding,
                "logo": pdf.data_uri(branding.logo),
                "meeting": meeting,
                "minutes": minutes,
                "version": version,
                "text": text,
                "running": meeting.title,
                "cover_lines": [meeting.title, when, meeting.where],
            },
        )
        return pdf.html_to_pdf(html, out)
