"""Setting up the team database: group roles, the schema, numbered migrations, logins."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

import psycopg
from psycopg import sql

from triage.errors import ActionRefused, StoreError
from triage.teamdb.connection import translated

__all__ = [
    "ROLES",
    "Migration",
    "MigrationState",
    "add_user",
    "init",
    "migrate",
    "migrations",
    "status",
]

#: The group roles a login can be given (each is the database role ``triage_<name>``).
ROLES = ("agent", "approver", "legal", "admin", "pharmacovigilance")

_FILE = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql\Z")
_LOGIN = re.compile(r"[a-z_][a-z0-9_.-]{0,62}\Z")
#: The advisory lock that keeps two `migrate` runs from applying the same file.
_MIGRATE_LOCK = 7262611002


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered SQL file of ``triage/teamdb/migrations``."""

    version: int
    name: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


@dataclass(frozen=True, slots=True)
class MigrationState:
    """A migration as ``status`` sees it: applied, pending, changed since it was applied
    (the file differs from what ran), or missing (applied, but no such file here)."""

    version: int
    name: str
    state: str
    applied_at: datetime | None = None
    applied_by: str | None = None

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"


def migrations() -> list[Migration]:
    """The migration files shipped with Triage, in order."""
    found = []
    for entry in resources.files("triage.teamdb").joinpath("migrations").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise StoreError("internal: two migration files share a number")
    return found


def _applied(conn: psycopg.Connection) -> dict[int, tuple[str, str, datetime, str]] | None:
    """Applied versions (name, sha256, when, by), or None before `init`."""
    with translated():
        exists = conn.execute("SELECT to_regclass('triage.schema_version')").fetchone()
        if exists is None or exists[0] is None:
            return None
        rows = conn.execute(
            "SELECT version, name, sha256, applied_at, applied_by FROM triage.schema_version"
        ).fetchall()
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


def status(conn: psycopg.Connection) -> list[MigrationState]:
    """Every migration, file or applied, with its state, in order."""
    applied = _applied(conn) or {}
    states = []
    files = {m.version: m for m in migrations()}
    for version in sorted(set(files) | set(applied)):
        migration, done = files.get(version), applied.get(version)
        if done is None:
            assert migration is not None
            states.append(MigrationState(version, migration.name, "pending"))
            continue
        name, digest, at, by = done
        if migration is None:
            state = "missing"
        else:
            state = "applied" if migration.sha256 == digest else "changed"
        states.append(MigrationState(version, name, state, at, by))
    return states


def migrate(conn: psycopg.Connection) -> list[Migration]:
    """Apply the pending migrations in order, each once, in its own transaction.

    Refuses (changing nothing) when an applied file was changed since: the database no
    longer matches it, and someone has to decide what to do.
    """
    if _applied(conn) is None:
        raise StoreError("the team database has no Triage schema yet: run `triage db init` "
                         "first (as an administrator)")
    changed = [s.label for s in status(conn) if s.state == "changed"]
    if changed:
        raise StoreError(f"migration {', '.join(changed)} was changed after it was applied; "
                         "the database no longer matches the file (restore the file)")
    done = []
    for migration in migrations():
        with translated(), conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
            row = conn.execute("SELECT 1 FROM triage.schema_version WHERE version = %s",
                               (migration.version,)).fetchone()
            if row is not None:
                continue
            conn.execute("SET LOCAL ROLE triage_owner")
            conn.execute(migration.text.encode("utf-8"))
            conn.execute(
                "INSERT INTO triage.schema_version (version, name, sha256) VALUES (%s, %s, %s)",
                (migration.version, migration.name, migration.sha256),
            )
        done.append(migration)
    return done


def init(conn: psycopg.Connection) -> list[Migration]:
    """Create the group roles (when missing), the schema and its version table, then apply
    every pending migration. Safe to run again; answers the migrations it applied."""
    bootstrap = resources.files("triage.teamdb").joinpath("bootstrap.sql")
    with translated(), conn.transaction():
        conn.execute(bootstrap.read_text(encoding="utf-8").encode("utf-8"))
    return migrate(conn)


def add_user(conn: psycopg.Connection, name: str, roles: list[str],
             password: str | None = None) -> list[str]:
    """Make ``name`` a login (created when missing) in the group roles ``roles``.

    The password, when given, is hashed (SCRAM) before it is sent, so the server's logs
    never see it. Answers every Triage role the login now has.
    """
    if not _LOGIN.match(name) or name.startswith("triage_") or name in ("public", "postgres"):
        raise ActionRefused(f"{name!r} cannot be a login name: lower-case letters, digits and "
                            "_ . -, starting with a letter, and not a triage_ role")
    unknown = [role for role in roles if role not in ROLES]
    if unknown or not roles:
        raise ActionRefused(f"unknown role {', '.join(unknown) or '(none given)'}: "
                            f"one of {', '.join(ROLES)}")
    ident = sql.Identifier(name)
    with translated(), conn.transaction():
        row = conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s",
                           (name,)).fetchone()
        if row is None:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(ident))
        elif not row[0]:
            raise ActionRefused(f"{name!r} is a group role, not a person's login")
        if password:
            hashed = conn.pgconn.encrypt_password(password.encode("utf-8"),
                                                  name.encode("utf-8"), b"scram-sha-256")
            conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                ident, sql.Literal(hashed.decode("ascii"))))
        for role in roles:
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(f"triage_{role}"),
                                                          ident))
        held = conn.execute(
            "SELECT substr(rolname, 8) FROM pg_roles WHERE rolname = ANY(%s) "
            "AND pg_has_role(%s, oid, 'MEMBER') ORDER BY rolname",
            ([f"triage_{role}" for role in ROLES], name),
        ).fetchall()
    return [r[0] for r in held]
