"""Template helpers of the texts pages."""

from django import template

register = template.Library()


@register.simple_tag
def notes_of(blocks) -> list[tuple[int, str]]:
    """All notes of a rendered text, numbered through the document."""
    return [note for b in blocks for note in b.notes]


@register.filter
def response_key(value: str) -> str:
    """The status-badge colour of a response to consultation input."""
    return {"adopted": "adopted", "partly": "held-over", "not_adopted": "rejected"}.get(
        value, "submitted"
    )
