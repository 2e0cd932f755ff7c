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
        """In the reader's language, given Django's ``gettext``."""
        text = gettext(self.template)
        return text % dict(self.params) if self.params else text
