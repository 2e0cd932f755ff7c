"""The text rule of core.safetext for every form's CharField (frame.apps applies it)."""

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from besluit.core import safetext


@deconstructible
class ControlCharacterValidator:
    """Refuse the control characters and lone surrogates that core.safetext refuses.
    A NUL is left to Django's own ProhibitNullCharactersValidator, which every
    CharField has already: one message per problem."""

    message = _("Remove the control character (U+%(code)s) at position %(position)s.")
    code = "control_character"

    def __call__(self, value) -> None:
        text = str(value)
        if "\x00" in text:
            return  # Django's validator says so
        found = safetext.first_forbidden(text)
        if found is not None:
            position, char = found
            raise ValidationError(
                self.message,
                code=self.code,
                params={"code": f"{ord(char):04X}", "position": position + 1},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, ControlCharacterValidator)
