"""Parse a CSV of people to create in one association: representatives and officers.

Header row (any order, case-insensitive, comma or semicolon separated), Dutch or
English: ``naam`` (name), ``e-mail`` (email), ``lidcode``/``gemeentecode`` (member
code), ``functie`` (function), ``rol`` (role), optionally ``gebruikersnaam``
(username). All-or-nothing like the members register (core.register_csv): every
problem is collected with its line and field, and one PeopleImportError is raised.
Pure Python: the service (accounts.people) checks what needs the database.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from besluit.core import safetext
from besluit.core.register_csv import ImportProblem, _decode, _delimiter

MAX_ROWS = 5_000

COLUMNS = {
    "name": ("naam", "name"),
    "email": ("e-mail", "email", "emailadres", "e-mailadres"),
    "member": ("lidcode", "gemeentecode", "member", "membercode", "member code", "lid"),
    "function": ("functie", "function"),
    "role": ("rol", "role"),
    "username": ("gebruikersnaam", "username"),
}
REQUIRED = ("name", "email", "role")

FUNCTIONS = {
    "burgemeester": "mayor",
    "mayor": "mayor",
    "wethouder": "alderman",
    "alderman": "alderman",
    "raadslid": "council_member",
    "council_member": "council_member",
    "council member": "council_member",
    "gemeentesecretaris": "secretary",
    "secretaris": "secretary",
    "secretary": "secretary",
    "griffier": "clerk",
    "clerk": "clerk",
}
ROLES = {
    "vertegenwoordiger": "representative",
    "representative": "representative",
    "secretariaat": "secretariat",
    "secretariat": "secretariat",
    "voorzitter": "chair",
    "chair": "chair",
    "bestuur": "board",
    "bestuurslid": "board",
    "board": "board",
    "waarnemer": "observer",
    "observer": "observer",
}

_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
_USERNAME = re.compile(r"^[\w.+-]+$")


@dataclass(frozen=True)
class PersonRow:
    line: int
    first_name: str
    last_name: str
    email: str
    member: str  # a member code, upper case, or ""
    function: str  # a Role.Function value or ""
    role: str  # a Role.Kind value
    username: str  # without the association's part


class PeopleImportError(ValueError):
    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def split_name(name: str) -> tuple[str, str]:
    """'Femke Halsema' -> ('Femke', 'Halsema'); 'Jan van der Berg' -> ('Jan', 'van der Berg')."""
    parts = name.split()
    if len(parts) < 2:
        return name.strip(), ""
    return parts[0], " ".join(parts[1:])


def default_username(email: str) -> str:
    """The e-mail address with its '@' as '.': unique wherever the address is."""
    return email.lower().replace("@", ".")


def parse_people(data: bytes) -> list[PersonRow]:
    try:
        text = _decode(data)
    except ValueError as exc:  # RegisterImportError
        raise PeopleImportError(list(getattr(exc, "problems", ()))) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    if not rows:
        raise PeopleImportError([ImportProblem(None, None, "the file is empty")])
    header_line, header = rows[0]
    columns: dict[str, int] = {}
    folded = [h.strip().lower().lstrip("\ufeff") for h in header]
    for role, names in COLUMNS.items():
        for index, h in enumerate(folded):
            if h in names:
                columns[role] = index
    missing = [COLUMNS[r][0] for r in REQUIRED if r not in columns]
    if missing:
        raise PeopleImportError(
            [ImportProblem(header_line, None, f"missing column(s): {', '.join(missing)}")]
        )
    if len(rows) - 1 > MAX_ROWS:
        raise PeopleImportError([ImportProblem(None, None, f"more than {MAX_ROWS} rows")])
    problems: list[ImportProblem] = []
    people: list[PersonRow] = []
    seen: dict[str, int] = {}
    for line, record in rows[1:]:
        row_problems: list[ImportProblem] = []

        def value(role: str, record=record) -> str:
            index = columns.get(role)
            return record[index].strip() if index is not None and index < len(record) else ""

        def bad(field: str, message: str, line=line, row_problems=row_problems) -> None:
            row_problems.append(ImportProblem(line, COLUMNS[field][0], message))

        text_problem = safetext.first_problem(list(record))
        if text_problem:
            problems.append(ImportProblem(line, None, text_problem))
            continue
        name, email = value("name"), value("email")
        if not name:
            bad("name", "a name is required")
        elif len(name) > 150:
            bad("name", "a name has at most 150 characters")
        if not _EMAIL.match(email) or len(email) > 254:
            bad("email", f"not an e-mail address: {email!r}")
        role = ROLES.get(value("role").lower())
        if role is None:
            bad(
                "role",
                f"unknown role {value('role')!r}; one of: {', '.join(sorted(set(ROLES.values())))}",
            )
        raw_function = value("function").lower()
        function = FUNCTIONS.get(raw_function, "") if raw_function else ""
        if raw_function and not function:
            bad("function", f"unknown function {value('function')!r}")
        member = value("member").upper()
        if role == "representative":
            if not member:
                bad("member", "a representative acts for a member: give its code")
            if not function:
                bad("function", "a representative needs a function (burgemeester, wethouder, ...)")
        elif role is not None and member:
            bad("member", "only representatives act for a member")
        username = value("username") or default_username(email)
        if not _USERNAME.match(username) or len(username) > 100 or "@" in username:
            bad("username", f"not a valid username: {username!r}")
        elif username.lower().startswith("stemcode"):
            bad("username", "this username is reserved for voting codes")
        elif username.lower() in seen:
            bad("username", f"the same username as line {seen[username.lower()]}: {username}")
        seen.setdefault(username.lower(), line)
        if row_problems:
            problems.extend(row_problems)
            continue
        first, last = split_name(name)
        people.append(PersonRow(line, first, last, email, member, function, role or "", username))
    if problems:
        raise PeopleImportError(problems)
    return people
