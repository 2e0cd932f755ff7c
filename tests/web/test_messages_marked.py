"""Every message a person reads goes through gettext: a scan of the source for
messages written as bare strings.

It reads every module of ``src/besluit`` (without importing it) and looks at the calls
that carry a message to a reader: the domain errors (``ValidationFailed``,
``Conflict``, ``PermissionDenied``, ``NotFound``, ``NotVisible``, ``DomainError``),
Django's ``ValidationError`` and ``PermissionDenied`` (the 403 page shows its
message), ``messages.success/info/warning/error``, ``form.add_error`` and
``access.require``. A literal
string or f-string as the message fails the test: wrap it in ``_()`` / ``gettext`` /
``gettext_lazy`` with named placeholders (``_("... %(name)s") % {"name": ...}``), so
that the catalogue has it and tests/web/test_translations.py makes sure it is Dutch.
"""

import ast
from pathlib import Path

import besluit

PACKAGE = Path(besluit.__file__).resolve().parent

RAISED = {
    "ValidationFailed",
    "Conflict",
    "PermissionDenied",
    "NotFound",
    "NotVisible",
    "DomainError",
    "ValidationError",
}
MESSAGES = {"success", "info", "warning", "error", "debug", "add_message"}

# Where a bare message is right, and why.
ALLOWED_DIRS = {
    # The pure core imports no Django: it marks its messages with core.messages.
    "core",
    # Migrations are history; the demo loader writes its own (Dutch) content.
    "migrations",
    # The API and the edge answer programs, which read the stable `code` and `type` of a
    # problem; their own few `detail`s (an unknown sort key, a missing poll) stay English
    # for now, while what they pass on from the services comes in the reader's language
    # (Dutch unless the language cookie says otherwise).
    "api",
    "edge",
    # Management commands speak to an operator in a terminal (English, like Django's).
    "management",
}
ALLOWED_MODULES: set[str] = set()  # none at present; name a module and say why


def _is_bare_text(node: ast.AST) -> bool:
    """A literal string, an f-string, or text glued with + or %: not translated."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(node.value.strip())
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _is_bare_text(node.left)
    return False


def _name(func: ast.AST) -> tuple[str | None, str | None]:
    if isinstance(func, ast.Name):
        return None, func.id
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return owner, func.attr
    return None, None


def _message_argument(call: ast.Call) -> ast.AST | None:
    owner, name = _name(call.func)
    args = list(call.args)
    keywords = {k.arg: k.value for k in call.keywords}
    if name in RAISED and owner in (None, "errors", "exceptions", "forms"):
        return args[0] if args else keywords.get("message")
    if owner == "messages" and name in MESSAGES:
        if name == "add_message":
            return args[2] if len(args) > 2 else keywords.get("message")
        return args[1] if len(args) > 1 else keywords.get("message")
    if name == "add_error":
        return args[1] if len(args) > 1 else keywords.get("error")
    if owner == "access" and name == "require":  # access.require(allowed, message)
        return args[1] if len(args) > 1 else keywords.get("message")
    return None


def _allowed(path: Path) -> bool:
    relative = path.relative_to(PACKAGE)
    return bool(ALLOWED_DIRS & set(relative.parts[:-1])) or str(relative) in ALLOWED_MODULES


def bare_messages(source: str, filename: str = "<string>") -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call):
            argument = _message_argument(node)
            if argument is not None and _is_bare_text(argument):
                found.append(f"{filename}:{node.lineno}: {ast.unparse(argument)[:70]}")
    return found


def test_no_message_to_a_reader_is_a_bare_string():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if not _allowed(path):
            found += bare_messages(path.read_text(), str(path.relative_to(PACKAGE)))
    assert not found, (
        f"{len(found)} messages to a reader are not marked for translation "
        "(wrap them in gettext with %(name)s placeholders):\n" + "\n".join(found)
    )


def test_the_scan_catches_what_it_should():
    bad = """
raise ValidationFailed("A meeting needs a title.", field="title")
raise Conflict(f"Agenda item {number} exists already.")
raise errors.NotFound("No such poll: " + str(pk))
messages.success(request, "Saved.")
access.require(allowed, "Only the chair may do this.")
form.add_error("title", "Too long.")
raise ValidationError("Not a date.")
"""
    good = """
raise ValidationFailed(_("A meeting needs a title."), field="title")
raise Conflict(_("Agenda item %(number)s exists already.") % {"number": number})
messages.success(request, gettext("Saved."))
form.add_error("title", message)
raise ValidationFailed(str(exc), field="quote")
raise Http404("never shown: the 404 page has its own words")
"""
    assert len(bare_messages(bad)) == 7
    assert bare_messages(good) == []
