"""How the web pages present a meeting and a result: breadcrumbs, proposal text as
blocks, a result's rows and words. Shared by the meeting, poll and submission views."""

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from besluit.core import voting as core
from besluit.frame.shortcuts import crumbs
from besluit.meetings.models import Meeting
from besluit.voting import selectors as voting_selectors

# Yes/no options are stored with Dutch labels (they are domain data); show them translated.
OPTION_LABELS = {
    "for": gettext_lazy("For"),
    "against": gettext_lazy("Against"),
    "abstain": gettext_lazy("Abstain"),
}


def option_label(key: str, label: str) -> str:
    return str(OPTION_LABELS[key]) if key in OPTION_LABELS else label


def option_css(key: str, is_abstention: bool) -> str:
    if is_abstention:
        return "abstain"
    return key if key in ("for", "against") else "none"


def meeting_crumbs(meeting: Meeting, *more: tuple[str, str], current: bool = False) -> list:
    association = meeting.association
    return crumbs(
        association,
        (_("Meetings"), reverse("web:meetings", args=[association.slug])),
        (
            meeting.title,
            "" if current else reverse("web:meeting", args=[association.slug, meeting.pk]),
        ),
        *more,
    )


def proposal_blocks(text: str) -> list[dict]:
    """Plain proposal text as blocks: '## ' lines are headings, blank lines end paragraphs."""
    blocks: list[dict] = []
    lines: list[str] = []

    def flush() -> None:
        if lines:
            blocks.append({"kind": "paragraph", "text": "\n".join(lines)})
            lines.clear()

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if line.startswith("## "):
            flush()
            blocks.append({"kind": "heading", "text": line[3:].strip()})
        elif not line.strip():
            flush()
        else:
            lines.append(line)
    flush()
    return blocks


@dataclass(frozen=True)
class OptionRow:
    key: str
    label: str
    css: str
    is_abstention: bool
    weight: Decimal
    members: int
    share: Decimal | None


@dataclass(frozen=True)
class GroupRow:
    name: str
    eligible_members: int
    voted_members: int
    turnout_weight: Decimal
    options: list[OptionRow]


@dataclass(frozen=True)
class ResultView:
    result: core.Result
    options: list[OptionRow]
    yes_no: bool
    winner: OptionRow | None
    for_share: Decimal | None
    provinces: list[GroupRow]
    networks: list[GroupRow]


def _rows(totals) -> list[OptionRow]:
    return [
        OptionRow(
            t.key,
            option_label(t.key, t.label),
            option_css(t.key, t.is_abstention),
            t.is_abstention,
            t.weight,
            t.members,
            t.share,
        )
        for t in totals
    ]


def describe(result: core.Result) -> ResultView:
    rows = _rows(result.options)
    by_key = {r.key: r for r in rows}
    yes_no = set(by_key) in ({"for", "against"}, {"for", "against", "abstain"})
    groups = {"province": [], "network": []}
    for g in result.groups:
        kind, _sep, name = g.group.partition(":")
        turnout = g.voted_weight / g.eligible_weight if g.eligible_weight else Decimal(0)
        groups.setdefault(kind, []).append(
            GroupRow(name, g.eligible_members, g.voted_members, turnout, _rows(g.options))
        )
    return ResultView(
        result=result,
        options=rows,
        yes_no=yes_no,
        winner=by_key.get(result.winner) if result.winner else None,
        for_share=by_key["for"].share if "for" in by_key else None,
        provinces=groups["province"],
        networks=groups["network"],
    )


def named_context(request, poll, view: ResultView) -> dict:
    """How each member voted in a named poll, filtered by province, choice and a search on
    the member's name (the result page and its public twin)."""
    labels = {o.key: o.label for o in view.options}
    rows = []
    for entry, ballot in voting_selectors.named_votes(poll):
        key = ballot.option.key if ballot is not None and ballot.option_id else ""
        rows.append(
            {
                "member": entry.member,
                "province": entry.province,
                "weight": entry.weight,
                "key": key,
                "choice": labels.get(key, ""),
                "css": next((o.css for o in view.options if o.key == key), ""),
                "cast_by": (ballot.cast_by.get_full_name() or ballot.cast_by.username)
                if ballot is not None and ballot.cast_by_id
                else "",
                "cast_at": ballot.cast_at if ballot is not None else None,
            }
        )
    provinces = sorted({r["province"] for r in rows})
    province = request.GET.get("province", "")
    choice = request.GET.get("choice", "")
    query = request.GET.get("q", "").strip()[:100]
    shown = [
        r
        for r in rows
        if (not province or r["province"] == province)
        and (not choice or r["key"] == choice or (choice == "none" and not r["key"]))
        and (not query or query.casefold() in r["member"].name.casefold())
    ]
    return {
        "named": shown,
        "named_total": len(rows),
        "provinces": provinces,
        "filter_province": province,
        "filter_choice": choice,
        "filter_q": query,
    }


def decision_groups(meeting: Meeting) -> list[dict]:
    """A meeting's decisions per agenda item, each with its result as shown (a poll's)."""
    return [
        {
            "item": group.item,
            "entries": [
                {
                    "decision": d,
                    "view": describe(d.poll.outcome)
                    if d.poll is not None and d.poll.result
                    else None,
                }
                for d in group.decisions
            ],
        }
        for group in voting_selectors.decisions_by_item(meeting)
    ]
