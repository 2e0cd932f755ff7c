"""Make ninja's OpenAPI document meet the NL API Design Rules (ADR).

django-ninja writes the operations and schemas; this module adds what the rules
ask of every operation and that would otherwise be repeated on each of them:

- ``servers`` with the major version in the URL (/core/uri-version); the paths
  are relative to it, so ``/associations`` is served at ``/api/v1/associations``;
- the ``API-Version`` header on every 2xx and 3xx response (/core/version-header);
- ``ETag`` on reads and a ``304 Not Modified`` for conditional requests;
- ``Link`` and ``X-Total-Count`` on paginated collections;
- problem+json error responses with ``type``, ``title``, ``status`` and ``detail``
  (/core/error-handling/problem-details), and a 400 on every operation that takes
  input (/core/error-handling/invalid-input);
- nullable fields as ``type: [T, "null"]`` next to their ``format``, so that dates
  keep ``format: date`` where the rules look for it.

scripts/lint-openapi checks the result with the rules' own Spectral ruleset.
"""

from typing import Any

from besluit.api.collections import MAX_QUERY_BYTES

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {
            "type": "string",
            "format": "uri",
            "description": "Identifies the kind of problem.",
        },
        "title": {"type": "string", "description": "A short summary of the kind of problem."},
        "status": {"type": "integer", "description": "The HTTP status code."},
        "detail": {"type": "string", "description": "What went wrong in this request."},
        "instance": {"type": "string", "description": "The request that had the problem."},
        "invalidParams": {
            "type": "array",
            "description": "The fields of the request that were not accepted.",
            "items": {
                "type": "object",
                "required": ["name", "reason"],
                "properties": {
                    "name": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
        },
    },
}

HEADERS: dict[str, Any] = {
    "API-Version": {
        "description": "The full version of the API that answered (semantic versioning).",
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": "The version of this representation; send it back in If-None-Match.",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": "RFC 8288 links to the first, previous, next and last page.",
        "schema": {"type": "string"},
    },
    "X-Total-Count": {
        "description": "The number of items in the collection, on all pages.",
        "schema": {"type": "integer"},
    },
}

ERRORS = {
    "400": ("BadRequest", "Invalid request: the body, a query key or a path parameter."),
    "401": ("Unauthorized", "No or invalid credentials."),
    "403": ("Forbidden", "Your role does not allow this."),
    "404": ("NotFound", "No such resource, or not one you may see."),
    "409": ("Conflict", "The state of the resource does not allow this now."),
    "414": ("UriTooLong", f"The query string is longer than {MAX_QUERY_BYTES} bytes."),
}
# Reads that answer 409 while a poll is still open: its results and its bundle exist only
# after the close.
CONFLICTING_READS = {"/polls/{poll_id}/bundle", "/polls/{poll_id}/results"}


def _ref_header(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"API-Version": _ref_header("API-Version")},
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def _nullable(schema: Any) -> Any:
    """``anyOf: [{type: T, ...}, {type: null}]`` becomes ``type: [T, null]`` (OpenAPI 3.1)."""
    if isinstance(schema, list):
        return [_nullable(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {k: _nullable(v) for k, v in schema.items()}
    variants = schema.get("anyOf")
    if isinstance(variants, list) and len(variants) == 2 and {"type": "null"} in variants:
        other = next(v for v in variants if v != {"type": "null"})
        if isinstance(other.get("type"), str) and "$ref" not in other:
            merged = {k: v for k, v in schema.items() if k != "anyOf"}
            merged.update(other)
            merged["type"] = [other["type"], "null"]
            return merged
    return schema


def conform(doc: dict[str, Any], *, server_url: str) -> dict[str, Any]:
    doc["servers"] = [
        {"url": server_url, "description": "This installation (major version in the path)."}
    ]
    components = doc.setdefault("components", {})
    components["schemas"] = _nullable(components.get("schemas", {}))
    components["schemas"]["Problem"] = PROBLEM_SCHEMA
    components["headers"] = HEADERS
    components["responses"] = {
        name: _error_response(description) for name, description in ERRORS.values()
    }
    for path, operations in doc.get("paths", {}).items():
        for method, operation in operations.items():
            if method in HTTP_METHODS:
                _conform_operation(path, method, operation)
    return doc


def _conform_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    parameters = operation.get("parameters", [])
    for parameter in parameters:
        if "schema" in parameter:
            parameter["schema"] = _nullable(parameter["schema"])
    is_collection = any(p.get("name") == "pageSize" for p in parameters)
    secured = bool(operation.get("security"))
    # ninja keys responses by int; JSON turns them into strings anyway.
    responses = {str(k): v for k, v in operation.get("responses", {}).items()}
    operation["responses"] = responses
    for status, response in responses.items():
        if status[0] in "23":
            headers = response.setdefault("headers", {})
            headers["API-Version"] = _ref_header("API-Version")
            if method == "get" and status == "200":
                headers["ETag"] = _ref_header("ETag")
                if is_collection:
                    headers["Link"] = _ref_header("Link")
                    headers["X-Total-Count"] = _ref_header("X-Total-Count")
    if method == "get":
        responses["304"] = {
            "description": "Not modified: the If-None-Match ETag is still current.",
            "headers": {"API-Version": _ref_header("API-Version"), "ETag": _ref_header("ETag")},
        }
    wanted = ["400", "414"]
    if method == "get" and path in CONFLICTING_READS:
        wanted.append("409")
    if secured:
        wanted.append("401")
        if method != "get":
            wanted += ["403", "409"]
    if "{" in path or secured:
        wanted.append("404")
    for status in wanted:
        responses.setdefault(status, {"$ref": f"#/components/responses/{ERRORS[status][0]}"})
