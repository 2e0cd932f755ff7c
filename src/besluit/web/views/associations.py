"""Pages of an association: home, dashboard, members register, weights, people."""

from collections import Counter
from dataclasses import asdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from besluit import access, formats
from besluit.accounts.services import do_create_person
from besluit.associations import services as assoc_services
from besluit.associations.models import Association, Member, Role, WeightRule
from besluit.associations.selectors import is_eligible, rule_in_force
from besluit.core import weights as core_weights
from besluit.errors import DomainError
from besluit.frame.shortcuts import (
    association_for,
    client_ip,
    context,
    crumbs,
    is_htmx,
    require,
    run_service,
)
from besluit.web import selectors
from besluit.web.forms.associations import (
    MemberFilterForm,
    MemberImportForm,
    NetworksForm,
    PersonForm,
    WeightOverrideForm,
    WeightRuleForm,
)


def role_labels(standing) -> list[str]:
    labels = [str(Role.Kind(k).label) for k in Role.Kind.values if k in standing.kinds]
    if standing.is_superuser:
        labels.append(_("administrator"))
    return labels


# --- home and dashboard ------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    cards = []
    for association in selectors.associations_of(request.user):
        standing = access.standing(request.user, association)
        polls = list(selectors.open_polls(association, standing.member))
        today = selectors.meetings_today(association)
        cards.append(
            {
                "association": association,
                "roles": role_labels(standing),
                "member": standing.member,
                "can_chair": access.can_chair(request.user, association),
                "can_administer": access.can_administer(request.user, association),
                "today": today,
                "meetings": [
                    m for m in selectors.upcoming_meetings(association, limit=4) if m not in today
                ][:3],
                "polls": polls,
                "votable": [p for p in polls if p.can_vote],
            }
        )
    # An association meeting today comes first: that is where the user is going.
    cards.sort(key=lambda c: not c["today"])
    return render(request, "web/home.html", {"cards": cards})


@login_required
def association(request: HttpRequest, slug: str) -> HttpResponse:
    association = association_for(request, slug)
    ctx = context(request, association, nav_active="overview")
    polls = list(selectors.open_polls(association, ctx["my_member"]))
    ctx.update(
        roles=role_labels(ctx["standing"]),
        meetings=list(selectors.upcoming_meetings(association, limit=3)),
        polls=polls,
        votable=[p for p in polls if p.can_vote],
        decisions=list(selectors.recent_decisions(association)),
        member_count=association.members.count(),
        crumbs=crumbs(association),
    )
    return render(request, "web/association/dashboard.html", ctx)


# --- members register --------------------------------------------------------


SORT_KEYS = {
    "name": lambda r: (r.member.name.casefold(), r.member.code),
    "inhabitants": lambda r: (r.inhabitants or 0, r.member.name.casefold()),
    "weight": lambda r: (r.weight, r.member.name.casefold()),
}


def sort_links(key: str, desc: bool) -> dict[str, str]:
    """The sort each column header links to: the other direction for the current column."""
    links = {}
    for column in SORT_KEYS:
        if column == key:
            links[column] = column if desc else f"-{column}"
        else:  # names A-Z first, numbers largest first
            links[column] = column if column == "name" else f"-{column}"
    return links


MEMBERS_PER_PAGE = 50


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    association = association_for(request, slug)
    today = timezone.localdate()
    rows, has_rule = selectors.register(association, today)
    provinces = sorted({r.member.province for r in rows})
    networks = sorted({n.code for r in rows for n in r.member.networks.all()})
    form = MemberFilterForm(request.GET or None, provinces=provinces, networks=networks)
    f = form.values()

    shown = rows
    if f["q"]:
        needle = f["q"].casefold()
        shown = [
            r
            for r in shown
            if needle in r.member.name.casefold() or needle in r.member.code.casefold()
        ]
    if f["province"]:
        shown = [r for r in shown if r.member.province == f["province"]]
    if f["network"]:
        shown = [r for r in shown if any(n.code == f["network"] for n in r.member.networks.all())]
    key = f["sort"].lstrip("-")
    shown = sorted(shown, key=SORT_KEYS[key], reverse=f["sort"].startswith("-"))
    # Pages of MEMBERS_PER_PAGE: 342 rows were metres of scrolling (totals stay for all).
    page = Paginator(shown, MEMBERS_PER_PAGE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)

    ctx = context(
        request,
        association,
        nav_active="members",
        form=form,
        filters=f,
        filtered=bool(f["q"] or f["province"] or f["network"]),
        rows=page.object_list,
        page=page,
        page_query=query.urlencode(),
        has_rule=has_rule,
        rule=rule_in_force(association, today) if has_rule else None,
        today=today,
        totals={
            "members": len(shown),
            "eligible": sum(1 for r in shown if r.eligible),
            "inhabitants": sum(r.inhabitants or 0 for r in shown),
            "weight": sum((r.weight for r in shown), Decimal(0)),
            "share": sum((r.share for r in shown), Decimal(0)),
        },
        all_count=len(rows),
        provinces=selectors.province_counts(rows),
        sort_key=key,
        sort_desc=f["sort"].startswith("-"),
        sort_links=sort_links(key, f["sort"].startswith("-")),
        crumbs=crumbs(association, (_("Members"), "")),
    )
    if is_htmx(request) and not request.headers.get("HX-History-Restore-Request"):
        return render(request, "web/association/_members_results.html", ctx)
    return render(request, "web/association/members.html", ctx)


def _report_key(association: Association) -> str:
    return f"besluit_import_report_{association.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def members_import(request: HttpRequest, slug: str) -> HttpResponse:
    association = association_for(request, slug, "administer")
    trail = crumbs(
        association,
        (_("Members"), reverse("web:members", args=[slug])),
        (_("Import"), ""),
    )
    if request.method == "GET" and (report := request.session.pop(_report_key(association), None)):
        ctx = context(request, association, nav_active="members", report=report, crumbs=trail)
        return render(request, "web/association/members_import_result.html", ctx)

    problems: list[str] = []
    form = MemberImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = assoc_services.do_import_members(
                actor=request.user,
                association=association,
                data=upload.read(),
                reference_date=form.cleaned_data["reference_date"],
            )
        except DomainError as exc:
            problems = exc.problems or [exc.message]
        else:
            request.session[_report_key(association)] = {
                **asdict(report),
                "file": upload.name,
            }
            messages.success(
                request,
                _(
                    "The register was imported: %(created)d new, %(updated)d updated, "
                    "%(unchanged)d unchanged."
                )
                % {
                    "created": len(report.created),
                    "updated": len(report.updated),
                    "unchanged": report.unchanged,
                },
            )
            return redirect("web:members_import", slug)
    ctx = context(
        request,
        association,
        nav_active="members",
        form=form,
        problems=problems,
        crumbs=trail,
        example_plain=(
            "gemeentecode;naam;provincie;inwoners;peildatum\n"
            "GM0014;Groningen;Groningen;243768;2024-01-01\n"
            "GM0034;Almere;Flevoland;226500;2024-01-01"
        ),
    )
    return render(
        request,
        "web/association/members_import.html",
        ctx,
        status=400 if problems or form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    association = association_for(request, slug)
    member = get_object_or_404(
        Member.objects.prefetch_related("networks", "populations"),
        association=association,
        code=code,
    )
    override_form = WeightOverrideForm(
        initial={"weight": member.weight_override, "reason": member.override_reason}
    )
    networks_form = NetworksForm(initial={"codes": " ".join(n.code for n in member.networks.all())})
    status = 200
    if request.method == "POST":
        require(request, association, "administer")
        which = request.POST.get("form")
        done = None
        if which == "override":
            override_form = WeightOverrideForm(request.POST)
            if override_form.is_valid():
                done = run_service(
                    request,
                    override_form,
                    lambda: assoc_services.do_override_weight(
                        actor=request.user,
                        member=member,
                        weight=override_form.cleaned_data["weight"],
                        reason=override_form.cleaned_data["reason"],
                    ),
                )
                message = (
                    _("The weight of %(member)s is now fixed at %(weight)s.")
                    if override_form.cleaned_data["weight"] is not None
                    else _("%(member)s has its computed weight again.")
                ) % {
                    "member": member.name,
                    "weight": override_form.cleaned_data["weight"],
                }
        elif which == "networks":
            networks_form = NetworksForm(request.POST)
            if networks_form.is_valid():
                done = run_service(
                    request,
                    networks_form,
                    lambda: assoc_services.do_set_networks(
                        actor=request.user,
                        member=member,
                        codes=networks_form.cleaned_data["codes"],
                    ),
                )
                message = _("The networks of %(member)s were saved.") % {"member": member.name}
        if done is not None:
            messages.success(request, message)
            return redirect("web:member_edit", slug, member.code)
        status = 400

    today = timezone.localdate()
    figures = sorted(member.populations.all(), key=lambda f: f.reference_date, reverse=True)
    current = next((f for f in figures if f.reference_date <= today), None)
    current = current or (figures[-1] if figures else None)
    rule = rule_in_force(association, today)
    computed = (
        core_weights.weight_for(rule.as_core(), current.inhabitants)
        if rule is not None and current is not None
        else None
    )
    ctx = context(
        request,
        association,
        nav_active="members",
        member=member,
        figures=figures,
        current=current,
        rule=rule,
        computed_weight=computed,
        eligible=is_eligible(association, member),
        representatives=selectors.representatives(member),
        override_form=override_form,
        networks_form=networks_form,
        crumbs=crumbs(
            association,
            (_("Members"), reverse("web:members", args=[slug])),
            (member.name, ""),
        ),
    )
    return render(request, "web/association/member.html", ctx, status=status)


# --- weights -----------------------------------------------------------------


def bracket_rows(rule: WeightRule) -> list[dict]:
    """The bracket table with each bracket's upper bound (the next one's start - 1)."""
    rows = []
    brackets = rule.brackets or []
    for i, (lower, votes) in enumerate(brackets):
        upper = int(brackets[i + 1][0]) - 1 if i + 1 < len(brackets) else None
        rows.append({"lower": int(lower), "upper": upper, "votes": Decimal(str(votes))})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def weights(request: HttpRequest, slug: str) -> HttpResponse:
    association = association_for(request, slug)
    today = timezone.localdate()
    in_force = rule_in_force(association, today)
    initial = {"kind": WeightRule.Kind.BRACKETS, "per_inhabitants": Decimal(1), "decimals": 2}
    if in_force is not None and in_force.kind == WeightRule.Kind.BRACKETS and in_force.brackets:
        initial["brackets"] = core_weights.format_brackets(in_force.as_core().brackets)
    else:
        initial["brackets"] = core_weights.format_brackets(core_weights.EXAMPLE_BRACKETS)
    form = WeightRuleForm(initial=initial)
    status = 200
    if request.method == "POST":
        require(request, association, "administer")
        form = WeightRuleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            rule = run_service(
                request,
                form,
                lambda: assoc_services.do_set_weight_rule(
                    actor=request.user,
                    association=association,
                    valid_from=data["valid_from"],
                    kind=data["kind"],
                    brackets=data["parsed_brackets"],
                    per_inhabitants=data["per_inhabitants"],
                    decimals=data["decimals"],
                    label=data["label"],
                    is_example=data["is_example"],
                ),
            )
            if rule is not None:
                messages.success(
                    request,
                    _("The weight rule valid from %(date)s was saved.")
                    % {"date": formats.day(rule.valid_from)},
                )
                return redirect("web:weights", slug)
        status = 400

    rules = [
        {
            "rule": r,
            "brackets": bracket_rows(r),
            "in_force": in_force is not None and r.pk == in_force.pk,
            "future": r.valid_from > today,
        }
        for r in selectors.weight_rules(association)
    ]
    distribution = []
    if in_force is not None:
        rows, _has_rule = selectors.register(association, today)
        distribution = selectors.weight_distribution(rows)
    ctx = context(
        request,
        association,
        nav_active="weights",
        rules=rules,
        in_force=in_force,
        distribution=distribution,
        distribution_members=sum(b.members for b in distribution),
        distribution_weight=sum((b.total for b in distribution), Decimal(0)),
        today=today,
        form=form,
        crumbs=crumbs(association, (_("Weights"), "")),
    )
    return render(request, "web/association/weights.html", ctx, status=status)


# --- people ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def people(request: HttpRequest, slug: str) -> HttpResponse:
    association = association_for(request, slug, "administer")
    form = PersonForm(request.POST or None, association=association)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            role = run_service(
                request,
                form,
                lambda: do_create_person(
                    actor=request.user,
                    association=association,
                    username=data["username"],
                    password=data["password"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    kind=data["kind"],
                    member=data["member"],
                    function=data["function"],
                    ip=client_ip(request),
                ),
            )
            if role is not None:
                messages.success(
                    request,
                    _("%(name)s can now log in as '%(username)s' with the role %(role)s.")
                    % {
                        "name": role.user.get_full_name() or role.user.username,
                        "username": role.user.username,
                        "role": role.get_kind_display(),
                    },
                )
                return redirect("web:people", slug)
        status = 400
    roles = list(selectors.people(association))
    counts = Counter(r.kind for r in roles)
    kind = request.GET.get("kind", "")
    ctx = context(
        request,
        association,
        nav_active="people",
        roles=[r for r in roles if r.kind == kind] if kind in counts else roles,
        kind=kind if kind in counts else "",
        total=len(roles),
        kinds=[(k, label, counts[k]) for k, label in Role.Kind.choices if counts[k]],
        form=form,
        crumbs=crumbs(association, (_("People"), "")),
    )
    return render(request, "web/association/people.html", ctx, status=status)


urlpatterns = [
    path("", home, name="home"),
    path("<slug:slug>/", association, name="association"),
    path("<slug:slug>/leden/", members, name="members"),
    path("<slug:slug>/leden/import/", members_import, name="members_import"),
    path("<slug:slug>/leden/<str:code>/", member_edit, name="member_edit"),
    path("<slug:slug>/gewichten/", weights, name="weights"),
    path("<slug:slug>/mensen/", people, name="people"),
]
