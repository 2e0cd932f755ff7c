"""Background jobs of the letters app (django-tasks). They receive ids, never models."""

from django_tasks import task

from besluit.letters import services


@task(queue_name="letters")
def send_letter(letter_id: int) -> dict:
    """Send the due deliveries of a letter; queues itself again for retries."""
    progress = services.process_deliveries(letter_id)
    return {
        "sent": progress.sent,
        "retrying": progress.retrying,
        "failed": progress.failed,
        "nextAttemptAt": progress.next_attempt_at.isoformat() if progress.next_attempt_at else None,
    }
