"""The one exception of the ballot cryptography: a machine-readable code and English text.

Callers (the API edge, the stand-alone verifier, the trustee tool) map ``code`` to a
problem type or an exit status and show ``message``; ``detail`` says where (which
option, which trustee), so a rejected ballot or share can be pointed at precisely.
The codes are part of the protocol documentation (docs/ballot-encryption.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["BallotCryptoError"]


class BallotCryptoError(ValueError):
    """A value failed to parse or a proof, share or commitment failed to verify."""

    def __init__(self, code: str, message: str, **detail: int | str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.detail: Mapping[str, int | str] = MappingProxyType(dict(detail))
