import json

from django import forms
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Role


class ProviderForm(forms.Form):
    name = forms.CharField(label=_("Name on the login page"), max_length=100, required=False)
    issuer = forms.URLField(
        label=_("Issuer"),
        max_length=300,
        assume_scheme="https",
        help_text=_(
            "For example https://login.microsoftonline.com/<tenant>/v2.0 or "
            "https://keycloak.example/realms/gemeenten; its discovery document is read."
        ),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=200)
    client_secret = forms.CharField(
        label=_("Client secret"), max_length=300, widget=forms.PasswordInput(render_value=False)
    )
    scopes = forms.CharField(
        label=_("Scopes"),
        max_length=200,
        initial="openid email profile",
        help_text=_("Space-separated; add the scope that carries the roles, if any."),
    )
    role_claim = forms.CharField(
        label=_("Claim with the roles"), max_length=100, initial="besluit_roles"
    )
    role_map = forms.CharField(
        label=_("Roles (JSON)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        initial='{"griffie": "secretariat", "burgemeesters": "representative"}',
        help_text=_(
            "Value of the claim -> role: secretariat, chair, board, representative, observer."
        ),
    )
    member_claim = forms.CharField(
        label=_("Claim with the member code"), max_length=100, initial="gemeentecode"
    )
    function_claim = forms.CharField(
        label=_("Claim with the function"), max_length=100, initial="functie"
    )
    accept_amr = forms.BooleanField(
        label=_("Accept the provider's second factor (amr claim)"), required=False, initial=True
    )

    def clean_role_map(self):
        try:
            value = json.loads(self.cleaned_data["role_map"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("This is not valid JSON.")) from exc
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and v in Role.Kind.values for k, v in value.items()
        ):
            raise forms.ValidationError(_("Give an object of claim values and roles."))
        return value
