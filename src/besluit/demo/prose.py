"""The demo's own words, read from the data files in ``content/``.

The demo's content is Dutch (the association's words, not interface text) and
most of it is prose; it lives in TOML and Markdown files beside the code, so
that the loaders hold only the logic. TOML's multi-line strings join a line
ending in a backslash to the next, which keeps long sentences readable.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

AMS = ZoneInfo("Europe/Amsterdam")


def text(name: str) -> str:
    """The text of ``content/<name>`` (Markdown files, read as they are)."""
    return (files("besluit.demo") / "content" / name).read_text(encoding="utf-8")


@cache
def table(name: str) -> dict[str, Any]:
    """The parsed ``content/<name>`` TOML file (cached and shared: do not change it)."""
    return tomllib.loads(text(name))


def local(value: datetime) -> datetime:
    """A TOML local date-time, as Amsterdam time."""
    return value.replace(tzinfo=AMS)
