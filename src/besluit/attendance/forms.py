"""Forms of the attendance pages (the frame adds the text rule to every CharField)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or code"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "search"}),
    )


class CheckInForm(forms.Form):
    member = forms.CharField(label=_("Member code"), max_length=40)
    representative = forms.CharField(
        label=_("Represented by (person)"), max_length=200, required=False
    )


class CheckOutForm(forms.Form):
    member = forms.CharField(label=_("Member code"), max_length=40)


class SelfCheckInForm(forms.Form):
    representative = forms.CharField(label=_("Your name"), max_length=200, required=False)


class SettingsForm(forms.Form):
    remote_check_in = forms.BooleanField(
        label=_("Representatives may check themselves in with their code (remote attendance)"),
        required=False,
    )
    quorum_members = forms.DecimalField(
        label=_("Meeting quorum: share of the members present or represented (0 to 1)"),
        min_value=0,
        max_value=1,
        max_digits=5,
        decimal_places=4,
        initial=0,
    )
    quorum_weight = forms.DecimalField(
        label=_("Meeting quorum: share of the weight present or represented (0 to 1)"),
        min_value=0,
        max_value=1,
        max_digits=5,
        decimal_places=4,
        initial=0,
    )


class ProxyForm(forms.Form):
    grantor = forms.ChoiceField(label=_("Member that gives the proxy"))
    holder = forms.ChoiceField(label=_("Member that votes for it"))
    document = forms.FileField(
        label=_("Signed authorisation (PDF or Word)"),
        required=False,
    )
    approve = forms.BooleanField(label=_("Approve at once"), required=False)

    def __init__(self, *args, members=(), grantors=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(m.code, f"{m.name} ({m.code})") for m in members]
        self.fields["holder"].choices = choices
        self.fields["grantor"].choices = (
            [(m.code, f"{m.name} ({m.code})") for m in grantors] if grantors else choices
        )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ProxyRuleForm(forms.Form):
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    max_represented = forms.IntegerField(
        label=_("Members one member may represent"), min_value=0, max_value=100
    )


class PaperBallotForm(forms.Form):
    member = forms.ChoiceField(label=_("Member"))
    option = forms.ChoiceField(label=_("Choice"), widget=forms.RadioSelect)
    handed_in_by = forms.CharField(label=_("Handed in by"), max_length=200)
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, members=(), options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.code, f"{m.name} ({m.code})") for m in members]
        self.fields["option"].choices = [(o.key, o.label) for o in options]


class ProxyVoteForm(forms.Form):
    member = forms.CharField(max_length=40)
    option = forms.CharField(max_length=40)
    request_key = forms.CharField(max_length=64, required=False)
