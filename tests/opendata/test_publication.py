"""Publication metadata: publiccode.yml (standard 0.4, required fields), licence, changelog."""

import re
from datetime import date
from pathlib import Path

import yaml

import besluit

ROOT = Path(__file__).resolve().parents[2]
# The categories the publiccode.yml standard defines (a subset: the ones that can fit us).
KNOWN_CATEGORIES = {
    "collaboration",
    "communications",
    "document-management",
    "event-management",
    "knowledge-management",
    "survey",
    "workflow-management",
    "digital-citizenship",
}
DEVELOPMENT_STATUS = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPES = {
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
}


def test_publiccode_yml_has_the_required_fields():
    doc = yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))
    for key in (
        "publiccodeYmlVersion",
        "name",
        "url",
        "platforms",
        "categories",
        "developmentStatus",
        "softwareType",
        "description",
        "legal",
        "maintenance",
        "localisation",
    ):
        assert doc.get(key), key
    assert doc["publiccodeYmlVersion"] == "0.4"
    assert doc["url"].startswith("https://")
    assert set(doc["categories"]) <= KNOWN_CATEGORIES
    assert doc["developmentStatus"] in DEVELOPMENT_STATUS
    assert doc["softwareType"] in SOFTWARE_TYPES
    assert doc["softwareVersion"] == besluit.__version__
    date.fromisoformat(doc["releaseDate"])
    for language, text in doc["description"].items():
        assert re.fullmatch(r"[a-z]{2}", language)
        assert text["shortDescription"] and len(text["shortDescription"]) <= 150
        assert 150 <= len(text["longDescription"]) <= 10_000
        assert text["features"]
    assert doc["legal"]["license"] == "EUPL-1.2"
    assert doc["maintenance"]["type"] in {"internal", "contract", "community", "none"}
    if doc["maintenance"]["type"] in {"internal", "community"}:
        assert all(c["name"] for c in doc["maintenance"]["contacts"])
    assert isinstance(doc["localisation"]["localisationReady"], bool)
    assert doc["localisation"]["availableLanguages"]


def test_licence_and_changelog():
    assert "EUROPEAN UNION PUBLIC LICENCE v. 1.2" in (ROOT / "LICENSE").read_text()
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog
    assert f"## [{besluit.__version__}]" in changelog
