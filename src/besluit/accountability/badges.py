"""The CSS class of each commitment status's badge (pages and template tags alike)."""

from besluit.accountability.models import Commitment

STATUS_CSS = {
    Commitment.Status.NEW: "submitted",
    Commitment.Status.IN_PROGRESS: "open",
    Commitment.Status.HELD_OVER: "held-over",
    Commitment.Status.DONE: "adopted",
    Commitment.Status.NOT_FEASIBLE: "withdrawn",
    Commitment.Status.CANCELLED: "withdrawn",
    "overdue": "overdue",
}
