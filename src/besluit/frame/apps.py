from django.apps import AppConfig


class FrameConfig(AppConfig):
    name = "besluit.frame"
    verbose_name = "Page frame"

    def ready(self):
        from django.forms import BaseForm

        # Forms are validated on the server and carry `novalidate`; a `required`
        # attribute would only make the NL DS stylesheet paint untouched fields
        # red (it styles :invalid). Required fields say so in their label.
        BaseForm.use_required_attribute = False

        from django.forms import CharField

        from besluit.frame.validators import ControlCharacterValidator

        # Every form's text fields refuse control characters (core.safetext), as the
        # API's schemas do; Django's own validator refuses the NUL. Fields with their
        # own validators (e-mail, URL, slug) refuse them already.
        CharField.default_validators = [ControlCharacterValidator()]
