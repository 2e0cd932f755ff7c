"""Following a commitment up: owner, theme, due date, status, updates and milestones."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access
from besluit.accountability.models import (
    Commitment,
    CommitmentUpdate,
    Committee,
    Milestone,
    Theme,
    UpdateAttachment,
)
from besluit.accountability.services.common import (
    NEEDS_REASON,
    Kind,
    Status,
    _log,
    _set_status,
    _user,
)
from besluit.associations.models import Association, Role
from besluit.errors import Conflict, ValidationFailed
from besluit.numbering import next_number
from besluit.uploads import check_upload


def _check_owner(association: Association, committee, user) -> None:
    if committee is not None and committee.association_id != association.pk:
        raise ValidationFailed(
            _("That committee belongs to another association."), field="owner_committee"
        )
    if (
        user is not None
        and not Role.objects.filter(
            association=association, user=user, user__code_meeting__isnull=True
        ).exists()
    ):
        raise ValidationFailed(
            _("The owner must have a role in this association."), field="owner_user"
        )


def _display(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "get_full_name"):
        return value.get_full_name() or value.username
    return str(value)


def do_update_commitment(
    *,
    actor,
    commitment: Commitment,
    title: str,
    theme: Theme | None,
    owner_committee: Committee | None,
    owner_user,
    due_date: date | None,
    update_interval_days: int,
    status: str,
    note: str = "",
    now: datetime | None = None,
) -> Commitment:
    """The board or the secretariat sets owner, theme, due date, interval or status."""
    association = commitment.association
    access.require_follow_up(actor, association)
    title = title.strip()
    if not title:
        raise ValidationFailed(_("A commitment needs a title."), field="title")
    if theme is not None and theme.association_id != association.pk:
        raise ValidationFailed(_("That theme belongs to another association."), field="theme")
    _check_owner(association, owner_committee, owner_user)
    if not 1 <= int(update_interval_days) <= 730:
        raise ValidationFailed(
            _("The update interval lies between 1 and 730 days."), field="update_interval_days"
        )
    if status not in Status.values:
        raise ValidationFailed(
            _("Unknown status '%(status)s'.") % {"status": status}, field="status"
        )
    now = now or timezone.now()
    with transaction.atomic():
        c = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if status != c.status and status in NEEDS_REASON and not note.strip():
            raise ValidationFailed(
                _("Say why the commitment is not feasible or cancelled."), field="note"
            )
        changes = {}
        for field, new in (
            ("title", title[:300]),
            ("theme", theme),
            ("owner_committee", owner_committee),
            ("owner_user", owner_user),
            ("due_date", due_date),
            ("update_interval_days", int(update_interval_days)),
        ):
            old = getattr(c, field)
            if old != new:
                changes[field] = [_display(old), _display(new)]
                setattr(c, field, new)
        status_change = _set_status(c, status, now)
        if status_change:
            changes["status"] = status_change
        if not changes:
            return c
        c.save()
        _log(c, actor=actor, kind=Kind.CHANGED, at=now, changes=changes, note=note.strip())
    return c


_url = URLValidator(schemes=["http", "https"])


def _check_links(links: str) -> str:
    lines = [line.strip() for line in links.splitlines() if line.strip()]
    for line in lines:
        try:
            _url(line)
        except ValidationError as exc:
            raise ValidationFailed(
                _("'%(line)s' is not a web address (http or https).") % {"line": line[:80]},
                field="links",
            ) from exc
    return "\n".join(lines)


def _milestone_progress(commitment: Commitment) -> int | None:
    milestones = list(commitment.milestones.all())
    if not milestones:
        return None
    done = sum(1 for m in milestones if m.done_on)
    return round(100 * done / len(milestones))


def do_post_update(
    *,
    actor,
    commitment: Commitment,
    done: str,
    planned: str,
    links: str = "",
    as_of: date | None = None,
    progress: int | None = None,
    status: str | None = None,
    files: Iterable[UploadedFile] = (),
    now: datetime | None = None,
) -> CommitmentUpdate:
    """A dated progress update: what was done, what is planned, links and files.

    A first update on a new commitment puts it in progress unless a status is given.
    """
    access.require(
        access.can_post_progress(actor, commitment),
        _("Only the board, the secretariat or the commitment's owner may post an update."),
    )
    now = now or timezone.now()
    as_of = as_of or timezone.localdate(now)
    done, planned = done.strip(), planned.strip()
    if not done and not planned:
        raise ValidationFailed(_("Say what was done or what is planned."), field="done")
    if as_of > timezone.localdate(now):
        raise ValidationFailed(_("An update cannot be dated in the future."), field="as_of")
    links = _check_links(links)
    files = list(files)
    kinds = [check_upload(f, field="files") for f in files]
    if progress is not None and not 0 <= int(progress) <= 100:
        raise ValidationFailed(_("Progress is a percentage between 0 and 100."), field="progress")
    if status is not None and status not in Status.values:
        raise ValidationFailed(
            _("Unknown status '%(status)s'.") % {"status": status}, field="status"
        )
    with transaction.atomic():
        c = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if c.status == Status.CANCELLED:
            raise Conflict(_("This commitment has been cancelled."))
        if progress is not None and c.milestones.exists() and int(progress) != c.progress:
            raise ValidationFailed(
                _("The progress of this commitment follows its milestones."), field="progress"
            )
        update = CommitmentUpdate.objects.create(
            commitment=c,
            as_of=as_of,
            done=done,
            planned=planned,
            links=links,
            posted_at=now,
            posted_by=_user(actor),
        )
        for upload, kind in zip(files, kinds, strict=True):
            UpdateAttachment(update=update).store(upload, kind)
        changes = {}
        if status is None and c.status == Status.NEW:
            status = Status.IN_PROGRESS
        if status is not None:
            if status != c.status and status in NEEDS_REASON and not done:
                raise ValidationFailed(
                    _("Say under 'what was done' why the commitment is not feasible."),
                    field="done",
                )
            change = _set_status(c, status, now)
            if change:
                changes["status"] = change
        if progress is not None and int(progress) != c.progress:
            changes["progress"] = [c.progress, int(progress)]
            c.progress = int(progress)
        c.last_update_at = now
        c.save()
        _log(c, actor=actor, kind=Kind.UPDATE, at=now, changes=changes, update=update)
    return update


def _milestone_changed(c: Commitment, actor, now: datetime, note: str) -> None:
    changes = {}
    progress = _milestone_progress(c)
    if progress is not None and progress != c.progress:
        changes["progress"] = [c.progress, progress]
        c.progress = progress
        c.save(update_fields=["progress"])
    _log(c, actor=actor, kind=Kind.MILESTONE, at=now, changes=changes, note=note)


def do_add_milestone(
    *,
    actor,
    commitment: Commitment,
    title: str,
    due_date: date | None = None,
    now: datetime | None = None,
) -> Milestone:
    access.require(
        access.can_post_progress(actor, commitment),
        _("Only the board, the secretariat or the commitment's owner may plan milestones."),
    )
    title = title.strip()
    if not title:
        raise ValidationFailed(_("Describe the milestone."), field="title")
    now = now or timezone.now()
    with transaction.atomic():
        c = Commitment.objects.select_for_update().get(pk=commitment.pk)
        position = next_number(c.milestones, "position", lock=c)
        milestone = Milestone.objects.create(
            commitment=c, position=position, title=title[:300], due_date=due_date
        )
        when = f" (gepland: {due_date:%d-%m-%Y})" if due_date else ""
        _milestone_changed(c, actor, now, f"Mijlpaal toegevoegd: {milestone.title}{when}")
    return milestone


def do_set_milestone_done(
    *, actor, milestone: Milestone, done_on: date | None, now: datetime | None = None
) -> Milestone:
    commitment = milestone.commitment
    access.require(
        access.can_post_progress(actor, commitment),
        _("Only the board, the secretariat or the commitment's owner may mark milestones."),
    )
    now = now or timezone.now()
    if done_on is not None and done_on > timezone.localdate(now):
        raise ValidationFailed(_("A milestone cannot be reached in the future."), field="done_on")
    with transaction.atomic():
        c = Commitment.objects.select_for_update().get(pk=commitment.pk)
        milestone = Milestone.objects.get(pk=milestone.pk, commitment=c)
        if milestone.done_on == done_on:
            return milestone
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        note = (
            f"Mijlpaal bereikt op {done_on:%d-%m-%Y}: {milestone.title}"
            if done_on
            else f"Mijlpaal weer open: {milestone.title}"
        )
        _milestone_changed(c, actor, now, note)
    return milestone


def do_remove_milestone(*, actor, milestone: Milestone, now: datetime | None = None) -> None:
    commitment = milestone.commitment
    access.require(
        access.can_post_progress(actor, commitment),
        _("Only the board, the secretariat or the commitment's owner may remove milestones."),
    )
    now = now or timezone.now()
    with transaction.atomic():
        c = Commitment.objects.select_for_update().get(pk=commitment.pk)
        title = milestone.title
        Milestone.objects.filter(pk=milestone.pk, commitment=c).delete()
        _milestone_changed(c, actor, now, f"Mijlpaal geschrapt: {title}")
