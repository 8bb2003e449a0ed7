"""``triage sync``: pull new comments from the accounts, once or every ``poll_seconds``."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Sequence

import click

from triage.cli import Env, pass_env
from triage.config import AccountConfig, Config
from triage.errors import ConfigError, TriageError
from triage.sync import AccountResult, SyncOptions, new_client, sync_accounts
from triage.sync_sink import Sink, StoreSink
from triage.textsafe import inline

__all__ = ["COMMANDS", "keep_syncing", "sync_command"]

#: At most this many skipped-item messages per account on the terminal (all are logged).
SHOWN_PROBLEMS = 20


@click.command("sync")
@click.option("--account", "account_name", metavar="NAME", help="Only this account.")
@click.option("--once", is_flag=True, help="Sync once and exit (default: every poll_seconds).")
@click.option("-v", "--verbose", is_flag=True, help="Log requests, retries and waits.")
@pass_env
def sync_command(env: Env, account_name: str | None, once: bool, verbose: bool) -> None:
    """Pull new comments from every account (or one), tag them, and add them to the queue.

    Prints, per account, how many comments were new and updated and how many items could
    not be read. Exits 1 when an account failed (auth error, or an error the platform
    keeps giving); a rate limit is not a failure: the account resumes when it lifts.
    On the team store each account is synced by one process at a time: an account that
    another desk syncs is skipped, saying so, and taken over when that desk goes.
    """
    config = env.config
    accounts = [config.account(account_name)] if account_name else list(config.accounts)
    if not accounts:
        where = config.source or "config.toml"
        raise ConfigError(f"{where}: no accounts to sync; add [[accounts]] tables "
                          "(name, platform, token_env, …)")
    if verbose:
        _log_to_stderr()
    sink: Sink
    gate: SyncGate | None = None
    if env.team_mode:  # the desk captures as the login; its tagger tags on the way in
        from triage.service import team_url
        from triage.teamdb.sink import TeamSink

        sink = TeamSink(env.open_desk(tagging=True))
        gate = SyncGate(team_url(config.store.url), accounts)
    else:
        sink = StoreSink(env.open_store())
    try:
        _run(accounts, sink, config, once=once, gate=gate)
    finally:
        if gate is not None:
            gate.release()


def _run(accounts: Sequence[AccountConfig], sink: Sink, config: Config, *, once: bool,
         gate: Gate | None) -> None:
    if once:
        mine = gate(accounts) if gate is not None else accounts
        results = asyncio.run(sync_accounts(mine, sink)) if mine else []
        _report(results)
        _fail_if_failed(results)
        return
    click.echo(f"syncing {len(accounts)} account{'s' if len(accounts) != 1 else ''}; "
               "ctrl-c stops", err=True)
    try:
        asyncio.run(keep_syncing(accounts, sink, config, report=_report, gate=gate))
    except KeyboardInterrupt:
        click.echo("sync stopped", err=True)


#: Which of the accounts due this round this process syncs (the others are left alone).
Gate = Callable[[Sequence[AccountConfig]], list[AccountConfig]]


class SyncGate:
    """On the team store: each account is synced by one process at a time (an advisory
    lock per account, held until this process stops), and the accounts another process
    syncs are skipped, saying so once; one is taken over when its holder goes."""

    def __init__(self, url: str, accounts: Sequence[AccountConfig],
                 say: Callable[[str], None] | None = None) -> None:
        from triage.teamdb.leader import RoleBoard, sync_role

        self.board = RoleBoard(url, [sync_role(a.name) for a in accounts])
        self.role = sync_role
        self.say = say or (lambda line: click.echo(line, err=True))
        self.seen_others: set[str] = set()

    def __call__(self, ready: Sequence[AccountConfig]) -> list[AccountConfig]:
        held, fresh, elsewhere = self.board.take()
        for account in ready:
            role = self.role(account.name)
            if role in elsewhere:
                holder = self.board.roles[role].holder()
                self.say(f"account {inline(account.name)} is being synced by another desk"
                         + (f" ({inline(holder)})" if holder else ""))
                self.seen_others.add(role)
            elif role in fresh and role in self.seen_others:
                self.say(f"took over syncing account {inline(account.name)}")
                self.seen_others.discard(role)
        return [a for a in ready if self.role(a.name) in held]

    def release(self) -> None:
        self.board.release()


async def keep_syncing(
    accounts: Sequence[AccountConfig],
    sink: Sink,
    config: Config,
    *,
    report: Callable[[list[AccountResult]], None],
    cycles: int | None = None,
    options: SyncOptions | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    monotonic: Callable[[], float] = time.monotonic,
    gate: Gate | None = None,
) -> None:
    """Sync each account every ``poll_seconds`` (its own, or the config's) until stopped.

    After the first round only accounts with news or a changed state are reported, so a
    lasting auth error is said once. ``cycles`` bounds the rounds; ``sleep`` and
    ``monotonic`` are the clock (tests replace them). ``gate`` picks, each round, the
    due accounts this process syncs (on the team store: those no other process syncs).
    """
    due = dict.fromkeys((a.name for a in accounts), 0.0)
    last_state: dict[str, str] = {}
    rounds = 0
    async with new_client() as client:
        while cycles is None or rounds < cycles:
            now = monotonic()
            ready = [a for a in accounts if due[a.name] <= now]
            for account in ready:
                due[account.name] = now + (account.poll_seconds or config.poll_seconds)
            if gate is not None:
                ready = gate(ready)
            results = await sync_accounts(ready, sink, client=client, options=options)
            news = []
            for account, result in zip(ready, results, strict=True):
                state = result.status.state if result.status else ""
                if rounds == 0 or result.new or result.updated or result.problems \
                        or last_state.get(account.name) != state:
                    news.append(result)
                last_state[account.name] = state
            report(news)
            rounds += 1
            if cycles is None or rounds < cycles:
                await sleep(max(0.0, min(due.values()) - monotonic()))


def _report(results: list[AccountResult]) -> None:
    for result in results:
        click.echo(inline(result.summary()))
        for problem in result.problems[:SHOWN_PROBLEMS]:
            click.echo(f"  {inline(problem)}", err=True)
        if len(result.problems) > SHOWN_PROBLEMS:
            click.echo(f"  … and {len(result.problems) - SHOWN_PROBLEMS} more "
                       "(run with -v to log them all)", err=True)
        if result.status is not None and result.status.failed:
            click.echo(f"triage: {inline(result.status.message)}", err=True)


def _fail_if_failed(results: list[AccountResult]) -> None:
    failed = [r.account for r in results if r.failed]
    if failed:
        raise TriageError(f"{len(failed)} of {len(results)} account"
                          f"{'s' if len(results) != 1 else ''} failed: {', '.join(failed)}")


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s", "%H:%M:%S"))
    for name in ("triage.connectors", "triage.sync"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


COMMANDS = [sync_command]
