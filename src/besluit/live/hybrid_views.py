"""The secretariat's settings of a hybrid meeting: the livestream link and the speaking time
per network."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from besluit.frame.shortcuts import context, domain_guard, meeting_for, run_service
from besluit.live import hybrid
from besluit.live.models import MeetingState


class StreamForm(forms.Form):
    stream_url = forms.URLField(
        label=gettext_lazy("Livestream or video conference (https address)"),
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy(
            "Shown beside the vote buttons on the live page (a link on a phone). Only this "
            "address's site may be framed on the live page of this meeting."
        ),
    )
    network_seconds = forms.IntegerField(
        label=gettext_lazy("Speaking time per network (seconds)"),
        required=False,
        min_value=1,
        max_value=hybrid.MAX_NETWORK_SECONDS,
        help_text=gettext_lazy("Empty: no limit; the time used per network is shown anyway."),
    )


@login_required
@domain_guard
def stream_settings(request, slug, meeting_id):
    meeting = meeting_for(request, slug, meeting_id, "administer")
    state = MeetingState.objects.filter(meeting=meeting).first()
    if request.method == "POST":
        form = StreamForm(request.POST)
        if form.is_valid() and run_service(
            request,
            form,
            lambda: hybrid.do_set_stream(
                actor=request.user,
                meeting=meeting,
                url=form.cleaned_data["stream_url"] or "",
                network_seconds=form.cleaned_data["network_seconds"],
            ),
        ):
            messages.success(request, _("The livestream and speaking time are saved."))
            return redirect("live:console", slug, meeting.pk)
    else:
        form = StreamForm(
            initial={
                "stream_url": state.stream_url if state else "",
                "network_seconds": state.network_seconds if state else None,
            }
        )
    return render(
        request,
        "live/stream_settings.html",
        context(request, meeting.association, meeting=meeting, form=form),
        status=400 if request.method == "POST" else 200,
    )
