"""Domain errors shared by services; views and the API map them to HTTP statuses."""


class DomainError(Exception):
    """A request that the rules refuse. ``status`` is the HTTP status it maps to."""

    status = 400
    code = "invalid"
    # Where the user can do what the refusal asks for: (url, label); pages show it as a
    # link after the message (frame.shortcuts.refusal).
    link: tuple[str, str] | None = None

    def __init__(self, message: str, *, field: str | None = None, problems=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = list(problems or [])


class ValidationFailed(DomainError):
    status = 400
    code = "invalid"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not-found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class NotVisible(NotFound, PermissionDenied):
    """A refusal to someone who may not even see the object: answered as 404 (its
    status and code are NotFound's), so that the answer reveals nothing of it; still a
    PermissionDenied to code that asks why."""
