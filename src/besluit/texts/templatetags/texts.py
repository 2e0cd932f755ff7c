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


@register.filter
def css_string(value) -> str:
    """A CSS string literal (for the PDFs' page headers): quotes, backslashes, line breaks
    and anything that could close the style element are escaped."""
    out = []
    for ch in str(value):
        if ch.isalnum() or ch in " .,:;-–—()/'&%+":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return '"' + "".join(out) + '"'


FIGURE_SPACE = "\u2007"  # as wide as a digit: padded numbers line up without a box each


@register.filter
def figure_pad(value, width) -> str:
    return str(value).rjust(int(width), FIGURE_SPACE)


@register.filter
def heading_tag(level, top) -> str:
    """The heading element of a text's heading in a PDF, below the section's h2: the text's
    highest heading level becomes h3, and no level is skipped (PDF/UA)."""
    return f"h{min(6, 3 + int(level) - int(top))}"
