"""Forms for polls, ballots and acclamations."""

from decimal import Decimal

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from besluit.meetings.models import AgendaItem, Meeting
from besluit.proposals.models import Amendment, Motion, Proposal, SubmissionStatus
from besluit.voting.models import Poll

Subject = Poll.Subject


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MotionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Motion) -> str:
        label = f"{obj.number}. {obj.display_title}: {obj.title}"
        if obj.status != SubmissionStatus.ADMITTED:
            label += f" ({obj.get_status_display()})"
        return label


class AmendmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Amendment) -> str:
        label = f"{obj.display_title} {obj.number}: {obj.passage}"
        if obj.status != SubmissionStatus.ADMITTED:
            label += f" ({obj.get_status_display()})"
        return label


def meeting_motions(meeting: Meeting):
    return (
        Motion.objects.filter(meeting=meeting)
        .select_related("submitter")
        .prefetch_related("co_submitters")
        .order_by("number")
    )


def meeting_amendments(meeting: Meeting):
    return (
        Amendment.objects.filter(proposal__agenda_item__meeting=meeting)
        .select_related("submitter", "proposal__agenda_item")
        .prefetch_related("co_submitters")
        .order_by("proposal__agenda_item__position", "number")
    )


def capitalised(choices):
    return [(value, capfirst(label)) for value, label in choices]


class PollForm(forms.Form):
    # Errors come from the server; `required` would paint untouched fields as invalid.
    use_required_attribute = False

    subject = forms.ChoiceField(
        label=_("What is voted on"), choices=capitalised(Subject.choices), widget=forms.RadioSelect
    )
    proposal = forms.ModelChoiceField(
        label=_("Proposal"),
        queryset=Proposal.objects.none(),
        required=False,
        help_text=_("For a vote on a proposal."),
    )
    amendment = AmendmentChoiceField(
        label=_("Amendment"),
        queryset=Amendment.objects.none(),
        required=False,
        help_text=_("For a vote on an amendment."),
    )
    motion = MotionChoiceField(
        label=_("Motion"),
        queryset=Motion.objects.none(),
        required=False,
        help_text=_("For a vote on a motion or on the board's pre-advice on it."),
    )
    agenda_item = forms.ModelChoiceField(
        label=_("Agenda item"),
        queryset=AgendaItem.objects.none(),
        required=False,
        help_text=_(
            "For a vote on the requested decision of an agenda item; for other polls it "
            "places the poll under an item (by default the item of what is voted on)."
        ),
    )
    alternatives = forms.CharField(
        label=_("Alternatives"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a free question: one alternative per line, at least two."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to use the title of what is voted on."),
    )
    question = forms.CharField(
        label=_("Question"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("As the members see it above the vote buttons."),
    )
    with_abstain = forms.BooleanField(label=_("Members may abstain"), required=False, initial=True)
    is_secret = forms.TypedChoiceField(
        label=_("Kind of vote"),
        choices=[
            ("0", _("Named: how each member voted is published")),
            ("1", _("Secret: only totals per option are stored")),
        ],
        coerce=lambda v: v == "1",
        initial="0",
        widget=forms.RadioSelect,
    )
    majority = forms.ChoiceField(
        label=_("Majority"),
        choices=capitalised(Poll.Majority.choices),
        initial=Poll.Majority.SIMPLE,
        widget=forms.RadioSelect,
    )
    abstentions = forms.ChoiceField(
        label=_("Abstentions"),
        choices=capitalised(Poll.Abstentions.choices),
        initial=Poll.Abstentions.NOT_CAST,
        widget=forms.RadioSelect,
    )
    quorum = forms.DecimalField(
        label=_("Quorum (% of the eligible weight)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(0),
        help_text=_("The share of the weight that must take part, abstentions included. 0: none."),
    )
    allow_change = forms.BooleanField(
        label=_("Members may change their vote while the poll is open (named votes only)"),
        required=False,
    )
    closes_at = forms.DateTimeField(
        label=_("Voting closes at"),
        required=False,
        widget=DateTimeInput,
        help_text=_("For a written consultation: the end of the voting window (Dutch time)."),
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["agenda_item"].queryset = meeting.agenda_items.order_by("position")
        self.fields["proposal"].queryset = Proposal.objects.filter(
            agenda_item__meeting=meeting
        ).order_by("agenda_item__position")
        self.fields["amendment"].queryset = meeting_amendments(meeting)
        self.fields["motion"].queryset = meeting_motions(meeting)
        if meeting.kind != Meeting.Kind.WRITTEN:
            del self.fields["closes_at"]

    def clean(self):
        data = super().clean()
        subject = data.get("subject")
        needed = {
            Subject.PROPOSAL: "proposal",
            Subject.AMENDMENT: "amendment",
            Subject.MOTION: "motion",
            Subject.PRE_ADVICE: "motion",
        }.get(subject)
        # Only the target that belongs to the subject goes to the service.
        for name in ("proposal", "amendment", "motion"):
            if name != needed:
                data[name] = None
        if needed and data.get(needed) is None and needed not in self.errors:
            self.add_error(needed, _("Choose what the poll is about."))
        if subject == Subject.AGENDA_ITEM and data.get("agenda_item") is None:
            self.add_error("agenda_item", _("Choose the agenda item whose decision is voted on."))
        if subject != Subject.FREE:
            data["alternatives"] = ""
        if data.get("quorum") is not None:
            data["quorum_fraction"] = data["quorum"] / 100
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "subject": d["subject"],
            "proposal": d["proposal"],
            "amendment": d["amendment"],
            "motion": d["motion"],
            "agenda_item": d["agenda_item"],
            "title": d["title"],
            "question": d["question"],
            "alternatives": d["alternatives"].splitlines(),
            "with_abstain": d["with_abstain"],
            "is_secret": d["is_secret"],
            "majority": d["majority"],
            "abstentions": d["abstentions"],
            "quorum": d["quorum_fraction"],
            "allow_change": d["allow_change"],
            "closes_at": d.get("closes_at"),
        }


class VoteForm(forms.Form):
    option = forms.ChoiceField()
    request_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, keys: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [(k, k) for k in keys]


class AcclamationForm(forms.Form):
    use_required_attribute = False

    subject = forms.CharField(
        label=_("What was decided"),
        max_length=300,
        required=False,
        help_text=_(
            "E.g. 'Minutes of the previous meeting adopted'. May stay empty when a "
            "motion or amendment is chosen below."
        ),
    )
    text = forms.CharField(
        label=_("Decision text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Leave empty for 'Adopted by acclamation'."),
    )
    agenda_item = forms.ModelChoiceField(
        label=_("Agenda item"), queryset=None, required=False, empty_label=_("None")
    )
    motion = MotionChoiceField(
        label=_("Motion adopted"),
        queryset=Motion.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    amendment = AmendmentChoiceField(
        label=_("Amendment adopted"),
        queryset=Amendment.objects.none(),
        required=False,
        empty_label=_("None"),
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.order_by("position")
        admitted = {"status": SubmissionStatus.ADMITTED}
        self.fields["motion"].queryset = meeting_motions(meeting).filter(**admitted)
        self.fields["amendment"].queryset = meeting_amendments(meeting).filter(**admitted)

    def clean(self):
        data = super().clean()
        if data.get("motion") and data.get("amendment"):
            raise forms.ValidationError(_("Choose a motion or an amendment, not both."))
        if not (data.get("subject") or "").strip():
            target = data.get("motion") or data.get("amendment")
            if target is not None:
                data["subject"] = (
                    f"{target.display_title}: {target.title}"
                    if isinstance(target, Motion)
                    else str(target)
                )
        return data
