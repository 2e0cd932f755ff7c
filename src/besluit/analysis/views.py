"""The voting power page of an association: the current rule against alternatives."""

from __future__ import annotations

import io
from collections.abc import Callable
from fractions import Fraction

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from besluit import access
from besluit.analysis import charts
from besluit.analysis.forms import AnalysisForm
from besluit.analysis.power import (
    BY_CHOICES,
    GROUPINGS,
    Analysis,
    MemberPower,
    RuleAnalysis,
    analyse,
    rules_for,
    write_csv,
)
from besluit.core.power_analysis import CURRENT
from besluit.errors import ValidationFailed
from besluit.frame.shortcuts import association_for, context, crumbs

TEMPLATE = "analysis/analyse.html"


def _name(p: MemberPower) -> tuple:
    return (p.member.name.casefold(), p.member.code)


MEMBER_SORTS: dict[str, Callable[[MemberPower], object]] = {
    "name": _name,
    "inhabitants": lambda p: p.member.inhabitants or 0,
    "weight": lambda p: p.weight,
    "banzhaf": lambda p: p.banzhaf,
    "shapley_shubik": lambda p: p.shapley_shubik,
    "ratio": lambda p: p.banzhaf_ratio or Fraction(0),
}


def _sort_links(key: str, desc: bool) -> dict[str, str]:
    """What each column header links to: the other direction for the current column."""
    return {
        column: (column if desc else f"-{column}")
        if column == key
        else (column if column == "name" else f"-{column}")
        for column in MEMBER_SORTS
    }


def _charts(analysis: Analysis, index: str) -> list[dict]:
    """One chart (and its table) per grouping."""
    index_name = _("Banzhaf index") if index == "banzhaf" else _("Shapley-Shubik index")
    sections = []
    for grouping, grouping_label in GROUPINGS.items():
        first = analysis.rules[0].groups[grouping]
        labels = [g.label for g in first]
        series = [
            charts.Series(_("Inhabitants"), [g.population_share for g in first], reference=True)
        ]
        for rule in analysis.rules:
            series.append(
                charts.Series(rule.label, [getattr(g, index) for g in rule.groups[grouping]])
            )
        title = _("Share of inhabitants and of voting power (%(index)s) per %(grouping)s") % {
            "index": index_name,
            "grouping": str(grouping_label).lower(),
        }
        desc = _(
            "Horizontal bar chart. For each group: a grey bar for its share of the "
            "inhabitants, then one bar per rule for its share of the voting power (%(index)s), "
            "each labelled with the rule and the percentage. The table next to the chart has "
            "the same numbers and more."
        ) % {"index": index_name}
        sections.append(
            {
                "key": grouping,
                "label": grouping_label,
                "chart": charts.bar_chart(
                    id=f"chart-{grouping}", title=title, desc=desc, groups=labels, series=series
                ),
                # Rows per group: the group's facts, then one line per rule.
                "groups": [
                    {"group": g, "rules": [(r, r.groups[grouping][i]) for r in analysis.rules]}
                    for i, g in enumerate(first)
                ],
                "overlapping": grouping == "network",
            }
        )
    return sections


def _csv_response(analysis: Analysis, by: str) -> HttpResponse:
    out = io.StringIO()
    write_csv(analysis, by, out)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"{analysis.association.slug}-voting-power-{by}-{analysis.on:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _my_member(analysis: Analysis, member) -> list[tuple[RuleAnalysis, MemberPower]]:
    if member is None:
        return []
    rows = []
    for rule in analysis.rules:
        for p in rule.members:
            if p.member.code == member.code:
                rows.append((rule, p))
    return rows


@login_required
@require_GET
def analyse_page(request: HttpRequest, slug: str) -> HttpResponse:
    association = association_for(request, slug)
    may_draft = access.can_administer(request.user, association)
    # The form is submitted when "quota" is in the query; sort/show links keep it.
    form = AnalysisForm(request.GET if "quota" in request.GET else None, allow_draft=may_draft)
    today = timezone.localdate()
    ctx = context(
        request,
        association,
        nav_active="weights",
        form=form,
        may_draft=may_draft,
        today=today,
        crumbs=crumbs(
            association,
            (_("Weights"), reverse("web:weights", args=[slug])),
            (_("Voting power"), ""),
        ),
    )
    if form.is_bound and not form.is_valid():
        return render(request, TEMPLATE, ctx, status=400)
    chosen = form.choices()
    rules = rules_for([CURRENT, *chosen["rules"]], draft=chosen["draft"])
    try:
        analysis = analyse(association, rules=rules, on=today, quota=chosen["quota"])
    except ValidationFailed as exc:
        ctx["error"] = exc.message
        return render(request, TEMPLATE, ctx)

    if request.GET.get("format") == "csv":
        by = request.GET.get("by", "member")
        return _csv_response(analysis, by if by in BY_CHOICES else "member")

    keys = [r.key for r in analysis.rules]
    show = request.GET.get("show", CURRENT)
    show = show if show in keys else CURRENT
    sort = request.GET.get("sort", "-banzhaf")
    key = sort.lstrip("-")
    if key not in MEMBER_SORTS:
        sort, key = "-banzhaf", "banzhaf"
    desc = sort.startswith("-")
    shown = analysis.rule(show)
    ctx.update(
        analysis=analysis,
        rules=analysis.rules,
        rounded=[r for r in analysis.rules if not r.exact],
        index=chosen["index"],
        sections=_charts(analysis, chosen["index"]),
        shown=shown,
        # Names A-Z within equal values, whichever way the column is sorted (stable sorts).
        member_rows=sorted(sorted(shown.members, key=_name), key=MEMBER_SORTS[key], reverse=desc),
        sort_key=key,
        sort_desc=desc,
        sort_links=_sort_links(key, desc),
        my_rows=_my_member(analysis, ctx["my_member"]),
        by_choices=[("member", _("per member"))]
        + [(k, _("per %(grouping)s") % {"grouping": str(v).lower()}) for k, v in GROUPINGS.items()],
    )
    return render(request, TEMPLATE, ctx)
