"""The desk's live sync: every account pulled every ``poll_seconds`` in the background.

:class:`SyncRunner` is a service the app builds once. Once the queue is loaded it syncs each
account when its ``poll_seconds`` (its own, or the config's) have passed since its last
sync, in an async worker on the app's loop: requests are async, tagging runs in worker
threads, the store's files are written by its background writer. Comments that arrive
show up in the list without moving the cursor off the comment it is on (the runner posts
:class:`~tui.messages.QueueStale`; the crisis bell rings for new crises); the account bar
says how each account stands (:class:`~tui.messages.AccountsChanged`); ``ctrl+r`` syncs
now. One HTTP client serves every sync and is closed when the app ends.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import App
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from triage.config import AccountConfig, Config
from triage.store import IngestResult, Store
from triage.sync import AccountResult, SyncOptions, new_client, sync_account
from triage.sync_sink import AccountStatus, StoreSink, account_statuses
from tui.account_bar import AccountLine
from tui.messages import AccountsChanged, FirstSyncDone, QueueStale

if TYPE_CHECKING:
    import httpx

__all__ = ["ARRIVALS_DELAY", "SYNC_BATCH_COMMENTS", "SYNC_BATCH_SECONDS", "SYNC_CONCURRENCY",
           "SyncRunner"]

#: How the app's syncs store what they read. Every stored batch costs the UI thread an
#: ingest (memory and one journal append; the files are written by the store's writer)
#: and, shortly after, a refresh of the list: batches of a few hundred comments keep each
#: well under a frame's budget while a big first sync still shows its progress.
SYNC_BATCH_COMMENTS = 500
SYNC_BATCH_SECONDS = 0.5
#: How many accounts sync at once. Each account's next page is parsed and stored on the
#: UI thread; with every account at once, several of those steps come due together and
#: run back to back in one turn of the loop (bench_sync.py: 5 accounts held it up to
#: 130 ms, one account at a time ≤ 66 ms).
SYNC_CONCURRENCY = 2
#: After a batch is stored, the list is refreshed this much later (batches stored
#: meanwhile are shown by the same refresh).
ARRIVALS_DELAY = 0.3
#: Once syncs stored this many new comments, they join the objects the garbage
#: collector's full passes skip (see :meth:`SyncRunner.freeze_long_lived`).
FREEZE_AFTER = 1000
#: How often the account bar's "3 min ago" is brought up to date.
AGES_SECONDS = 15.0

NO_ACCOUNTS = ("No accounts to sync: add [[accounts]] to config.toml (name, platform, "
               "token_env, …); `triage config` says which file is read.")


class SyncRunner:
    """Syncs the configured accounts for one desk, and knows how each stands."""

    def __init__(self, host: App[None], store: Store, config: Config,
                 clock: Callable[[], datetime]) -> None:
        #: The app: it runs the sync worker and the timers, and shows the notifications.
        self.host = host
        self.store, self.config, self.clock = store, config, clock
        #: Accounts shown in the bar with a note instead of a sync state (name -> note),
        #: e.g. a sandbox's platforms that have no connector yet.
        self.notes: dict[str, str] = {}
        #: Each configured account's last known state.
        self.account_states: dict[str, AccountStatus] = {}
        #: Accounts whose sync is under way.
        self.syncing: set[str] = set()
        #: The results of the last sync that ended (for tests and the curious).
        self.last_sync: list[AccountResult] = []
        self._due: dict[str, float] = {}
        self._client: httpx.AsyncClient | None = None
        self._sync_worker: Worker[None] | None = None
        self._arrivals: Timer | None = None
        self._unfrozen = 0
        self._rounds = 0

    # -- starting ---------------------------------------------------------------------

    def start(self) -> None:
        """Call once mounted: sync what is due, every second."""
        self.account_states = {s.account: s for s in
                               account_statuses(self.store, self.config.accounts)}
        self.host.set_interval(1.0, self._sync_due)
        self.host.set_interval(AGES_SECONDS, self.show_accounts)
        self.host.call_after_refresh(self.show_accounts)
        self.host.call_after_refresh(self._sync_due)

    @property
    def sync_worker(self) -> Worker[None] | None:
        """The worker of the current (or last) sync, if any ran."""
        return self._sync_worker

    @property
    def sync_running(self) -> bool:
        worker = self._sync_worker
        return worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def _sync_due(self) -> None:
        """Start a sync of the accounts whose poll interval has passed (none while one runs)."""
        if not self.config.accounts or not self.store.loaded or self.sync_running:
            return
        now = time.monotonic()
        due = [a for a in self.config.accounts if self._due.get(a.name, 0.0) <= now]
        if due:
            self.start_sync(due)

    def start_sync(self, accounts: Sequence[AccountConfig], *, said: bool = False) -> bool:
        """Sync ``accounts`` now; False (and nothing started) while a sync runs.

        ``said``: a person asked for it, so say how it went when it ends.
        """
        if self.sync_running or not self.store.loaded or not accounts:
            return False
        if self._sync_worker is None:
            self.freeze_long_lived()  # the queue is loaded and the tagger built by now
        self.syncing.update(a.name for a in accounts)
        self.show_accounts()
        self._sync_worker = self.host.run_worker(self._sync(list(accounts), said=said),
                                                 group="sync", exclusive=True,
                                                 exit_on_error=False)
        return True

    def freeze_long_lived(self) -> None:
        """Move the objects alive now out of the garbage collector's full passes.

        The queue, the tagger's tables and the widgets live as long as the app. A full
        pass walks every tracked object and holds the UI while it does: during a sync
        of 10,000 comments the store grows quickly, full passes come often, and each
        took 60–150 ms (bench_sync.py). So this runs before the first sync and again each
        time syncs stored another ``FREEZE_AFTER`` comments; a full pass then walks only
        what came since. Frozen objects are still freed when nothing refers to them; only
        reference cycles among them would stay, so the young generations are collected
        first.
        """
        gc.collect(1)
        gc.freeze()
        self._unfrozen = 0

    def sync_now(self) -> None:
        """``ctrl+r``: sync every account now, or say why not."""
        if not self.config.accounts:
            self.host.notify(NO_ACCOUNTS, severity="warning", markup=False)
            return
        if not self.store.loaded:
            self.host.notify("The queue is still loading; syncing starts once it is in.",
                        markup=False)
            return
        if self.sync_running:
            self.host.notify("A sync is running already: its comments appear as they arrive.",
                        markup=False)
            return
        now = self.clock()
        for status in self.account_states.values():
            if status.paused(now):
                why = status.reason or "the platform asked for a pause"
                self.host.notify(f"{status.account} stays {status.label(now)}: {why}.",
                            severity="warning", markup=False)
        self.start_sync(self.config.accounts, said=True)

    # -- the sync ---------------------------------------------------------------------

    async def _sync(self, accounts: list[AccountConfig], *, said: bool = False) -> None:
        sink = StoreSink(self.store, on_write=self._stored, on_status=self._account_done)
        options = SyncOptions(batch_comments=SYNC_BATCH_COMMENTS,
                              batch_seconds=SYNC_BATCH_SECONDS, clock=self.clock)
        gate = asyncio.Semaphore(SYNC_CONCURRENCY)
        client = self._http()

        async def one(account: AccountConfig) -> AccountResult:
            async with gate:
                return await sync_account(account, sink, client=client, options=options)

        try:
            self.last_sync = list(await asyncio.gather(*(one(a) for a in accounts)))
        finally:  # also when cancelled (the app is closing): what was stored stays
            ended = time.monotonic()
            for account in accounts:
                self.syncing.discard(account.name)
                self._due[account.name] = ended + (account.poll_seconds
                                                   or self.config.poll_seconds)
        self._show_arrivals()
        self.show_accounts()
        self._rounds += 1
        if self._rounds == 1:
            self.host.post_message(FirstSyncDone())
        if said:
            new = sum(r.new for r in self.last_sync)
            self.host.notify(f"Synced {len(accounts)} account{'s' if len(accounts) > 1 else ''}: "
                        + (f"{new} new comment{'s' if new > 1 else ''}" if new else
                           "nothing new"), timeout=3, markup=False)

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = new_client()
        return self._client

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def _stored(self, account: str, result: IngestResult) -> None:
        """A batch of new or changed comments was stored: show it shortly."""
        self._unfrozen += result.new
        if self._unfrozen >= FREEZE_AFTER:
            self.freeze_long_lived()
        if self._arrivals is None:
            self._arrivals = self.host.set_timer(ARRIVALS_DELAY, self._show_arrivals)

    def _show_arrivals(self) -> None:
        timer, self._arrivals = self._arrivals, None
        if timer is not None:
            timer.stop()
        self.host.post_message(QueueStale())

    def _account_done(self, status: AccountStatus) -> None:
        """An account's sync ended: keep its state, say so when it changed for the worse."""
        before = self.account_states.get(status.account)
        self.account_states[status.account] = status
        self.syncing.discard(status.account)
        self.show_accounts()
        changed = before is None or before.state != status.state \
            or before.message != status.message
        if not changed:
            return
        if status.failed:
            self.host.notify(status.message or f"{status.account}: {status.label()}",
                        title="Sync", severity="error", timeout=12, markup=False)
        elif status.state == "rate_limited":
            self.host.notify(f"{status.account}: {status.explained(self.clock())}; its sync "
                        "resumes then.", title="Sync", severity="warning", timeout=8,
                        markup=False)

    # -- the bar ----------------------------------------------------------------------

    def account_lines(self) -> list[AccountLine]:
        """Every account the bar shows: the configured ones, then the noted ones."""
        lines = [AccountLine(a.name, self.account_states.get(a.name), a.name in self.syncing)
                 for a in self.config.accounts]
        configured = {a.name for a in self.config.accounts}
        lines += [AccountLine(name, note=note) for name, note in self.notes.items()
                  if name not in configured]
        return lines

    def show_accounts(self) -> None:
        """Have every account bar brought up to date."""
        self.host.post_message(AccountsChanged())
