"""Member letters: write from a template, send to the members' addresses, report.

A package: ``writing`` (numbering, writing, attachments), ``recipients`` (who receives a
letter), ``sending`` (sending, retries and bounces).

Sending, in one place:
- ``do_send_letter`` freezes the recipients as ``LetterDelivery`` rows (one per
  letter per address; the unique constraint makes a second freeze a no-op) and,
  when the transaction commits, queues the background job ``tasks.send_letter``
  with the letter's id. Sending a letter that is already sending or sent
  changes nothing and queues nothing new.
- ``process_deliveries`` (the job) claims due ``queued`` rows, marks them
  ``sending``, sends each e-mail over one connection and marks it ``sent``; a
  failure goes back to ``queued`` with the error and a later ``next_attempt_at``
  (backoff 1, 5, 30, 120 minutes), and after the last attempt becomes ``failed``.
  Only a row the job claimed from ``queued`` is sent, so a job that runs twice,
  or two workers side by side, never send one delivery twice. (A worker killed
  between the SMTP hand-off and the commit of ``sent`` leaves the row
  ``sending``; after ``STALE_AFTER`` it is queued again: at most that one
  message can go out twice.)
- Bounces arrive later: ``do_record_bounce`` (from a DSN, see the
  ``letter_bounces`` command) or the secretariat's ``do_mark_bounced``.
"""

from besluit.letters.services.recipients import Recipient, Recipients, recipients_for
from besluit.letters.services.sending import (
    BACKOFF,
    BATCH,
    STALE_AFTER,
    Progress,
    SendOutcome,
    do_mark_bounced,
    do_record_bounce,
    do_retry_failed,
    do_send_letter,
    enqueue,
    max_attempts,
    process_deliveries,
    status_counts,
)
from besluit.letters.services.writing import (
    do_add_attachment,
    do_create_letter,
    do_remove_attachment,
    do_update_letter,
    next_number,
)

__all__ = [
    "BACKOFF",
    "BATCH",
    "STALE_AFTER",
    "Progress",
    "Recipient",
    "Recipients",
    "SendOutcome",
    "do_add_attachment",
    "do_create_letter",
    "do_mark_bounced",
    "do_record_bounce",
    "do_remove_attachment",
    "do_retry_failed",
    "do_send_letter",
    "do_update_letter",
    "enqueue",
    "max_attempts",
    "next_number",
    "process_deliveries",
    "recipients_for",
    "status_counts",
]
