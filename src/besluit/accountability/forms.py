"""Forms for the accountability pages. They parse input; the services decide."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from besluit import formats
from besluit.accountability import selectors
from besluit.accountability.models import (
    Commitment,
    Committee,
    Report,
    ReportCluster,
    ReportEntry,
    Theme,
)
from besluit.accountability.services import reportable
from besluit.accounts.models import User
from besluit.associations.models import Association, Member, Network, Role
from besluit.meetings.models import AgendaItem, Meeting
from besluit.voting.models import Decision

Status = Commitment.Status


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.docx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class CommitmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Commitment) -> str:
        return f"{obj.reference}: {obj.title} ({obj.get_status_display()})"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


# --- the overview ------------------------------------------------------------------


def status_choices():
    return [
        ("", _("All")),
        (selectors.STATUS_OPEN, _("Open (new, in progress, held over)")),
        (selectors.STATUS_OVERDUE, _("Overdue")),
        *Status.choices,
    ]


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=status_choices)
    meeting = forms.ModelChoiceField(
        label=_("Decided at"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("All meetings"),
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.none(),
        required=False,
        empty_label=_("All themes"),
    )
    member = forms.ModelChoiceField(
        label=_("Submitting member"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("All members"),
        to_field_name="code",
        help_text=_("Submitter or co-submitter of the motion."),
    )
    network = forms.ModelChoiceField(
        label=_("Network"),
        queryset=Network.objects.none(),
        required=False,
        empty_label=_("All networks"),
        to_field_name="code",
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=Committee.objects.none(),
        required=False,
        empty_label=_("All owners"),
    )
    overdue = forms.BooleanField(label=_("Only overdue commitments"), required=False)

    def __init__(self, *args, association: Association, **kwargs):
        super().__init__(*args, **kwargs)
        choices = selectors.filter_choices(association)
        self.fields["meeting"].queryset = choices["meetings"]
        self.fields["theme"].queryset = choices["themes"]
        self.fields["member"].queryset = choices["members"]
        self.fields["network"].queryset = choices["networks"]
        self.fields["owner"].queryset = choices["owners"]
        if not choices["owners"].exists():
            del self.fields["owner"]

    def filters(self) -> selectors.Filters:
        if not self.is_valid():
            return selectors.Filters()
        d = self.cleaned_data
        return selectors.Filters(
            meeting=d.get("meeting"),
            status=d.get("status") or "",
            theme=d.get("theme"),
            member=d.get("member"),
            network=d.get("network"),
            owner=d.get("owner"),
            overdue=bool(d.get("overdue")),
            q=d.get("q") or "",
        )


# --- one commitment ---------------------------------------------------------------------


def owner_people(association: Association):
    kinds = [Role.Kind.BOARD, Role.Kind.SECRETARIAT, Role.Kind.CHAIR]
    return (
        User.objects.filter(roles__association=association, roles__kind__in=kinds, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class CommitmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none(), required=False)
    owner_committee = forms.ModelChoiceField(
        label=_("Owner: board committee"), queryset=Committee.objects.none(), required=False
    )
    owner_user = PersonChoiceField(
        label=_("Owner: person"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Receives the reminders."),
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    update_interval_days = forms.IntegerField(
        label=_("Update every (days)"), min_value=1, max_value=730
    )
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the commitment is not feasible or cancelled."),
    )

    def __init__(self, *args, association: Association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(association=association)
        self.fields["owner_committee"].queryset = Committee.objects.filter(association=association)
        self.fields["owner_user"].queryset = owner_people(association)

    @classmethod
    def initial_for(cls, c: Commitment) -> dict:
        return {
            "title": c.title,
            "theme": c.theme_id,
            "owner_committee": c.owner_committee_id,
            "owner_user": c.owner_user_id,
            "due_date": c.due_date,
            "update_interval_days": c.update_interval_days,
            "status": c.status,
        }


class UpdateForm(forms.Form):
    as_of = forms.DateField(label=_("Date"), widget=DateInput())
    done = forms.CharField(
        label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    planned = forms.CharField(
        label=_("What is planned"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One web address per line."),
    )
    files = MultipleFileField(
        label=_("Attachments"), required=False, help_text=_("PDF or Word (.docx) files.")
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"), required=False, min_value=0, max_value=100
    )
    status = forms.ChoiceField(
        label=_("New status"),
        required=False,
        choices=[("", _("unchanged")), *list(Status.choices[:-1])],
        help_text=_("A first update puts a new commitment in progress."),
    )

    def __init__(self, *args, commitment: Commitment, **kwargs):
        kwargs.setdefault("initial", {"as_of": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if commitment.milestones.exists():
            del self.fields["progress"]


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=300)
    due_date = forms.DateField(label=_("Planned for"), required=False, widget=DateInput())


# --- reports ------------------------------------------------------------------------------


class ReportCreateForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=Meeting.objects.none())
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=300,
        help_text=_("Leave empty for the usual title."),
    )

    def __init__(self, *args, association: Association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = (
            Meeting.objects.filter(association=association, starts_at__gt=timezone.now())
            .exclude(status=Meeting.Status.CLOSED)
            .exclude(kind=Meeting.Kind.WRITTEN)
            .order_by("starts_at")
        )


class ReportEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    introduction = forms.CharField(
        label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


class AddEntriesForm(forms.Form):
    commitments = CommitmentChoiceField(
        label=_("Commitments to report on"),
        queryset=Commitment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        pending_elsewhere = ReportEntry.objects.filter(outcome="pending").exclude(report=report)
        self.fields["commitments"].queryset = (
            selectors.commitments(report.association)
            .filter(reportable(report.association))
            .filter(created_at__lt=report.meeting.starts_at)
            .exclude(pk__in=report.entries.values("commitment"))
            .exclude(pk__in=pending_elsewhere.values("commitment"))
            .order_by("meeting__starts_at", "motion__number", "part__position", "pk")
        )


class EntryForm(forms.Form):
    actions_taken = forms.CharField(
        label=_("Actions taken"), widget=forms.Textarea(attrs={"rows": 4})
    )
    actions_planned = forms.CharField(
        label=_("Actions planned"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    proposal = forms.ChoiceField(
        label=_("The board's proposal"),
        choices=ReportEntry.Proposal.choices,
        widget=forms.RadioSelect,
    )
    cluster = forms.ModelChoiceField(
        label=_("Cluster"),
        queryset=ReportCluster.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = report.clusters.all()
        if not report.clusters.exists():
            del self.fields["cluster"]


class EntryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ReportEntry) -> str:
        return f"{obj.commitment.reference}: {obj.commitment.title}"


class ClusterForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    entries = EntryChoiceField(
        label=_("Motions in this cluster"),
        queryset=ReportEntry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].queryset = report.entries.select_related(
            "commitment__motion__submitter", "commitment__part", "commitment__demand__proposal"
        ).prefetch_related("commitment__motion__co_submitters")


class PublishForm(forms.Form):
    agenda_item = forms.ModelChoiceField(
        label=_("Agenda item"),
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label=_("Automatic: item 08 or a new item"),
    )

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = report.meeting.agenda_items.filter(
            Q(accountability_report__isnull=True)
        )


class ReportPollForm(forms.Form):
    entry = forms.ModelChoiceField(
        label=_("Vote on"),
        queryset=ReportEntry.objects.none(),
        required=False,
        empty_label=_("The report as a whole"),
    )

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = report.entries.filter(outcome="pending").select_related(
            "commitment__motion__submitter", "commitment__part", "commitment__demand__proposal"
        )
        self.fields["entry"].label_from_instance = lambda e: (
            f"{e.commitment.reference}: {e.get_proposal_display()}"
        )


# --- motions and resolutions ---------------------------------------------------------------


class SplitForm(forms.Form):
    parts = forms.CharField(
        label=_("Parts"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One part per paragraph (separate them with an empty line). Start a part with "
            "'a)', 'b)' or '1.' to label it; otherwise parts are numbered."
        ),
    )


class DemandForm(forms.Form):
    title = forms.CharField(label=_("Short title"), max_length=200)
    quote = forms.CharField(
        label=_("Passage"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Copy the demand from the text above, exactly as it stands."),
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.none(),
        required=False,
        empty_label=_("Automatic: the heading above the passage"),
    )

    def __init__(self, *args, association: Association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.filter(association=association)


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Decision) -> str:
        return f"{obj.subject} ({obj.get_method_display()}, {formats.day(obj.recorded_at)})"


class DemandCommitmentsForm(forms.Form):
    decision = DecisionChoiceField(
        label=_("The decision that adopted the proposal"), queryset=Decision.objects.none()
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = candidates


class ThemeForm(forms.Form):
    name = forms.CharField(label=_("Theme"), max_length=100)


class CommitteeForm(forms.Form):
    name = forms.CharField(label=_("Board committee"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"), required=False)
