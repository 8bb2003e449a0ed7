"""A thread that writes the store's files in the background, so the screen never waits on disk."""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["Flusher"]


class Flusher:
    """Runs ``write_pass`` on a thread of its own whenever it is kicked.

    Kicks that arrive while a pass runs are folded into one more pass. A pass that fails
    keeps its message in :attr:`error` (read with :meth:`take_error`) and is tried again
    at the next kick: the data it did not write stays marked as changed.
    """

    def __init__(self, write_pass: Callable[[], None], *, name: str = "triage-flush") -> None:
        self._write_pass = write_pass
        self._wanted = threading.Condition()
        self._requested = 0
        self._done = 0
        self._stopping = False
        self._error: str | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def kick(self) -> int:
        """Ask for a pass; returns its ticket (see :meth:`wait`)."""
        with self._wanted:
            self._requested += 1
            self._wanted.notify()
            return self._requested

    def wait(self, ticket: int, timeout: float | None = None) -> bool:
        """Wait until a pass that started after ``ticket`` was asked for has finished."""
        with self._wanted:
            return self._wanted.wait_for(
                lambda: self._done >= ticket or not self._thread.is_alive(), timeout
            )

    def take_error(self) -> str | None:
        """The message of the last failed pass, once; None when all went well since."""
        with self._wanted:
            error, self._error = self._error, None
            return error

    def stop(self) -> None:
        """Run a last pass for everything asked so far, then end the thread."""
        with self._wanted:
            self._stopping = True
            self._wanted.notify()
        self._thread.join()

    def _run(self) -> None:
        while True:
            with self._wanted:
                self._wanted.wait_for(lambda: self._requested > self._done or self._stopping)
                if self._requested == self._done and self._stopping:
                    return
                ticket = self._requested
            try:
                self._write_pass()
            except Exception as exc:  # noqa: BLE001 - reported to the owner, never lost
                with self._wanted:
                    self._error = str(exc)
            with self._wanted:
                self._done = ticket
                self._wanted.notify_all()
