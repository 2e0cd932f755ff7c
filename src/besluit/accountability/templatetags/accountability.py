"""Template helpers for the accountability pages: status badges and lookups."""

from django import template
from django.utils.html import format_html

from besluit.accountability.badges import STATUS_CSS

register = template.Library()

OUTCOME_CSS = {"pending": "submitted", "adopted": "adopted", "rejected": "rejected"}


@register.simple_tag
def commitment_badge(commitment) -> str:
    """The status badge; "overdue" (computed from the due date) wins over an open status."""
    key = commitment.shown_status
    return format_html(
        '<span class="utrecht-status-badge besluit-status besluit-status--{}">{}</span>',
        STATUS_CSS.get(key, "submitted"),
        commitment.shown_status_label,
    )


@register.simple_tag
def outcome_badge(value: str, label) -> str:
    return format_html(
        '<span class="utrecht-status-badge besluit-status besluit-status--{}">{}</span>',
        OUTCOME_CSS.get(value, "submitted"),
        label,
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""
