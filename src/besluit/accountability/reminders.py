"""Reminders to owners: an update is due, or a commitment is overdue.

Run daily (``besluit send_reminders``); running it twice is safe. Each reminder is
claimed by inserting a ``ReminderSent`` row (commitment, kind, day) before the e-mail
goes out: the unique constraint lets exactly one run claim it, so a second run on the
same day sends nothing twice, and two runs at the same moment do not both send. When
sending fails, the claim is taken back so that the next run tries again.

The same reminder is repeated at most once every ``REPEAT_DAYS`` days while the
situation lasts. An overdue commitment gets the overdue notice (which also asks for an
update), not both.

Recipients: the owner (person) and the owning committee's address; a commitment without
either goes to the association's secretariat.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from besluit import formats
from besluit.accountability.models import Commitment, ReminderSent
from besluit.accounts.models import User
from besluit.associations.models import Role
from besluit.audit.services import record

log = logging.getLogger(__name__)

REPEAT_DAYS = 7
Kind = ReminderSent.Kind


@dataclass(frozen=True)
class Due:
    commitment: Commitment
    kind: str


@dataclass
class Outcome:
    sent: int = 0  # e-mails
    reminders: int = 0  # commitments reminded
    already: int = 0  # claimed by an earlier (or parallel) run
    no_recipient: int = 0
    failed: int = 0


def due_reminders(today: date, association=None) -> list[Due]:
    """The reminders due on ``today`` that were not sent in the last REPEAT_DAYS days."""
    qs = Commitment.objects.filter(status__in=Commitment.OPEN_STATUSES).select_related(
        "association",
        "owner_user",
        "owner_committee",
        "motion__submitter",
        "part",
        "demand__proposal",
    )
    if association is not None:
        qs = qs.filter(association=association)
    recent = set(
        ReminderSent.objects.filter(day__gt=today - timedelta(days=REPEAT_DAYS)).values_list(
            "commitment_id", "kind"
        )
    )
    due = []
    for c in qs.prefetch_related("motion__co_submitters").order_by("association", "due_date", "pk"):
        if c.is_overdue_on(today):
            kind = Kind.OVERDUE
        elif c.update_due_on() <= today:
            kind = Kind.UPDATE_DUE
        else:
            continue
        if (c.pk, kind) not in recent:
            due.append(Due(c, kind))
    return due


def recipients(commitment: Commitment, secretariat: dict[int, list[str]]) -> tuple[str, ...]:
    addresses = []
    if commitment.owner_user_id and commitment.owner_user.email and commitment.owner_user.is_active:
        addresses.append(commitment.owner_user.email)
    if commitment.owner_committee_id and commitment.owner_committee.email:
        addresses.append(commitment.owner_committee.email)
    if not addresses:
        addresses = secretariat.get(commitment.association_id, [])
    return tuple(sorted(set(addresses)))


def _secretariat_addresses() -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    rows = Role.objects.filter(kind=Role.Kind.SECRETARIAT, user__is_active=True).values_list(
        "association_id", "user_id"
    )
    emails = dict(
        User.objects.filter(pk__in=[u for _a, u in rows])
        .exclude(email="")
        .values_list("pk", "email")
    )
    for association_id, user_id in rows:
        if user_id in emails:
            out[association_id].append(emails[user_id])
    return out


def _line(due: Due, base_url: str) -> str:
    c = due.commitment
    url = base_url.rstrip("/") + reverse(
        "accountability:commitment", args=[c.association.slug, c.pk]
    )
    if due.kind == Kind.OVERDUE:
        state = _("overdue since %(day)s") % {"day": formats.day(c.due_date)}
    else:
        state = _("an update is due (the last one: %(day)s)") % {
            "day": formats.day(c.last_update_at or c.created_at)
        }
    return f"- {c.reference}: {c.title}\n  {state}\n  {url}"


def _message(items: list[Due], to: tuple[str, ...], base_url: str, connection) -> EmailMessage:
    association = items[0].commitment.association
    overdue = sum(1 for d in items if d.kind == Kind.OVERDUE)
    subject = ngettext(
        "%(association)s: %(n)d commitment needs your attention",
        "%(association)s: %(n)d commitments need your attention",
        len(items),
    ) % {"association": association.short_name or association.name, "n": len(items)}
    intro = _(
        "You own the following commitments of %(association)s. Please post a progress update "
        "(what was done, what is planned) on each of them."
    ) % {"association": association.name}
    if overdue:
        intro += " " + _("Commitments past their due date are reported to the members as overdue.")
    body = "\n\n".join(
        [intro, "\n\n".join(_line(d, base_url) for d in items), _("— Besluit (automatic message)")]
    )
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        connection=connection,
    )


def _claim(due: Due, today: date, to: tuple[str, ...]) -> ReminderSent | None:
    try:
        with transaction.atomic():
            return ReminderSent.objects.create(
                commitment=due.commitment, kind=due.kind, day=today, recipients=", ".join(to)
            )
    except IntegrityError:
        return None


def send_reminders(
    *, today: date, base_url: str, dry_run: bool = False, association=None
) -> tuple[Outcome, list[tuple[tuple[str, ...], list[Due]]]]:
    """Send the reminders due today, one e-mail per set of recipients."""
    outcome = Outcome()
    secretariat = _secretariat_addresses()
    groups: dict[tuple[int, tuple[str, ...]], list[Due]] = defaultdict(list)
    for due in due_reminders(today, association):
        to = recipients(due.commitment, secretariat)
        if not to:
            outcome.no_recipient += 1
            log.warning("No one to remind about commitment %s.", due.commitment.pk)
            continue
        groups[(due.commitment.association_id, to)].append(due)
    planned = [(to, items) for (_a, to), items in groups.items()]
    if dry_run:
        outcome.reminders = sum(len(items) for _to, items in planned)
        return outcome, planned
    connection = get_connection()
    with translation.override(settings.LANGUAGE_CODE):
        for to, items in planned:
            claimed = []
            for due in items:
                row = _claim(due, today, to)
                if row is None:
                    outcome.already += 1
                else:
                    claimed.append((due, row))
            if not claimed:
                continue
            message = _message([d for d, _r in claimed], to, base_url, connection)
            try:
                message.send()
            except Exception:  # any mail failure: take the claims back, try again next run
                log.exception("Sending a reminder to %s failed.", ", ".join(to))
                ReminderSent.objects.filter(pk__in=[r.pk for _d, r in claimed]).delete()
                outcome.failed += len(claimed)
                continue
            outcome.sent += 1
            outcome.reminders += len(claimed)
            for due, _row in claimed:
                record(
                    "commitment.reminder_sent",
                    association=due.commitment.association,
                    obj=due.commitment,
                    kind=due.kind,
                    recipients=list(to),
                )
    return outcome, planned
