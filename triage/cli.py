"""The ``triage`` command line: global options, the queue commands, and error handling."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import click

from triage import __version__
from triage.config import AccountConfig, Config, data_dir_for, find_config, load_config
from triage.errors import ImportError_, StoreError, TriageError
from triage.model import STATUSES, TAG_NAMES, Comment, Tag
from triage.textsafe import clean, inline, json_line

__all__ = ["Env", "cli", "main"]


@dataclass
class Env:
    """What every command shares: the global options, the config, the store on demand."""

    config_path: str | None = None
    data_dir_option: str | None = None
    user_option: str | None = None
    _stores: list[Any] = field(default_factory=list)
    _desks: list[Any] = field(default_factory=list)
    #: The database login once a team desk is open (who acts, in team mode).
    _login: str | None = None

    @cached_property
    def config(self) -> Config:
        return load_config(self.config_path)

    @property
    def user(self) -> str:
        if self._login is not None:
            return self._login
        return self.user_option or os.environ.get("TRIAGE_USER") or _os_user()

    @property
    def team_mode(self) -> bool:
        """Whether a team database is configured ([store] url or TRIAGE_DATABASE_URL)."""
        from triage.service import team_url

        return bool(team_url(self.config.store.url))

    def open_desk(self, *, tagging: bool = False, defer_load: bool = False) -> Any:
        """The desk of the configured store (closed with the command)."""
        from triage.desks import open_desk

        desk = open_desk(self, tagging=tagging, defer_load=defer_load)
        if desk.shared:
            self._login = desk.user
            self._desks.append(desk)
        return desk

    def data_dir(self, *, sandbox: bool = False) -> Path:
        return data_dir_for(self.config, self.data_dir_option, sandbox=sandbox)

    def tagger_recipe(self) -> dict[str, Any]:
        """What the tagger is built from (for worker processes to build the same one)."""
        org = self.config.org
        return {
            "extra_claim_files": [self.config.resolve(p) for p in self.config.tagger.claims],
            "org_phones": org.phones + ([org.contact_phone] if org.contact_phone else []),
            "org_emails": org.emails + ([org.contact_email] if org.contact_email else []),
            "org_addresses": org.addresses,
        }

    def tagger(self) -> Callable[[str], tuple[Tag, ...]]:
        from triage.tagger import Tagger

        return Tagger(**self.tagger_recipe()).tag

    def audit_key(self, data_dir: Path) -> Any:
        """The audit key (TRIAGE_AUDIT_KEY, TRIAGE_AUDIT_KEY_FILE, [audit] key_file) or None."""
        from triage.auditkey import load_audit_key

        key_file = self.config.audit.key_file
        return load_audit_key(self.config.resolve(key_file) if key_file else None, data_dir)

    def open_store(
        self, *, sandbox: bool = False, tagging: bool = True, defer_load: bool = False
    ) -> Any:
        from triage.store import Store

        if self.team_mode and not sandbox:
            command = click.get_current_context().command_path
            raise StoreError(f"`{command}` works on the embedded store only so far, and this "
                             "configuration uses the team database ([store] url or "
                             "TRIAGE_DATABASE_URL)")
        data_dir = self.data_dir(sandbox=sandbox)
        store = Store(
            data_dir,
            tagger=self.tagger() if tagging else None,
            defer_load=defer_load,
            audit_key=self.audit_key(data_dir),
        )
        self._stores.append(store)
        _say_warnings(store.warnings)
        return store

    def close(self) -> None:
        """Close every store, then say what closing could not write (never raised over
        an error already on its way to the user)."""
        while self._desks:
            self._desks.pop().close()
        while self._stores:
            store = self._stores.pop()
            shown = len(store.warnings)
            store.close()
            _say_warnings(store.warnings[shown:])


def _say_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"warning: {clean(warning)}", err=True)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


pass_env = click.make_pass_decorator(Env)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="PATH", help="Config file (or TRIAGE_CONFIG).")
@click.option("--data-dir", "data_dir", metavar="DIR", help="Data folder (or TRIAGE_DATA_DIR).")
@click.option("--user", "user", metavar="NAME", help="Who is acting (or TRIAGE_USER).")
@click.version_option(__version__, prog_name="triage")
@click.pass_context
def cli(
    ctx: click.Context, config_path: str | None, data_dir: str | None, user: str | None
) -> None:
    """Triage: work the comments on your organisation's accounts from one keyboard queue.

    With no command, opens the queue (same as ``triage tui``).
    """
    env = Env(config_path, data_dir, user)
    ctx.obj = env
    ctx.call_on_close(env.close)
    if ctx.invoked_subcommand is None:
        ctx.invoke(tui)


def _run_tui(env: Env, *, sandbox: bool, store: Any = None, config: Config | None = None,
             account_notes: dict[str, str] | None = None, identity: str = "") -> None:
    config = config or env.config
    if config.source is None and not sandbox:
        click.echo(
            "No config.toml found: running on built-in defaults with no accounts. "
            "Copy config.toml from the project (or run `triage sandbox` to practise), "
            "then pass it with --config or TRIAGE_CONFIG.",
            err=True,
        )
    if store is None:
        store = env.open_store(sandbox=sandbox, defer_load=True)
    from tui.app import TriageApp  # the only place the command line imports the TUI

    app = TriageApp(store=store, config=config, user=env.user, sandbox=sandbox,
                    learned=config.tagger.model != "off")
    app.account_notes = dict(account_notes or {})
    app.identity = identity
    app.run()


@cli.command()
@pass_env
def tui(env: Env) -> None:
    """Open the queue."""
    _run_tui(env, sandbox=False)


@cli.command()
@click.option("--size", default=300, show_default=True, type=click.IntRange(0, 1_000_000))
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="Throw the sandbox away and generate it anew.")
@click.option("--no-tui", is_flag=True, hidden=True, help="Build the sandbox store and exit.")
@click.option("--user", "as_user", metavar="NAME",
              help="Act as this member of the practice team (lee practises legal).")
@pass_env
def sandbox(env: Env, size: int, seed: int, reset: bool, no_tui: bool,
            as_user: str | None) -> None:
    """Open the queue on a generated sandbox: no accounts, no network needed.

    Local stand-ins of the platforms run on 127.0.0.1 while it is open, and the real
    connectors sync from them; a new comment arrives every few seconds. Its own practice
    team (ana, ben, lee) is used unless a config is given with --config or TRIAGE_CONFIG.
    """
    from triage.sandbox_store import run_sandbox

    if as_user:
        env.user_option = as_user

    def open_queue(store: Any, config: Config, notes: dict[str, str], identity: str) -> None:
        _run_tui(env, sandbox=True, store=store, config=config, account_notes=notes,
                 identity=identity)

    run_sandbox(env, size=size, seed=seed, reset=reset,
                say=lambda message: click.echo(message, err=True),
                tui=None if no_tui else open_queue,
                practice=not (env.config_path or os.environ.get("TRIAGE_CONFIG")))


@cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--jobs", type=click.IntRange(1, 64), default=None, metavar="N",
              help="Tag on N processes (default: one per core).")
@pass_env
def import_(env: Env, file: Any, jobs: int | None) -> None:
    """Import comments from a JSON-lines FILE (one comment per line; - for stdin).

    Bad lines are named by number and skipped; the rest are imported, and the exit code
    is 2 when any line was bad. New comments are tagged on every core (``--jobs``).
    """
    from triage.importer import import_lines
    from triage.tagpool import TagPool

    desk = env.open_desk(tagging=True)
    with TagPool(env.tagger(), recipe=env.tagger_recipe(), workers=jobs) as pool:
        report = import_lines(desk, file, pool=pool)
    for problem in report.problems:
        click.echo(inline(problem), err=True)
    click.echo(
        f"imported {report.new}, already stored {report.skipped_existing}, "
        f"bad lines {len(report.problems)}"
    )
    if report.problems:  # the good lines are in; the exit code still says some were not
        raise ImportError_(f"{len(report.problems)} bad line"
                           f"{'s' if len(report.problems) != 1 else ''} skipped ({file.name})")


def comment_json(comment: Comment) -> dict[str, Any]:
    """The public JSON form of a comment (``ls --json``); mask it first for an export."""
    from triage.convert import iso

    out: dict[str, Any] = {
        "id": comment.id,
        "platform": comment.platform,
        "account": comment.account,
        "author": comment.author.name,
        "created_at": iso(comment.created_at),
        "status": comment.status,
        "tags": [{"name": t.name, "score": round(t.score, 3)}
                 for t in comment.tags if not t.possible],
        "post_id": comment.post_id,
        "parent_id": comment.parent_id,
        "permalink": comment.permalink,
        "text": comment.text,
    }
    possible = [t.name for t in comment.tags if t.possible]
    if possible:  # a possible crisis waits for a person: not the tag of TAGS.md yet
        out["possible"] = possible
    return out


@cli.command("ls")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--csv", "as_csv", is_flag=True,
              help="CSV with a header row (masked like the list; for a spreadsheet).")
@click.option("--status", type=click.Choice(STATUSES), help="Only comments with this status.")
@click.option("--tag", type=click.Choice(TAG_NAMES), help="Only comments with this tag.")
@click.option("--limit", type=click.IntRange(min=0), help="At most this many.")
@click.option("--query", "query_text", default="", help="A query: tag:privacy age:<2h …")
@click.option("--reveal", is_flag=True,
              help="Show the identifiers the privacy tagger found (legal only; journaled).")
@pass_env
def ls(
    env: Env,
    as_json: bool,
    as_csv: bool,
    status: str | None,
    tag: str | None,
    limit: int | None,
    query_text: str,
    reveal: bool,
) -> None:
    """List comments, newest first; identifiers (phone, e-mail, …) are masked."""
    from triage.legal import masked
    from triage.model import utcnow
    from triage.query import parse_query
    from triage.textsafe import one_line
    from triage.views import queue_states

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    query = parse_query(query_text)
    # With --limit, the newest comments kept for the first screen often answer alone.
    desk = env.open_desk(defer_load=limit is not None)
    match = query.matcher(now=utcnow(), user=env.user,
                          legal=queue_states(desk, env.config, utcnow()) if query.legal
                          else None)

    def wanted(comment: Comment) -> bool:
        return (match(comment) and (status is None or comment.status == status)
                and (tag is None or comment.tag(tag) is not None))

    rows = desk.newest(wanted, limit)
    if reveal:
        desk.reveal(rows, where="ls")
    else:
        rows = [masked(comment) for comment in rows]
    out = sys.stdout
    if as_csv:
        from triage.csvout import COMMENT_FIELDS, comment_row, write_csv

        write_csv(out, COMMENT_FIELDS, (comment_row(c) for c in rows))
        return
    for comment in rows:
        if as_json:
            out.write(json_line(comment_json(comment)) + "\n")
        else:
            tags = ",".join(comment.tag_names) or "-"
            out.write(
                f"{inline(comment.id)}\t{inline(comment.platform)}\t{comment.status}\t{tags}\t"
                f"{one_line(comment.author.name, 24)}\t{one_line(comment.text, 80)}\n"
            )


@cli.command("config")
@pass_env
def config_cmd(env: Env) -> None:
    """Check the configuration and say where it and the data folder are."""
    path = find_config(env.config_path)
    config = env.config
    click.echo(f"config: {path if path else 'none found (built-in defaults)'}")
    click.echo(f"data folder: {env.data_dir()}")
    click.echo(f"accounts: {len(config.accounts)}, team: {len(config.team)}")
    for account in config.accounts:
        _check_account(account)
        for key, variable in account.env_names().items():
            if not os.environ.get(variable):
                click.echo(f"warning: account {account.name!r}: the environment variable "
                           f"{variable} (its {key}) is not set; it cannot sync "
                           "until it is", err=True)
    escalation = config.escalation
    for key in ("webhook_token_env", "smtp_user_env", "smtp_password_env"):
        name = getattr(escalation, key)
        if name and not os.environ.get(name):
            click.echo(f"warning: [escalation] {key}: the environment variable {name} "
                       "is not set", err=True)


def _check_account(account: AccountConfig) -> None:
    """Raise ConfigError when the account's connector lacks a setting it needs (the
    platform's ids, Reddit's user name and variables); nothing when none is installed."""
    from triage.connectors.registry import connector_class, platforms

    if account.platform in platforms():
        connector_class(account.platform).check_account(account)


#: Modules that add commands to ``triage``; each lists its click commands in ``COMMANDS``.
COMMAND_MODULES = (
    "triage.cli_queue",
    "triage.cli_desk",
    "triage.cli_legal",
    "triage.cli_sync",
    "triage.cli_templates",
    "triage.cli_tagging",
    "triage.cli_model",
    "triage.cli_replies",
    "triage.cli_policies",
    "triage.cli_db",
    "triage.cli_ae",
)


def register_commands() -> None:
    """Add every command module's commands to the ``triage`` group (once)."""
    import importlib

    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        for command in module.COMMANDS:
            if command.name not in cli.commands:
                cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the command line, turning Triage errors into clear messages."""
    register_commands()
    try:
        cli.main(args=argv, prog_name="triage", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except TriageError as exc:  # messages may quote ids and platforms' words: shown inert
        click.echo(f"triage: {clean(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
