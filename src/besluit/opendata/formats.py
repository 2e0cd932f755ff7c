"""The Popolo export as JSON, as CSV tables and as one ZIP file (the bulk download).

The CSV tables are cut from the same export as the JSON, so both always agree.
CSV: RFC 4180, UTF-8, comma-separated, a header row; decimals with a point and
every stored digit (weights have 6 decimals); times in ISO 8601 with offset;
lists space-separated; empty cell = no value.
"""

import io
import json
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from besluit import csvsafe


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # A JSON number. Weights have at most 6 decimals, and a double prints back every
        # decimal of up to 15 significant digits exactly; beyond that refuse rather than
        # publish a rounded weight. (Shares are decimal strings: they have 28 digits.)
        if value == value.to_integral_value():
            return int(value)
        number = float(value)
        if Decimal(repr(number)) != value:
            raise ValueError(f"{value} cannot be written exactly as a JSON number")
        return number
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(data: Any, *, indent: int | None = 1) -> bytes:
    return json.dumps(data, default=_json_default, ensure_ascii=False, indent=indent).encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, list | tuple):
        return " ".join(_cell(v) for v in value)
    return str(value)


# table name -> (columns, row builder)
def _meetings(export: dict) -> Iterable[dict]:
    for e in export["events"]:
        if e.get("classification") != "agenda-item":
            yield e


def _agenda_items(export: dict) -> Iterable[dict]:
    for e in export["events"]:
        if e.get("classification") == "agenda-item":
            yield {**e, "meeting_id": e["parent_id"]}


def _of_class(export: dict, *classes: str) -> Iterable[dict]:
    for m in export["motions"]:
        if m["classification"] in classes:
            yield {**m, "meeting_id": m.get("legislative_session_id")}


def _vote_events(export: dict) -> Iterable[dict]:
    for v in export["vote_events"]:
        yield {
            **v,
            "meeting_id": v["legislative_session_id"],
            "majority": v["rule"]["majority"],
            "abstentions": v["rule"]["abstentions"],
            "quorum": v["rule"]["quorum"],
            **v["turnout"],
        }


def _counts(export: dict) -> Iterable[dict]:
    for v in export["vote_events"]:
        for c in v["counts"]:
            yield {**c, "vote_event_id": v["id"], "group_id": "", "members": c["value"]}
        for g in v.get("group_results", []):
            for c in g["counts"]:
                yield {
                    **c,
                    "vote_event_id": v["id"],
                    "group_id": g["group_id"],
                    "members": c["value"],
                }


def _group_results(export: dict) -> Iterable[dict]:
    for v in export["vote_events"]:
        for g in v.get("group_results", []):
            yield {**g, "vote_event_id": v["id"]}


def _votes(export: dict) -> Iterable[dict]:
    for v in export["vote_events"]:
        for vote in v.get("votes", []):
            yield {
                **vote,
                "voter_name": vote["voter"]["name"],
                "province": vote["group_id"].partition(":")[2],
            }


def _seats(export: dict) -> Iterable[dict]:
    for m in export.get("memberships", []):
        yield {**m, "person_name": m["person"]["name"]}


def _election_counts(export: dict) -> Iterable[dict]:
    """Every count of every round of every decided election: one row per candidate."""
    for e in export.get("elections", []):
        for r in e["rounds"]:
            for count in r["counts"]:
                for v in count["votes"]:
                    yield {
                        "election_id": e["id"],
                        "round": r["number"],
                        "count": count["number"],
                        "candidate": v["candidate"],
                        "weight": v["weight"],
                        "quota": count["quota"],
                        "exhausted": count["exhausted"],
                        "elected": v["candidate"] in count["elected"],
                        "excluded": v["candidate"] in count["excluded"],
                    }


def _attendance(export: dict) -> Iterable[dict]:
    for e in export["events"]:
        for row in e.get("attendance", []):
            yield {**row, "meeting_id": e["id"]}


def _organizations(export: dict) -> Iterable[dict]:
    yield from export["organizations"]


SUBMISSION = [
    "id", "meeting_id", "identifier", "display_title", "title", "creator_id", "co_creator_ids",
    "date", "is_late", "status", "pre_advice", "result", "requirement",
]  # fmt: skip

TABLES: dict[str, tuple[list[str], Any]] = {
    "organizations": (
        ["id", "name", "classification", "province", "networks", "active"],
        _organizations,
    ),
    "meetings": (
        ["id", "organization_id", "name", "classification", "start_date", "end_date", "location",
         "is_digital", "status", "convocation_date", "amendment_deadline", "motion_deadline"],
        _meetings,
    ),
    "agenda-items": (
        ["id", "meeting_id", "number", "position", "title", "requested_decision", "proposal_id"],
        _agenda_items,
    ),
    "proposals": (
        ["id", "meeting_id", "agenda_item_id", "identifier", "title", "requirement", "text"],
        lambda e: _of_class(e, "proposal"),
    ),
    "motions": (
        [*SUBMISSION, "agenda_item_id", "considerations", "request", "pre_advice_reason"],
        lambda e: _of_class(e, "motion"),
    ),
    "amendments": (
        [*SUBMISSION, "amends_id", "passage", "old_text", "new_text", "pre_advice_reason"],
        lambda e: _of_class(e, "amendment"),
    ),
    "vote-events": (
        ["id", "meeting_id", "motion_id", "classification", "title", "question", "secret",
         "start_date", "end_date", "result", "outcome", "winner", "requirement", "majority",
         "abstentions", "quorum", "eligible_members", "eligible_weight", "voted_members",
         "voted_weight", "cast_weight", "quorum_required_weight", "quorum_met",
         "proxy_ballots", "paper_ballots"],
        _vote_events,
    ),
    "counts": (
        ["vote_event_id", "group_id", "option", "key", "label", "is_abstention", "members",
         "weight", "share"],
        _counts,
    ),
    "group-results": (
        ["vote_event_id", "group_id", "result", "winner", "eligible_members", "eligible_weight",
         "voted_members", "voted_weight"],
        _group_results,
    ),
    "votes": (
        ["vote_event_id", "voter_id", "voter_name", "province", "networks", "option", "weight",
         "proxy_id", "paper"],
        _votes,
    ),
    "attendance": (
        ["meeting_id", "organization_id", "status", "represented_by", "weight", "arrived_at"],
        _attendance,
    ),
    "seats": (
        ["id", "person_name", "organization_id", "label", "on_behalf_of_id", "start_date",
         "end_date"],
        _seats,
    ),
    "election-counts": (
        ["election_id", "round", "count", "candidate", "weight", "quota", "exhausted",
         "elected", "excluded"],
        _election_counts,
    ),
}  # fmt: skip


def table_rows(export: dict, name: str) -> tuple[list[str], list[list[str]]]:
    columns, rows = TABLES[name]
    return columns, [[_cell(row.get(c)) for c in columns] for row in rows(export)]


def to_csv(export: dict, name: str) -> bytes:
    columns, rows = table_rows(export, name)
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode()


README = """Open data of {name}{scope}

popolo.json   everything, in Popolo JSON (https://www.popoloproject.com/)
*.csv         the same data as tables (UTF-8, comma-separated, header row)

count.value / members: number of members; weight: weighted votes; share: fraction of
the weighted votes cast. Secret polls: totals only. Licence: {license}.
Generated by {generator}; docs/open-data.md describes every field.
"""


def to_zip(export: dict, *, name: str, scope: str = "") -> bytes:
    meta = export["meta"]
    files = {
        "README.txt": README.format(
            name=name, scope=scope, license=meta["license"], generator=meta["generator"]
        ).encode(),
        "popolo.json": to_json(export),
        **{f"{table}.csv": to_csv(export, table) for table in TABLES},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for filename, content in files.items():
            # A fixed timestamp: the same data gives the same bytes (and the same ETag).
            info = zipfile.ZipInfo(filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()
