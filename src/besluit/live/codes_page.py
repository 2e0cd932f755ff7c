"""The voting codes page without accidents: issue, confirm, download once, see what was
issued.

Issuing used to answer the POST with the CSV itself, so the page kept saying that no
codes were issued until it was reloaded, and a second click silently replaced every
code on the sheet already handed out. Now:

1. Issuing or revoking when valid codes would stop working asks first, saying how many
   and that the handed-out sheet stops working (a confirmation page; nothing changes
   until it is confirmed).
2. Issuing redirects to the page (POST/redirect/GET), which shows the new codes as
   issued and starts the download of the CSV (a ``meta refresh`` to ``?download=1``;
   a link too). The plain codes wait for that download in the cache for a few minutes
   under a random key kept in the secretariat's session, and are gone once fetched:
   still shown once, and never in the database.
3. The page says what was issued: when, by whom, how many, how many are valid.
"""

import secrets

from django.contrib import messages
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from besluit import csvsafe
from besluit.accounts import codes
from besluit.accounts.models import VotingCode
from besluit.frame.shortcuts import context, crumbs

DOWNLOAD_SECONDS = 600


def _session_key(meeting) -> str:
    return f"voting-codes-download:{meeting.pk}"


def _cache_key(token: str) -> str:
    return f"voting-codes-csv:{token}"


def _csv(meeting, issued) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stemcodes-{meeting.pk}.csv"'
    writer = csvsafe.writer(response)
    writer.writerow(["gemeentecode", "naam", "stemcode", "vergadering"])
    for member, code in issued:
        writer.writerow([member.code, member.name, code, meeting.title])
    return response


def _letters(request, meeting, issued) -> HttpResponse:
    """A printable letter per member: meeting, code, and a QR code of the login page with
    the code filled in, to hand out at the door (PDF/UA, texts.pdf)."""
    from besluit.texts import books, pdf

    login_url = request.build_absolute_uri(reverse("live:code_login"))
    content, _pages = pdf.render(
        "code_letters", books.code_letters_data(meeting, issued, login_url)
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="stemcodebrieven-{meeting.pk}.pdf"'
    return response


def page_context(request, meeting, **extra) -> dict:
    all_codes = VotingCode.objects.filter(meeting=meeting)
    issued_codes = all_codes.select_related("member").order_by("member__name", "-issued_at")
    rounds = list(
        all_codes.values("issued_at", "issued_by__username", "issued_by__first_name")
        .annotate(count=Count("id"))
        .order_by("-issued_at")[:10]
    )
    valid = all_codes.filter(revoked_at__isnull=True).count()
    token = request.session.get(_session_key(meeting))
    pending = bool(token) and cache.get(_cache_key(token)) is not None
    meeting_url = reverse("web:meeting", args=[meeting.association.slug, meeting.pk])
    return context(
        request,
        meeting.association,
        meeting=meeting,
        codes=issued_codes,
        rounds=rounds,
        valid_count=valid,
        last_issued=all_codes.aggregate(at=Max("issued_at"))["at"],
        download_pending=pending,
        download_url=reverse("live:voting_codes", args=[meeting.association.slug, meeting.pk])
        + "?download=1",
        meeting_url=meeting_url,
        crumbs=crumbs(
            meeting.association,
            (_("Meetings"), reverse("web:meetings", args=[meeting.association.slug])),
            (meeting.title, meeting_url),
            (_("Voting codes"), ""),
        ),
        **extra,
    )


def _confirm(request, meeting, *, action: str, value: str = "", stopping: int, **extra):
    """Ask before codes on a handed-out sheet stop working."""
    return render(
        request,
        "live/voting_codes_confirm.html",
        page_context(request, meeting, action=action, value=value, stopping=stopping, **extra),
    )


def post(request, meeting):
    confirmed = request.POST.get("confirm") == "yes"
    fmt = "letters" if request.POST.get("format") == "letters" else "csv"
    valid = VotingCode.objects.filter(meeting=meeting, revoked_at__isnull=True)
    if request.POST.get("revoke"):
        code = get_object_or_404(VotingCode, pk=request.POST["revoke"], meeting=meeting)
        if not confirmed and code.revoked_at is None:
            return _confirm(
                request,
                meeting,
                action="revoke",
                value=str(code.pk),
                stopping=1,
                member=code.member,
            )
        codes.do_revoke_code(actor=request.user, code=code)
        messages.success(
            request, _("The code of %(member)s is revoked.") % {"member": code.member.name}
        )
        return redirect("live:voting_codes", meeting.association.slug, meeting.pk)
    member_ids = request.POST.getlist("member")
    members = list(meeting.association.members.filter(pk__in=member_ids)) if member_ids else None
    affected = valid.filter(member__in=members) if members is not None else valid
    stopping = affected.count()
    if stopping and not confirmed:
        return _confirm(
            request,
            meeting,
            action="member" if members else "all",
            member_ids=member_ids,
            format=fmt,
            stopping=stopping,
            member=members[0] if members and len(members) == 1 else None,
        )
    issued = codes.do_issue_codes(actor=request.user, meeting=meeting, members=members)
    token = secrets.token_urlsafe(24)
    # The plain codes wait for the download (CSV or letters) and are gone once fetched.
    kept = {"format": fmt, "issued": [(m.pk, code) for m, code in issued]}
    cache.set(_cache_key(token), kept, DOWNLOAD_SECONDS)
    request.session[_session_key(meeting)] = token
    if fmt == "letters":
        told = ngettext(
            "%(count)s code issued. The download of the letters (PDF) starts now; it can be "
            "downloaded once.",
            "%(count)s codes issued. The download of the letters (PDF) starts now; it can be "
            "downloaded once.",
            len(issued),
        )
    else:
        told = ngettext(
            "%(count)s code issued. The download of the CSV file starts now; it can be "
            "downloaded once.",
            "%(count)s codes issued. The download of the CSV file starts now; it can be "
            "downloaded once.",
            len(issued),
        )
    messages.success(request, told % {"count": len(issued)})
    return redirect("live:voting_codes", meeting.association.slug, meeting.pk)


def download(request, meeting):
    """The codes just issued, once, as a CSV or as letters; afterwards only their
    fingerprints remain."""
    token = request.session.pop(_session_key(meeting), None)
    kept = cache.get(_cache_key(token)) if token else None
    if kept is None:
        messages.error(
            request,
            _(
                "The codes can no longer be downloaded: they are shown once. Issue new "
                "codes if the file was lost (the old ones then stop working)."
            ),
        )
        return redirect("live:voting_codes", meeting.association.slug, meeting.pk)
    cache.delete(_cache_key(token))
    members = meeting.association.members.in_bulk([pk for pk, _code in kept["issued"]])
    issued = [(members[pk], code) for pk, code in kept["issued"]]
    make = _letters if kept["format"] == "letters" else (lambda _r, m, i: _csv(m, i))
    response = make(request, meeting, issued)
    response["Cache-Control"] = "no-store"
    return response
