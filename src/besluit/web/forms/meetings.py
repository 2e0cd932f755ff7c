"""Forms for meetings, agenda items, proposals and attachments."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from besluit.meetings.models import Meeting
from besluit.web.forms.associations import DateInput


class DateTimeInput(forms.DateTimeInput):
    """<input type="datetime-local">: the browser's picker, in Europe/Amsterdam time."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of meeting"),
        choices=Meeting.Kind.choices,
        initial=Meeting.Kind.ALV,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=DateTimeInput,
        help_text=_("Date and time in Dutch time (Europe/Amsterdam)."),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"),
        required=False,
        widget=DateTimeInput,
        help_text=_("For a written consultation: the end of the voting window (required)."),
    )
    location = forms.CharField(
        label=_("Location"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for a meeting that is only digital."),
    )
    is_digital = forms.BooleanField(
        label=_("Digital (or hybrid): members can take part online"), required=False
    )
    convocation_date = forms.DateField(
        label=_("Convocation date"),
        required=False,
        widget=DateInput,
        help_text=_("When the members are convened: at least 7 days before the meeting."),
    )
    amendment_deadline = forms.DateTimeField(
        label=_("Deadline for amendments"),
        required=False,
        widget=DateTimeInput,
    )
    motion_deadline = forms.DateTimeField(
        label=_("Deadline for motions"),
        required=False,
        widget=DateTimeInput,
    )
    standard_agenda = forms.BooleanField(
        label=_("Start with the standard agenda (opening … any other business)"),
        required=False,
        initial=True,
        help_text=_(
            "An extraordinary meeting (BALV) starts with its own short agenda: opening, "
            "announcements, the proposal it is convened for, closing."
        ),
    )

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, **kwargs)
        default_help = _(
            "Leave empty for the standard deadline: %(time)s, %(days)s working days before "
            "the meeting (weekends and public holidays not counted)."
        ) % {
            "time": association.deadline_time.strftime("%H:%M"),
            "days": association.deadline_working_days,
        }
        self.fields["amendment_deadline"].help_text = default_help
        self.fields["motion_deadline"].help_text = default_help


class MeetingStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Meeting.Status.choices)


class AgendaItemForm(forms.Form):
    number = forms.CharField(
        label=_("Number"), max_length=10, help_text=_("As on the agenda, e.g. 07 or 7a.")
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    requested_decision = forms.CharField(
        label=_("Requested decision (gevraagd besluit)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    explanation = forms.CharField(
        label=_("Explanation (toelichting)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title of the proposal"), max_length=300)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Plain text. An empty line starts a new paragraph; a line starting with "
            "'## ' is a heading. Amendments refer to passages of this text."
        ),
    )


class AttachmentForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the file name."),
    )
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF or Word (.docx), at most %(size)s.") % {
            "size": filesizeformat(settings.BESLUIT_MAX_ATTACHMENT_BYTES)
        }
        self.fields["file"].widget.attrs["accept"] = (
            ".pdf,.docx,application/pdf,"
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
