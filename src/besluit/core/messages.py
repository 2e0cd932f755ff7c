"""Messages of the pure core, ready for translation without importing Django.

The core writes what went wrong as an English template with named placeholders,
marked with ``gettext_noop`` so that ``makemessages`` puts it in the catalogue, and
the values apart. The Django layer translates the template into the reader's language
and fills in the values (``translate``); ``str()`` gives the English sentence (the CLI
in English, logs and tests).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field


def gettext_noop(message: str) -> str:
    """Mark a message for the catalogue; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Message:
    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template % dict(self.params) if self.params else self.template

    def translate(self, gettext) -> str:
        """In the reader's language, given Django's ``gettext`` (values that are messages
        themselves, such as a label "line 3", are translated too)."""
        text = gettext(self.template)
        if not self.params:
            return text
        values = {
            k: v.translate(gettext) if isinstance(v, Message) else v for k, v in self.params.items()
        }
        return text % values


def translated(items, gettext) -> list[str]:
    """Messages and plain strings alike, in the reader's language."""
    return [m.translate(gettext) if isinstance(m, Message) else str(m) for m in items]
