"""The smaller findings of the security review (issue 12, item 8), one attack per test."""

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
from tests import factories


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
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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
