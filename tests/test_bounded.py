"""besluit.bounded: the per-process caches' eviction."""

import sys
import threading

from besluit.bounded import make_room


def test_make_room_drops_the_oldest_so_that_one_more_fits():
    kept = {i: str(i) for i in range(5)}
    make_room(kept, 5)
    assert list(kept) == [1, 2, 3, 4]
    make_room(kept, 3)
    assert list(kept) == [3, 4]
    make_room(kept, 10)
    assert list(kept) == [3, 4]


def test_make_room_holds_while_other_threads_add_keys():
    kept: dict[int, int] = {}
    errors: list[BaseException] = []
    stop = threading.Event()

    def add(start: int) -> None:
        n = start
        while not stop.is_set():
            kept[n] = n
            n += 2

    def evict() -> None:
        try:
            for _ in range(5_000):
                make_room(kept, 8)
        except BaseException as exc:  # the RuntimeError of iterating a changing dict
            errors.append(exc)

    # Switch threads every microsecond: the old ``pop(next(iter(kept)))`` fails here at
    # once (``RuntimeError``), within the first few hundred evictions.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    adders = [threading.Thread(target=add, args=(i,)) for i in (0, 1)]
    evictor = threading.Thread(target=evict)
    for t in [*adders, evictor]:
        t.start()
    evictor.join()
    stop.set()
    for t in adders:
        t.join()
    sys.setswitchinterval(interval)
    assert errors == []
