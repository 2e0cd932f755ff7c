"""Talking to a real server's ballot endpoint from a test."""

import json
import urllib.error
import urllib.request

from besluit.accounts.models import ApiToken


def post(base, poll, body, headers=None, *, timeout=30, path="ballots"):
    """POST a ballot (``path="sealed-ballots"``: an encrypted one); (status, headers, JSON
    body), whatever the status."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/polls/{poll}/{path}",
        data=data,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, json.loads(exc.read())


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {ApiToken.issue(user, 't')[1]}"}
