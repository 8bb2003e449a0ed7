"""The Triage app: the queue's data and state, and the glue to the domain's desk."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from rich.text import Text
from textual import events, on, work
from textual.actions import ActionParseResult
from textual.app import SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.notifications import Notify, SeverityLevel
from textual.screen import Screen
from textual.widgets import Static

from triage.ae import open_intake_ids
from triage.config import Config
from triage.desk import Desk
from triage.errors import QueryError
from triage.groups import Grouper
from triage.model import Comment, utcnow
from triage.query import Query, parse_query
from triage.spikes import Alert, SpikeWatch, alert_notice, config_products
from triage.store import Store
from triage.textsafe import clean, counted
from triage.views import Sla, opening_view, views_from_config
from tui.group_rows import GroupedRows
from tui.help_screen import HelpScreen, refusal_of
from tui.legal_app import LegalApp
from tui.model_runner import ModelRunner
from tui.moderation_app import ModerationApp
from tui.queue_list import QueueList
from tui.queue_screen import QueueScreen
from tui.sync_app import SyncApp
from tui.view_bar import ViewBar

__all__ = ["MAX_NOTICES", "QueueScreen", "TriageApp", "binding_ids"]

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


class TriageApp(LegalApp, SyncApp, ModerationApp):
    """Work the queue from the keyboard."""

    CSS_PATH = "app.tcss"
    TITLE = "Triage"
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Every key"),
        Binding("q", "quit", "Quit", id="app.quit"),
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
        super().__init__(background_delivery=background_delivery)
        self.clock = clock
        self.show_clock = show_clock
        self.store = store
        self.config = config
        self.user = user
        self.sandbox = sandbox
        self.desk = Desk(store, user, team=[m.name for m in config.team])
        self.filter_text = ""
        self.views = views_from_config(config)
        # The view to open on is chosen once the queue is loaded (``opening_view``):
        # Crisis while any crisis is open, else Needs reply; ``view`` names another.
        self._start_view = view
        self._opened = False
        self._view_chosen = False
        self.view_index = opening_view(self.views, 0, view)
        self.sla = Sla(config.sla)
        self._crisis_seen: set[str] | None = None
        self._late = 0
        self.filter_query: Query = parse_query("")
        self.query_error = ""
        self._seen_version = -1
        self.spike_watch = SpikeWatch(config.alerts, config_products(config.pharmacovigilance))
        #: Near-copies shown as one row (z opens a group, Z shows every row); grouped on
        #: the UI thread as comments come, or off it for a queue read at open.
        self.grouped = GroupedRows()
        self.groups_ready = store.loaded
        self.queue_screen = QueueScreen()
        self.sub_title = f"{config.org.name}{' · sandbox' if sandbox else ''} · {user}"
        #: Who the person is on the sandbox's team and how to act as another (shown at
        #: start and on the help screen); empty outside the sandbox.
        self.identity = ""
        #: The learned layer's background pass (``learned``: the command line turns it on).
        self.model_runner = ModelRunner(self) if learned else None

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
            self._load_everything()
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
        self.start_legal_duties()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load_everything(self) -> None:
        """Read the whole queue off the UI thread; the UI thread then adopts it."""
        comments, unreadable = self.store.read_all()
        self.call_from_thread(self._adopt, comments, unreadable)

    def _adopt(self, comments: dict[str, Comment], unreadable: list[int]) -> None:
        before = len(self.store.warnings)
        self.perform(lambda: self.store.adopt(comments, unreadable))
        self._group_everything(dict(self.store.comments))
        for warning in self.store.warnings[before:]:
            self.notify(warning, severity="warning", timeout=20, markup=False)
        self.apply_retention_at_start()
        self.reload()
        if self.model_runner is not None:
            self.model_runner.kick()
        self.check_spikes()

    @work(thread=True, exclusive=True, group="groups", exit_on_error=False)
    def _group_everything(self, comments: dict[str, Comment]) -> None:
        """Group the near-copies of the whole queue off the UI thread; the list shows
        every comment on its own row until the groups are known."""
        grouper = Grouper()
        grouper.add_many(comments.values())
        self.call_from_thread(self._groups_known, grouper)

    def _groups_known(self, grouper: Grouper) -> None:
        self.desk.adopt_grouper(grouper)
        self.groups_ready = True
        self.reload(counts=False)

    def _apply_keymap(self) -> None:
        keymap = dict(self.config.keymap)
        known = binding_ids()
        for ident in sorted(set(keymap) - known):
            self.notify(f"config.toml: [keymap] has no binding with id {ident!r}; ignored",
                        severity="warning", markup=False)
            keymap.pop(ident)
        if keymap:
            self.set_keymap(keymap)

    # -- data --------------------------------------------------------------------------

    def visible_comments(self) -> list[Comment]:
        """The current view's comments, narrowed by the search, in the view's order."""
        return self.views[self.view_index].select_indexed(
            self.store, narrow=self.filter_query, now=self.clock(), user=self.user,
            sla=self.sla, priority=self.config.priority.order, states=self.legal_states(),
        )

    def status_label(self, comment: Comment) -> str | None:
        """What the list's status column says instead of the status: a reply on its way
        (or gone wrong), else a legal decision still to carry out ("new ⚖ hide")."""
        return self.outbox_label(comment) or self.legal_marker(comment)

    def refresh_comments(self, ids: Iterable[str], *, stay: str | None = None) -> None:
        """Show the new state of comments an action changed, without rebuilding the list.

        A comment that no longer belongs in the view leaves it, unless it is ``stay`` (the
        one the cursor stays on, so that the same key takes the action back); one that
        now belongs but is not shown (an undo) makes the list be rebuilt.
        """
        queue = self.queue_list()
        if queue is None:
            return
        now = self.clock()
        view = self.views[self.view_index]
        match = Query(view.query.terms + self.filter_query.terms).matcher(
            now=now, user=self.user, legal=self.legal_states())
        for comment_id in set(ids):
            comment = self.store.comments.get(comment_id)
            if comment is None:
                continue
            keep = match(comment) or comment_id == stay
            if not queue.update_row(comment, keep=keep) and match(comment):
                self.reload(keep=comment_id)
                return
        self._seen_version = self.store.version
        self.queue_screen.show_detail()
        self._update_views()
        self.update_status()

    def switch_view(self, index: int) -> None:
        """Show view ``index``: on the same comment if the view has it, else at its top.

        A view chosen by the person stays chosen: the opening view (Crisis while a crisis
        is open), picked once the queue has loaded or the first sync is done, no longer
        applies."""
        self._opened = self._view_chosen = True
        self.view_index = index
        queue = self.queue_screen.query_one(QueueList)
        before = queue.selected
        self.reload()
        if before is None or queue.index_of(before.id) is None:
            queue.action_cursor_top()

    def _update_views(self) -> None:
        now = self.clock()
        index, comments = self.store.index, self.store.comments
        late = self.sla.late_ids(self.store, now)
        self._late = len(late)
        counts, breaches = [], []
        legal = self.legal_states()
        # An adverse event past its reporting deadline counts as a breach too (in red).
        late = late | {i for i in open_intake_ids(self.store)
                       if "ae:late" in legal(self.store.comments[i])}
        for view in self.views:
            if not late:
                counts.append(index.count(view.query, comments, now=now, user=self.user,
                                          legal=legal))
                breaches.append(0)
                continue
            ids = {c.id for c in index.select(view.query, comments, now=now, user=self.user,
                                              legal=legal)}
            counts.append(len(ids))
            breaches.append(len(ids & late))
        self.queue_screen.query_one(ViewBar).show(
            [v.name for v in self.views], counts, breaches, self.view_index
        )

    def _ring_for_new_crises(self) -> None:
        index = self.store.index
        crises = index.ids("status", "new") & index.ids("tag", "crisis")
        if self._crisis_seen is not None:
            fresh = crises - self._crisis_seen
            if fresh:
                self.bell()
                self.notify(
                    f"{len(fresh)} new crisis comment{'s' if len(fresh) > 1 else ''}: "
                    "press 1 for the Crisis view",
                    title="Crisis", severity="error", timeout=15, markup=False,
                )
        self._crisis_seen = crises
        self._show_open_crises(len(crises))

    def _show_open_crises(self, count: int) -> None:
        """The open crises in the header, on every screen that has one."""
        base = f"{self.config.org.name}{' · sandbox' if self.sandbox else ''} · {self.user}"
        warning = f"⚠ {count} open cris{'es' if count != 1 else 'is'} · " if count else ""
        self.sub_title = warning + base

    def reload(self, *, keep: str | None = None, counts: bool = True) -> None:
        """Show the store's current state, keeping the cursor on the same comment.

        ``counts=False`` leaves the view counts alone (a search does not change them).
        """
        queue = self.queue_screen.query_one(QueueList)
        if not self._opened and self.store.loaded and len(self.store.comments):
            # decided on the first comments, which a sandbox or a first sync brings after start
            self._opened = True
            index = self.store.index
            crises = len(index.ids("status", "new") & index.ids("tag", "crisis"))
            self.view_index = opening_view(self.views, crises, self._start_view)
        current = queue.selected
        rows = self.visible_comments()
        if self.groups_ready:
            rows = self.grouped.rows(rows, self.desk.grouper())
        target = keep or (current.id if current else None)
        queue.set_rows(rows, keep=self.grouped.row_for(target) if target else None)
        if counts:
            self._seen_version = self.store.version
            self._update_views()
            self._ring_for_new_crises()
        self.update_status()

    def show_comment(self, comment_id: str) -> None:
        """Select a comment in the queue: in this view when it has it, else in the view
        of every comment; say so when the search hides it."""
        queue = self.queue_screen.query_one(QueueList)
        if queue.index_of(comment_id) is None:
            every = next((i for i, v in enumerate(self.views) if v.query.empty), None)
            if every is not None and every != self.view_index:
                self.switch_view(every)
        if queue.index_of(comment_id) is None:
            self.notify("That comment is not in this view (the search or the view hides it).",
                        severity="warning", markup=False)
            return
        queue.move_to_id(comment_id)

    def set_filter(self, text: str) -> None:
        """Filter the queue by a query; a bad query is named and the last good one kept."""
        self.filter_text = text
        try:
            self.filter_query = parse_query(text)
        except QueryError as exc:
            self.query_error = str(exc)
            self.update_status()
            return
        self.query_error = ""
        queue = self.queue_screen.query_one(QueueList)
        before = queue.selected
        self.reload(counts=False)
        if before is None or queue.index_of(before.id) is None:
            queue.action_cursor_top()  # a new search starts at its first match

    def first_sync_done(self) -> None:
        """Comments the first sync brought (a sandbox's crises among them) may ask for the
        Crisis view: open on it unless a view was chosen at start or by hand."""
        if self._view_chosen or self._start_view is not None:
            return
        index = self.store.index
        crises = len(index.ids("status", "new") & index.ids("tag", "crisis"))
        wanted = opening_view(self.views, crises)
        if crises and wanted != self.view_index:
            self.switch_view(wanted)
            self._view_chosen = False

    def refresh_queue(self) -> None:
        """Show comments a sync stored; the cursor stays on the comment it is on."""
        if self.store.version != self._seen_version:
            self.reload()
            if self.model_runner is not None:
                self.model_runner.kick()

    def _tick(self) -> None:
        self.perform(self.store.flush_if_due)
        if self.return_code is not None or self.queue_list() is None:
            return  # quitting: the store is flushed at the end, nothing more is shown
        error = self.store.take_write_error()
        if error:
            self.notify(f"{error}. Your actions are safe in the journal; writing is retried.",
                        severity="error", timeout=10, markup=False)
        if self.store.version != self._seen_version:
            self.reload()
            if self.model_runner is not None:
                self.model_runner.kick()

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
        queue = self.queue_list()
        if queue is not None:
            queue.refresh_ages()

    def update_status(self) -> None:
        """The status line: the view, counts, the search, the marks, who is acting."""
        index = self.store.index
        total = len(self.store.comments)
        open_ids = index.ids("status", "new")
        new = len(open_ids)
        crisis = len(open_ids & index.ids("tag", "crisis"))
        shown = len(self.queue_screen.query_one(QueueList).rows)
        late = self._late
        # What the person is doing first (the search, the marks): the line is cut at the
        # right when the terminal is narrow.
        parts = [self.views[self.view_index].name]
        if self.query_error:
            parts.append(f"search: {self.query_error}")
        elif self.filter_text:
            parts.append(f"search “{self.filter_text}”: {shown} shown (/ edits, esc clears)")
        marked = len(self.queue_screen.query_one(QueueList).marked)
        if marked:
            parts.append(f"{marked} marked: x a t h act on them, esc clears")
        if not self.store.loaded:
            parts.append(f"loading {self.store.expected_total:,} comments — the newest are here")
        else:
            parts += [counted(total, "comment"), f"{new} new"]
        if crisis:
            parts.append(f"{crisis} crisis open")
        if late:
            parts.append(f"{late} past their SLA")
        parts.append(f"acting as {self.user}")
        status = Text("  ·  ".join(parts), no_wrap=True, overflow="ellipsis")
        self.queue_screen.query_one("#status", Static).update(status)

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

    # -- app-wide actions ------------------------------------------------------------

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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
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
