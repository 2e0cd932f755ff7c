"""Validate a Popolo export: against the Popolo JSON Schemas when they are next to the
checkout (../shared/data/popolo-schemas, draft-03, $ref between files), and always
against Besluit's own copy of the constraints (popolo_constraints.json, here)."""

import json
from pathlib import Path

from jsonschema import Draft3Validator, Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

ROOT = Path(__file__).resolve().parents[2]
SHARED_SCHEMAS = ROOT.parent / "shared" / "data" / "popolo-schemas"
OWN_CONSTRAINTS = Path(__file__).with_name("popolo_constraints.json")

# Which Popolo schema each part of the export is an array of.
PARTS = {
    "organizations": "organization",
    "events": "event",
    "motions": "motion",
    "vote_events": "vote_event",
}


def popolo_validators() -> dict[str, Draft3Validator] | None:
    if not SHARED_SCHEMAS.is_dir():
        return None
    schemas = {p.stem: json.loads(p.read_text()) for p in SHARED_SCHEMAS.glob("*.json")}
    registry = Registry().with_resources(
        (schema["id"].rstrip("#"), Resource.from_contents(schema, default_specification=DRAFT3))
        for schema in schemas.values()
    )
    return {
        name: Draft3Validator(
            schema, registry=registry, format_checker=Draft3Validator.FORMAT_CHECKER
        )
        for name, schema in schemas.items()
    }


def own_validator() -> Draft202012Validator:
    schema = json.loads(OWN_CONSTRAINTS.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def errors(export: dict) -> list[str]:
    """Every problem found, as readable lines; [] when the export is valid."""
    found = [
        f"own constraints: {e.json_path}: {e.message}" for e in own_validator().iter_errors(export)
    ]
    validators = popolo_validators()
    if validators is not None:
        for part, schema in PARTS.items():
            for i, item in enumerate(export[part]):
                for e in validators[schema].iter_errors(item):
                    found.append(f"popolo {schema}: {part}[{i}]{e.json_path[1:]}: {e.message}")
        for i, event in enumerate(export["vote_events"]):
            for j, count in enumerate(event["counts"]):
                for e in validators["count"].iter_errors(count):
                    found.append(f"popolo count: vote_events[{i}].counts[{j}]: {e.message}")
            for j, vote in enumerate(event.get("votes", [])):
                for e in validators["vote"].iter_errors(vote):
                    found.append(f"popolo vote: vote_events[{i}].votes[{j}]: {e.message}")
            for j, group in enumerate(event.get("group_results", [])):
                for e in validators["group_result"].iter_errors(group):
                    found.append(
                        f"popolo group_result: vote_events[{i}].group_results[{j}]: {e.message}"
                    )
        found += _election_errors(export, validators)
    return found


def _election_errors(export: dict, validators: dict) -> list[str]:
    """The elections' Popolo objects: seats as memberships, each election's rounds as
    vote events with their counts and (named elections) votes."""
    found = []
    for i, m in enumerate(export.get("memberships", [])):
        for e in validators["membership"].iter_errors(m):
            found.append(f"popolo membership: memberships[{i}]{e.json_path[1:]}: {e.message}")
    for i, election in enumerate(export.get("elections", [])):
        for j, event in enumerate(election["vote_events"]):
            where = f"elections[{i}].vote_events[{j}]"
            for e in validators["vote_event"].iter_errors(event):
                found.append(f"popolo vote_event: {where}{e.json_path[1:]}: {e.message}")
            for k, count in enumerate(event["counts"]):
                for e in validators["count"].iter_errors(count):
                    found.append(f"popolo count: {where}.counts[{k}]: {e.message}")
            for k, vote in enumerate(event.get("votes", [])):
                for e in validators["vote"].iter_errors(vote):
                    found.append(f"popolo vote: {where}.votes[{k}]: {e.message}")
    return found
