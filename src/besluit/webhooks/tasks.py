"""Background jobs of the webhooks app (django-tasks). They receive ids, never models."""

from django_tasks import task

from besluit.webhooks import services


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at a delivery; a failure queues the next attempt (services.BACKOFF).
    Afterwards, a few of the deliveries a stopped worker left behind (recover_expired)."""
    status = services.deliver(delivery_id)
    services.recover_expired()
    return status
