"""Attacks on the ballot path and the inputs around it (security review, issue 12):
text the database refuses, a batch one request can fail, ids beyond a column's range,
bodies nested to exhaust the parser, and what a stranger learns about a poll."""

import json
import logging
import re
import uuid

import pytest
from django.db import DataError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from besluit.accounts.models import ApiToken
from besluit.associations.models import Role
from besluit.audit.models import AuditEvent
from besluit.converters import MAX_ID
from besluit.errors import DomainError, PermissionDenied, ValidationFailed
from besluit.proposals.models import Motion
from besluit.voting import casting
from besluit.voting import services as voting
from besluit.voting.casting.batch import Batch
from besluit.voting.models import Ballot, Poll
from tests import factories

pytestmark = pytest.mark.django_db

NUL = "a\u0000b"


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'test')[1]}"}


def open_poll(chair, meeting) -> Poll:
    poll = voting.do_create_poll(
        actor=chair, meeting=meeting, subject="proposal", proposal=factories.make_proposal(meeting)
    )
    return voting.do_open_poll(actor=chair, poll=poll)


def representatives(association, n: int):
    return [
        factories.make_user(
            f"rep{i}",
            association,
            Role.Kind.REPRESENTATIVE,
            member=factories.member(association, i),
        )
        for i in range(n)
    ]


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


# --- the batch: one request never costs another its ballot ----------------------


@pytest.mark.dbbackend
def test_an_observers_nul_key_in_a_batch_is_refused_before_any_query_uses_it(
    association, chair, meeting
):
    """PostgreSQL refuses a NUL in the request-key look-up: the whole batch failed."""
    poll = open_poll(chair, meeting)
    reps = representatives(association, 4)
    observer = factories.make_user("observer", association, Role.Kind.OBSERVER)
    requests = [casting.BallotRequest(r.pk, "for", f"key-{r.pk}") for r in reps[:2]]
    requests += [
        casting.BallotRequest(observer.pk, "for", NUL),
        casting.BallotRequest(reps[2].pk, "for", NUL),  # a representative's own bad key
        casting.BallotRequest(reps[3].pk, "a\ud800", "ok"),  # a lone surrogate
    ]
    outcomes = casting.cast_batch(poll.pk, requests)
    assert [type(o) for o in outcomes] == [
        casting.Receipt,
        casting.Receipt,
        PermissionDenied,
        ValidationFailed,
        ValidationFailed,
    ]
    assert outcomes[3].field == "requestKey" and outcomes[4].field == "option"
    assert Ballot.objects.filter(poll=poll).count() == 2
    assert AuditEvent.objects.filter(action="ballot.refused").count() == 3


def test_a_batch_the_database_refuses_for_one_request_still_records_every_other_ballot(
    association, chair, meeting, monkeypatch, caplog
):
    """Whatever slips past the checks and makes the database raise (simulated here:
    a DataError whenever the batch writes the poisoned key) costs only its own request."""
    poll = open_poll(chair, meeting)
    reps = representatives(association, 9)
    write = Batch._write

    def poisoned_write(self, pending):
        if any(b.request_key == "poison" for b in self.new):
            raise DataError("simulated: the database refuses this value")
        return write(self, pending)

    monkeypatch.setattr(Batch, "_write", poisoned_write)
    requests = [casting.BallotRequest(r.pk, "for", f"key-{r.pk}") for r in reps]
    requests[5] = casting.BallotRequest(reps[5].pk, "against", "poison")
    with caplog.at_level(logging.WARNING, logger="besluit.voting"):
        outcomes = casting.cast_batch(poll.pk, requests)
    assert isinstance(outcomes[5], ValidationFailed)
    assert all(isinstance(o, casting.Receipt) for i, o in enumerate(outcomes) if i != 5)
    stored = set(Ballot.objects.filter(poll=poll).values_list("member__code", flat=True))
    assert stored == {factories.member(association, i).code for i in range(9) if i != 5}
    refusal = AuditEvent.objects.get(action="ballot.refused")
    assert refusal.actor_id == reps[5].pk and refusal.data["status"] == 400
    assert "halves" in caplog.text and "Traceback" not in caplog.text
    # The receipts' leaves follow each other: the log holds the opening and 8 ballots.
    assert sorted(o.log_receipt["index"] for o in outcomes if isinstance(o, casting.Receipt)) == [
        *range(1, 9)
    ]


def test_a_database_that_is_away_fails_the_batch_whole_without_recasting_it(
    association, chair, meeting, monkeypatch
):
    from django.db import OperationalError

    poll = open_poll(chair, meeting)
    reps = representatives(association, 4)
    calls = []

    def away(self, pending):
        calls.append(len(pending))
        raise OperationalError("the server closed the connection")

    monkeypatch.setattr(Batch, "_write", away)
    with pytest.raises(OperationalError):
        casting.cast_batch(poll.pk, [casting.BallotRequest(r.pk, "for") for r in reps])
    assert calls == [4]  # no halves: they would all fail as well


# --- text the database refuses, in the API and the forms -------------------------


def _schema(doc: dict, ref_or_schema: dict) -> dict:
    if "$ref" in ref_or_schema:
        return doc["components"]["schemas"][ref_or_schema["$ref"].rsplit("/", 1)[1]]
    return ref_or_schema


def _is(kind: dict, name: str) -> bool:
    """A type, or a nullable one (``type: [T, "null"]``, as api.openapi writes them)."""
    t = kind.get("type")
    return t == name or (isinstance(t, list) and name in t)


def _string_fields(doc: dict, schema: dict) -> dict[str, object]:
    """Every string (or list-of-strings) property of a body schema, set to hold a NUL."""
    values = {}
    for name, prop in _schema(doc, schema).get("properties", {}).items():
        kinds = [prop, *prop.get("anyOf", [])]
        if any(_is(k, "string") for k in kinds):
            values[name] = NUL
        elif any(_is(k, "array") and _is(k["items"], "string") for k in kinds):
            values[name] = ["GM1001", NUL]
    return values


def _typed_fields(doc: dict, schema: dict) -> set[str]:
    """Strings of a fixed form (one of a few words, a date, a decimal): a NUL makes them
    not that form, and that is the reason given."""
    fields = set()
    for name, prop in _schema(doc, schema).get("properties", {}).items():
        kinds = [prop, *prop.get("anyOf", [])]
        numeric = any(_is(k, "number") or _is(k, "integer") for k in kinds)  # a decimal
        if numeric or any({"enum", "const", "$ref", "format", "pattern"} & set(k) for k in kinds):
            fields.add(name)
    return fields


def test_nul_in_any_string_of_any_api_request_body_is_a_400(
    client, association, chair, meeting, representative
):
    """Looped over the OpenAPI document: a new input schema that forgets the check
    (api.schemas.CamelIn) fails here."""
    poll = open_poll(chair, meeting)
    doc = client.get("/api/v1/openapi.json").json()
    auth = bearer(representative)
    checked = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body is None or "application/json" not in body["content"]:
                continue  # none, or a CSV file (the import parsers check its text)
            schema = body["content"]["application/json"]["schema"]
            values = _string_fields(doc, schema)
            if not values:  # no string to carry a NUL (a yes/no, numbers only)
                continue
            url = "/api/v1" + path.format(
                poll_id=poll.public_id,
                meeting_id=meeting.pk,
                election_id=uuid.uuid4(),
                slug=association.slug,
                code="G4",
                item_id=1,
                letter_id=1,
                commitment_id=1,
                subscription_id=1,
                token_id=1,
                username="x",
                kind="observer",
                proxy_id=uuid.uuid4(),
            )
            response = client.generic(
                method.upper(), url, json.dumps(values), content_type="application/json", **auth
            )
            problem = assert_problem(response, 400)
            named = {p["name"]: p["reason"] for p in problem["invalidParams"]}
            typed = _typed_fields(doc, schema)
            for name in values:
                if name in typed:  # a fixed form (a word, a date): refused as not that form
                    assert name in named, (path, name, problem)
                    continue
                assert "U+0000" in named.get(name, ""), (path, name, problem)
            checked.append(path)
    assert {
        "/motions",
        "/amendments",
        "/polls/{poll_id}/ballots",
        "/elections/{election_id}/ballots",
    } <= set(checked)
    assert not Motion.objects.exists() and not Ballot.objects.exists()


def test_lone_surrogates_and_control_characters_in_api_bodies_are_a_400(
    client, meeting, representative
):
    auth = bearer(representative)
    for title in ('"a\\ud800b"', '"a\\u0007b"', '"a\\u001bb"'):
        raw = (
            f'{{"meetingId": {meeting.pk}, "title": {title}, '
            '"considerations": "c", "request": "r"}'
        )
        response = client.post("/api/v1/motions", raw, content_type="application/json", **auth)
        problem = assert_problem(response, 400)
        assert problem["invalidParams"][0]["name"] == "title"
    # Tab, line feed and carriage return are text.
    ok = {
        "meetingId": meeting.pk,
        "title": "Een titel",
        "considerations": "- een\r\n- twee\tdrie",
        "request": "r",
    }
    response = client.post("/api/v1/motions", ok, content_type="application/json", **auth)
    assert response.status_code == 201, response.content


def test_nul_in_an_api_query_string_or_path_is_a_400(client, association, representative):
    auth = bearer(representative)
    for url in (
        "/api/v1/meetings?status=a%00b",
        "/api/v1/meetings?a%00b=1",
        "/api/v1/associations?sort=name%00",
        "/api/v1/associations/vvg%00",
        "/api/v1/open-data/vote-events?association=vvg%00",
    ):
        assert_problem(client.get(url, **auth), 400)


@pytest.mark.dbbackend
def test_nul_in_a_motion_title_through_the_api_is_a_400_not_a_500(client, meeting, representative):
    """On PostgreSQL this was a DataError and a 500: the API had no check."""
    response = client.post(
        "/api/v1/motions",
        {"meetingId": meeting.pk, "title": NUL, "considerations": "c", "request": "r"},
        content_type="application/json",
        **bearer(representative),
    )
    problem = assert_problem(response, 400)
    assert problem["invalidParams"] == [
        {"name": "title", "reason": "Contains a control character (U+0000) at position 2."}
    ]
    assert not Motion.objects.exists()


@pytest.mark.dbbackend
def test_nul_in_a_motion_title_through_the_web_form_is_a_form_error(
    client, meeting, representative
):
    client.force_login(representative)
    url = f"/{meeting.association.slug}/vergaderingen/{meeting.pk}/moties/nieuw/"
    response = client.post(url, {"title": NUL, "considerations": "c", "request": "r"})
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not Motion.objects.exists()


def test_control_characters_in_a_web_form_are_a_form_error(client, meeting, representative):
    """Every form's CharField (frame.apps): the API's rule, with a translated message."""
    from django.utils import translation

    client.force_login(representative)
    client.cookies["django_language"] = "en"
    url = f"/{meeting.association.slug}/vergaderingen/{meeting.pk}/moties/nieuw/"
    with translation.override("en"):
        response = client.post(
            url,
            {"title": "Titel\u001b[2J", "considerations": "- een\r\n- twee\tdrie", "request": "r"},
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert list(errors) == ["title"]  # tab, CR and LF are text
        # The message is lazy: read it in English here; the Dutch is in the catalogue.
        assert errors["title"][0] == "Remove the control character (U+001B) at position 6."
    with translation.override("nl"):
        assert str(errors["title"][0]) == "Verwijder het stuurteken (U+001B) op positie 6."
    assert not Motion.objects.exists()


@pytest.mark.dbbackend
def test_nul_in_a_letter_addresses_csv_is_refused_naming_the_line(association, tmp_path):
    """The one upload whose text went to the database unchecked (the members register
    and the texts import refuse control characters already): a DataError on PostgreSQL."""
    from django.core.management import CommandError, call_command

    from besluit.letters.models import MemberAddress

    csv = tmp_path / "adressen.csv"
    csv.write_bytes(b"gemeentecode,email,label\nGM1000,griffie@a.nl,ok\nGM1001,b@b.nl,la\x00bel\n")
    with pytest.raises(CommandError, match="line 3: Contains a control character"):
        call_command("letter_addresses", str(csv), association=association.slug)
    csv.write_bytes(b"gemeentecode,email,label\nGM1000,griffie@a.nl,\xff\n")
    with pytest.raises(CommandError, match="regel 2: geen UTF-8"):
        call_command("letter_addresses", str(csv), association=association.slug)
    assert not MemberAddress.objects.exists()


# --- bodies that exhaust the parser --------------------------------------------------


def test_a_ballot_nested_2000_brackets_deep_is_a_400_through_django(
    client, association, chair, meeting, representative, caplog
):
    poll = open_poll(chair, meeting)
    with caplog.at_level(logging.INFO):
        response = client.post(
            f"/api/v1/polls/{poll.public_id}/ballots",
            b"[" * 2000 + b"]" * 2000,
            content_type="application/json",
            **bearer(representative),
        )
    assert_problem(response, 400)
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text
    assert not Ballot.objects.exists()


# --- ids beyond a database column ------------------------------------------------------


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def test_no_route_uses_djangos_unbounded_int_converter():
    """Every integer in a URL goes through besluit.converters (<id:...>)."""
    unbounded = [
        route
        for route, entry in _patterns(get_resolver())
        if any(isinstance(c, IntConverter) for c in entry.pattern.converters.values())
    ]
    assert unbounded == []


def test_an_id_beyond_64_bits_in_any_web_url_is_a_404(client, association, secretariat):
    """/…/moties/9223372036854775808/1/ was a 500 (OverflowError on SQLite)."""
    client.force_login(secretariat)
    too_big = str(MAX_ID + 1)
    routes = [
        route
        for route, entry in _patterns(get_resolver())
        if "<id:" in route and not route.startswith("api/")
    ]
    assert len(routes) > 40
    for route in routes:
        url = "/" + re.sub(r"<slug:\w+>", association.slug, route)
        url = re.sub(r"<uuid:\w+>", str(uuid.uuid4()), url)
        url = re.sub(r"<id:\w+>", too_big, url)
        url = re.sub(r"<(str|path):\w+>", "x", url)
        assert "<" not in url, url
        assert client.get(url).status_code == 404, url
    assert client.get(f"/{association.slug}/verantwoording/moties/{too_big}/1/").status_code == 404


def test_an_id_beyond_64_bits_in_an_api_path_is_a_404_problem(client, association, secretariat):
    auth = bearer(secretariat)
    too_big = MAX_ID + 1
    for url in (
        f"/api/v1/meetings/{too_big}",
        f"/api/v1/meetings/{too_big}/agenda-items",
        f"/api/v1/motions/{too_big}",
        f"/api/v1/amendments/{too_big}",
        f"/api/v1/open-data/meetings/{too_big}",
        f"/api/v1/meetings/{'9' * 5000}",
    ):
        assert_problem(client.get(url, **auth), 404)
    # In a query or a body it is a 400 naming the parameter.
    assert_problem(client.get(f"/api/v1/motions?meeting={too_big}", **auth), 400)


def test_every_integer_api_path_parameter_is_bounded(client):
    doc = client.get("/api/v1/openapi.json").json()
    for path, operations in doc["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                    assert parameter["schema"].get("maximum") == MAX_ID, (path, parameter)


# --- what a stranger learns about a poll -----------------------------------------------


def test_a_ballot_for_a_poll_of_another_association_is_404_in_casting_too(
    association, chair, meeting
):
    """voting.casting answers as the API's poll look-up does: 404 to who cannot see
    the poll, 403 to who can but may not vote; the edge relies on it."""
    poll = open_poll(chair, meeting)
    elsewhere = factories.make_association(3, slug="elders")
    outsider = factories.make_user(
        "outsider", elsewhere, Role.Kind.REPRESENTATIVE, member=factories.member(elsewhere, 0)
    )
    observer = factories.make_user("observer", association, Role.Kind.OBSERVER)
    outcomes = casting.cast_batch(
        poll.pk,
        [
            casting.BallotRequest(outsider.pk, "for"),
            casting.BallotRequest(observer.pk, "for"),
            casting.BallotRequest(None, "for"),
        ],
    )
    assert [o.status for o in outcomes] == [404, 403, 404]
    assert all(isinstance(o, DomainError) for o in outcomes)
    client = Client()
    for user, status in ((outsider, 404), (observer, 403)):
        response = client.post(
            f"/api/v1/polls/{poll.public_id}/ballots",
            {"option": "for"},
            content_type="application/json",
            **bearer(user),
        )
        assert response.status_code == status
