"""Security headers, cookies, CSRF, login throttling, uploads and sanitised rich text."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from besluit.errors import ValidationFailed
from besluit.meetings import services as meetings
from besluit.texts.rendering import clean
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_page_carries_the_security_headers(client, association, secretariat):
    client.force_login(secretariat)
    for url in ("/accounts/login/", f"/{association.slug}/", "/api/v1/associations", "/open/"):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'self'",
        ):
            assert directive in csp, (url, directive)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_and_csrf_cookies(association, secretariat, settings):
    secretariat.set_password("correct horse battery")
    secretariat.save()
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    csrf = page.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"
    # Without the token a login is refused.
    refused = client.post(
        "/accounts/login/", {"username": "secretariaat", "password": "correct horse battery"}
    )
    assert refused.status_code == 403
    response = client.post(
        "/accounts/login/",
        {
            "username": "secretariaat",
            "password": "correct horse battery",
            "csrfmiddlewaretoken": csrf.value,
        },
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    # The API over the session needs the CSRF token too; a bearer token does not.
    api = client.post(
        "/api/v1/motions",
        data={"meetingId": 1, "title": "x", "considerations": "x", "request": "x"},
        content_type="application/json",
    )
    assert api.status_code in (401, 403)


def test_secure_cookies_follow_the_setting():
    import importlib
    import os

    from besluit import settings as module

    os.environ["BESLUIT_SECURE_COOKIES"] = "1"
    try:
        fresh = importlib.reload(module)
        assert fresh.SESSION_COOKIE_SECURE and fresh.CSRF_COOKIE_SECURE
        assert fresh.SECURE_HSTS_SECONDS == 365 * 24 * 3600
    finally:
        del os.environ["BESLUIT_SECURE_COOKIES"]
        plain = importlib.reload(module)
    # Without TLS (the demo, a development server) no HSTS: it would lock out plain HTTP.
    assert not plain.SESSION_COOKIE_SECURE and plain.SECURE_HSTS_SECONDS == 0


def test_with_redis_the_workers_share_one_cache():
    import importlib
    import os

    from besluit import settings as module

    saved = os.environ.get("REDIS_URL")
    os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/3"
    try:
        shared = importlib.reload(module).CACHES["default"]
    finally:
        if saved is None:
            del os.environ["REDIS_URL"]
        else:
            os.environ["REDIS_URL"] = saved
        importlib.reload(module)
    assert shared["BACKEND"].endswith("RedisCache")
    assert shared["LOCATION"] == "redis://127.0.0.1:6379/3"


def test_a_sqlite_database_url_keeps_the_options_of_the_embedded_database(tmp_path):
    import importlib
    import os

    from besluit import settings as module

    saved = os.environ.get("DATABASE_URL")
    try:
        os.environ.pop("DATABASE_URL", None)
        embedded = importlib.reload(module).DATABASES["default"]["OPTIONS"]
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp_path}/besluit.sqlite3?timeout=60"
        options = importlib.reload(module).DATABASES["default"]["OPTIONS"]
    finally:
        os.environ.pop("DATABASE_URL", None)
        if saved is not None:
            os.environ["DATABASE_URL"] = saved
        importlib.reload(module)
    assert embedded["transaction_mode"] == "IMMEDIATE" and "WAL" in embedded["init_command"]
    # The URL's own options win; the rest is what the embedded database gets.
    assert options == {**embedded, "timeout": 60}


def test_hsts_is_sent_over_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/accounts/login/")


def test_five_wrong_passwords_lock_the_login(association, secretariat, settings):
    secretariat.set_password("correct horse battery")
    secretariat.save()
    client = Client()
    statuses = [
        client.post(
            "/accounts/login/", {"username": "secretariaat", "password": "nope"}
        ).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = client.post(
        "/accounts/login/", {"username": "secretariaat", "password": "correct horse battery"}
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # The lock is the username's, from every address (guessing from many addresses was
    # never locked when it was per username and address; tests/security/test_throttling).
    other = Client(REMOTE_ADDR="198.51.100.9")
    also_locked = other.post(
        "/accounts/login/", {"username": "secretariaat", "password": "correct horse battery"}
    )
    assert also_locked.status_code == 429
    print(f"{settings.AXES_FAILURE_LIMIT} failures → locked")


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("stuk.pdf", b"%PDF-1.7\n%%EOF\n", True),
        ("stuk.docx", _docx(), True),
        ("stuk.pdf", b"<html><script>alert(1)</script></html>", False),
        ("stuk.html", b"<html><script>alert(1)</script></html>", False),
        ("stuk.docx", b"%PDF-1.7\n", False),  # the name must match the content
        ("stuk.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', False),
        ("stuk.pdf", b"", False),
    ],
)
def test_uploads_are_type_checked(association, meeting, secretariat, name, content, accepted):
    item = meeting.agenda_items.first()
    upload = SimpleUploadedFile(name, content)
    if accepted:
        meetings.do_add_attachment(actor=secretariat, agenda_item=item, upload=upload)
    else:
        with pytest.raises(ValidationFailed):
            meetings.do_add_attachment(actor=secretariat, agenda_item=item, upload=upload)


def test_uploads_are_served_as_downloads(
    client, association, meeting, secretariat, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    item = meeting.agenda_items.first()
    attachment = meetings.do_add_attachment(
        actor=secretariat,
        agenda_item=item,
        upload=SimpleUploadedFile('"><script>x</script>.pdf', b"%PDF-1.7\n%%EOF\n"),
    )
    observer = factories.make_user("waarnemer", association, "observer")
    client.force_login(observer)
    response = client.get(f"/{association.slug}/bijlagen/{attachment.uuid}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    client.logout()
    assert client.get(f"/{association.slug}/bijlagen/{attachment.uuid}/").status_code == 302


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        "<strong onclick=alert(1)>vet</strong>",
        '<span class="x" style="background:url(javascript:alert(1))">s</span>',
        "<svg><script>alert(1)</script></svg>",
        "<iframe src=//evil></iframe>",
    ],
)
def test_rich_text_is_sanitised(payload):
    html = str(clean(payload))
    lowered = html.lower()
    for bad in (
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "<iframe",
        "<svg",
        "<img",
        "style=",
    ):
        assert bad not in lowered, (payload, html)
