from django import forms
from django.utils.translation import gettext_lazy as _

from besluit.accounts import tokens

SCOPE_LABELS = {
    "read": _("read: everything you may see"),
    "write": _("write: what your role may change"),
    "vote": _("vote: cast the ballot of the member you represent"),
}


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the system that uses it."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=list(SCOPE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        initial=["read"],
    )
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=tokens.MAX_DAYS,
        initial=tokens.DEFAULT_DAYS,
    )
