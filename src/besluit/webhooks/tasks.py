"""Background jobs of the webhooks app (django-tasks). They receive ids, never models."""

from django_tasks import task

from besluit.webhooks import services


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at a delivery; a failure queues the next attempt (services.BACKOFF)."""
    return services.deliver(delivery_id)
