"""The structured text of a proposal: read, compare, write a draft, import, publish."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from besluit import access
from besluit.core import texts as ct
from besluit.frame.shortcuts import association_for, domain_guard, require, run_form, run_service
from besluit.texts import rendering, selectors, services
from besluit.texts.forms import ConfirmForm, DraftForm, ImportForm, ReasonsForm
from besluit.texts.models import PdfJob, TextVersion
from besluit.texts.views.common import (
    crumbs,
    load,
    page,
    proposal_crumbs,
    proposal_tabs,
)


@login_required
@domain_guard
def index(request, slug):
    association = association_for(request, slug)
    rows = selectors.proposals_of(association)
    meetings: dict = {}
    for row in rows:
        meetings.setdefault(row.meeting, []).append(row)
    return render(
        request,
        "texts/index.html",
        page(request, association, meetings=meetings, crumbs=crumbs(association)),
    )


def _text_page(request, association, proposal, version: TextVersion | None, *, status=200):
    versions = selectors.versions(proposal)
    published = [v for v in versions if v.is_published]
    editing = next((v for v in versions if not v.is_published), None)
    current = published[-1] if published else None
    consultations = selectors.consultations_of(proposal)
    today = timezone.localdate()
    open_consultation = next((c for c in consultations if c.is_open_on(today)), None)
    member = access.represented_member(request.user, association)
    meeting = proposal.agenda_item.meeting
    can_amend = (
        member is not None
        and version is not None
        and current is not None
        and version.pk == current.pk
        and meeting.status != meeting.Status.CLOSED
    )
    ctx = page(
        request,
        association,
        proposal=proposal,
        meeting=meeting,
        version=version,
        current=current,
        editing=editing,
        versions=versions,
        blocks=rendering.block_views(version.document, version.line_width) if version else [],
        can_amend=can_amend,
        open_consultation=open_consultation if member is not None else None,
        consultations=consultations,
        tabs=proposal_tabs(association, proposal, "text"),
        crumbs=proposal_crumbs(association, proposal)
        if version is None or version == current
        else proposal_crumbs(association, proposal, (version.title, "")),
        previous=next(
            (v for v in reversed(published) if version and v.number < version.number), None
        ),
        amend_url=reverse("texts:amend", args=[association.slug, proposal.pk]) if can_amend else "",
        input_url=reverse("texts:input_add", args=[association.slug, open_consultation.pk])
        if member is not None
        and open_consultation
        and version
        and open_consultation.version_id == version.pk
        else "",
    )
    return render(request, "texts/proposal.html", ctx, status=status)


@login_required
@domain_guard
def proposal(request, slug, proposal_id):
    association, proposal = load(request, slug, proposal_id)
    return _text_page(request, association, proposal, selectors.current_version(proposal))


@login_required
@domain_guard
def version(request, slug, proposal_id, number):
    association, proposal = load(request, slug, proposal_id)
    v = selectors.version_by_number(proposal, number)
    if not v.is_published:
        require(request, association, "administer")
    return _text_page(request, association, proposal, v)


@login_required
@domain_guard
def version_json(request, slug, proposal_id, number):
    """The version as data: blocks and the numbered lines (the same as the page and the PDF)."""
    association, proposal = load(request, slug, proposal_id)
    v = selectors.version_by_number(proposal, number)
    if not v.is_published:
        require(request, association, "administer")
    return JsonResponse(
        {
            "proposal": proposal.pk,
            "version": v.number,
            "kind": v.kind,
            "status": v.status,
            "label": v.label,
            "publishedAt": v.published_at.isoformat() if v.published_at else None,
            "lineWidth": v.line_width,
            "blocks": v.blocks,
            "lines": rendering.lines_json(v.document, v.line_width),
        },
        json_dumps_params={"ensure_ascii": False},
    )


# --- comparing versions ---------------------------------------------------------------------


@login_required
@domain_guard
def compare(request, slug, proposal_id):
    association, proposal = load(request, slug, proposal_id)
    versions = selectors.versions(proposal)
    visible = [
        v for v in versions if v.is_published or access.can_administer(request.user, association)
    ]
    comparison = None
    if len(visible) >= 2:
        by_number = {v.number: v for v in visible}
        new = by_number.get(_int(request.GET.get("naar")), visible[-1])
        default_old = next((v for v in reversed(visible) if v.number < new.number), visible[0])
        old = by_number.get(_int(request.GET.get("van")), default_old)
        if old.number != new.number:
            comparison = selectors.compare(old, new)
    member = access.represented_member(request.user, association)
    return render(
        request,
        "texts/compare.html",
        page(
            request,
            association,
            proposal=proposal,
            versions=visible,
            comparison=comparison,
            my_member=member,
            jobs=selectors.jobs_for(association, proposal=proposal),
            tabs=proposal_tabs(association, proposal, "versions"),
            crumbs=proposal_crumbs(association, proposal, (_("Versions and changes"), "")),
        ),
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
@domain_guard
def compare_pdf(request, slug, proposal_id):
    _association, proposal = load(request, slug, proposal_id)
    old, new = _int(request.POST.get("van")), _int(request.POST.get("naar"))
    if old is None or new is None:
        messages.error(request, _("Choose two versions to compare."))
        return redirect("texts:compare", slug, proposal.pk)
    selectors.version_by_number(proposal, old)
    selectors.version_by_number(proposal, new)
    job = run_service(
        request,
        None,
        lambda: services.do_request_pdf(
            actor=request.user,
            kind=PdfJob.Kind.REDLINE,
            proposal=proposal,
            params={"old": old, "new": new, "lang": request.LANGUAGE_CODE},
        ),
    )
    if job is not None:
        messages.info(request, _("The PDF is being made; it appears below when it is ready."))
    return redirect(
        reverse("texts:compare", args=[slug, proposal.pk]) + f"?van={old}&naar={new}#pdf"
    )


# --- writing a draft ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_guard
def draft(request, slug, proposal_id):
    association, proposal = load(request, slug, proposal_id)
    require(request, association, "administer")
    version = services.editing_version(proposal)
    if version is None:
        return render(
            request,
            "texts/draft_start.html",
            page(
                request,
                association,
                proposal=proposal,
                current=selectors.current_version(proposal),
                import_form=ImportForm(prefix="import"),
                tabs=proposal_tabs(association, proposal, "text"),
                crumbs=proposal_crumbs(association, proposal, (_("New draft"), "")),
            ),
        )
    form = DraftForm(
        request.POST or None,
        initial={
            "kind": version.kind,
            "label": version.label,
            "summary": version.summary,
            "text": ct.to_markdown(version.document),
        },
    )
    if request.method == "POST":
        saved = run_form(
            request,
            form,
            lambda d: services.do_edit_draft(
                actor=request.user,
                version=version,
                markdown=d["text"],
                label=d["label"],
                summary=d["summary"],
                kind=d["kind"],
            ),
            _("The draft has been saved."),
        )
        if saved is not None:
            return redirect("texts:draft", slug, proposal.pk)
    return _draft_page(request, association, proposal, version, form)


def _draft_page(request, association, proposal, version, form, *, status=200):
    base = version.based_on
    items = []
    stats = None
    if base is not None:
        _rl, items = rendering.diff_views(
            base.document, version.document, base.line_width, version.line_width
        )
        stats = _rl.stats()
    inputs = selectors.inputs_for_proposal(proposal)
    linked: dict[str, set[int]] = {}
    for r in version.reasons.all():
        linked.setdefault(r.block_id, set()).add(r.input_id)
    by_block: dict[str, list] = {}
    for i in inputs:
        if i.block_id:
            by_block.setdefault(i.block_id, []).append(i)
    changed = []
    for view in items:
        if not view.item.is_change or not view.item.on_new_side:
            continue
        suggested = by_block.get(view.item.block_id, [])
        reasons_form = ReasonsForm(
            initial={
                "block": view.item.block_id,
                "inputs": list(linked.get(view.item.block_id, set())),
            },
            inputs=inputs,
            prefix=f"r-{view.item.block_id}",
        )
        changed.append({"view": view, "form": reasons_form, "suggested": suggested})
    return render(
        request,
        "texts/draft.html",
        page(
            request,
            association,
            proposal=proposal,
            version=version,
            base=base,
            form=form,
            import_form=ImportForm(prefix="import"),
            stats=stats,
            items=items,
            changed=changed,
            has_inputs=bool(inputs),
            publish_form=ConfirmForm(),
            discard_form=ConfirmForm(prefix="discard"),
            tabs=proposal_tabs(association, proposal, "text"),
            crumbs=proposal_crumbs(association, proposal, (_("Draft"), "")),
        ),
        status=status,
    )


@login_required
@require_POST
@domain_guard
def draft_start(request, slug, proposal_id):
    _association, proposal = load(request, slug, proposal_id)
    version = run_service(
        request, None, lambda: services.do_start_draft(actor=request.user, proposal=proposal)
    )
    if version is not None:
        messages.success(request, _("A new draft has been started from the current text."))
    return redirect("texts:draft", slug, proposal.pk)


@login_required
@require_POST
@domain_guard
def draft_import(request, slug, proposal_id):
    association, proposal = load(request, slug, proposal_id)
    require(request, association, "administer")
    form = ImportForm(request.POST, request.FILES, prefix="import")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        limit = services.max_import_bytes()
        if upload.size > limit:
            form.add_error(
                "file",
                _("The file is %(size)s bytes; at most %(limit)s bytes can be imported.")
                % {"size": f"{upload.size:,}", "limit": f"{limit:,}"},
            )
        else:
            result = run_service(
                request,
                form,
                lambda: services.do_import_draft(
                    actor=request.user,
                    proposal=proposal,
                    filename=upload.name,
                    data=upload.read(),
                    label=form.cleaned_data["label"],
                ),
            )
            if result is not None:
                messages.success(
                    request,
                    _("Imported: %(n)s paragraphs.") % {"n": len(result.version.blocks)},
                )
                for w in result.warnings:
                    messages.warning(request, w)
                return redirect("texts:draft", slug, proposal.pk)
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, e)
    return redirect("texts:draft", slug, proposal.pk)


@login_required
@require_POST
@domain_guard
def draft_reasons(request, slug, proposal_id):
    _association, proposal = load(request, slug, proposal_id)
    version = services.editing_version(proposal)
    if version is None:
        return redirect("texts:draft", slug, proposal.pk)
    block = request.POST.get("block", "")
    form = ReasonsForm(
        request.POST, inputs=selectors.inputs_for_proposal(proposal), prefix=f"r-{block}"
    )
    if form.is_valid():
        done = run_service(
            request,
            None,
            lambda: services.do_set_change_reasons(
                actor=request.user,
                version=version,
                block_id=form.cleaned_data["block"],
                inputs=form.cleaned_data["inputs"],
            ),
        )
        if done is not None:
            messages.success(request, _("The reasons for this change have been saved."))
    else:
        messages.error(request, _("The reasons could not be saved."))
    return redirect(reverse("texts:draft", args=[slug, proposal.pk]) + f"#change-{block}")


@login_required
@require_POST
@domain_guard
def draft_publish(request, slug, proposal_id):
    _association, proposal = load(request, slug, proposal_id)
    version = services.editing_version(proposal)
    if version is None:
        return redirect("texts:proposal", slug, proposal.pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm that the version can be published."))
        return redirect("texts:draft", slug, proposal.pk)
    done = run_service(
        request, None, lambda: services.do_publish_version(actor=request.user, version=version)
    )
    if done is None:
        return redirect("texts:draft", slug, proposal.pk)
    messages.success(
        request,
        _("Version %(n)s has been published. It can no longer change.") % {"n": version.number},
    )
    if done.based_on_id:
        base = done.based_on
        return redirect(
            reverse("texts:compare", args=[slug, proposal.pk])
            + f"?van={base.number}&naar={done.number}"
        )
    return redirect("texts:proposal", slug, proposal.pk)


@login_required
@require_POST
@domain_guard
def draft_discard(request, slug, proposal_id):
    _association, proposal = load(request, slug, proposal_id)
    version = services.editing_version(proposal)
    form = ConfirmForm(request.POST, prefix="discard")
    if version is not None and form.is_valid():
        done = run_service(
            request, None, lambda: services.do_discard_draft(actor=request.user, version=version)
        )
        if done is not None:
            messages.success(request, _("The draft has been discarded."))
    return redirect("texts:proposal", slug, proposal.pk)
