"""The Dutch catalogue: complete, compiled, placeholders intact, and actually used.

Dutch is the default language; the source strings are English. The compiled .mo is
committed (CI machines need not have GNU gettext), so these tests check that it is a
fresh compile of the .po. Only the last test needs gettext (xgettext), and it skips
with a reason when gettext is missing. Update the catalogue with
``scripts/update-translations``.
"""

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

import besluit
from besluit.associations.models import Role
from tests import factories

PACKAGE = Path(besluit.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
NL_PO = LOCALE / "nl" / "LC_MESSAGES" / "django.po"
NL_MO = NL_PO.with_suffix(".mo")
ALL_PO = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))
UPDATE = "run scripts/update-translations"

# A printf-style directive as Python's % operator reads it (named or positional).
PY_FORMAT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]"
)
BRACE_FORMAT = re.compile(r"\{[A-Za-z_][\w.]*\}|\{\d*\}")
TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def _po_id(path: Path) -> str:
    return str(path.relative_to(LOCALE))


def _key(entry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None)


def _pairs(entry) -> list[tuple[str, str]]:
    """(source, translation) pairs: msgid/msgstr, or msgid/msgstr[0] and plural/msgstr[1]."""
    if not entry.msgid_plural:
        return [(entry.msgid, entry.msgstr)]
    forms = entry.msgstr_plural
    return [(entry.msgid, forms.get(0, ""))] + [
        (entry.msgid_plural, forms[i]) for i in sorted(forms) if i > 0
    ]


def _translations(catalog) -> dict[tuple, tuple]:
    return {
        _key(e): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in catalog
        if e.msgid and not e.obsolete
    }


def _where(entry) -> str:
    return ", ".join(f"{f}:{n}" for f, n in entry.occurrences[:2]) or "?"


def test_dutch_catalogue_exists():
    assert NL_PO.is_file(), f"{NL_PO} is missing: {UPDATE}"
    assert NL_MO.is_file(), f"{NL_MO} is missing: {UPDATE}"


def test_compiled_catalogue_is_not_git_ignored():
    git = shutil.which("git")
    if not git or not (PACKAGE.parents[1] / ".git").exists():
        pytest.skip("no git, or not a git checkout: nothing can ignore the .mo file")
    result = subprocess.run(
        [git, "check-ignore", "-q", str(NL_MO)], cwd=PACKAGE, capture_output=True
    )
    assert result.returncode == 1, f"git ignores {NL_MO}; it must be committed"


@pytest.mark.parametrize("po_path", ALL_PO, ids=_po_id)
def test_committed_mo_is_a_fresh_compile_of_the_po(po_path, tmp_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.is_file(), f"{mo_path} is missing: {UPDATE}"
    fresh = tmp_path / "fresh.mo"
    po = polib.pofile(str(po_path))
    po.save_as_mofile(str(fresh))
    committed, expected = polib.mofile(str(mo_path)), polib.mofile(str(fresh))

    have, want = _translations(committed), _translations(expected)
    stale = sorted((k[1] for k in want.keys() | have.keys() if have.get(k) != want.get(k)), key=str)
    assert not stale, (
        f"{mo_path.name} is out of date with {po_path.name} ({len(stale)} entries differ, "
        f"e.g. {stale[:5]}): {UPDATE} --compile-only"
    )
    for header in ("Plural-Forms", "Content-Type", "Language"):
        assert committed.metadata.get(header) == po.metadata.get(header), header


@pytest.mark.parametrize("po_path", ALL_PO, ids=_po_id)
def test_every_entry_is_translated_and_none_is_fuzzy(po_path):
    po = polib.pofile(str(po_path))
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"
    assert po.metadata.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"
    assert po.metadata.get("Content-Type") == "text/plain; charset=UTF-8"
    untranslated = [f"{e.msgid!r} ({_where(e)})" for e in po.untranslated_entries()]
    fuzzy = [f"{e.msgid!r} ({_where(e)})" for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated: " + "; ".join(untranslated)
    assert not fuzzy, f"{len(fuzzy)} fuzzy: " + "; ".join(fuzzy)
    for entry in po.translated_entries():
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0, 1], f"{entry.msgid!r}: two plural forms"


def _placeholder_problems(entry) -> list[str]:
    problems = []
    for source, translation in _pairs(entry):
        if not translation:
            continue  # reported as untranslated

        def named(s):
            return Counter(m.group(0) for m in PY_FORMAT.finditer(s) if m.group("name"))

        def positional(s):
            return [m.group(0) for m in PY_FORMAT.finditer(s) if m.group("name") is None]

        checks = [
            # %(name)s is checked everywhere: a string formatted with a dict need not
            # carry the python-format flag.
            ("%(name)s placeholders", named(source), named(translation)),
            (
                "HTML tags",
                Counter(HTML_TAG.findall(source)),
                Counter(HTML_TAG.findall(translation)),
            ),
            (
                "template syntax",
                Counter(TEMPLATE_SYNTAX.findall(source)),
                Counter(TEMPLATE_SYNTAX.findall(translation)),
            ),
        ]
        if "python-format" in entry.flags:
            # %s, %d and %% in the same order; blocktranslate strings are python-format.
            checks.append(("% directives", positional(source), positional(translation)))
        if "python-brace-format" in entry.flags or BRACE_FORMAT.search(source):
            checks.append(
                (
                    "{} placeholders",
                    Counter(BRACE_FORMAT.findall(source)),
                    Counter(BRACE_FORMAT.findall(translation)),
                )
            )
        for what, want, have in checks:
            if want != have:
                problems.append(f"{what} differ in {source!r} -> {translation!r} ({_where(entry)})")
    return problems


@pytest.mark.parametrize("po_path", ALL_PO, ids=_po_id)
def test_placeholders_match_between_msgid_and_msgstr(po_path):
    po = polib.pofile(str(po_path))
    problems = [p for entry in po.translated_entries() for p in _placeholder_problems(entry)]
    assert not problems, "\n".join(problems)


def test_placeholder_check_catches_mistakes():
    """The check above would notice a dropped, renamed or added placeholder."""
    ok = polib.POEntry(msgid="%(n)s of <b>%(total)s</b>", msgstr="%(n)s van <b>%(total)s</b>")
    ok.flags.append("python-format")
    assert _placeholder_problems(ok) == []
    for wrong in ("%(n)s van <b>%(totaal)s</b>", "%(n)s van %(total)s", "%(n)s van <b>%s</b>"):
        entry = polib.POEntry(msgid=ok.msgid, msgstr=wrong, flags=["python-format"])
        assert _placeholder_problems(entry), wrong
    plural = polib.POEntry(
        msgid="%(counter)s member",
        msgid_plural="%(counter)s members",
        msgstr_plural={0: "%(counter)s lid", 1: "leden"},
        flags=["python-format"],
    )
    assert _placeholder_problems(plural)


# --- the catalogue is used ---------------------------------------------------------


@pytest.fixture
def association(db):
    return factories.make_association(3)


@pytest.fixture
def secretariat_client(client, association):
    user = factories.make_user("secretariaat", association, Role.Kind.SECRETARIAT)
    client.force_login(user)
    return client


def _title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match, "the page has no <title>"
    return match.group(1).strip()


def test_dutch_is_the_default_language():
    assert settings.LANGUAGE_CODE == "nl"
    assert NL_PO.parent.parent.parent in {Path(p).resolve() for p in settings.LOCALE_PATHS}


@pytest.mark.django_db
def test_login_page_is_dutch_by_default(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nl"' in html
    assert _title(response).startswith("Inloggen ·")
    assert ">Inloggen</h1>" in html
    assert "Log in" not in html


@pytest.mark.django_db
def test_login_page_in_english_by_the_readers_choice(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("login"), headers={"Accept-Language": "nl"})
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert ">Log in</h1>" in html
    assert "Inloggen" not in html


def test_members_page_is_dutch_by_default(secretariat_client, association):
    response = secretariat_client.get(reverse("web:members", args=[association.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl"' in html
    assert _title(response).startswith("Leden ·")
    assert ">Ledenregister</h1>" in html
    assert "Members register" not in html


def test_members_page_in_english_by_the_readers_choice(secretariat_client, association):
    url = reverse("web:members", args=[association.slug])
    secretariat_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = secretariat_client.get(url)
    assert _title(response).startswith("Members ·")
    assert ">Members register</h1>" in response.content.decode()


def test_switching_language_with_the_header_button(secretariat_client, association):
    """The Nederlands/English buttons in the page header post to set_language."""
    url = reverse("web:members", args=[association.slug])
    response = secretariat_client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    assert secretariat_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert _title(secretariat_client.get(url)).startswith("Members ·")

    secretariat_client.post(reverse("set_language"), {"language": "nl", "next": url})
    assert _title(secretariat_client.get(url)).startswith("Leden ·")


def test_language_cookie_wins_over_accept_language(secretariat_client, association):
    url = reverse("web:members", args=[association.slug])
    secretariat_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = secretariat_client.get(url, headers={"Accept-Language": "nl"})
    assert _title(response).startswith("Members ·")


def test_plural_forms_are_used():
    from django.utils import translation

    with translation.override("nl"):
        one = translation.ngettext("%(counter)s member", "%(counter)s members", 1)
        many = translation.ngettext("%(counter)s member", "%(counter)s members", 3)
    assert (one, many) == ("%(counter)s lid", "%(counter)s leden")


# --- every string in the source is in the catalogue --------------------------------

GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge", "msgattrib")


def test_every_source_string_is_in_the_catalogue(tmp_path, settings, monkeypatch):
    """makemessages on a copy of the source finds no msgid the committed .po lacks."""
    absent = [tool for tool in GETTEXT_TOOLS if not shutil.which(tool)]
    if absent:
        pytest.skip(
            f"GNU gettext is not installed ({', '.join(absent)} missing), so the source "
            "cannot be scanned for strings missing from the catalogue; the other "
            "translation tests do not need gettext"
        )
    # Work on a copy, so that makemessages never writes into the source tree (it puts
    # temporary files next to the templates and would update the real catalogue).
    source = tmp_path / "besluit"
    shutil.copytree(
        PACKAGE,
        source,
        ignore=shutil.ignore_patterns("locale", "vendor", "__pycache__", "var", "*.pyc"),
    )
    out = tmp_path / "locale"
    settings.LOCALE_PATHS = [str(out)]
    monkeypatch.chdir(source)
    call_command(
        "makemessages",
        locale=["nl"],
        domain="django",
        ignore_patterns=["static/vendor/*"],
        keep_pot=True,
        verbosity=0,
    )
    pot = polib.pofile(str(out / "django.pot"))
    found = {_key(e): e for e in pot if e.msgid}
    assert len(found) > 100, "makemessages found suspiciously few strings"
    committed = {_key(e) for e in polib.pofile(str(NL_PO)) if not e.obsolete}
    missing = [
        f"{e.msgid!r} ({_where(e)})"
        for k, e in sorted(found.items(), key=str)
        if k not in committed
    ]
    assert not missing, (
        f"{len(missing)} source strings are not in {NL_PO.name}; {UPDATE} and translate "
        "them:\n" + "\n".join(missing)
    )


# --- every marked Python string has its Dutch, without GNU gettext ------------------

MARKERS = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}
PLURAL_MARKERS = {"ngettext", "ngettext_lazy", "npgettext", "npgettext_lazy"}


def _literal(node) -> str | None:
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _marked_strings() -> dict[str, str]:
    """msgid -> where, for every gettext call with a literal in the Python source."""
    import ast

    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            context_first = name in {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
            args = node.args[1:] if context_first else node.args
            if name in MARKERS | PLURAL_MARKERS and args:
                text = _literal(args[0])
                if text:
                    found.setdefault(text, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_every_marked_python_string_has_a_dutch_translation():
    """Also where GNU gettext is missing (the makemessages test above then skips): each
    literal passed to gettext, gettext_lazy, gettext_noop (the pure core's marker) or
    ngettext is in the Dutch catalogue with a translation."""
    translated = {e.msgid for e in polib.pofile(str(NL_PO)).translated_entries()}
    found = _marked_strings()
    assert len(found) > 300, "the scan found suspiciously few strings"
    missing = [f"{msgid!r} ({where})" for msgid, where in found.items() if msgid not in translated]
    assert not missing, (
        f"{len(missing)} marked strings have no Dutch translation; {UPDATE}:\n" + "\n".join(missing)
    )
