"""Accountability workflows: commitments created by the meeting's decisions, followed
until a later meeting considers them carried out.

One file per topic, as the views beside it: ``motions`` (themes, committees, marked
demands, split motions), ``commitments`` (follow-up: owner, status, updates,
milestones), ``reports`` (composing a report), ``report_agenda`` (a report on the
agenda, voted on, carried out) and ``listeners`` (the hooks that create and decide
commitments). ``common`` holds the helpers they share. Everything public is
re-exported here, so ``services.do_post_update`` works from anywhere.
"""

from besluit.accountability.services.commitments import (
    do_add_milestone,
    do_post_update,
    do_remove_milestone,
    do_set_milestone_done,
    do_update_commitment,
)
from besluit.accountability.services.common import (
    DEFAULT_TERM,
    NEEDS_REASON,
    editable_problem,
)
from besluit.accountability.services.listeners import on_poll_closed, on_submission_decided
from besluit.accountability.services.motions import (
    adopting_decision,
    adoption_candidates,
    do_adopt_part_by_acclamation,
    do_create_committee,
    do_create_demand_commitments,
    do_create_part_poll,
    do_create_theme,
    do_mark_demand,
    do_remove_demand,
    do_split_motion,
    heading_before,
    parse_parts,
    part_agenda_item,
)
from besluit.accountability.services.report_agenda import (
    ITEM_DECISION,
    ITEM_TITLE,
    covered_entries,
    do_create_report_poll,
    do_decide_by_acclamation,
    do_publish_report,
    entry_heading,
    ordered_entries,
    render_text,
)
from besluit.accountability.services.reports import (
    default_title,
    do_add_cluster,
    do_add_entries,
    do_create_report,
    do_move_entry,
    do_remove_cluster,
    do_remove_entry,
    do_update_cluster,
    do_update_entry,
    do_update_report,
    reportable,
)

__all__ = [
    "DEFAULT_TERM",
    "ITEM_DECISION",
    "ITEM_TITLE",
    "NEEDS_REASON",
    "adopting_decision",
    "adoption_candidates",
    "covered_entries",
    "default_title",
    "do_add_cluster",
    "do_add_entries",
    "do_add_milestone",
    "do_adopt_part_by_acclamation",
    "do_create_committee",
    "do_create_demand_commitments",
    "do_create_part_poll",
    "do_create_report",
    "do_create_report_poll",
    "do_create_theme",
    "do_decide_by_acclamation",
    "do_mark_demand",
    "do_move_entry",
    "do_post_update",
    "do_publish_report",
    "do_remove_cluster",
    "do_remove_demand",
    "do_remove_entry",
    "do_remove_milestone",
    "do_set_milestone_done",
    "do_split_motion",
    "do_update_cluster",
    "do_update_commitment",
    "do_update_entry",
    "do_update_report",
    "editable_problem",
    "entry_heading",
    "heading_before",
    "on_poll_closed",
    "on_submission_decided",
    "ordered_entries",
    "parse_parts",
    "part_agenda_item",
    "render_text",
    "reportable",
]
