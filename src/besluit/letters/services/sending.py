"""Sending, retrying and bounces (the package's docstring tells how)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from besluit import access, hooks
from besluit.associations.models import Member
from besluit.audit.services import record
from besluit.errors import Conflict, ValidationFailed
from besluit.letters import mail
from besluit.letters.models import Letter, LetterDelivery
from besluit.letters.services.recipients import recipients_for

D = LetterDelivery.Status
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
STALE_AFTER = timedelta(minutes=15)
BATCH = 50


def max_attempts() -> int:
    return int(getattr(settings, "BESLUIT_LETTER_MAX_ATTEMPTS", len(BACKOFF) + 1))


@dataclass(frozen=True)
class SendOutcome:
    letter: Letter
    queued: int  # deliveries created by this call (0 when the letter was sent before)
    without_address: tuple[str, ...]  # member codes
    already_sent: bool


def do_send_letter(
    *,
    actor,
    letter: Letter,
    members: Sequence[Member] | None = None,
    audience: str = Letter.Audience.ALL,
    now: datetime | None = None,
) -> SendOutcome:
    """Queue the letter for the members' addresses; the job sends it after the commit.

    ``members`` defaults to every active member. Idempotent: a letter that is
    sending or sent is not queued again, and no address gets a second delivery.
    """
    association = letter.association
    access.require_administer(actor, association)
    if audience not in Letter.Audience.values:
        raise ValidationFailed(
            _("Unknown audience '%(audience)s'.") % {"audience": audience}, field="audience"
        )
    now = now or timezone.now()
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        if letter.status != Letter.Status.DRAFT:
            return SendOutcome(letter, 0, (), already_sent=True)
        if members is None:
            members = list(association.members.filter(active=True).order_by("name"))
        members = [m for m in members if m.association_id == association.pk]
        if not members:
            raise ValidationFailed(_("Choose at least one member."), field="members")
        if letter.include_invitation and letter.meeting is None:
            raise ValidationFailed(_("A calendar invitation needs a meeting."), field="meeting")
        found = recipients_for(association, members, audience)
        if not found.recipients:
            raise ValidationFailed(
                _("None of these members has an e-mail address for member letters."),
                field="members",
            )
        created = LetterDelivery.objects.bulk_create(
            [
                LetterDelivery(
                    letter=letter,
                    member=r.member,
                    email=r.email,
                    name=r.name[:200],
                    function=str(r.function)[:100],
                    next_attempt_at=now,
                )
                for r in found.recipients
            ],
            ignore_conflicts=True,
        )
        letter.members.set(members)
        letter.status = Letter.Status.SENDING
        letter.audience = audience
        letter.sent_by = actor
        letter.send_requested_at = now
        letter.save(update_fields=["status", "audience", "sent_by", "send_requested_at"])
        record(
            "letter.sent",
            actor=actor,
            association=association,
            obj=letter,
            number=letter.number,
            members=len(members),
            recipients=len(found.recipients),
            without_address=[m.code for m in found.without_address],
        )
        hooks.emit(hooks.LetterSent(letter=letter, actor=actor))
        letter_id = letter.pk
        transaction.on_commit(lambda: enqueue(letter_id))
    return SendOutcome(
        letter, len(created), tuple(m.code for m in found.without_address), already_sent=False
    )


def enqueue(letter_id: int, run_after: datetime | None = None) -> None:
    from besluit.letters.tasks import send_letter

    task = send_letter.using(run_after=run_after) if run_after else send_letter
    task.enqueue(letter_id)


@dataclass(frozen=True)
class Progress:
    sent: int
    retrying: int
    failed: int
    next_attempt_at: datetime | None


def process_deliveries(letter_id: int, *, now: datetime | None = None) -> Progress:
    """Send every due delivery of the letter (the background job's work)."""
    clock = (lambda: now) if now else timezone.now
    letter = Letter.objects.select_related("association", "meeting__association").get(pk=letter_id)
    # Deliveries a killed worker left half-way go back in the queue.
    LetterDelivery.objects.filter(
        letter=letter, status=D.SENDING, claimed_at__lt=clock() - STALE_AFTER
    ).update(status=D.QUEUED)
    message = mail.LetterMessage(letter)
    sent = retrying = failed = 0
    while True:
        batch = _claim(letter, clock())
        if not batch:
            break
        connection = get_connection(fail_silently=False)
        try:
            connection.open()
        except Exception as exc:  # every delivery of the batch waits for a retry
            for delivery in batch:
                outcome = _failed(delivery, exc, clock())
                retrying += outcome == D.QUEUED
                failed += outcome == D.FAILED
            continue
        try:
            for delivery in batch:
                try:
                    email = message.for_delivery(delivery, connection=connection)
                    email.send()
                except Exception as exc:  # recorded per recipient
                    outcome = _failed(delivery, exc, clock())
                    retrying += outcome == D.QUEUED
                    failed += outcome == D.FAILED
                else:
                    LetterDelivery.objects.filter(pk=delivery.pk, status=D.SENDING).update(
                        status=D.SENT,
                        sent_at=clock(),
                        message_id=email.extra_headers["Message-ID"],
                        last_error="",
                    )
                    sent += 1
        finally:
            connection.close()
    pending = LetterDelivery.objects.filter(letter=letter, status__in=[D.QUEUED, D.SENDING])
    next_at = pending.aggregate(m=Min("next_attempt_at"))["m"]
    if next_at is not None:
        enqueue(letter.pk, run_after=next_at)
    elif not pending.exists():
        Letter.objects.filter(pk=letter.pk, status=Letter.Status.SENDING).update(
            status=Letter.Status.SENT, completed_at=clock()
        )
    return Progress(sent=sent, retrying=retrying, failed=failed, next_attempt_at=next_at)


def _claim(letter: Letter, now: datetime) -> list[LetterDelivery]:
    """Take up to BATCH due deliveries from the queue; nobody else can take them."""
    with transaction.atomic():
        due = (
            LetterDelivery.objects.select_for_update(skip_locked=True)
            .filter(letter=letter, status=D.QUEUED)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("id")
            .values_list("id", flat=True)[:BATCH]
        )
        ids = list(due)
        if not ids:
            return []
        # The status condition makes the claim safe on databases without row locks too.
        LetterDelivery.objects.filter(pk__in=ids, status=D.QUEUED).update(
            status=D.SENDING, claimed_at=now
        )
        claimed = list(
            LetterDelivery.objects.filter(pk__in=ids, status=D.SENDING, claimed_at=now)
            .select_related("member")
            .order_by("id")
        )
        for delivery in claimed:
            delivery.attempts += 1
        LetterDelivery.objects.bulk_update(claimed, ["attempts"])
    return claimed


def _failed(delivery: LetterDelivery, exc: Exception, now: datetime) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if delivery.attempts >= max_attempts():
        status, next_at = D.FAILED, None
    else:
        status = D.QUEUED
        next_at = now + BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
    LetterDelivery.objects.filter(pk=delivery.pk, status=D.SENDING).update(
        status=status, last_error=error, next_attempt_at=next_at
    )
    return status


def do_retry_failed(*, actor, letter: Letter) -> int:
    """Queue the failed deliveries again (e.g. after fixing the mail server)."""
    access.require_administer(actor, letter.association)
    with transaction.atomic():
        count = LetterDelivery.objects.filter(letter=letter, status=D.FAILED).update(
            status=D.QUEUED, attempts=0, next_attempt_at=timezone.now()
        )
        if count:
            Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.SENDING)
            record(
                "letter.retried",
                actor=actor,
                association=letter.association,
                obj=letter,
                deliveries=count,
            )
            letter_id = letter.pk
            transaction.on_commit(lambda: enqueue(letter_id))
    return count


def do_mark_bounced(*, actor, delivery: LetterDelivery, reason: str) -> LetterDelivery:
    access.require_administer(actor, delivery.letter.association)
    if delivery.status != D.SENT:
        raise Conflict(_("Only a sent e-mail can bounce."))
    with transaction.atomic():
        _bounce(delivery, reason.strip() or "Marked as bounced by the secretariat.")
        record(
            "letter.bounced",
            actor=actor,
            association=delivery.letter.association,
            obj=delivery.letter,
            email=delivery.email,
        )
    return delivery


def _bounce(delivery: LetterDelivery, reason: str) -> None:
    delivery.status = D.BOUNCED
    delivery.bounced_at = timezone.now()
    delivery.last_error = reason[:2000]
    delivery.save(update_fields=["status", "bounced_at", "last_error"])


def do_record_bounce(*, message_id: str, reason: str) -> LetterDelivery | None:
    """A bounce report (DSN) came back for one of our messages: mark its delivery."""
    wanted = message_id.strip()
    if not wanted.startswith("<"):
        wanted = f"<{wanted}>"
    delivery = (
        LetterDelivery.objects.select_related("letter__association")
        .filter(message_id=wanted)
        .first()
    )
    if delivery is None or delivery.status == D.BOUNCED:
        return delivery
    with transaction.atomic():
        _bounce(delivery, reason or "Bounced.")
        record(
            "letter.bounced",
            association=delivery.letter.association,
            obj=delivery.letter,
            email=delivery.email,
        )
    return delivery


def status_counts(letter: Letter) -> dict[str, int]:
    counts = dict.fromkeys(D.values, 0)
    for row in (
        LetterDelivery.objects.filter(letter=letter).values("status").annotate(n=Count("id"))
    ):
        counts[row["status"]] = row["n"]
    return counts
