"""Member letters (write, send, read) and commitments after the vote (read, update)."""

from datetime import date, datetime
from typing import Literal

from django.http import HttpResponse
from ninja import Query, Status
from pydantic import Field

from besluit import access
from besluit.accountability.models import Commitment
from besluit.accountability.services import commitments as commitment_services
from besluit.accounts.models import User
from besluit.api import schemas as s
from besluit.api.collections import ListParams, Sorting, paginate
from besluit.api.endpoints import _association, _meeting
from besluit.api.router import api
from besluit.errors import NotFound, ValidationFailed
from besluit.letters import services as letters
from besluit.letters.models import Letter

# --- letters ----------------------------------------------------------------


class LetterOut(s.Camel):
    id: int
    association: str
    number: str
    kind: str
    subject: str
    body: str
    meeting_id: int | None
    status: str
    send_requested_at: datetime | None
    completed_at: datetime | None


class LetterIn(s.CamelIn):
    association: str = Field(min_length=1, max_length=50, description="the association's slug")
    kind: Literal["convocation", "deadline_reminder", "results", "consultation", "other"]
    meeting_id: s.Id | None = None
    number: str = Field("", max_length=20, description="default: the next 'Lbr. YY/NNN'")
    subject: str = Field("", max_length=300, description="default: the template's")
    body: str = Field("", max_length=100_000, description="default: the template's")


class SendIn(s.CamelIn):
    audience: Literal["all", "secretaries"] = "all"


class SendOut(s.Camel):
    letter: LetterOut
    queued: int
    without_address: list[str]
    already_sent: bool


def _letter_out(x: Letter) -> LetterOut:
    return LetterOut(
        id=x.pk,
        association=x.association.slug,
        number=x.number,
        kind=x.kind,
        subject=x.subject,
        body=x.body,
        meeting_id=x.meeting_id,
        status=x.status,
        send_requested_at=x.send_requested_at,
        completed_at=x.completed_at,
    )


def _letter(request, letter_id: int) -> Letter:
    """A letter the user may read: a draft only for the secretariat (as on the page)."""
    letter = Letter.objects.select_related("association").filter(pk=letter_id).first()
    if letter is None or not access.can_view(request.user, letter.association):
        raise NotFound(f"No letter {letter_id}.")
    if letter.status == Letter.Status.DRAFT and not access.can_administer(
        request.user, letter.association
    ):
        raise NotFound(f"No letter {letter_id}.")
    return letter


LETTER_SORT = Sorting(
    fields={"number": lambda x: x.number, "createdAt": lambda x: x.id},
    default="-createdAt",
    unique=lambda x: x.id,
)


@api.get(
    "/letters",
    response=list[LetterOut],
    tags=["letters"],
    description="An association's member letters (drafts for the secretariat only). Filter "
    "with status. " + LETTER_SORT.describe(),
)
def list_letters(
    request,
    response: HttpResponse,
    association: str,
    params: Query[ListParams],
    status: str | None = None,
):
    found = _association(request, association)
    qs = Letter.objects.filter(association=found).select_related("association")
    if not access.can_administer(request.user, found):
        qs = qs.exclude(status=Letter.Status.DRAFT)
    if status:
        qs = qs.filter(status=status)
    items = [_letter_out(x) for x in qs]
    return paginate(
        request, response, items, params, LETTER_SORT, filters=("association", "status")
    )


@api.post("/letters", response={201: LetterOut}, tags=["letters"])
def create_letter(request, body: LetterIn):
    association = _association(request, body.association)
    meeting = None
    if body.meeting_id is not None:
        meeting = _meeting(request, body.meeting_id)
    letter = letters.do_create_letter(
        actor=request.user,
        association=association,
        kind=body.kind,
        meeting=meeting,
        number=body.number,
        subject=body.subject,
        body=body.body,
    )
    return Status(201, _letter_out(letter))


@api.get("/letters/{letter_id}", response=LetterOut, tags=["letters"])
def get_letter(request, letter_id: s.Id):
    return _letter_out(_letter(request, letter_id))


class LetterPatch(s.CamelIn):
    number: str | None = Field(None, min_length=1, max_length=20)
    subject: str | None = Field(None, min_length=1, max_length=300)
    body: str | None = Field(None, min_length=1, max_length=100_000)
    meeting_id: s.Id | None = None
    include_invitation: bool | None = None


@api.patch(
    "/letters/{letter_id}",
    response=LetterOut,
    tags=["letters"],
    summary="Change a draft letter (only the fields sent)",
)
def update_letter(request, letter_id: s.Id, body: LetterPatch):
    letter = _letter(request, letter_id)
    sent = body.model_fields_set
    meeting = letter.meeting
    if "meeting_id" in sent:
        meeting = _meeting(request, body.meeting_id) if body.meeting_id is not None else None
    letters.do_update_letter(
        actor=request.user,
        letter=letter,
        number=body.number or letter.number,
        subject=body.subject or letter.subject,
        body=body.body or letter.body,
        meeting=meeting,
        include_invitation=(
            body.include_invitation
            if body.include_invitation is not None
            else letter.include_invitation
        ),
    )
    return _letter_out(Letter.objects.select_related("association").get(pk=letter.pk))


@api.post(
    "/letters/{letter_id}/send",
    response=SendOut,
    tags=["letters"],
    summary="Send a letter to the members' addresses (in the background)",
    description="Idempotent: a letter that is sending or sent is not sent again.",
)
def send_letter(request, letter_id: s.Id, body: SendIn):
    letter = _letter(request, letter_id)
    outcome = letters.do_send_letter(actor=request.user, letter=letter, audience=body.audience)
    return SendOut(
        letter=_letter_out(Letter.objects.select_related("association").get(pk=letter.pk)),
        queued=outcome.queued,
        without_address=list(outcome.without_address),
        already_sent=outcome.already_sent,
    )


# --- commitments ------------------------------------------------------------


class CommitmentOut(s.Camel):
    id: int
    association: str
    meeting_id: int
    source: str
    motion_id: int | None
    title: str
    text: str
    status: str
    progress: int
    due_date: date | None
    owner: str | None = Field(description="the owner's username")
    update_interval_days: int
    last_update_at: datetime | None
    closed_at: datetime | None


class CommitmentPatch(s.CamelIn):
    title: str | None = Field(None, min_length=1, max_length=300)
    status: (
        Literal["new", "in_progress", "held_over", "done", "not_feasible", "cancelled"] | None
    ) = None
    due_date: date | None = None
    owner: str | None = Field(None, max_length=150, description="username; '' for nobody")
    update_interval_days: int | None = Field(None, ge=1, le=730)
    note: str = Field("", max_length=2000, description="why (required for not_feasible etc.)")


def _commitment_out(c: Commitment) -> CommitmentOut:
    return CommitmentOut(
        id=c.pk,
        association=c.association.slug,
        meeting_id=c.meeting_id,
        source=c.source,
        motion_id=c.motion_id,
        title=c.title,
        text=c.text,
        status=c.status,
        progress=c.progress,
        due_date=c.due_date,
        owner=c.owner_user.username if c.owner_user else None,
        update_interval_days=c.update_interval_days,
        last_update_at=c.last_update_at,
        closed_at=c.closed_at,
    )


def _commitment(request, pk: int) -> Commitment:
    c = Commitment.objects.select_related("association", "owner_user").filter(pk=pk).first()
    if c is None or not access.can_view(request.user, c.association):
        raise NotFound(f"No commitment {pk}.")
    return c


COMMITMENT_SORT = Sorting(
    fields={
        "dueDate": lambda c: c.due_date,
        "status": lambda c: c.status,
        "title": lambda c: c.title,
    },
    default="dueDate",
    unique=lambda c: c.id,
)


@api.get(
    "/commitments",
    response=list[CommitmentOut],
    tags=["commitments"],
    description="What the board does with adopted motions and resolutions. Filter with "
    "status and meeting. " + COMMITMENT_SORT.describe(),
)
def list_commitments(
    request,
    response: HttpResponse,
    association: str,
    params: Query[ListParams],
    status: str | None = None,
    meeting: s.Id | None = None,
):
    found = _association(request, association)
    qs = Commitment.objects.filter(association=found).select_related("association", "owner_user")
    if status:
        qs = qs.filter(status=status)
    if meeting is not None:
        qs = qs.filter(meeting_id=meeting)
    items = [_commitment_out(c) for c in qs]
    filters = ("association", "status", "meeting")
    return paginate(request, response, items, params, COMMITMENT_SORT, filters=filters)


@api.get("/commitments/{commitment_id}", response=CommitmentOut, tags=["commitments"])
def get_commitment(request, commitment_id: s.Id):
    return _commitment_out(_commitment(request, commitment_id))


@api.patch(
    "/commitments/{commitment_id}",
    response=CommitmentOut,
    tags=["commitments"],
    summary="Change a commitment's title, status, due date, owner or interval",
    description="Only the fields sent change. The board and the secretariat.",
)
def update_commitment(request, commitment_id: s.Id, body: CommitmentPatch):
    c = _commitment(request, commitment_id)
    access.require_follow_up(request.user, c.association)
    sent = body.model_fields_set
    owner = c.owner_user
    if "owner" in sent:
        owner = None
        if body.owner:
            owner = User.objects.filter(
                username=body.owner, roles__association=c.association
            ).first()
            if owner is None:
                raise ValidationFailed(
                    f"No person '{body.owner}' in this association.", field="owner"
                )
    commitment_services.do_update_commitment(
        actor=request.user,
        commitment=c,
        title=body.title if body.title is not None else c.title,
        theme=c.theme,
        owner_committee=c.owner_committee,
        owner_user=owner,
        due_date=body.due_date if "due_date" in sent else c.due_date,
        update_interval_days=body.update_interval_days or c.update_interval_days,
        status=body.status or c.status,
        note=body.note,
    )
    return _commitment_out(_commitment(request, commitment_id))
