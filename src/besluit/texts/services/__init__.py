"""Workflows for structured texts: versions, consultation, amendment passages, PDFs.

Every function takes ``actor=``, checks access, changes state in one transaction and records
its audit event in that transaction (the service rules of docs/architecture.md). Views and the
demo call these; nothing else writes the texts app's tables.

One file per topic, as the views beside it: ``text`` (drafts and versions),
``consultation``, ``amendments`` and ``pdfs`` (house style and PDF jobs); ``common``
holds what they share. Everything public is re-exported here.
"""

from besluit.texts.services.amendments import (
    do_compose_adopted,
    do_link_amendments,
    do_propose_amendment,
    do_set_passage,
    do_set_vote_order,
)
from besluit.texts.services.common import editing_version, latest_published, max_import_bytes
from besluit.texts.services.consultation import (
    do_add_session,
    do_close_consultation,
    do_open_consultation,
    do_record_input,
    do_respond,
    do_submit_written_input,
)
from besluit.texts.services.pdfs import (
    LOGO_TYPES,
    MAX_LOGO_BYTES,
    do_request_pdf,
    do_set_branding,
)
from besluit.texts.services.text import (
    Imported,
    do_discard_draft,
    do_edit_draft,
    do_import_draft,
    do_publish_version,
    do_set_change_reasons,
    do_start_draft,
)

__all__ = [
    "LOGO_TYPES",
    "MAX_LOGO_BYTES",
    "Imported",
    "do_add_session",
    "do_close_consultation",
    "do_compose_adopted",
    "do_discard_draft",
    "do_edit_draft",
    "do_import_draft",
    "do_link_amendments",
    "do_open_consultation",
    "do_propose_amendment",
    "do_publish_version",
    "do_record_input",
    "do_request_pdf",
    "do_respond",
    "do_set_branding",
    "do_set_change_reasons",
    "do_set_passage",
    "do_set_vote_order",
    "do_start_draft",
    "do_submit_written_input",
    "editing_version",
    "latest_published",
    "max_import_bytes",
]
