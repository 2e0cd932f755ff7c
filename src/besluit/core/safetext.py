"""Text that every input is checked against before it reaches a query.

PostgreSQL refuses a NUL (U+0000) in any text or JSON value, and a lone surrogate
(U+D800 to U+DFFF, which JSON's ``\\ud800`` escapes can produce) cannot be encoded
to UTF-8 at all: either fails the whole statement, and with it every other row of
the statement (a batch of ballots). Other C0 control characters are stored but
have no business in a title or a key. Tab, line feed and carriage return stay
allowed: multi-line fields need them. Pure Python: the API's schemas, the ballot
edge and voting.casting all call it.
"""

import re

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def first_forbidden(text: str) -> tuple[int, str] | None:
    """The position (from 0) and the first refused character, or None."""
    match = _FORBIDDEN.search(text)
    return None if match is None else (match.start(), match.group())


def problem(text: str) -> str:
    """Why ``text`` is refused ("" when acceptable): the first bad character, counted from 1."""
    match = _FORBIDDEN.search(text)
    if match is None:
        return ""
    char = match.group()
    kind = "a lone surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
    return f"Contains {kind} (U+{ord(char):04X}) at position {match.start() + 1}."


def is_clean(text: str) -> bool:
    return _FORBIDDEN.search(text) is None


def first_problem(value) -> str:
    """The first refused string anywhere in ``value`` (strings, lists, dicts), or ""."""
    if isinstance(value, str):
        return problem(value)
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            if found := first_problem(item):
                return found
    return ""
