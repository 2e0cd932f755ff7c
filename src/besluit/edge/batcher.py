"""Group the ballots that arrive together into one transaction (group commit).

Each worker process keeps one writer thread. Ballots that arrive while it writes
a batch wait in the event loop and form the next batch (up to ``MAX_BATCH``), so
there is no timer: one ballot alone is written at once, and a burst of a
thousand costs a few transactions instead of a thousand, each with a constant
number of statements and one signature (voting.casting). A request's answer is
sent only after its batch committed: an acknowledged ballot is durable.
"""

import asyncio
import logging
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from besluit.errors import DomainError

log = logging.getLogger("besluit.edge")
MAX_BATCH = 500
LINGER_BELOW = 8


class Unavailable(DomainError):
    status = 503
    code = "unavailable"


class BallotBatcher:
    """One per event loop (worker process): a queue per poll and one writer thread.

    ``write(poll_id, items)`` runs in the thread and returns one outcome per item.
    """

    def __init__(
        self,
        write: Callable[[uuid.UUID, list[Any]], list[Any]],
        max_batch: int = MAX_BATCH,
        linger: float = 0.0,
    ) -> None:
        self.write = write
        self.max_batch = max_batch
        # A batch of a few waits this long for company: in a burst, the stragglers of
        # one batch would otherwise each take a transaction (and the log's lock) alone.
        self.linger = linger
        self._pending: OrderedDict[uuid.UUID, list[tuple[Any, asyncio.Future]]] = OrderedDict()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="besluit-ballots")
        self._writing = False
        self._task: asyncio.Task | None = None
        self.batches = 0  # for the benchmark's report: ballots per transaction

    async def submit(self, poll_id: uuid.UUID, item: Any) -> Any:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.setdefault(poll_id, []).append((item, future))
        if not self._writing:
            self._writing = True
            self._task = loop.create_task(self._drain())  # kept: a task needs a reference
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                if self.linger and sum(map(len, self._pending.values())) < LINGER_BELOW:
                    await asyncio.sleep(self.linger)
                poll_id, waiting = self._pending.popitem(last=False)
                batch, rest = waiting[: self.max_batch], waiting[self.max_batch :]
                if rest:
                    self._pending[poll_id] = rest  # to the back: polls take turns
                try:
                    outcomes = await loop.run_in_executor(
                        self._executor, self.write, poll_id, [i for i, _ in batch]
                    )
                except Exception:
                    log.exception("writing a batch of %d ballots failed", len(batch))
                    outcomes = [Unavailable("The ballot could not be stored; try again.")] * len(
                        batch
                    )
                self.batches += 1
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if not future.done():  # the client may have gone
                        future.set_result(outcome)
        finally:
            self._writing = False


_batchers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = (
    weakref.WeakKeyDictionary()
)


def batcher_for(write: Callable[[Any, list[Any]], list[Any]], linger: float = 0.0) -> BallotBatcher:
    """This event loop's batcher for ``write`` (a worker process has one loop; a test
    may have more). Each has its own thread: stages of a pipeline overlap."""
    loop = asyncio.get_running_loop()
    found = _batchers.setdefault(loop, {})
    if write not in found:
        found[write] = BallotBatcher(write, linger=linger)
    return found[write]
