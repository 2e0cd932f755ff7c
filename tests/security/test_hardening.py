"""The smaller findings of the security review (issue 12, item 8), one attack per test."""

import asyncio
import contextlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.backends.signals import connection_created
from django.utils import translation

from besluit import startup
from besluit.accounts.models import User
from besluit.associations.models import Role
from besluit.core import votelog
from besluit.meetings import services as meetings
from tests import aio, factories


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@contextlib.contextmanager
def careless_umask():
    """A process started some other way than through our entry points."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def without_key_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("BESLUIT_SECRET_KEY", "PYTEST_VERSION", "DJANGO_SETTINGS_MODULE")
    }
    return {**env, **extra}


# --- a. world-readable database, uploads, backups and key -------------------------------


@pytest.mark.django_db(transaction=True)
def test_backup_archive_with_the_signing_key_is_not_world_readable(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BESLUIT_SIGNING_KEY_FILE = tmp_path / "keys" / "signing-key.ed25519"
    with careless_umask():
        votelog.load_or_create_private_key(settings.BESLUIT_SIGNING_KEY_FILE)
        archive = tmp_path / "backups" / "besluit.tar.gz"
        call_command("backup", str(archive), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert mode(archive) == 0o600
    assert mode(archive.parent) == 0o700
    assert mode(settings.BESLUIT_SIGNING_KEY_FILE) == 0o600
    assert mode(settings.BESLUIT_SIGNING_KEY_FILE.parent) == 0o700


@pytest.mark.django_db
def test_uploaded_attachment_is_not_world_readable(tmp_path, settings, association, chair):
    settings.MEDIA_ROOT = tmp_path / "media"
    meeting = factories.make_meeting(association)
    with careless_umask():
        attachment = meetings.do_add_attachment(
            actor=chair,
            agenda_item=meeting.agenda_items.first(),
            upload=SimpleUploadedFile("stuk.pdf", b"%PDF-1.7\n%%EOF\n"),
        )
    path = Path(attachment.file.path)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_world_readable_sqlite_database_and_wal_are_made_private(tmp_path):
    db = tmp_path / "besluit.sqlite3"
    for path in (db, tmp_path / "besluit.sqlite3-wal", tmp_path / "besluit.sqlite3-shm"):
        path.write_bytes(b"")
        path.chmod(0o644)

    class Connection:
        vendor = "sqlite"
        settings_dict = {"NAME": db}

    connection_created.send(sender=None, connection=Connection())
    assert [mode(p) for p in sorted(tmp_path.iterdir())] == [0o600, 0o600, 0o600]


def test_entry_points_create_the_data_directory_and_files_private(tmp_path):
    data = tmp_path / "fresh"
    code = "import os; os.umask(0o022); import besluit.wsgi; print(oct(os.umask(0)))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=without_key_env(BESLUIT_SECRET_KEY="k" * 50, BESLUIT_DATA_DIR=str(data)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0o77"
    assert mode(data) == 0o700


def test_static_root_outside_the_data_directory_stays_readable_for_a_web_server(tmp_path):
    static = tmp_path / "static"
    code = "import os; os.umask(0o022); import besluit.wsgi"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=without_key_env(
            BESLUIT_SECRET_KEY="k" * 50,
            BESLUIT_DATA_DIR=str(tmp_path / "data"),
            BESLUIT_STATIC_ROOT=str(static),
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert mode(static) == 0o755 and mode(tmp_path / "data") == 0o700


# --- b. a fixed fallback secret key -------------------------------------------------------


@pytest.mark.parametrize("command", ["serve", "migrate", "createuser"])
def test_start_without_secret_key_is_refused(tmp_path, command):
    result = subprocess.run(
        [sys.executable, "-m", "besluit.cli", command],
        env=without_key_env(BESLUIT_DATA_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert f"besluit {command}: BESLUIT_SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("key", ["", "insecure-demo-key-change-me-" + "x" * 32])
def test_asgi_application_without_a_real_secret_key_does_not_load(tmp_path, key):
    result = subprocess.run(
        [sys.executable, "-c", "import besluit.asgi"],
        env=without_key_env(BESLUIT_DATA_DIR=str(tmp_path), BESLUIT_SECRET_KEY=key),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: BESLUIT_SECRET_KEY is" in result.stderr


def test_demo_makes_its_own_random_key_once_and_keeps_it_private(tmp_path):
    key = startup.demo_secret_key(tmp_path / "demo")
    assert len(key) >= 50 and not key.startswith(startup.KNOWN_INSECURE_PREFIX)
    assert startup.demo_secret_key(tmp_path / "demo") == key
    assert mode(tmp_path / "demo" / startup.SECRET_KEY_FILE_NAME) == 0o600
    assert mode(tmp_path / "demo") == 0o700
    assert startup.demo_secret_key(tmp_path / "other") != key


# --- c. usernames of other associations learnt from "taken" -----------------------------


def _person(username: str, member) -> dict:
    return {
        "username": username,
        "first_name": "Fatima",
        "last_name": "El Amrani",
        "password": "Kwelder-Oog-2027!",
        "kind": "representative",
        "member": member.pk,
        "function": "council_member",
    }


@pytest.mark.django_db
def test_secretariat_cannot_learn_usernames_of_another_association(
    client, association, secretariat, settings
):
    other = factories.make_association(2, slug="ander")
    other_secretariat = factories.make_user("ander-secretariaat", other, Role.Kind.SECRETARIAT)
    client.force_login(other_secretariat)
    client.post(f"/{other.slug}/mensen/", _person("j.jansen", factories.member(other, 0)))
    client.force_login(secretariat)
    url = f"/{association.slug}/mensen/"

    def attempt(name: str) -> tuple[int, str]:
        with translation.override("en"):
            response = client.post(url, _person(name, factories.member(association, 1)))
        errors = response.context["form"].errors.get("username", []) if response.context else []
        return response.status_code, " ".join(errors)

    # A name another association uses and one nobody uses: the same answer.
    assert attempt("j.jansen")[0] == attempt("nobody-has-this")[0] == 302
    # Spelling out another association's namespace is refused whether the name exists or not.
    assert attempt("j.jansen@ander") == attempt("nobody@ander")
    assert attempt("j.jansen@ander")[0] == 400
    # And the people made here live in this association's namespace.
    assert User.objects.filter(username=f"j.jansen@{association.slug}").exists()
    assert User.objects.filter(username="j.jansen@ander").exists()


# --- d. a 60 KB query string repeated in the Link header --------------------------------


@pytest.mark.django_db
def test_link_header_does_not_repeat_unknown_query_keys(client, association, secretariat):
    client.force_login(secretariat)
    junk = "x" * 1500
    response = client.get(
        f"/api/v1/associations/{association.slug}/members",
        {"junk": junk, "province": "Utrecht", "pageSize": 1, "sort": "-name"},
    )
    assert response.status_code == 200
    link = response["Link"]
    assert "junk" not in link and junk not in link
    assert "province=Utrecht" in link and "sort=-name" in link


@pytest.mark.django_db
def test_sixty_kilobyte_query_string_is_refused_with_414(client, association, secretariat):
    client.force_login(secretariat)
    response = client.get("/api/v1/meetings", {"junk": "x" * 60_000})
    assert response.status_code == 414
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/uri-too-long")
    assert "Link" not in response


# --- e. static files without the security headers ----------------------------------------

PAGE_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/static/besluit/besluit.css", "/static/ninja/swagger-ui-bundle.js", "/accounts/login/"],
)
def test_static_files_carry_the_same_security_headers_as_pages(client, path):
    response = client.get(path)
    assert response.status_code == 200
    for name in PAGE_HEADERS:
        assert response.has_header(name), name
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_edge_answers_carry_the_same_security_headers():
    from besluit.edge.http import SECURITY_HEADERS

    assert {name.decode().lower() for name, _ in SECURITY_HEADERS} >= {
        name.lower() for name in PAGE_HEADERS
    }


# --- f. API docs that load scripts from a CDN the CSP blocks ------------------------------


@pytest.mark.django_db
def test_api_docs_load_only_same_origin_assets_allowed_by_the_csp(client):
    import json
    from html.parser import HTMLParser

    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "http" not in csp

    class Assets(HTMLParser):
        def __init__(self):
            super().__init__()
            self.urls, self.inline, self.in_json, self.json = [], [], False, ""

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "script" and a.get("src"):
                self.urls.append(a["src"])
            elif tag == "script":
                self.inline.append(a.get("type"))
                self.in_json = a.get("type") == "application/json"
            elif tag in ("link", "img", "iframe") and (a.get("href") or a.get("src")):
                self.urls.append(a.get("href") or a.get("src"))
            if "style" in a:
                self.inline.append("style attribute")

        def handle_data(self, data):
            if self.in_json:
                self.json += data

        def handle_endtag(self, tag):
            self.in_json = False

    page = Assets()
    page.feed(response.content.decode())
    assert page.urls, "the docs page loads its assets"
    for url in page.urls:
        # Same origin: a path, never a scheme or a protocol-relative //host.
        assert url.startswith("/") and not url.startswith("//"), url
        assert client.get(url).status_code == 200, url
    # No inline code the CSP would block: only the settings, as data.
    assert page.inline == ["application/json"]
    assert json.loads(page.json)["validatorUrl"] is None


# --- g. zip bombs and pathological Markdown in the text import -----------------------------


def _docx(parts: dict[str, bytes], stored: dict[str, bytes] | None = None) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        for name, data in parts.items():
            archive.writestr(name, data)
        for name, data in (stored or {}).items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


@pytest.fixture
def docx_calls(monkeypatch):
    import docx

    calls = []
    monkeypatch.setattr(docx, "Document", lambda *a, **k: calls.append(a))
    return calls


def test_docx_zip_bomb_within_the_ratio_is_refused_before_python_docx_parses_it(docx_calls):
    from besluit.core import text_import as ci

    paragraph = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"
    xml = paragraph * (ci.MAX_XML_BYTES // len(paragraph) + 1)
    # Enough incompressible weight that the archive stays under the unpack ratio.
    padding = os.urandom(len(xml) // (ci.MAX_RATIO - 10))
    data = _docx({"word/document.xml": xml}, stored={"word/media/image1.png": padding})
    assert len(xml) + len(padding) < ci.MAX_RATIO * len(data)
    with pytest.raises(ci.ImportRefused) as refused:
        ci.from_docx(data)
    assert refused.value.template.startswith("The document's text unpacks to more than")
    assert docx_calls == []


def test_docx_with_thousands_of_parts_is_refused_before_python_docx_reads_it(docx_calls):
    from besluit.core import text_import as ci

    parts = {"word/document.xml": b"<w:document/>"}
    parts.update({f"word/media/{i}.bin": b"" for i in range(ci.MAX_ENTRIES)})
    with pytest.raises(ci.ImportRefused) as refused:
        ci.from_docx(_docx(parts))
    assert refused.value.params == {"limit": ci.MAX_ENTRIES}
    assert docx_calls == []


@pytest.mark.parametrize(
    "text",
    [
        "[" * 500_000,  # the review's 10 seconds
        "Een [" * 30_001,  # short enough, but too much markup for its size
        "*a" * 30_001,
        "x" * 2_000_001,
    ],
    ids=["brackets", "brackets-in-prose", "emphasis", "size"],
)
def test_pathological_markdown_is_refused_before_it_is_parsed(monkeypatch, text):
    from markdown_it import MarkdownIt

    from besluit.core import text_import as ci

    parsed = []
    monkeypatch.setattr(MarkdownIt, "parse", lambda self, src, env=None: parsed.append(src))
    with pytest.raises(ci.ImportRefused):
        ci.from_markdown(text)
    assert parsed == []


def test_ordinary_markdown_with_markup_still_imports():
    from besluit.core import text_import as ci

    text = ("De ALV besluit **vast te stellen** met *inachtneming* van [het advies](x).\n\n") * 500
    assert len(ci.from_markdown(text).document.blocks) == 500


@pytest.mark.django_db
def test_markdown_refusal_reaches_the_user_as_a_clear_message(association, secretariat, meeting):
    from besluit.errors import ValidationFailed
    from besluit.texts.services import do_import_draft

    proposal = factories.make_proposal(meeting)
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        do_import_draft(actor=secretariat, proposal=proposal, filename="t.md", data=b"[" * 500_000)
    assert refused.value.field == "file"
    assert refused.value.message.startswith("The text holds more than 30000 markup characters")


# --- h. unbounded event streams per user, slow clients never cut off ----------------------


def _stream_scope(meeting, user) -> dict:
    from django.conf import settings as django_settings
    from django.test import Client

    browser = Client()
    browser.force_login(user)
    session = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    return {
        "type": "http",
        "method": "GET",
        "path": f"/live/meetings/{meeting.pk}/events",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={session}".encode()),
        ],
    }


async def _never_disconnects():
    await asyncio.Event().wait()


@pytest.fixture
def stream_setup(transactional_db, settings):
    association = factories.make_association(3, slug="streams")
    user = factories.make_user(
        "kijker", association, Role.Kind.REPRESENTATIVE, member=factories.member(association, 0)
    )
    meeting = factories.make_meeting(association)
    return meeting, user, _stream_scope(meeting, user)


def test_one_user_cannot_hold_more_streams_than_the_cap(stream_setup, settings):
    from besluit.edge import events
    from besluit.live.bus import hub

    settings.BESLUIT_MAX_STREAMS_PER_USER = 2
    meeting, user, scope = stream_setup

    async def scenario():
        async def open_stream():
            sent, started = [], asyncio.Event()

            async def send(message):
                sent.append(message)
                if message.get("body", b"").startswith(b"retry:"):
                    started.set()

            task = asyncio.ensure_future(events.stream(scope, _never_disconnects, send, meeting.pk))
            # A guard against hanging (a refused stream never starts), not a measurement.
            await asyncio.wait_for(started.wait(), 30)
            return task, sent

        (first, first_sent), (second, _) = await open_stream(), await open_stream()
        assert hub.count_user(user.pk) == 2 and not first.done()
        third, _ = await open_stream()
        await asyncio.wait_for(first, 30)  # a guard against hanging, not a measurement
        # The oldest stream was ended properly (its EventSource reconnects), the others live.
        assert first_sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}
        assert not second.done() and not third.done()
        assert hub.count_user(user.pk) == 2
        for task in (second, third):
            task.cancel()
        await asyncio.gather(second, third, return_exceptions=True)

    aio.run(scenario())


def test_client_that_stops_reading_is_cut_off_when_its_queue_is_full(stream_setup):
    from besluit.edge import events
    from besluit.live.bus import hub

    meeting, _user, scope = stream_setup

    async def scenario():
        sent, stuck = [], asyncio.Event()

        async def send(message):
            sent.append(message)
            if message.get("body", b"").startswith(b"retry:"):
                stuck.set()
                await asyncio.Event().wait()  # the client's window is full: never returns

        task = asyncio.ensure_future(events.stream(scope, _never_disconnects, send, meeting.pk))
        await asyncio.wait_for(stuck.wait(), 30)  # a guard against hanging
        for _ in range(1001):  # one more than the stream's queue holds
            hub.deliver_formatted(meeting.pk, (None, b": ping\n\n"))
        await asyncio.wait_for(task, 30)  # a guard against hanging, not a measurement
        assert hub.count(meeting.pk) == 0
        assert not any(m.get("more_body") is False for m in sent)  # nothing more for it

    aio.run(scenario())


# --- i. 409 answers of reads before the close, missing from the OpenAPI document -----------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/polls/{poll_id}/bundle", "/polls/{poll_id}/results"])
def test_openapi_declares_the_409_of_results_and_bundle_before_the_close(client, path):
    doc = client.get("/api/v1/openapi.json").json()
    responses = doc["paths"][path]["get"]["responses"]
    conflict = responses["409"]
    ref = conflict["$ref"].rsplit("/", 1)[-1]
    content = doc["components"]["responses"][ref]["content"]
    assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "414" in responses
