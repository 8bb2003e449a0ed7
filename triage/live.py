"""What other desks on the same store do, as it happens: changed comments and who is replying.

Every :class:`~triage.desk.Desk` on one store object shares a :class:`Hub`. A desk that
changes comments, or sets or releases a lease ("ana is replying"), publishes a
:class:`Change`; every *other* desk's :class:`Watch` receives it. A single seat has one
desk, so its watch yields nothing. A team store feeds the same watch from the database.
"""

from __future__ import annotations

import queue
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from triage.service import Lease

__all__ = ["LEASE_SECONDS", "Change", "Changes", "Hub", "Watch", "hub_for"]

#: How long a lease holds without being renewed (a desk that died lets go after this).
LEASE_SECONDS = 90


@dataclass(frozen=True)
class Change:
    """Comments another desk changed (``ids``), or a lease set or released (``lease``:
    ``what`` is "" once released)."""

    ids: tuple[str, ...] = ()
    by: str = ""
    lease: Lease | None = None


_CLOSED = object()


class Changes:
    """Changes in the order they came, for one reader: ``get`` the next, or iterate in a
    worker thread until :meth:`end` is called."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()

    def put(self, change: Change) -> None:
        self._queue.put(change)

    def end(self) -> None:
        """No more changes: ``get`` answers None from now on, the iteration ends."""
        self._queue.put(_CLOSED)

    def get(self, timeout: float | None = None) -> Change | None:
        """The next change (None when ended, or when ``timeout`` passes first)."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is _CLOSED:
            self._queue.put(_CLOSED)  # stays ended for later calls
            return None
        assert isinstance(item, Change)
        return item

    def __iter__(self) -> Iterator[Change]:
        while True:
            change = self.get()
            if change is None:
                return
            yield change


class Watch(Changes):
    """The changes other desks on the same store make; ``close`` it to stop."""

    def __init__(self, hub: Hub, owner: object) -> None:
        super().__init__()
        self._hub = hub
        self._owner = owner

    def close(self) -> None:
        self._hub.leave(self)
        self.end()

    @property
    def owner(self) -> object:
        return self._owner


class Hub:
    """The desks of one store: their watches and the leases they hold."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watches: list[Watch] = []
        self._leases: dict[tuple[str, str], Lease] = {}

    def watch(self, owner: object) -> Watch:
        found = Watch(self, owner)
        with self._lock:
            self._watches.append(found)
        return found

    def leave(self, watch: Watch) -> None:
        with self._lock:
            if watch in self._watches:
                self._watches.remove(watch)

    def publish(self, change: Change, source: object) -> None:
        """Tell every desk but ``source`` about ``change``."""
        with self._lock:
            watches = [w for w in self._watches if w.owner is not source]
        for watch in watches:
            watch.put(change)

    def set_lease(self, lease: Lease) -> None:
        with self._lock:
            self._leases[(lease.comment_id, lease.person)] = lease

    def drop_lease(self, comment_id: str, person: str) -> Lease | None:
        with self._lock:
            return self._leases.pop((comment_id, person), None)

    def leases(self, now: datetime) -> list[Lease]:
        """The leases still running at ``now``, by comment and person (expired ones are
        let go)."""
        with self._lock:
            for key in [k for k, lease in self._leases.items() if lease.expires_at <= now]:
                del self._leases[key]
            return sorted(self._leases.values(), key=lambda x: (x.comment_id, x.person))


_HUBS: weakref.WeakKeyDictionary[object, Hub] = weakref.WeakKeyDictionary()
_HUBS_LOCK = threading.Lock()


def hub_for(store: object) -> Hub:
    """The hub shared by every desk on ``store``."""
    with _HUBS_LOCK:
        hub = _HUBS.get(store)
        if hub is None:
            hub = _HUBS[store] = Hub()
        return hub
