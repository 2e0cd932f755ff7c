"""Gather what a PDF shows (``texts.pdf`` dataclasses) from the database for a PdfJob."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from besluit.core import redline as cr
from besluit.core import text_import as ci
from besluit.core import texts as ct
from besluit.core import voting as core_voting
from besluit.meetings.models import AgendaItem, Meeting
from besluit.proposals.models import Amendment
from besluit.texts import pdf, selectors
from besluit.texts.models import Branding, PdfJob, TextVersion
from besluit.voting.models import Decision


def branding_of(association) -> pdf.Branding:
    b = Branding.objects.filter(association=association).first()
    logo = None
    if b is not None and b.logo:
        try:
            with b.logo.open("rb") as f:
                logo = f.read()
        except OSError:
            logo = None
    return pdf.Branding(
        name=association.name,
        short_name=association.short_name,
        logo=logo,
        sender=b.sender if b else "",
        signature=b.signature if b else "",
    )


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "l j F Y, H:i") if value else ""


def default_letter(meeting: Meeting) -> list[str]:
    """The convocation letter's paragraphs, unless the secretariat wrote its own."""
    when = _date(meeting.starts_at)
    return [
        _("Dear members,"),
        _(
            "The board invites you to the %(meeting)s on %(when)s, %(where)s. This meeting "
            "book holds the agenda and, per item, the requested decision, the explanation, the "
            "text of the proposal with line numbers, and the amendments and motions submitted "
            "with the board's pre-advice."
        )
        % {"meeting": meeting.title, "when": when, "where": meeting.where or ""},
        _(
            "Amendments and motions can be submitted until %(deadline)s. Please refer to a "
            "passage of a proposal by its line numbers."
        )
        % {"deadline": _date(meeting.amendment_deadline)},
        _("We look forward to meeting you."),
    ]


def text_of(proposal) -> tuple[pdf.NumberedText | None, TextVersion | None]:
    version = selectors.current_version(proposal)
    if version is not None:
        label = _("%(kind)s (version %(number)s)") % {
            "kind": version.get_kind_display(),
            "number": version.number,
        }
        if version.published_at:
            label += ", " + formats.date_format(timezone.localtime(version.published_at), "j F Y")
        return pdf.NumberedText(version.document, version.line_width, label), version
    try:
        doc = ci.from_markdown(proposal.text).document
    except ci.ImportRefused:
        return None, None
    return pdf.NumberedText(doc, ct.DEFAULT_LINE_WIDTH, ""), None


def _submitters(s) -> str:
    names = [s.submitter.name, *[m.name for m in s.co_submitters.all()]]
    return ", ".join(names)


def _amendments(proposal) -> list[pdf.AmendmentData]:
    overview = selectors.amendment_overview(proposal)
    out = []
    for row in overview.ordered:
        a: Amendment = row.amendment
        notes = []
        if row.order is not None:
            notes.append(_("Voting order: %(n)s.") % {"n": row.order})
        if row.collides_with:
            notes.append(
                _("Changes the same words as amendment(s) %(numbers)s.")
                % {"numbers": ", ".join(str(n) for n in row.collides_with)}
            )
        if row.lapses_if:
            notes.append(
                _("Lapses if amendment %(numbers)s is adopted.")
                % {"numbers": ", ".join(str(n) for n in row.lapses_if)}
            )
        if row.target is not None and row.target.status == "conflict":
            notes.append(
                _("The passage changed in a later version: %(reason)s")
                % {"reason": row.target.conflict_reason}
            )
        out.append(
            pdf.AmendmentData(
                number=a.number,
                title=a.display_title,
                submitters=_submitters(a),
                lines=row.lines,
                passage=a.passage,
                old_text=a.old_text,
                new_text=a.new_text,
                explanation=a.explanation,
                pre_advice=a.get_pre_advice_display() if a.pre_advice else "",
                pre_advice_reason=a.pre_advice_reason,
                status=a.get_status_display(),
                note=" ".join(notes),
            )
        )
    return out


def _motion(m) -> pdf.MotionData:
    return pdf.MotionData(
        number=m.number,
        title=m.title,
        heading=m.display_title,
        submitters=_submitters(m),
        considerations=m.considerations,
        request=m.request,
        explanation=m.explanation,
        pre_advice=m.get_pre_advice_display() if m.pre_advice else "",
        pre_advice_reason=m.pre_advice_reason,
        status=m.get_status_display(),
    )


def _taken_at(value) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    return _("%(date)s at %(time)s") % {
        "date": formats.date_format(local, "j F Y"),
        "time": formats.time_format(local, "H:i"),
    }


def _decision(d: Decision, number: int = 0) -> pdf.DecisionData:
    shares: list[tuple[str, str]] = []
    turnout = ""
    if d.poll_id and d.poll.result:
        result = core_voting.Result.from_dict(d.poll.result)
        for o in result.options:
            if o.share is not None:
                # as the results page writes it (frame's ``pct``): "62,10%"
                pct = f"{floatformat(o.share * 100, 2)}%"
                shares.append((o.label, pct))
            else:
                shares.append((o.label, _("%(n)s members") % {"n": o.members}))
        turnout = _("%(voted)s of %(eligible)s members voted") % {
            "voted": result.voted_members,
            "eligible": result.eligible_members,
        }
    return pdf.DecisionData(
        subject=d.subject,
        method=d.get_method_display(),
        outcome=d.get_outcome_display(),
        text=d.text,
        shares=shares,
        turnout=turnout,
        taken_at=_taken_at(d.recorded_at),
        number=number,
    )


def book_data(meeting: Meeting, *, letter: str = "", decisions: bool = False) -> pdf.BookData:
    association = meeting.association
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("proposal")
        .prefetch_related("attachments")
        .order_by("position")
    )
    motions = selectors.motions_for(meeting)
    # Numbered in the order they were taken (a poll's decision when it closed).
    decided = (
        sorted(
            Decision.objects.filter(meeting=meeting).select_related("poll"),
            key=lambda d: (d.recorded_at, d.pk),
        )
        if decisions
        else []
    )
    numbers = {d.pk: n for n, d in enumerate(decided, start=1)}
    out_items = []
    for item in items:
        proposal = getattr(item, "proposal", None)
        text = None
        amendments: list[pdf.AmendmentData] = []
        if proposal is not None:
            text, _version = text_of(proposal)
            amendments = _amendments(proposal)
        out_items.append(
            pdf.ItemData(
                number=item.number,
                title=item.title,
                requested_decision=item.requested_decision,
                explanation=item.explanation,
                attachments=[a.title for a in item.attachments.all()],
                proposal_title=proposal.title if proposal else "",
                text=text,
                amendments=amendments,
                motions=[_motion(m) for m in motions if m.agenda_item_id == item.pk],
                decisions=[
                    _decision(d, numbers[d.pk]) for d in decided if d.agenda_item_id == item.pk
                ],
            )
        )
    loose = [m for m in motions if m.agenda_item_id is None]
    loose_decisions = [d for d in decided if d.agenda_item_id is None]
    if loose or loose_decisions:
        out_items.append(
            pdf.ItemData(
                number="",  # no "—." before the title
                title=_("Motions not tied to an agenda item"),
                motions=[_motion(m) for m in loose],
                decisions=[_decision(d, numbers[d.pk]) for d in loose_decisions],
            )
        )
    paragraphs = [p.strip() for p in letter.split("\n\n") if p.strip()] if letter.strip() else []
    return pdf.BookData(
        branding=branding_of(association),
        meeting_title=meeting.title,
        when=_date(meeting.starts_at),
        where=meeting.where or "",
        date_line=formats.date_format(meeting.convocation_date or timezone.localdate(), "j F Y"),
        letter=paragraphs or default_letter(meeting),
        items=out_items,
        lang=translation.get_language() or settings.LANGUAGE_CODE,
        attendance=_attendance_lines(meeting),
    )


def _attendance_lines(meeting: Meeting) -> list[str]:
    """The attendance record for the decision list: numbers, who was present, who was
    represented by whom (the attendance app; empty when nobody was checked in)."""
    from besluit.attendance import selectors as attendance

    found = attendance.presence(meeting, ever=True)
    if not found.counted_members:
        return []
    share = formats.number_format(found.weight_share * 100, 1) + "%"
    lines = [
        _(
            "%(present)s members present and %(represented)s represented by proxy, of "
            "%(total)s: %(share)s of the weight."
        )
        % {
            "present": found.present_members,
            "represented": found.represented_members,
            "total": found.eligible_members,
            "share": share,
        },
        _("Present") + ": " + ", ".join(r.member.name for r in found.present) + ".",
    ]
    if found.represented:
        lines.append(
            _("Represented by proxy")
            + ": "
            + ", ".join(
                _("%(member)s (by %(holder)s)")
                % {"member": r.member.name, "holder": r.represented_by.name}
                for r in found.represented
            )
            + "."
        )
    return lines


def redline_data(job: PdfJob) -> pdf.RedlineData:
    proposal = job.proposal
    old = selectors.version_by_number(proposal, int(job.params["old"]))
    new = selectors.version_by_number(proposal, int(job.params["new"]))
    comparison = selectors.compare(old, new)
    reasons: dict[str, list[str]] = {}
    for view in comparison.items:
        lines = []
        for i in view.reasons:
            response = i.get_response_display() if i.response else _("no response yet")
            lines.append(
                _(
                    "Input %(n)s (%(source)s, %(session)s): %(text)s — response: %(response)s. "
                    "%(reason)s"
                )
                % {
                    "n": i.number,
                    "source": i.source,
                    "session": i.session.title,
                    "text": i.text,
                    "response": response,
                    "reason": i.response_reason,
                }
            )
        for a in view.amendments:
            lines.append(
                _("Changed by %(amendment)s (no. %(n)s).")
                % {"amendment": a.display_title, "n": a.number}
            )
        if lines:
            reasons[view.item.block_id] = lines

    def label(v: TextVersion) -> str:
        return f"{v.title} (v{v.number})"

    return pdf.RedlineData(
        branding=branding_of(job.association),
        title=proposal.title,
        old_label=label(old),
        new_label=label(new),
        redline=cr.redline(old.document, new.document),
        new_text=pdf.NumberedText(new.document, new.line_width, label(new)),
        old_text=pdf.NumberedText(old.document, old.line_width, label(old)),
        reasons=reasons,
        lang=translation.get_language() or settings.LANGUAGE_CODE,
    )


def gather(job: PdfJob):
    if job.kind == PdfJob.Kind.REDLINE:
        return redline_data(job)
    return book_data(
        job.meeting,
        letter=job.params.get("letter", ""),
        decisions=job.kind == PdfJob.Kind.DECISION_LIST,
    )


def code_letters_data(meeting: Meeting, issued, login_url: str) -> pdf.CodeLettersData:
    """Letters for the codes just issued (``[(member, code)]``): the plain codes exist only
    now, so the PDF is made in the same response that issued them."""
    sep = "&" if "?" in login_url else "?"
    return pdf.CodeLettersData(
        branding=branding_of(meeting.association),
        meeting_title=meeting.title,
        when=_date(meeting.starts_at),
        where=meeting.where or "",
        login_url=login_url,
        letters=[
            pdf.CodeLetter(
                member=m.name, code=code, url=f"{login_url}{sep}{urlencode({'code': code})}"
            )
            for m, code in issued
        ],
        lang=translation.get_language() or settings.LANGUAGE_CODE,
    )
