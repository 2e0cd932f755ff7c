"""Forms of the minutes pages: parsing only; the rules live in minutes.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

MARKDOWN_HELP = _(
    "Markdown: '# ' starts a heading, '- ' a bulleted item, **bold**, *italic*. Paragraphs keep "
    "their identity when you edit them, so the comparison of versions shows what changed."
)


class EditForm(forms.Form):
    summary = forms.CharField(
        label=_("What changed and why (summary)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    text = forms.CharField(
        label=_("Text of the minutes"),
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "true", "lang": "nl"}),
        help_text=MARKDOWN_HELP,
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("What do you correct, and why?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    text = forms.CharField(
        label=_("The minutes as they should read"),
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "true", "lang": "nl"}),
        help_text=MARKDOWN_HELP,
    )
