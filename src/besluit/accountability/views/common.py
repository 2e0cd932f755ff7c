"""What every accountability page shares: the association, the roles, crumbs and words."""

from functools import cache

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from besluit.accountability.badges import STATUS_CSS  # noqa: F401 (the views' vocabulary)
from besluit.accountability.models import Commitment, CommitmentEvent, Outcome
from besluit.associations.models import Association
from besluit.frame import shortcuts as frame


def public_association(slug: str) -> Association:
    """Commitments are public: anyone may read them, only roles may change them."""
    return get_object_or_404(Association, slug=slug)


def crumbs(association: Association, *more: tuple[str, str]) -> list[tuple[str, str]]:
    overview = reverse("accountability:overview", args=[association.slug])
    return frame.crumbs(association, (_("Motions and commitments"), overview), *more)


def context(request: HttpRequest, association: Association, *trail, **extra) -> dict:
    return frame.context(
        request,
        association,
        nav_active="accountability",
        crumbs=crumbs(association, *trail),
        **extra,
    )


class Labels:
    """Display words for the timeline and history, translated when looked up."""

    @staticmethod
    @cache
    def _words() -> dict:
        K = CommitmentEvent.Kind
        words = {
            "submitted": gettext_lazy("Submitted"),
            "late": gettext_lazy("Late (nagekomen)"),
            "pre_advice": gettext_lazy("Pre-advice of the board"),
            "status_changed": gettext_lazy("Outcome recorded"),
            "split": gettext_lazy("Split into parts"),
            "submission.admitted": gettext_lazy("Admitted by the chair"),
            "submission.not_admitted": gettext_lazy("Not admitted by the chair"),
            "submission.withdrawn": gettext_lazy("Withdrawn"),
            "done": gettext_lazy("Done"),
            "planned": gettext_lazy("Planned"),
            f"event:{K.CREATED}": gettext_lazy("Commitment created"),
            f"event:{K.CHANGED}": gettext_lazy("Commitment changed"),
            f"event:{K.UPDATE}": gettext_lazy("Progress update"),
            f"event:{K.MILESTONE}": gettext_lazy("Milestones"),
            f"event:{K.REPORTED}": gettext_lazy("Reported to the meeting"),
            f"event:{K.DECIDED}": gettext_lazy("The meeting decided on the report"),
            f"event:{K.REOPENED}": gettext_lazy("Commitment reopened"),
            "event:closed": gettext_lazy("Closed by the meeting"),
            "status:overdue": gettext_lazy("overdue"),
            "field:title": gettext_lazy("Title"),
            "field:theme": gettext_lazy("Theme"),
            "field:owner_committee": gettext_lazy("Owner (committee)"),
            "field:owner_user": gettext_lazy("Owner (person)"),
            "field:due_date": gettext_lazy("Due date"),
            "field:update_interval_days": gettext_lazy("Update every (days)"),
            "field:status": gettext_lazy("Status"),
            "field:progress": gettext_lazy("Progress"),
            "field:outcome": gettext_lazy("Outcome"),
        }
        for value, label in Commitment.Status.choices:
            words[f"status:{value}"] = label
        for value, label in Outcome.choices:
            words[f"outcome:{value}"] = label
        return words

    def __getitem__(self, key: str) -> str:
        return str(self._words().get(key, key))

    def get(self, key: str, default=None):
        words = self._words()
        return str(words[key]) if key in words else default


labels = Labels()
