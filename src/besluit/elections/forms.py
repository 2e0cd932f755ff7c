"""Forms of the election pages: they parse; the services decide."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import Body, Election


def _capitalised(choices):
    return [(value, capfirst(label)) for value, label in choices]


class BodyForm(forms.Form):
    use_required_attribute = False
    kind = forms.ChoiceField(label=_("Kind"), choices=_capitalised(Body.Kind.choices))
    name = forms.CharField(label=_("Name"), max_length=200)


class ElectionForm(forms.Form):
    use_required_attribute = False
    body = forms.ModelChoiceField(label=_("Board or committee"), queryset=Body.objects.none())
    title = forms.CharField(label=_("Title"), max_length=300)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=100, initial=1)
    term_starts = forms.DateField(label=_("Term starts"), widget=forms.DateInput({"type": "date"}))
    term_ends = forms.DateField(label=_("Term ends"), widget=forms.DateInput({"type": "date"}))
    who_may_stand = forms.CharField(
        label=_("Who may stand"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("As the statutes say, e.g. a mayor or alderman of a member."),
    )
    method = forms.ChoiceField(
        label=_("Ballot"), choices=_capitalised(Election.Method.choices), widget=forms.RadioSelect
    )
    max_approvals = forms.IntegerField(
        label=_("Approvals per ballot"),
        required=False,
        min_value=1,
        max_value=100,
        help_text=_("Only for several seats with approvals; empty: as many as seats."),
    )
    nomination_deadline = forms.DateTimeField(
        label=_("Nominations until"), widget=forms.DateTimeInput({"type": "datetime-local"})
    )
    late_nominations = forms.ChoiceField(
        label=_("Late nominations"), choices=_capitalised(Election.LateNominations.choices)
    )
    is_secret = forms.BooleanField(label=_("Secret ballot"), required=False, initial=True)
    allow_unopposed = forms.BooleanField(
        label=_("An unopposed candidate is elected without a vote (as the statutes allow)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.filter(association=association)


class NominationForm(forms.Form):
    use_required_attribute = False
    name = forms.CharField(label=_("Candidate's name"), max_length=200)
    function = forms.CharField(
        label=_("Function"),
        max_length=200,
        required=False,
        help_text=_("E.g. mayor of Grachtenburg."),
    )
    statement = forms.CharField(
        label=_("Statement"), required=False, max_length=2000, widget=forms.Textarea({"rows": 4})
    )
    username = forms.CharField(
        label=_("The candidate's account (username)"),
        max_length=150,
        required=False,
        help_text=_("If the candidate has one here: then the candidate accepts in person."),
    )


class StatementForm(forms.Form):
    use_required_attribute = False
    statement = forms.CharField(
        label=_("Statement"), required=False, max_length=2000, widget=forms.Textarea({"rows": 6})
    )
    photo = forms.FileField(
        label=_("Photo"), required=False, help_text=_("JPEG or PNG, at most 2 MB.")
    )
