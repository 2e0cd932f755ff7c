"""The NL API Design Rules as a client meets them: version header, problem+json,
ETags, pagination, filtering and stable sorting; and the OpenAPI document's shape.

scripts/lint-openapi lints the document with the rules' own Spectral ruleset; these
tests keep the same rules in Python, so a regression shows without Node.
"""

import re
from decimal import Decimal

import pytest

from besluit.api.router import API_VERSION
from tests import factories
from tests.api.test_api import assert_problem, bearer

pytestmark = pytest.mark.django_db

CAMEL = re.compile(r"^[a-z][a-z\d]*([A-Z][a-z\d]*)*$")
KEBAB_PATH = re.compile(r"^(/([a-z0-9\-]+|\{[^}]+\}))+$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
)


def test_every_response_carries_the_api_version(client, association, secretariat):
    ok = client.get("/api/v1/associations", **bearer(secretariat))
    assert ok["API-Version"] == API_VERSION
    unauthenticated = client.get("/api/v1/associations")
    assert unauthenticated["API-Version"] == API_VERSION
    assert_problem(unauthenticated, 401)
    assert client.get("/api/v1/openapi.json")["API-Version"] == API_VERSION


def test_reads_have_etags_and_answer_304(client, association, secretariat):
    auth = bearer(secretariat)
    url = f"/api/v1/associations/{association.slug}/members"
    first = client.get(url, **auth)
    etag = first["ETag"]
    assert etag and "Authorization" in first["Vary"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag, **auth)
    assert again.status_code == 304 and again.content == b""
    assert again["API-Version"] == API_VERSION and again["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"', **auth).status_code == 200


def test_pagination_with_link_and_total_count(client, association, secretariat):
    auth = bearer(secretariat)
    url = f"/api/v1/associations/{association.slug}/members"
    page1 = client.get(url + "?pageSize=5", **auth)
    assert len(page1.json()) == 5 and page1["X-Total-Count"] == "12"
    links = dict((rel, href) for href, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', page1["Link"]))
    assert set(links) == {"first", "next", "last"} and "page=3" in links["last"]
    pages = [client.get(url + f"?pageSize=5&page={n}", **auth).json() for n in (1, 2, 3)]
    codes = [m["code"] for page in pages for m in page]
    assert len(codes) == len(set(codes)) == 12  # no item twice, none skipped
    assert_problem(client.get(url + "?page=4&pageSize=5", **auth), 400, detail_contains="Page 4")
    body = assert_problem(client.get(url + "?pageSize=9999", **auth), 400)
    assert body["invalidParams"][0]["name"] == "pageSize"


def test_filtering_and_stable_sorting(client, association, secretariat):
    auth = bearer(secretariat)
    url = f"/api/v1/associations/{association.slug}/members"
    assert len(client.get(url + "?network=G4", **auth).json()) == 2
    by_weight = client.get(url + "?sort=-weight,code", **auth).json()
    keys = [(-Decimal(m["weight"]), m["code"]) for m in by_weight]
    assert keys == sorted(keys)
    assert by_weight == client.get(url + "?sort=-weight,code", **auth).json()
    body = assert_problem(client.get(url + "?sort=colour", **auth), 400, detail_contains="colour")
    assert body["invalidParams"] == [{"name": "sort", "reason": body["detail"]}]
    meeting = factories.make_meeting(association)
    meetings = client.get(f"/api/v1/meetings?association={association.slug}&kind=alv", **auth)
    assert [m["id"] for m in meetings.json()] == [meeting.pk]
    assert client.get("/api/v1/meetings?status=closed", **auth).json() == []


def test_the_openapi_document_follows_the_rules(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert SEMVER.match(doc["info"]["version"])
    assert {"name", "url", "email"} <= set(doc["info"]["contact"])
    assert re.search(r"/v\d", doc["servers"][0]["url"])
    problem = doc["components"]["schemas"]["Problem"]
    assert {"status", "title", "detail"} <= set(problem["properties"])
    for path, operations in doc["paths"].items():
        assert KEBAB_PATH.match(path) and not path.endswith("/"), path
        for method, op in operations.items():
            responses = op["responses"]
            assert "400" in responses, (method, path)
            for status, response in responses.items():
                response = _resolve(doc, response)
                if status[0] in "23":
                    assert "API-Version" in response["headers"], (method, path, status)
                if status[0] in "45":
                    assert "application/problem+json" in response["content"], (method, path)
            for parameter in op.get("parameters", []):
                if parameter["in"] == "query":
                    assert CAMEL.match(parameter["name"]), parameter["name"]
            if method == "get":
                assert "ETag" in responses["200"]["headers"] and "304" in responses


def _resolve(doc, obj):
    if "$ref" in obj:
        node = doc
        for part in obj["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        return node
    return obj


def test_an_unknown_association_in_the_query_is_a_declared_404(client, association):
    response = client.get("/api/v1/open-data/vote-events?association=onbekend")
    assert_problem(response, 404, detail_contains="onbekend")
    doc = client.get("/api/v1/openapi.json").json()
    declared = _resolve(doc, doc["paths"]["/open-data/vote-events"]["get"]["responses"]["404"])
    assert "application/problem+json" in declared["content"]
