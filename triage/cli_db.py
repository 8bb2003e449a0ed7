"""The team store's database commands: `triage db init | migrate | status | user add`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from triage.cli import Env, pass_env
from triage.errors import StoreError

__all__ = ["COMMANDS", "db_group"]

#: The group roles, as `db init` reports them.
_GROUPS = "triage_agent, triage_approver, triage_legal, triage_admin"


def _teamdb() -> Any:
    """The teamdb package, or a message naming the extra it needs."""
    try:
        import triage.teamdb as teamdb
    except ImportError as exc:
        if (exc.name or "").startswith("psycopg"):
            raise StoreError("the team store needs psycopg: pip install 'triage-desk[team]'"
                             ) from None
        raise
    return teamdb


def _connect(env: Env) -> Any:
    url = os.environ.get("TRIAGE_DATABASE_URL") or env.config.store.url
    if not url:
        raise StoreError("no team database: set [store] url in config.toml or "
                         "TRIAGE_DATABASE_URL (e.g. postgresql://admin@db.example.org/triage)")
    teamdb = _teamdb()
    conn = teamdb.connect(url)
    click.get_current_context().call_on_close(conn.close)
    return teamdb, conn


def _version(teamdb: Any, conn: Any) -> int:
    applied = [s.version for s in teamdb.status(conn) if s.state == "applied"]
    return max(applied, default=0)


@click.group("db")
def db_group() -> None:
    """The team store on PostgreSQL: set it up, migrate it, add people.

    The database is [store] url in config.toml or TRIAGE_DATABASE_URL; the password comes
    from PGPASSWORD, ~/.pgpass or a service file, as for psql.
    """


@db_group.command("init")
@pass_env
def init_command(env: Env) -> None:
    """Create the group roles and the schema, and apply every migration (run it again
    safely; needs an administrator's login)."""
    teamdb, conn = _connect(env)
    applied = teamdb.init(conn)
    click.echo(f"group roles: {_GROUPS}")
    if applied:
        click.echo("applied: " + ", ".join(m.label for m in applied))
    click.echo(f"schema up to date at version {_version(teamdb, conn)}")


@db_group.command("migrate")
@pass_env
def migrate_command(env: Env) -> None:
    """Apply the pending migrations, in order, each once."""
    teamdb, conn = _connect(env)
    applied = teamdb.migrate(conn)
    for migration in applied:
        click.echo(f"applied {migration.label}")
    tail = "" if applied else " (nothing to apply)"
    click.echo(f"up to date at version {_version(teamdb, conn)}{tail}")


@db_group.command("status")
@pass_env
def status_command(env: Env) -> None:
    """Each migration and whether it is applied; exit code 1 when one is not."""
    teamdb, conn = _connect(env)
    states = teamdb.status(conn)
    for state in states:
        when = ""
        if state.applied_at is not None:
            when = f" {state.applied_at:%Y-%m-%d %H:%M} by {state.applied_by}"
        click.echo(f"{state.label}  {state.state}{when}")
    if any(s.state == "pending" for s in states):
        click.echo("run `triage db migrate` to apply what is pending", err=True)
    if any(s.state != "applied" for s in states):
        raise SystemExit(1)


@db_group.command("copy")
@click.option("--from", "source", required=True, metavar="DATA_DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The data folder of the embedded store to copy.")
@click.option("--force-append", is_flag=True,
              help="Copy into a database that already holds comments or journal rows.")
@pass_env
def copy_command(env: Env, source: Path, force_append: bool) -> None:
    """Copy an embedded store into the team database (an admin's login): comments, posts,
    outbox, escalations, holds, closings, notes and the other records, the sync state,
    and the journal's entries in order as history; then check the counts and the chain."""
    from triage.teamdb.copy import copy_store

    _, conn = _connect(env)
    report = copy_store(conn, source, force_append=force_append)
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(report.statuses.items()))
    click.echo(f"copied from {source}:")
    click.echo(f"  comments: {report.comments} ({statuses or 'none'})")
    click.echo(f"  posts: {report.posts}")
    records = ", ".join(f"{t} {n}" for t, n in sorted(report.records.items()))
    click.echo(f"  records: {records or 'none'}")
    click.echo(f"  sync state rows: {report.states}")
    click.echo(f"  journal: {report.history} entries kept in order as history (the embedded "
               f"chain verified, last hash {report.source_hash[:16]}…)")
    click.echo(f"checked: counts match; the team journal's {report.journal_entries} entries "
               "hold together")


@db_group.group("user")
def user_group() -> None:
    """The people of the team: database logins in Triage's group roles."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["agent", "approver", "legal", "admin", "pharmacovigilance"]),
              help="A role to give (repeat for several).")
@click.option("--password", "ask_password", is_flag=True,
              help="Ask for a password (hashed before it is sent).")
@click.option("--password-env", metavar="VAR",
              help="Take the password from the environment variable VAR.")
@pass_env
def user_add_command(env: Env, name: str, roles: tuple[str, ...], ask_password: bool,
                     password_env: str | None) -> None:
    """Make NAME a login in the given roles (created if missing; roles are added)."""
    password = None
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise StoreError(f"--password-env: the environment variable {password_env} "
                             "is not set")
    elif ask_password:
        password = click.prompt(f"password for {name}", hide_input=True,
                                confirmation_prompt=True)
    teamdb, conn = _connect(env)
    held = teamdb.add_user(conn, name, list(roles), password=password)
    click.echo(f"{name}: a login in {', '.join('triage_' + r for r in held)}")


COMMANDS = [db_group]
