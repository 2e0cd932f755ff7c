"""House style (branding) and PDFs made in the background."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from besluit import access
from besluit.audit.services import record
from besluit.errors import ValidationFailed
from besluit.meetings.models import Meeting
from besluit.proposals.models import Proposal
from besluit.texts.models import (
    Branding,
    PdfJob,
)
from besluit.texts.services.common import (
    _association,
)

LOGO_TYPES = {"PNG": "png", "JPEG": "jpg"}


MAX_LOGO_BYTES = 2_000_000


def do_set_branding(
    *,
    actor,
    association,
    sender: str,
    signature: str,
    logo=None,
    remove_logo: bool = False,
) -> Branding:
    access.require_administer(actor, association)
    ext = ""
    if logo is not None:
        if logo.size > MAX_LOGO_BYTES:
            raise ValidationFailed(gettext("The logo may be at most 2 MB."), field="logo")
        from PIL import Image, UnidentifiedImageError

        try:
            logo.seek(0)
            with Image.open(logo) as img:
                img.verify()
                kind = img.format
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise ValidationFailed(
                gettext("The logo must be a PNG or JPEG image."), field="logo"
            ) from exc
        if kind not in LOGO_TYPES:
            raise ValidationFailed(gettext("The logo must be a PNG or JPEG image."), field="logo")
        ext = LOGO_TYPES[kind]
        logo.seek(0)
    with transaction.atomic():
        branding, _ = Branding.objects.get_or_create(association=association)
        branding.sender = sender.strip()
        branding.signature = signature.strip()
        if remove_logo:
            branding.logo = ""
            branding.logo_ext = ""
        if logo is not None:
            branding.logo_ext = ext
            branding.logo.save("logo", logo, save=False)
        branding.save()
        record(
            "texts.branding",
            actor=actor,
            association=association,
            obj=branding,
            logo=bool(branding.logo),
        )
    return branding


def do_request_pdf(
    *,
    actor,
    kind: str,
    meeting: Meeting | None = None,
    proposal: Proposal | None = None,
    params: dict | None = None,
) -> PdfJob:
    """Queue a PDF: made in the background (django-tasks), its progress kept on the job."""
    from besluit.texts import jobs

    if kind in (PdfJob.Kind.MEETING_BOOK, PdfJob.Kind.DECISION_LIST):
        if meeting is None:
            raise ValidationFailed(gettext("Which meeting?"))
        association = meeting.association
        access.require_view(actor, association)
        if kind == PdfJob.Kind.MEETING_BOOK:
            access.require_administer(actor, association)
    elif kind == PdfJob.Kind.REDLINE:
        if proposal is None:
            raise ValidationFailed(gettext("Which proposal?"))
        association = _association(proposal)
        access.require_view(actor, association)
    else:
        raise ValidationFailed(gettext("Unknown kind of PDF '%(kind)s'.") % {"kind": kind})
    with transaction.atomic():
        job = PdfJob.objects.create(
            association=association,
            meeting=meeting,
            proposal=proposal,
            kind=kind,
            params=params or {},
            requested_by=actor,
        )
        record("pdf.requested", actor=actor, association=association, obj=job, kind=kind)
        transaction.on_commit(lambda: jobs.enqueue(job.pk))
    return job
