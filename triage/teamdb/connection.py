"""Connections to the team database, and PostgreSQL's errors as Triage's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import errors as pgerrors
from psycopg_pool import ConnectionPool, PoolTimeout

from triage.errors import ActionRefused, NotFound, StoreError

__all__ = ["connect", "open_pool", "translated"]

#: SQLSTATEs the schema's functions raise: an action refused, and an id not found.
REFUSED = "TR401"
NOT_FOUND = "TR404"


def _where(url: str) -> str:
    """Host and database of a URL, for messages (never the rest of it)."""
    try:
        params = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the team database"
    host = str(params.get("host") or "the local server")
    return f"database {params.get('dbname') or params.get('user') or '?'} on {host}"


def connect(url: str) -> psycopg.Connection:
    """A connection in autocommit mode; each call of this package runs its own transaction.

    ``url`` is handed to libpq as it is, so ``PGPASSWORD``, ``~/.pgpass``, a service file
    (``PGSERVICEFILE``) and ``sslmode`` work the way they do for ``psql``.
    """
    try:
        return psycopg.connect(url, autocommit=True)
    except psycopg.ProgrammingError as exc:
        raise StoreError(f"the team database URL cannot be read: {exc}") from None
    except psycopg.OperationalError as exc:
        raise StoreError(f"cannot connect to the {_where(url)}: {_reason(exc)}") from None


def _reason(exc: psycopg.OperationalError) -> str:
    """libpq's words, without the socket or address it repeats: "password authentication
    failed for user …", "No such file or directory Is the server running …"."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    return " ".join([lines[0].rsplit("failed: ", 1)[-1], *lines[1:]])


def open_pool(url: str, size: int = 4) -> ConnectionPool:
    """A pool of ``size`` connections like :func:`connect`'s, open and ready.

    One connection is tried first, so that a wrong URL, a refused login or a server that
    is down is said at once, in the words of :func:`connect`, not after the pool's wait.
    """
    connect(url).close()
    pool = ConnectionPool(url, min_size=size, max_size=size, kwargs={"autocommit": True},
                          open=False)
    try:
        pool.open(wait=True, timeout=30)
    except PoolTimeout as exc:
        pool.close()
        raise StoreError(f"cannot connect to the {_where(url)}: {exc}") from None
    return pool


@contextmanager
def translated() -> Iterator[None]:
    """Turn what the database refused into the error a person reads: a missing role or a
    refused action (:class:`ActionRefused`), an unknown id (:class:`NotFound`), anything
    else from PostgreSQL (:class:`StoreError`)."""
    try:
        yield
    except pgerrors.InsufficientPrivilege as exc:
        raise ActionRefused(_text(exc)) from None
    except psycopg.Error as exc:
        state = exc.sqlstate
        if state == REFUSED:
            raise ActionRefused(_text(exc)) from None
        if state == NOT_FOUND:
            raise NotFound(_text(exc)) from None
        raise StoreError(f"the team database: {_text(exc)}") from None


def _text(exc: psycopg.Error) -> str:
    diag = exc.diag.message_primary
    return diag if diag else str(exc).strip()
