from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PolicyForm(forms.Form):
    totp_required = forms.BooleanField(
        label=_("Require a second factor (TOTP) for the secretariat and the chair"),
        required=False,
        help_text=_(
            "They confirm a code from an authenticator app after their password. Turning this "
            "on logs them out everywhere, so that their next login asks for the code."
        ),
    )
