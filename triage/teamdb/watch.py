"""What other desks do on the team database, heard through LISTEN/NOTIFY.

A :class:`TeamWatch` listens on a connection of its own, in a thread of its own, and turns
each announcement into the same :class:`triage.live.Change` the embedded store's desks
exchange: changed comments (with who changed them) and presence leases set or released.
The watching login's own changes are left out, as on the embedded store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from triage.errors import TriageError
from triage.live import Change, Changes
from triage.service import Lease
from triage.teamdb import calls
from triage.teamdb.connection import connect

__all__ = ["TeamWatch"]

#: How long the listening thread waits for news before it checks it should stop.
POLL = 0.2

class TeamWatch(Changes):
    """The changes other logins make, in order; iterate it in a worker thread, ``close`` it
    to stop (the iteration ends)."""

    def __init__(self, url: str, user: str,
                 lookup: Callable[[str, tuple[Any, ...]], list[dict[str, Any]]],
                 clock: Callable[[], datetime]) -> None:
        self._user = user
        self._lookup = lookup
        self._clock = clock
        super().__init__()
        self._stop = threading.Event()
        self._conn = connect(url)
        calls.listen(self._conn)
        self._thread = threading.Thread(target=self._hear, name="triage-listen", daemon=True)
        self._thread.start()

    def _hear(self) -> None:
        try:
            while not self._stop.is_set():
                for note in calls.changes(self._conn, timeout=POLL):
                    change = self._change_of(note)
                    if change is not None:
                        self.put(change)
        except TriageError:
            pass  # the connection went away: the watch ends, the desk carries on
        finally:
            self.end()
            self._conn.close()

    def _change_of(self, note: calls.Change) -> Change | None:
        if note.comment_id is None:
            return None
        if note.kind in ("lease", "lease_release"):
            if note.person == self._user:
                return None
            if note.kind == "lease":
                rows = self._lookup("SELECT * FROM triage.leases_now WHERE comment_id = %s "
                                    "AND person = %s", (note.comment_id, note.person))
                if not rows:
                    return None
                row = rows[0]
                lease = Lease(row["comment_id"], row["person"], row["what"], row["expires_at"])
            else:
                lease = Lease(note.comment_id, str(note.person), "", self._clock())
            return Change(by=lease.person, lease=lease)
        by = ""
        if note.seq is not None:
            rows = self._lookup("SELECT actor FROM triage.journal WHERE seq = %s", (note.seq,))
            by = str(rows[0]["actor"]) if rows else ""
            if by == self._user:
                return None
        return Change(ids=(note.comment_id,), by=by)

    def close(self) -> None:
        """Stop listening (the thread lets go of its connection within :data:`POLL`)."""
        self._stop.set()
