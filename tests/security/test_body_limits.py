"""A huge request body is refused with 413 before it is read, on every route (the
ASGI application, in front of the edge and Django): an anonymous 1 GiB POST to the
login page used to be spooled to 1 GiB of temporary files before its 400."""

import os
import secrets

import pytest
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from besluit.meetings.models import Attachment
from tests.security import asgi

pytestmark = pytest.mark.django_db(transaction=True)
GIB = 1 << 30
CHUNK = 64 * 1024


def gigabyte(read_at_most: int):
    """A 1 GiB body made as it is read; reading more than ``read_at_most`` chunks fails
    the test instead of writing a gigabyte."""
    for i in range(GIB // CHUNK):
        if i >= read_at_most:
            raise AssertionError(f"the application read {i} chunks of {CHUNK} bytes")
        yield b"x" * CHUNK


@pytest.fixture
def spool_dir(settings, tmp_path):
    """Where Django spools request bodies; tiny in-memory part, so any body it reads
    would show up here as a file."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    return tmp_path


def test_a_gigabyte_post_to_the_login_page_is_refused_unread(spool_dir):
    answer = asgi.call(
        "POST",
        "/accounts/login/",
        headers=[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Content-Length", str(GIB)),
            ("Cookie", "django_language=en"),
        ],
        body=gigabyte(read_at_most=100),
    )
    assert answer.status == 413
    assert answer.chunks_read == 0
    assert answer.headers["content-type"].startswith("text/html")
    assert b"Request too large" in answer.body and b"1.0\xc2\xa0MB" in answer.body
    assert os.listdir(spool_dir) == []


def test_a_chunked_gigabyte_is_cut_off_at_the_limit(spool_dir, settings):
    """No Content-Length: counted as it arrives, refused once past the limit."""
    answer = asgi.call(
        "POST",
        "/accounts/login/",
        headers=[("Content-Type", "application/x-www-form-urlencoded")],
        body=gigabyte(read_at_most=100),
    )
    assert answer.status == 413
    assert answer.chunks_read == settings.BESLUIT_MAX_BODY_BYTES // CHUNK + 1
    assert os.listdir(spool_dir) == []


def test_an_api_path_gets_problem_json(spool_dir):
    for path in ("/api/v1/associations", "/api/v1/polls/" + "7" * 32 + "/ballots"):
        answer = asgi.call(
            "POST",
            path,
            headers=[("Content-Type", "application/json"), ("Content-Length", str(GIB))],
            body=gigabyte(read_at_most=0),
        )
        assert answer.status == 413, path
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"].endswith("too-large")
        assert answer.json()["status"] == 413


def test_django_under_wsgi_refuses_by_content_length(settings):
    """The test client runs Django without the ASGI wrapper: the middleware checks."""
    response = Client().post(
        "/api/v1/associations",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(settings.BESLUIT_MAX_BODY_BYTES + 1),
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"


def test_an_upload_within_the_upload_limit_still_works(
    settings, association, secretariat, meeting, spool_dir
):
    settings.BESLUIT_MAX_BODY_BYTES = 10_000  # the file below is 5 times as large
    item = meeting.agenda_items.first()
    path = f"/{association.slug}/vergaderingen/{meeting.pk}/agenda/{item.pk}/"
    client = Client()
    client.force_login(secretariat)
    assert client.get(path).status_code == 200  # the route exists as written
    csrf = secrets.token_hex(16)
    pdf = b"%PDF-1.4\n" + b"0" * 50_000
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = encode_multipart(
        BOUNDARY,
        {
            "title": "Bijlage",
            "file": SimpleUploadedFile("bijlage.pdf", pdf, "application/pdf"),
            "csrfmiddlewaretoken": csrf,
        },
    )
    headers = [
        ("Content-Type", MULTIPART_CONTENT),
        ("Content-Length", str(len(body))),
        ("Cookie", f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}"),
    ]
    answer = asgi.call("POST", path, headers=headers, body=(body,))
    assert answer.status == 302, answer.body[:500]
    assert Attachment.objects.get(agenda_item=item).size == len(pdf)
    # Not on another route: the same body to the login page is refused.
    refused = asgi.call("POST", "/accounts/login/", headers=headers, body=(body,))
    assert refused.status == 413
