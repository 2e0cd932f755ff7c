"""Authentication backends: people log in with a password, code accounts only with a code.

Two backends so that a session records which kind of login made it, and each backend
loads only its own kind of account: a session of one can never carry the other.
"""

from django.contrib.auth.backends import ModelBackend


class PersonBackend(ModelBackend):
    """Django's username and password login, for people only: a code account (which
    has no usable password, but someone might have set one) is refused, also for an
    existing session that claims this backend."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not user.is_code_account


class CodeBackend(ModelBackend):
    """The backend a code login (accounts.codes) records in its session: it never
    authenticates a username and password, and loads only code accounts."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        return None

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and user.is_code_account
