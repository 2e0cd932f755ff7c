"""Forms for motions and amendments: submitting them, pre-advice, admission, outcome."""

from itertools import groupby

from django import forms
from django.utils.translation import gettext_lazy as _

from besluit.associations.models import Association, Member
from besluit.meetings.models import AgendaItem, Meeting
from besluit.proposals.models import PreAdvice, SubmissionStatus

TEXTAREA = {"rows": 6}


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return obj.name


class CoSubmittersMixin:
    """A checkbox list of the association's other members, grouped by province.

    For 342 members a flat list is unusable; the template shows one collapsible
    group per province (native <details>, so it works without JavaScript).
    """

    def _add_co_submitters(self, association: Association, submitter: Member | None) -> None:
        members = association.members.filter(active=True).order_by("province", "name")
        if submitter is not None:
            members = members.exclude(pk=submitter.pk)
        self._members = list(members)
        field = MemberChoiceField(
            label=_("Co-submitters"),
            queryset=members,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Members that submit this together with yours (c.s.)."),
        )
        # Reuse the list for the choices instead of querying again.
        field.choices = [(m.pk, m.name) for m in self._members]
        self.fields["co_submitters"] = field

    def co_submitter_groups(self) -> list[dict]:
        """[{province, options: [BoundWidget], selected: n}] in the members' order."""
        province_of = {str(m.pk): m.province for m in self._members}
        chosen = {str(v) for v in (self["co_submitters"].value() or [])}
        groups = []
        options = list(self["co_submitters"])
        for province, group in groupby(options, key=lambda o: province_of[str(o.data["value"])]):
            items = list(group)
            groups.append(
                {
                    "province": province,
                    "options": items,
                    "selected": sum(1 for o in items if str(o.data["value"]) in chosen),
                }
            )
        return groups

    def chosen_co_submitters(self) -> list[Member]:
        chosen = {str(v) for v in (self["co_submitters"].value() or [])}
        return [m for m in self._members if str(m.pk) in chosen]


class MotionForm(CoSubmittersMixin, forms.Form):
    # Errors come from the server; `required` would paint untouched fields as invalid.
    use_required_attribute = False

    title = forms.CharField(label=_("Title"), max_length=300)
    considerations = forms.CharField(
        label=_("Considerations (overwegende dat)"),
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Why the motion is needed: one consideration per line."),
    )
    request = forms.CharField(
        label=_("Request to the board (verzoekt het bestuur)"),
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("What the board is asked to do."),
    )
    explanation = forms.CharField(
        label=_("Explanation"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    agenda_item = forms.ModelChoiceField(
        label=_("Agenda item"),
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label=_("Not tied to an agenda item"),
        help_text=_(
            "Motions not tied to an item are handled under the accountability for earlier motions."
        ),
    )

    def __init__(self, *args, meeting: Meeting, submitter: Member | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.order_by("position")
        self._add_co_submitters(meeting.association, submitter)


class AmendmentForm(CoSubmittersMixin, forms.Form):
    use_required_attribute = False

    passage = forms.CharField(
        label=_("Passage"),
        max_length=200,
        help_text=_("Which part of the text, e.g. 'paragraph 3' or 'Housing, second paragraph'."),
    )
    old_text = forms.CharField(
        label=_("Old text"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_(
            "Copy the words to replace exactly from the proposal. Leave empty to add new text."
        ),
    )
    new_text = forms.CharField(
        label=_("New text"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Leave empty to delete the old text."),
    )
    explanation = forms.CharField(
        label=_("Explanation"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def __init__(self, *args, association: Association, submitter: Member | None, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_co_submitters(association, submitter)


class PreAdviceForm(forms.Form):
    # No `required` attributes: an untouched radio group would show as invalid.
    use_required_attribute = False

    pre_advice = forms.ChoiceField(
        label=_("Pre-advice"), choices=PreAdvice.choices, widget=forms.RadioSelect
    )
    pre_advice_reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))


class AdmitForm(forms.Form):
    admit = forms.TypedChoiceField(
        choices=[("1", _("Admit")), ("0", _("Refuse"))],
        coerce=lambda v: v == "1",
        widget=forms.HiddenInput,
    )


class OutcomeForm(forms.Form):
    """An outcome without a vote: the board takes the motion over, or it is held over."""

    use_required_attribute = False

    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (SubmissionStatus.TAKEN_OVER, _("Taken over by the board")),
            (SubmissionStatus.HELD_OVER, _("Held over (aangehouden)")),
        ],
        widget=forms.RadioSelect,
    )


class ConfirmForm(forms.Form):
    """A confirmation step with nothing to fill in."""
