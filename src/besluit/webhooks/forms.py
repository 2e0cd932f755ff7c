from django import forms
from django.utils.translation import gettext_lazy as _

from besluit.webhooks.models import EVENTS


class SubscriptionForm(forms.Form):
    url = forms.URLField(
        label=_("Address (URL)"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where Besluit sends the events, e.g. https://ris.gemeente.nl/besluit."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=list(EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        initial=list(EVENTS),
    )
