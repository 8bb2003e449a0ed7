"""Group commit for the journal: one fsync for every batch written while the last one ran.

Writers append their batch to the file under a lock and get a ticket (numbered in the
order written). Each then waits until its ticket is durable: the first waiter to find no
fsync in flight runs one for everything written so far (the leader); batches written
while it runs wait for the next one. A caller is told its batch is recorded only after an
fsync that covers it. Then the batches are applied one at a time in the order written (a
turn), so memory follows the journal's order even when a later batch's fsync returned
first.

When an fsync fails, nothing written since the last good one is known to be on disk: the
file is cut back to that point, the writer's chain state is put back, and every batch
written since is refused with the error, so the running process never shows an action the
disk may have lost.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from triage.errors import JournalError

__all__ = ["GroupCommit"]


class GroupCommit:
    """Tickets, the fsync leader and the turns of one journal file.

    ``mark()`` returns the writer's state after what it has written (restored with
    ``restore(mark)`` when an fsync fails; its first item is the file's size). ``order`` is
    the lock batches are applied under (the store's), so a thread holding it while it
    waits for its turn lets the others apply theirs.
    """

    def __init__(self, fd: int, mark: Callable[[], tuple[Any, ...]],
                 restore: Callable[[tuple[Any, ...]], None],
                 order: Any = None, where: str = "the journal") -> None:
        self._fd, self._where = fd, where
        self._mark, self._restore = mark, restore
        self._lock = threading.Condition()
        self._issued = 0
        self._durable = 0
        self._durable_mark = mark()
        self._syncing = False
        self._failed: dict[int, str] = {}
        #: Set when the file could not be cut back after a failed fsync: nothing more is written.
        self.broken = ""
        self._turn = threading.Condition(order or threading.RLock())
        self._applied = 0
        self._finished: set[int] = set()
        #: How many fsyncs covered batches (for the benchmarks).
        self.fsyncs = 0

    @contextmanager
    def writing(self) -> Iterator[int]:
        """Hold the write lock while a batch is written; yields the batch's ticket.

        A body that raises has written nothing (it cut back what it wrote): no ticket.
        """
        with self._lock:
            if self.broken:
                raise JournalError(self.broken)
            ticket = self._issued + 1
            yield ticket
            self._issued = ticket

    def wait(self, ticket: int) -> None:
        """Return once ``ticket`` is fsynced; raise :class:`JournalError` if it never will be."""
        with self._lock:
            while True:
                if ticket in self._failed:
                    raise JournalError(self._failed.pop(ticket))
                if self._durable >= ticket:
                    return
                if self._syncing:
                    self._lock.wait()
                    continue
                self._lead()

    def _lead(self) -> None:
        """Run one fsync for everything written so far (called, and returns, with the lock)."""
        self._syncing = True
        target, mark = self._issued, self._mark()
        self._lock.release()
        error: OSError | None = None
        try:
            os.fsync(self._fd)
        except OSError as exc:
            error = exc
        finally:
            self._lock.acquire()
            self._syncing = False
        if error is None:
            self._durable, self._durable_mark = target, mark
            self.fsyncs += 1
        else:
            self._refuse_since_durable(error)
        self._lock.notify_all()

    def _refuse_since_durable(self, error: OSError) -> None:
        """Cut the file back to the last good fsync and refuse every batch written since."""
        message = f"{self._where}: cannot write the journal: {error.strerror or error}"
        try:
            os.ftruncate(self._fd, self._durable_mark[0])
            os.fsync(self._fd)
        except OSError as undo:
            self.broken = (
                f"{message}; it could not be cut back either ({undo.strerror or undo}), so "
                "no more actions are written until Triage is started again (the unfinished "
                "batch is then set aside)"
            )
            message = self.broken
        else:
            message += "; the action was not recorded"
        self._restore(self._durable_mark)
        for ticket in range(self._durable + 1, self._issued + 1):
            self._failed[ticket] = message
        self._durable = self._issued

    # -- turns -----------------------------------------------------------------------

    def in_turn(self, ticket: int, apply: Callable[[], None]) -> None:
        """Run ``apply`` once every batch written before ``ticket`` has had its turn."""
        with self._turn:
            while self._applied != ticket - 1:
                self._turn.wait()
            try:
                apply()
            finally:
                self._finish(ticket)

    def skip(self, ticket: int) -> None:
        """Give up ``ticket``'s turn (its batch was refused)."""
        with self._turn:
            self._finish(ticket)

    def _finish(self, ticket: int) -> None:
        self._finished.add(ticket)
        while self._applied + 1 in self._finished:
            self._applied += 1
            self._finished.discard(self._applied)
        self._turn.notify_all()
