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
from datetime import datetime, timedelta

__all__ = ["LEASE_SECONDS", "Change", "Hub", "Lease", "Watch", "hub_for"]

#: How long a lease holds without being renewed (a desk that died lets go after this).
LEASE_SECONDS = 90.0


@dataclass(frozen=True)
class Lease:
    """``person`` is doing ``what`` ("replying") on a comment until ``until``."""

    comment_id: str
    person: str
    what: str
    until: datetime

    def said(self) -> str:
        return f"{self.person} is {self.what}"


@dataclass(frozen=True)
class Change:
    """Comments another desk changed (``ids``), or a lease set or released (``lease``:
    ``what`` is "" once released)."""

    ids: tuple[str, ...] = ()
    by: str = ""
    lease: Lease | None = None


_CLOSED = object()


class Watch:
    """The changes other desks make, in order; iterate it in a worker thread, ``close`` it
    to stop (the iteration ends)."""

    def __init__(self, hub: Hub, owner: object) -> None:
        self._hub = hub
        self._owner = owner
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()

    def put(self, change: Change) -> None:
        self._queue.put(change)

    def get(self, timeout: float | None = None) -> Change | None:
        """The next change (None when closed, or when ``timeout`` passes first)."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is _CLOSED:
            self._queue.put(_CLOSED)  # stays closed for later calls
            return None
        assert isinstance(item, Change)
        return item

    def __iter__(self) -> Iterator[Change]:
        while True:
            change = self.get()
            if change is None:
                return
            yield change

    def close(self) -> None:
        self._hub.leave(self)
        self._queue.put(_CLOSED)

    @property
    def owner(self) -> object:
        return self._owner


class Hub:
    """The desks of one store: their watches and the leases they hold."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watches: list[Watch] = []
        self._leases: dict[str, Lease] = {}

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
            self._leases[lease.comment_id] = lease

    def drop_lease(self, comment_id: str, person: str) -> Lease | None:
        with self._lock:
            held = self._leases.get(comment_id)
            if held is None or held.person != person:
                return None
            return self._leases.pop(comment_id)

    def leases(self, now: datetime) -> dict[str, Lease]:
        """The leases still running at ``now`` (expired ones are let go)."""
        with self._lock:
            for comment_id in [i for i, lease in self._leases.items() if lease.until <= now]:
                del self._leases[comment_id]
            return dict(self._leases)


_HUBS: weakref.WeakKeyDictionary[object, Hub] = weakref.WeakKeyDictionary()
_HUBS_LOCK = threading.Lock()


def hub_for(store: object) -> Hub:
    """The hub shared by every desk on ``store``."""
    with _HUBS_LOCK:
        hub = _HUBS.get(store)
        if hub is None:
            hub = _HUBS[store] = Hub()
        return hub


def lease_until(now: datetime, seconds: float = LEASE_SECONDS) -> datetime:
    return now + timedelta(seconds=seconds)
