"""Per-process dictionaries of bounded size that several threads share (the edge's
writer, the proof checkers, Django's request threads)."""


def make_room(kept: dict, limit: int) -> None:
    """Drop the oldest entries so that one more fits within ``limit``.

    ``list(kept)`` copies the keys in one step under the GIL. ``next(iter(kept))``, the
    obvious way, is two steps: another thread that adds a key between them makes the
    iterator raise ``RuntimeError`` ("dictionary changed size during iteration")."""
    excess = len(kept) - limit + 1
    if excess > 0:
        for key in list(kept)[:excess]:
            kept.pop(key, None)
