"""Sync: pull new comments from every account (or one) into the store, concurrently.

For each account: skip it while a platform's rate-limit pause lasts; read its token
from the environment variable its config names; build its connector from the registry;
then walk the connector's pages from the stored cursor. Each page's comments are tagged
off the store's thread, pages are stored in batches, and after each batch the cursor of
its last page is kept — so the cursor never passes an item that was not stored, and an
interrupted sync resumes where it stopped. Items a connector could not read are skipped
and reported; the account's state (ok, rate-limited until …, auth error, error) is kept
in the store. One account failing never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from triage import __version__
from triage.config import AccountConfig
from triage.connectors import Connector, RetryPolicy, connector_class
from triage.errors import AuthError, ConfigError, ConnectorError, RateLimited, StoreError
from triage.model import Comment, Post, utcnow
from triage.sync_sink import AccountStatus, Sink

__all__ = ["AccountResult", "SyncOptions", "new_client", "read_token", "sync_account",
           "sync_accounts"]

if TYPE_CHECKING:  # imported where used: importing httpx pulls in rich (httpx._main)
    import httpx

logger = logging.getLogger("triage.sync")


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """How a sync runs; the defaults suit the command line."""

    #: Store once this many comments wait, or the oldest waited ``batch_seconds``. Each
    #: store write costs a flush of the store's files (about 0.1 s on a 10k queue, whatever
    #: the batch size), so the command line writes big batches; the TUI passes smaller ones.
    batch_comments: int = 2000
    batch_seconds: float = 3.0
    policy: RetryPolicy | None = None
    page_size: int | None = None
    clock: Callable[[], datetime] = utcnow
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)


@dataclass(slots=True)
class AccountResult:
    """What one account's sync did."""

    account: str
    new: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)
    status: AccountStatus | None = None

    @property
    def failed(self) -> bool:
        return self.status is not None and self.status.failed

    @property
    def errors(self) -> int:
        """Items skipped, plus one when the account itself failed."""
        return len(self.problems) + (1 if self.failed else 0)

    def summary(self, now: datetime | None = None) -> str:
        """``riverside-mastodon: 12 new, 0 updated, 0 errors`` (and the state, if not ok;
        for a rate limit, until when and the platform's reason)."""
        errors = self.errors
        line = (f"{self.account}: {self.new} new, {self.updated} updated, "
                f"{errors} error{'' if errors == 1 else 's'}")
        if self.status is not None and self.status.state != "ok":
            line += f"; {self.status.explained(now)}"
        return line


def read_token(account: AccountConfig, environ: Mapping[str, str]) -> str:
    """The account's token from its environment variable; AuthError naming both if unset."""
    token = environ.get(account.token_env, "").strip()
    if not token:
        raise AuthError(f"{account.name}: the environment variable {account.token_env} is not "
                        f"set (it must hold the account's {account.platform} token)",
                        account=account.name)
    return token


def new_client() -> httpx.AsyncClient:
    """The shared HTTP client of a sync: no redirects followed, a Triage user agent."""
    import httpx

    return httpx.AsyncClient(follow_redirects=False,
                             headers={"User-Agent": f"triage/{__version__}"},
                             limits=httpx.Limits(max_connections=20))


async def sync_accounts(
    accounts: Sequence[AccountConfig],
    sink: Sink,
    *,
    client: httpx.AsyncClient | None = None,
    options: SyncOptions | None = None,
) -> list[AccountResult]:
    """Sync every account concurrently; one result each, in the accounts' order."""
    options = options or SyncOptions()
    if client is None:
        async with new_client() as own:
            return await sync_accounts(accounts, sink, client=own, options=options)
    return list(await asyncio.gather(
        *(sync_account(account, sink, client=client, options=options) for account in accounts)))


async def sync_account(
    account: AccountConfig,
    sink: Sink,
    *,
    client: httpx.AsyncClient,
    options: SyncOptions | None = None,
) -> AccountResult:
    """Sync one account; every failure ends up in the result, never raised."""
    options = options or SyncOptions()
    result = AccountResult(account.name)
    before = await sink.status(account.name)
    if before.paused(options.clock()):
        result.status = before
        return result
    batch = _Batch(account, sink, result)
    try:
        token = read_token(account, options.environ)
        connector = connector_class(account.platform)(
            account, token, client, policy=options.policy, known=sink.known,
            page_size=options.page_size, clock=options.clock, sleep=options.sleep,
            environ=options.environ)
        await _walk(connector, account, sink, batch, options)
        status = AccountStatus(account.name, "ok", at=options.clock(), last_ok=options.clock())
    except RateLimited as exc:
        status = AccountStatus(account.name, "rate_limited", until=exc.until,
                               message=exc.message, at=options.clock(), last_ok=before.last_ok)
    except AuthError as exc:
        status = _failed(account, "auth_error", exc.message, before, options)
    except (ConnectorError, ConfigError, StoreError) as exc:
        status = _failed(account, "error", exc.message, before, options)
    except Exception as exc:  # a bug must not stop the other accounts
        logger.exception("%s: the sync failed unexpectedly", account.name)
        status = _failed(account, "error", f"{account.name}: the sync failed unexpectedly "
                         f"({type(exc).__name__}); see the log", before, options)
    try:
        await batch.flush()  # pages read before a failure are whole: keep them
    except StoreError as exc:
        status = _failed(account, "error", exc.message, before, options)
    result.status = status
    await sink.set_status(status)
    return result


def _failed(account: AccountConfig, state: str, message: str, before: AccountStatus,
            options: SyncOptions) -> AccountStatus:
    return AccountStatus(account.name, state, message=message, at=options.clock(),
                         last_ok=before.last_ok)


async def _walk(connector: Connector, account: AccountConfig, sink: Sink, batch: _Batch,
                options: SyncOptions) -> None:
    cursor = await sink.cursor(account)
    async for page in connector.pages(cursor):
        for problem in page.problems:
            logger.warning("%s", problem)
        batch.result.problems.extend(page.problems)
        batch.add(await sink.prepare(page.comments), page.posts, page.cursor)
        if batch.due(options):
            await batch.flush()


class _Batch:
    """Pages read but not yet stored, and the cursor to keep once they are."""

    def __init__(self, account: AccountConfig, sink: Sink, result: AccountResult) -> None:
        self.account = account
        self.sink = sink
        self.result = result
        self.comments: list[Comment] = []
        self.posts: list[Post] = []
        self.cursor: Mapping[str, Any] | None = None
        self.started = 0.0

    def add(self, comments: Sequence[Comment], posts: Sequence[Post],
            cursor: Mapping[str, Any] | None) -> None:
        if self.cursor is None and not self.comments:
            self.started = time.monotonic()
        self.comments.extend(comments)
        self.posts.extend(posts)
        if cursor is not None:
            self.cursor = cursor

    def due(self, options: SyncOptions) -> bool:
        return (len(self.comments) >= options.batch_comments
                or time.monotonic() - self.started >= options.batch_seconds)

    async def flush(self) -> None:
        if not self.comments and not self.posts and self.cursor is None:
            return
        comments, posts, cursor = self.comments, self.posts, self.cursor
        self.comments, self.posts, self.cursor = [], [], None
        written = await self.sink.write(self.account, comments, posts, cursor)
        self.result.new += written.new
        self.result.updated += written.updated
