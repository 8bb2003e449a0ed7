"""The Triage app: one App that builds the desk's services, hands them to its screens, and
carries the messages between them (workers for the blocking work, messages up, calls down)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import TypeVar

from textual import events, on, work
from textual.actions import ActionParseResult
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.message import Message
from textual.notifications import Notify, SeverityLevel
from textual.screen import Screen

from triage.config import Config
from triage.desk import Desk
from triage.groups import Grouper
from triage.live import Watch
from triage.model import Comment, utcnow
from triage.spikes import Alert, SpikeWatch, alert_notice, config_products
from triage.store import Store
from triage.textsafe import clean
from triage.views import Sla, views_from_config
from tui.account_bar import AccountBar
from tui.help_screen import HelpScreen, refusal_of
from tui.legal_duties import LegalDuties
from tui.legal_screen import LegalScreen
from tui.messages import (
    AccountsChanged,
    CommentsChanged,
    DeliveriesRecorded,
    FirstSyncDone,
    PresenceChanged,
    QueueStale,
)
from tui.model_runner import ModelRunner
from tui.outbox_sender import OutboxSender
from tui.pickers import ChoiceScreen
from tui.queue_list import QueueList
from tui.queue_screen import QueueScreen
from tui.services import Services, perform
from tui.sync_runner import SyncRunner
from tui.template_commands import TemplateCommands

__all__ = ["MAX_NOTICES", "QueueScreen", "TriageApp", "binding_ids"]

T = TypeVar("T")

#: At most this many notifications are on screen at once (the oldest go first).
MAX_NOTICES = 4


def binding_ids() -> set[str]:
    """The id of every key binding of the app's screens and widgets (for ``[keymap]``)."""
    found: set[str] = set()
    pending: list[type[DOMNode]] = [DOMNode]
    while pending:
        node = pending.pop()
        pending.extend(node.__subclasses__())
        if node.__module__.split(".")[0] != "tui":
            continue
        for binding in node.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                found.add(binding.id)
    return found


#: How often, in seconds, the desk looks for spikes (and once the queue is loaded).
SPIKE_CHECK_SECONDS = 60.0


class TriageApp(App[None]):
    """Work the queue from the keyboard."""

    CSS_PATH = "app.tcss"
    TITLE = "Triage"
    COMMANDS = App.COMMANDS | {TemplateCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Every key"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+r", "sync_now", "Sync now", show=False, id="app.sync",
                tooltip="Fetch new comments from every account now"),
    ]

    def __init__(
        self,
        *,
        store: Store,
        config: Config,
        user: str,
        sandbox: bool = False,
        clock: Callable[[], datetime] = utcnow,
        show_clock: bool = True,
        background_delivery: bool = True,
        view: str | None = None,
        learned: bool = False,
    ) -> None:
        super().__init__()
        self.clock = clock
        self.store = store
        self.config = config
        self.user = user
        self.sandbox = sandbox
        self.desk = Desk(store, user, team=[m.name for m in config.team], config=config)
        self.views = views_from_config(config)
        #: The desk's services; the screens get them handed down.
        self.legal = LegalDuties(self, store, config, user,
                                 background_delivery=background_delivery)
        self.outbox = OutboxSender(self, self.desk, config, self.now,
                                   on_countdown=self._count_down)
        self.sync = SyncRunner(self, store, config, self.now)
        self.services = Services(desk=self.desk, config=config, clock=self.now,
                                 views=self.views, sla=Sla(config.sla), legal=self.legal,
                                 outbox=self.outbox, sync=self.sync, show_clock=show_clock)
        self.queue_screen = QueueScreen(self.services, view=view)
        self.base_sub_title = f"{config.org.name}{' · sandbox' if sandbox else ''} · {user}"
        self.sub_title = self.base_sub_title
        self.spike_watch = SpikeWatch(config.alerts, config_products(config.pharmacovigilance))
        #: Who the person is on the sandbox's team and how to act as another (shown at
        #: start and on the help screen); empty outside the sandbox.
        self.identity = ""
        self._watch: Watch | None = None
        #: The learned layer's background pass (``learned``: the command line turns it on).
        self.model_runner = ModelRunner(self) if learned else None

    def now(self) -> datetime:
        """The time now, by the app's clock (tests set another)."""
        return self.clock()

    def get_default_screen(self) -> Screen[None]:
        return self.queue_screen

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every toast of every screen: ids and the platforms' words in it are shown inert."""
        super().notify(clean(message), title=clean(title), severity=severity, timeout=timeout,
                       markup=markup)

    def on_mount(self) -> None:
        self.store.write_in_background()
        if not self.store.loaded:
            self.run_worker(self._load_everything, thread=True, exclusive=True, group="load",
                            exit_on_error=False)
        elif self.model_runner is not None:
            self.model_runner.kick()
        for warning in self.store.warnings:
            self.notify(warning, severity="warning", timeout=20, markup=False)
        self._apply_keymap()
        self.set_interval(1.0, self._tick)
        self.set_interval(30.0, self._refresh_ages)
        self.set_interval(SPIKE_CHECK_SECONDS, self.check_spikes)
        self.check_spikes()
        if self.store.replayed:
            self.notify(f"Recovered {self.store.replayed} actions from the journal.")
        if self.identity:
            self.notify(self.identity, title="Sandbox", timeout=15, markup=False)
        self.legal.start_legal_duties()
        self.sync.start()
        self.outbox.start()
        self._watch = self.desk.watch()
        # A thread of its own rather than a worker: it lives as long as the app, and
        # workers are what ``workers.wait_for_complete`` waits for.
        threading.Thread(target=self._hear_other_desks, args=(self._watch,),
                         name="triage-watch", daemon=True).start()

    async def on_unmount(self) -> None:
        self.desk.release_all()
        if self._watch is not None:
            self._watch.close()
        await self.outbox.close()
        await self.sync.close()

    def _load_everything(self) -> None:
        """Read the whole queue off the UI thread; the UI thread then adopts it."""
        comments, unreadable = self.store.read_all()
        self.call_from_thread(self._adopt, comments, unreadable)

    def _adopt(self, comments: dict[str, Comment], unreadable: list[int]) -> None:
        before = len(self.store.warnings)
        perform(self, lambda: self.store.adopt(comments, unreadable))
        self.run_worker(partial(self._group_everything, dict(comments)), thread=True,
                        exclusive=True, group="groups", exit_on_error=False)
        for warning in self.store.warnings[before:]:
            self.notify(warning, severity="warning", timeout=20, markup=False)
        self.legal.apply_retention_at_start()
        self.queue_screen.view.reload()
        if self.model_runner is not None:
            self.model_runner.kick()
        self.check_spikes()

    def _group_everything(self, comments: dict[str, Comment]) -> None:
        """Group the near-copies of the whole queue off the UI thread; the list shows
        every comment on its own row until the groups are known."""
        grouper = Grouper()
        grouper.add_many(comments.values())
        self.call_from_thread(self._groups_known, grouper)

    def _groups_known(self, grouper: Grouper) -> None:
        self.desk.adopt_grouper(grouper)
        self.queue_screen.view.groups_ready = True
        self.queue_screen.view.reload(counts=False)

    def _hear_other_desks(self, watch: Watch) -> None:
        """What other desks do arrives as messages (this thread waits for it; closing the
        watch, as the app ends, ends it)."""
        for change in watch:
            messages: list[Message] = []
            if change.lease is not None:
                lease = change.lease
                messages.append(PresenceChanged(lease.comment_id, lease.person, lease.what))
            if change.ids:
                messages.append(CommentsChanged(change.ids, by=change.by or "another desk"))
            for message in messages:
                try:
                    self.call_from_thread(self.post_message, message)
                except RuntimeError:
                    return  # the app is no longer running

    def _apply_keymap(self) -> None:
        keymap = dict(self.config.keymap)
        known = binding_ids()
        for ident in sorted(set(keymap) - known):
            self.notify(f"config.toml: [keymap] has no binding with id {ident!r}; ignored",
                        severity="warning", markup=False)
            keymap.pop(ident)
        if keymap:
            self.set_keymap(keymap)

    def _tick(self) -> None:
        perform(self, self.store.flush_if_due)
        if self.return_code is not None or self.queue_screen.view.queue_list() is None:
            return  # quitting: the store is flushed at the end, nothing more is shown
        error = self.store.take_write_error()
        if error:
            self.notify(f"{error}. Your actions are safe in the journal; writing is retried.",
                        severity="error", timeout=10, markup=False)
        self.queue_screen.view.refresh_queue()
        if self.model_runner is not None:
            self.model_runner.kick_if_changed()

    def perform(self, command: Callable[[], T]) -> T | None:
        """Run a desk command; a refusal or a problem becomes a notification."""
        return perform(self, command)

    def check_spikes(self) -> None:
        """Look for spikes (off the UI thread); a notice says when an alert starts, once."""
        if self.config.alerts.enabled and self.store.loaded:
            self._find_spikes(list(self.store.comments.values()), self.clock())

    @work(thread=True, exclusive=True, group="spikes", exit_on_error=False)
    def _find_spikes(self, comments: list[Comment], now: datetime) -> None:
        fresh = self.spike_watch.new_alerts(comments, now)
        if fresh:
            self.call_from_thread(self._announce_spikes, fresh)

    def _announce_spikes(self, alerts: list[Alert]) -> None:
        for alert in alerts:
            self.notify(alert_notice(alert), title="Spike alert", severity="warning",
                        timeout=30, markup=False)

    def _refresh_ages(self) -> None:
        queue = self.queue_screen.view.queue_list()
        if queue is not None:
            queue.refresh_ages()

    # -- messages from the services and other desks: handed down -----------------------

    @on(CommentsChanged)
    def _comments_changed(self, event: CommentsChanged) -> None:
        """Comments changed (a send, an approval, another desk): the queue shows them."""
        if self.return_code is None and self.queue_screen.is_mounted:
            self.queue_screen.view.refresh_comments(event.ids, stay=event.stay,
                                                    remote=bool(event.by))

    @on(PresenceChanged)
    def _presence_changed(self, event: PresenceChanged) -> None:
        if self.return_code is None and self.queue_screen.is_mounted:
            self.queue_screen.show_presence(event.comment_id)

    @on(QueueStale)
    def _queue_stale(self) -> None:
        if self.return_code is None and self.queue_screen.is_mounted:
            self.queue_screen.view.refresh_queue()

    @on(FirstSyncDone)
    def _first_sync_done(self) -> None:
        if self.queue_screen.is_mounted:
            self.queue_screen.view.first_sync_done()

    @on(AccountsChanged)
    def _show_accounts(self) -> None:
        lines = self.sync.account_lines()
        now = self.clock()
        for screen in self.screen_stack:
            try:
                bar = screen.query_one(AccountBar)
            except NoMatches:
                continue
            bar.show(lines, now)

    def _count_down(self) -> None:
        if isinstance(self.screen, QueueScreen) and self.screen.view.queue_list() is not None:
            self.screen.query_one(QueueList).refresh()
            self.screen.show_detail()

    @on(DeliveriesRecorded)
    def _deliveries_recorded(self) -> None:
        if isinstance(self.screen, LegalScreen):
            self.screen.refresh_rows()

    @on(LegalScreen.DeliverNow)
    def _deliver_now(self) -> None:
        self.legal.deliver_now()

    # -- app-wide actions ------------------------------------------------------------

    def on_notify(self, event: Notify) -> None:
        """Before a notification is shown: the same message still on screen goes (a key
        pressed three times says it once), and so does the oldest beyond MAX_NOTICES."""
        new = event.notification
        for old in list(self._notifications):
            if (old.title, old.message) == (new.title, new.message):
                self._unnotify(old, refresh=False)
        shown = list(self._notifications)
        for old in shown[:max(len(shown) - MAX_NOTICES + 1, 0)]:
            self._unnotify(old, refresh=False)

    async def run_action(self, action: str | ActionParseResult,
                         default_namespace: DOMNode | None = None,
                         namespaces: Mapping[str, DOMNode] | None = None) -> bool:
        """Every key's action, except once the app is quitting: its screens are being
        taken down, and nothing may act on them any more."""
        if self.return_code is not None:
            return True
        return await super().run_action(action, default_namespace, namespaces)

    @on(events.Key)
    def _say_why_disabled(self, event: events.Key) -> None:
        """A key pressed where it cannot work says why (the screen's or app's refusal)."""
        active = self.screen.active_bindings.get(event.key)
        if active is None or active.enabled:
            return
        reason = refusal_of(active)
        if reason:
            self.notify(reason, severity="warning", markup=False)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.screen))

    def action_sync_now(self) -> None:
        self.sync.sync_now()

    async def action_quit(self) -> None:
        """``q``: quit; with a reply still to be sent, ask first (send now, keep it queued
        for the next start, or stay)."""
        waiting = self.outbox.replies_waiting()
        if not waiting:
            self.exit()
            return
        count = len(waiting)
        title = (f"{count} {'reply is' if count == 1 else 'replies are'} waiting to be sent. "
                 "Quit how?")
        choices = [("send", "Send now, then quit"),
                   ("keep", "Keep queued — sent at the next start of Triage"),
                   ("cancel", "Cancel — stay in Triage")]

        def chosen(choice: str | None) -> None:
            if choice == "send":
                self.notify(f"Sending {count} {'reply' if count == 1 else 'replies'}…",
                            timeout=10, markup=False)
                self.run_worker(self.outbox.send_then_quit([item.id for item in waiting]),
                                group="quit", exit_on_error=False)
            elif choice == "keep":
                self.exit()

        self.push_screen(ChoiceScreen(title, choices), chosen)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Approvals", "Replies waiting for an approver (A)",
                            lambda: self.queue_screen.action_approvals())
        if not isinstance(screen, QueueScreen):
            return
        for binding in QueueScreen.BINDINGS:
            if isinstance(binding, Binding) and binding.show:
                action = binding.action
                yield SystemCommand(
                    binding.description,
                    binding.tooltip or binding.description,
                    lambda action=action: self.run_action(action, screen),
                )
        yield SystemCommand("Help: every key", "Open the help screen", self.action_help)
        yield SystemCommand("Delete comment", "Delete somebody else's comment at its "
                            "source, after a confirmation (D)", screen.action_delete_comment)

