"""Fuzzing the API from its own OpenAPI document (schemathesis): no 5xx, no schema violation.

In-process against the WSGI application, as a secretariat with a bearer token, over a
small association with a meeting, a motion, an amendment and a closed poll, so that the
generated ids sometimes hit real objects. Bounded: a few examples per operation.
"""

import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from besluit.accounts.models import ApiToken
from besluit.api.router import api
from besluit.associations.models import Role
from besluit.voting import services as voting
from besluit.wsgi import application
from tests import factories

pytestmark = pytest.mark.django_db

EXAMPLES = 25
# No 5xx, and every response as documented: status, content type, headers, body schema.
# Not "positive data acceptance": the API answers domain rules (a page past the last one,
# an empty title) with 400 problem details although the schema allows the value. Nor
# "ignored auth": it sends a broken credential for one scheme while the valid bearer token
# still authenticates (the schemes are alternatives); wrong credentials are checked below.
# Found by this test in code outside the security work, reported and left for its owners:
# (operation, schemathesis failure code). Remove an entry when it is fixed.
KNOWN_FINDINGS: set[tuple[str, str]] = set()


def _describe(exc: BaseException) -> list[str]:
    """'ST103: Undocumented status code ...' for each failure schemathesis raised."""
    failures = getattr(exc, "exceptions", None) or [exc]
    out = []
    for failure in failures:
        code = getattr(failure, "code", "") or type(failure).__name__
        title = getattr(failure, "title", "") or str(failure).splitlines()[0][:200]
        message = getattr(failure, "message", "")
        out.append(f"{code}: {title} {message}".strip()[:400])
    return out


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def world(association, meeting, chair, representative):
    from besluit.proposals import services as proposals

    factories.make_proposal(meeting)
    proposals.do_submit_motion(
        actor=representative,
        meeting=meeting,
        title="Jeugdzorg",
        considerations="- x",
        request="y",
    )
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="free", alternatives=["A", "B"]
    )
    voting.do_open_poll(actor=chair, poll=poll)
    voting.cast_ballot(actor=representative, poll=poll, option_key="option-1")
    voting.do_close_poll(actor=chair, poll=poll)
    secretariat = factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    return ApiToken.issue(secretariat, "fuzz")[1]


# The operations in PARTS shares, each a test of its own, so that the xdist workers share
# them (one test of all operations was the suite's second longest). Every operation is
# fuzzed as before: the same examples (derandomized per operation), the same checks.
PARTS = 4


def _operations() -> list:
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    return operations


@pytest.mark.parametrize("part", range(PARTS))
def test_fuzz_every_operation_finds_no_server_error_and_no_schema_violation(world, capsys, part):
    operations = _operations()[part::PARTS]
    headers = {"Authorization": f"Bearer {world}"}
    counts: dict[str, int] = {}
    findings: dict[str, list[str]] = {}
    # The WSGI handler closes "old" connections after each request; inside the test's
    # transaction that would close the test's own (the test client disconnects it too).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    started = time.monotonic()
    try:
        for operation in operations:

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def run(case):
                response = case.call(app=application, headers=headers, base_url="/api/v1")
                assert response.status_code < 500, (case.method, case.formatted_path, response.text)
                case.validate_response(response, checks=CHECKS)
                counts[case.operation.label] = counts.get(case.operation.label, 0) + 1

            try:
                run()
            except (
                Exception,
                BaseExceptionGroup,
            ) as exc:  # collect every operation's failures, then report them all
                findings[operation.label] = _describe(exc)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    total = sum(counts.values())
    for label, found in sorted(findings.items()):
        with capsys.disabled():
            print(f"\nknown finding, {label}: {found}")
    unexpected = {
        label: [f for f in found if (label, f.split(":")[0]) not in KNOWN_FINDINGS]
        for label, found in findings.items()
    }
    unexpected = {label: found for label, found in unexpected.items() if found}
    assert not unexpected, "\n".join(f"{k}: {v}" for k, v in unexpected.items())
    with capsys.disabled():
        print(
            f"\nschemathesis, part {part + 1} of {PARTS}: {len(operations)} operations, "
            f"{total} requests → 0 server errors, 0 new schema violations "
            f"({len(findings)} known) ({time.monotonic() - started:.0f} s)"
        )


def test_every_operation_refuses_a_missing_or_a_wrong_credential(world, capsys):
    """Every operation that needs a login refuses a missing or a wrong credential."""
    from django.test import Client

    operations = _operations()
    client = Client()
    refused = 0
    for operation in operations:
        if operation.path.startswith(("/open-data", "/openapi")) or operation.method != "get":
            continue
        path = "/api/v1" + operation.path.replace("{slug}", "vvg").replace(
            "{poll_id}", str(__import__("uuid").uuid4())
        ).replace("{meeting_id}", "1").replace("{motion_id}", "1")
        for header in ({}, {"HTTP_AUTHORIZATION": "Bearer bsl_wrong"}):
            status = client.get(path.replace("{amendment_id}", "1"), **header).status_code
            assert status == 401, (path, header, status)
            refused += 1
    with capsys.disabled():
        print(f"\n{refused} unauthenticated requests → 401")
