"""One holder per role across every desk and process: session advisory locks on the team database.

A role (``sync:<account>``, ``sender``, ``legal-delivery``) is held by the process whose own
connection holds ``pg_try_advisory_lock(key)``. PostgreSQL releases the lock when that
connection ends — the process quits, dies or loses the network — so another process takes
the role at its next try::

    with Leadership(url, "sender") as lead:
        if lead.held:
            send_the_outbox()
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType

import psycopg

from triage.teamdb.connection import connect, translated

__all__ = ["LEGAL_DELIVERY", "SENDER", "Leadership", "RoleBoard", "lock_key", "sync_role"]

#: The roles one process at a time plays for the whole team.
SENDER = "sender"
LEGAL_DELIVERY = "legal-delivery"


def sync_role(account: str) -> str:
    """The role of syncing one account."""
    return f"sync:{account}"


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a role name (the same in every process
    and every Python: no ``hash()``)."""
    digest = hashlib.sha256(f"triage:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


#: A bigint advisory lock's row in ``pg_locks`` (classid, objid: the key's two halves).
_LOCK = "objsubid = 1 AND classid = %s::bigint::oid AND objid = %s::bigint::oid"


class Leadership:
    """A role held while this object's own connection holds the role's advisory lock."""

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.name = name
        self.key = lock_key(name)
        self._conn: psycopg.Connection | None = None

    @property
    def held(self) -> bool:
        """Whether the lock is held, as far as this side knows (see :meth:`check`)."""
        return self._conn is not None and not self._conn.closed

    def try_take(self) -> bool:
        """Take the role if nobody holds it (no wait); True when this object holds it."""
        if self.held:
            return self.check()
        conn = connect(self.url)
        try:
            with translated():
                row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        except BaseException:
            conn.close()
            raise
        if row is None or not row[0]:
            conn.close()
            return False
        self._conn = conn
        return True

    def check(self) -> bool:
        """Ask the server whether the lock is still ours (a dropped connection lost it)."""
        if self._conn is None or self._conn.closed:
            self._conn = None
            return False
        try:
            row = self._conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                f"AND pid = pg_backend_pid() AND {_LOCK}", self._halves()).fetchone()
        except psycopg.Error:
            self._drop()
            return False
        if row is None or not row[0]:
            self._drop()
            return False
        return True

    def holder(self) -> str:
        """Who holds the role now: ``login (pid N)``, or "" when nobody does."""
        conn = self._conn if self.held else None
        own = conn is None
        conn = conn or connect(self.url)
        try:
            with translated():
                row = conn.execute(
                    "SELECT a.usename, l.pid FROM pg_locks l LEFT JOIN pg_stat_activity a "
                    "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                    "AND l.database = (SELECT oid FROM pg_database "
                    f"WHERE datname = current_database()) AND {_LOCK}",
                    self._halves()).fetchone()
        finally:
            if own:
                conn.close()
        return "" if row is None else f"{row[0] or '?'} (pid {row[1]})"

    def _halves(self) -> tuple[int, int]:
        """The key as ``pg_locks`` shows it: its high and low 32 bits, unsigned."""
        return (self.key >> 32) & 0xFFFFFFFF, self.key & 0xFFFFFFFF

    def release(self) -> None:
        """Give the role up (closing the connection releases the lock)."""
        if self._conn is not None and not self._conn.closed:
            try:
                self._conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
            except psycopg.Error:
                pass  # the connection is gone, and the lock with it
        self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None

    def __enter__(self) -> Leadership:
        self.try_take()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"Leadership({self.name!r}, held={self.held})"


@dataclass
class RoleBoard:
    """Several roles taken together at each round (one per account for a sync), saying
    what changed: which roles this process took, which it lost, which another holds."""

    url: str
    names: Iterable[str]
    roles: dict[str, Leadership] = field(init=False)
    others: set[str] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.roles = {name: Leadership(self.url, name) for name in self.names}

    def take(self) -> tuple[list[str], list[str], list[str]]:
        """Try every role not held: (now held, newly held, newly held by another)."""
        fresh, elsewhere = [], []
        for name, role in self.roles.items():
            had = role.held
            mine = role.try_take()
            if mine and not had:
                fresh.append(name)
                self.others.discard(name)
            elif not mine and name not in self.others:
                elsewhere.append(name)
                self.others.add(name)
        return [n for n, r in self.roles.items() if r.held], fresh, elsewhere

    def release(self) -> None:
        for role in self.roles.values():
            role.release()
