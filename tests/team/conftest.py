"""A real PostgreSQL for the team-store tests, started by the suite itself.

``pgserver`` (a test dependency) runs PostgreSQL 16 from its wheel in a temporary folder,
as root too. Where it cannot start, Debian's server binaries are used when present (not as
root: initdb refuses); otherwise the tests are skipped, saying why.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

psycopg = pytest.importorskip("psycopg", reason="the team extra (psycopg) is not installed")

from psycopg.conninfo import make_conninfo  # noqa: E402

from triage import teamdb  # noqa: E402

#: How long the server took to start, for the report at the end of the session.
STARTED: dict[str, float] = {}


def _pgserver(folder: str) -> tuple[str, Callable[[], None]]:
    import warnings

    with warnings.catch_warnings():  # it asks platformdirs for a runtime folder it may lack
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(folder, cleanup_mode="delete")
    return server.get_uri(), server.cleanup


def _debian(folder: str) -> tuple[str, Callable[[], None]]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("no Debian PostgreSQL server (apt-get install postgresql)")
    if os.geteuid() == 0:
        raise RuntimeError("Debian's initdb does not run as root")
    bindir = os.path.dirname(found[-1])
    data = os.path.join(folder, "data")
    subprocess.run([f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust"],
                   check=True, capture_output=True)
    subprocess.run([f"{bindir}/pg_ctl", "-D", data, "-w", "-l", f"{folder}/log", "-o",
                    f"-k {folder} -c listen_addresses=''", "start"],
                   check=True, capture_output=True)

    def stop() -> None:
        subprocess.run([f"{bindir}/pg_ctl", "-D", data, "-m", "fast", "stop"],
                       capture_output=True)

    return f"postgresql://postgres@/postgres?host={folder}", stop


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """The superuser's URL of a private PostgreSQL for this test session."""
    folder = tempfile.mkdtemp(prefix="triage-pg-")
    started = time.monotonic()
    reasons = []
    for name, start in (("pgserver", _pgserver), ("debian", _debian)):
        try:
            url, stop = start(folder)
        except Exception as exc:  # any failure to start: try the next way, then skip
            reasons.append(f"{name}: {exc}")
            continue
        STARTED[name] = time.monotonic() - started
        try:
            yield url
        finally:
            stop()
            shutil.rmtree(folder, ignore_errors=True)
        return
    shutil.rmtree(folder, ignore_errors=True)
    pytest.skip("no PostgreSQL could be started for the team-store tests: " + "; ".join(reasons))


_numbers = itertools.count(1)


@dataclass
class TeamDb:
    """A fresh database with Triage's schema, and logins to act in it."""

    base: str
    name: str
    admin: Any = None
    _open: list[Any] = field(default_factory=list)

    def url(self, user: str | None = None) -> str:
        params: dict[str, str] = {"dbname": self.name}
        if user is not None:
            params["user"] = user
        return make_conninfo(self.base, **params)

    def login(self, name: str, *roles: str) -> Any:
        """A connection as the login ``name`` (created, in ``roles``, when roles are given)."""
        if roles:
            teamdb.add_user(self.admin, name, list(roles))
        conn = teamdb.connect(self.url(name))
        self._open.append(conn)
        return conn

    def close(self) -> None:
        for conn in self._open:
            conn.close()


@pytest.fixture
def team(pg_url: str) -> Iterator[TeamDb]:
    """A new database, initialised by the superuser (`triage db init`)."""
    name = f"triage_test_{os.getpid()}_{next(_numbers)}"
    with teamdb.connect(pg_url) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    db = TeamDb(pg_url, name)
    db.admin = teamdb.connect(db.url())
    db._open.append(db.admin)
    teamdb.init(db.admin)
    try:
        yield db
    finally:
        db.close()
        with teamdb.connect(pg_url) as server:
            server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            # Logins belong to the whole server: drop them, so the next test starts clean.
            for (login,) in server.execute(
                    "SELECT rolname FROM pg_roles WHERE rolcanlogin AND NOT rolsuper").fetchall():
                server.execute(f'DROP ROLE "{login}"')


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for name, seconds in STARTED.items():
        terminalreporter.write_line(f"team store tests: PostgreSQL ({name}) started in "
                                    f"{seconds:.1f} s")
