"""Reading the audit trail."""

from besluit.audit.models import AuditEvent


def latest_id(association_id: int) -> int:
    """The id of the association's latest audit event, 0 for none. Every service that
    changes the association writes one, so this grows with every change made through
    them: what is made from the association's data (an export, a PDF) and kept can be
    kept while it stays the same."""
    latest = (
        AuditEvent.objects.filter(association_id=association_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return latest or 0
