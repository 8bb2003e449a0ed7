"""The Triage app: the queue screen, its keys, and the glue to the domain's desk."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from triage.config import Config
from triage.desk import Desk
from triage.errors import QueryError, TriageError
from triage.legal import escalate
from triage.model import TAG_NAMES, Action, Comment, utcnow
from triage.query import Query, parse_query
from triage.store import Store
from triage.views import Sla, views_from_config
from tui.detail import DetailPane, render_detail
from tui.escalate_form import EscalateForm, EscalationRequest
from tui.help_screen import HelpScreen
from tui.legal_app import LegalApp
from tui.legal_screen import LegalScreen
from tui.pickers import ChoiceScreen, PromptScreen
from tui.queue_list import QueueList
from tui.stats_screen import StatsScreen
from tui.view_bar import ViewBar

__all__ = ["QueueScreen", "TriageApp"]

T = TypeVar("T")


class QueueScreen(Screen[None]):
    """The queue: the list of comments above, the selected one in detail below."""

    BINDINGS = [
        Binding("enter", "open_detail", "Open", id="queue.open", tooltip="Read it in full"),
        Binding("x", "dismiss_comment", "Dismiss", id="queue.dismiss", tooltip="Nothing to do"),
        Binding("u", "undo", "Undo", id="queue.undo", tooltip="Undo your last action"),
        Binding("slash", "search", "Search", id="queue.search", tooltip="Search the text"),
        Binding("space", "mark", "Mark", show=False, id="queue.mark",
                tooltip="Mark for a bulk action"),
        Binding("asterisk", "mark_query", "Mark matching", show=False, id="queue.mark_query",
                tooltip="Mark every comment in this view matching a query"),
        Binding("a", "assign", "Assign", id="queue.assign", tooltip="Assign to a team member"),
        Binding("S", "stats", "Stats", id="queue.stats", tooltip="Volume, response times, SLAs"),
        Binding("t", "tag", "Tag", show=False, id="queue.tag",
                tooltip="Add or remove a tag by hand"),
        Binding("e", "escalate", "Escalate", id="queue.escalate",
                tooltip="Send to legal and put the comment on legal hold"),
        Binding("L", "legal", "Legal", id="queue.legal",
                tooltip="Escalations: notes, release a hold, close"),
        Binding("v", "reveal", "Reveal", id="queue.reveal",
                tooltip="Show the identifiers masked in this comment (journaled); v masks again"),
        Binding("escape", "back", "Back", show=False, id="queue.back"),
        *[
            Binding(str(n), f"view({n - 1})", f"View {n}", show=False, id=f"view.{n}")
            for n in range(1, 10)
        ],
    ]

    _binding_state: tuple[str, str, bool] | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.triage.show_clock)
        yield ViewBar(id="views")
        yield QueueList(clock=self.triage.clock, sla=self.triage.sla,
                        text_of=lambda comment: self.triage.shown(comment).text, id="queue")
        yield DetailPane(id="detail")
        yield Input(placeholder='search: words, "exact words", tag:privacy author:pat age:<2h …'
                    " — enter keeps it, escape clears",
                    id="search")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(QueueList).focus()
        self.triage.reload()

    @property
    def triage(self) -> TriageApp:
        app = self.app
        assert isinstance(app, TriageApp)
        return app

    # -- the list and the detail ----------------------------------------------------

    def action_view(self, index: int) -> None:
        if 0 <= index < len(self.triage.views):
            self.triage.switch_view(index)

    @on(ViewBar.Chosen)
    def _view_clicked(self, event: ViewBar.Chosen) -> None:
        self.triage.switch_view(event.index)

    @on(QueueList.Highlighted)
    def _show_selected(self, event: QueueList.Highlighted) -> None:
        self.show_detail()
        comment = self.query_one(QueueList).selected
        state = None if comment is None else (
            comment.status, comment.platform, self.triage.is_masked(comment))
        if state != self._binding_state:  # the footer is costly to redraw: only on change
            self._binding_state = state
            self.refresh_bindings()

    def show_detail(self, *, full: bool = False) -> None:
        pane = self.query_one(DetailPane)
        comment = self.query_one(QueueList).selected
        if comment is None:
            pane.show(Text("Nothing here: the queue is empty or nothing matches.", style="dim"))
            return
        app = self.triage
        desk = app.desk
        parent, siblings = desk.thread(comment)
        detail = render_detail(
            app.shown(comment),
            post=desk.store.posts.get(comment.post_id or ""),
            parent=app.shown(parent) if parent is not None else None,
            siblings=[app.shown(c) for c in siblings],
            replies=[app.shown(c) for c in desk.replies(comment)],
            limit=None if full else 4000,
            now=app.clock(),
        )
        notices = app.legal_notices(comment)
        pane.show(Group(*notices, detail) if notices else detail)

    def action_open_detail(self) -> None:
        pane = self.query_one(DetailPane)
        if self.maximized is pane:
            self.minimize()
            return
        self.show_detail(full=True)
        self.maximize(pane, container=False)
        pane.focus()

    def watch_maximized(self, maximized: object) -> None:
        if maximized is None and self.is_mounted:
            self.query_one(QueueList).focus()
            self.show_detail()

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        if self.maximized is not None:
            self.minimize()
        elif search.has_class("-shown"):
            search.value = ""
            search.remove_class("-shown")
            self.query_one(QueueList).focus()

    # -- actions --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "dismiss_comment":
            comment = self.query_one(QueueList).selected
            return comment is not None and comment.status != "dismissed" or None
        if action == "open_detail":
            return self.query_one(QueueList).selected is not None or None
        if action == "reveal":
            comment = self.query_one(QueueList).selected
            return comment is not None and (
                comment.id in self.triage.revealed or self.triage.is_masked(comment)) or None
        return True

    def targets(self) -> list[str]:
        """What an action applies to: the marked comments, or else the selected one."""
        queue = self.query_one(QueueList)
        if queue.marked:
            return sorted(queue.marked)
        return [queue.selected.id] if queue.selected is not None else []

    def acted(self, verb: str, ids: list[str], done: Sequence[Action] | None) -> None:
        """After an action: clear marks, move on from a single comment, say what happened."""
        if done is None:
            return
        queue = self.query_one(QueueList)
        bulk = bool(queue.marked)
        queue.clear_marks()
        self.triage.refresh_comments(a.comment_id for a in done if a.comment_id)
        if not bulk:
            queue.action_cursor_down()
        what = f"{len(ids)} comments" if bulk else "the comment"
        self.notify(f"{verb} {what} — u to undo", timeout=3, markup=False)

    def action_dismiss_comment(self) -> None:
        ids = self.triage.not_held(self.targets(), "dismiss")
        if ids:
            self.acted("Dismissed", ids, self.triage.perform(lambda: self.triage.desk.dismiss(ids)))

    def action_stats(self) -> None:
        self.app.push_screen(StatsScreen(self.triage.store, self.triage.sla, self.triage.clock))

    def action_mark(self) -> None:
        self.query_one(QueueList).toggle_mark()

    def action_mark_query(self) -> None:
        def chosen(text: str | None) -> None:
            if not text:
                return
            try:
                match = parse_query(text).matcher(now=self.triage.clock(), user=self.triage.user)
            except QueryError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            queue = self.query_one(QueueList)
            ids = {c.id for c in queue.rows if match(c)}
            queue.mark(ids)
            self.notify(f"Marked {len(ids)} comments ({len(queue.marked)} in all)", markup=False)

        self.app.push_screen(
            PromptScreen("Mark every comment in this view matching:", "tag:question age:>1d"),
            chosen,
        )

    def action_assign(self) -> None:
        ids = self.targets()
        if not ids:
            return
        team = [(m.name, f"{m.name}  ({', '.join(m.roles)})") for m in self.triage.config.team]
        if not team:
            self.notify("No team in config.toml: add [[team]] entries to assign comments.",
                        severity="warning", markup=False)
            return

        def chosen(name: str | None) -> None:
            if name is None:
                return
            person = None if name == "-" else name
            done = self.triage.perform(lambda: self.triage.desk.assign(ids, person))
            self.acted(f"Assigned to {name}" if person else "Unassigned", ids, done)

        self.app.push_screen(ChoiceScreen("Assign to", [*team, ("-", "nobody (unassign)")]),
                             chosen)

    def action_tag(self) -> None:
        ids = self.targets()
        if not ids:
            return
        comments = [self.triage.store.get(i) for i in ids]
        choices = []
        for name in TAG_NAMES:
            if all(c.tag(name) for c in comments):
                choices.append((f"-{name}", f"remove {name}"))
            else:
                choices.append((f"+{name}", f"add {name}"))

        def chosen(choice: str | None) -> None:
            if choice is None:
                return
            add, name = choice[0] == "+", choice[1:]
            done = self.triage.perform(lambda: self.triage.desk.correct_tag(ids, name, add=add))
            self.acted(f"{'Tagged' if add else 'Untagged'} {name}:", ids, done)

        self.app.push_screen(ChoiceScreen("Correct the tags", choices), chosen)

    def action_undo(self) -> None:
        actions = self.triage.perform(self.triage.desk.undo)
        if actions:
            target = actions[0].comment_id
            self.triage.refresh_comments(a.comment_id for a in actions if a.comment_id)
            if target:
                self.query_one(QueueList).move_to_id(target)
            kind = actions[0].data.get("undone_kind", "action")
            count = f"{len(actions)} comments" if len(actions) > 1 else "the comment"
            self.notify(f"Undid {kind} of {count}", timeout=3, markup=False)

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("-shown")
        search.focus()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.triage.set_filter(event.value)

    @on(Input.Submitted, "#search")
    def _search_done(self, event: Input.Submitted) -> None:
        if not event.value:
            event.input.remove_class("-shown")
        self.query_one(QueueList).focus()

    def action_escalate(self) -> None:
        comment = self.query_one(QueueList).selected
        if comment is None:
            return

        def submitted(request: EscalationRequest | None) -> None:
            if request is None:
                return
            app = self.triage
            esc = app.perform(lambda: escalate(app.store, app.config, app.user, comment.id,
                                               request.reason, request.severity, request.note))
            if esc is not None:
                app.refresh_comments([comment.id])
                self.notify(f"Escalated {comment.id} to legal as {esc.id}; it is on legal hold",
                            timeout=5, markup=False)
                if app.background_delivery:
                    app.deliver_due()

        self.app.push_screen(EscalateForm(comment), submitted)

    def action_legal(self) -> None:
        app = self.triage
        self.app.push_screen(LegalScreen(app.store, app.config, app.user, app.clock))

    def action_reveal(self) -> None:
        queue = self.query_one(QueueList)
        comment = queue.selected
        if comment is None:
            return
        if comment.id not in self.triage.revealed and not self.triage.is_masked(comment):
            return
        if self.triage.toggle_reveal(comment, "queue") is not None:
            queue.refresh()
            self.show_detail()
            self._binding_state = None
            self.refresh_bindings()


class TriageApp(LegalApp):
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
        self.view_index = next(
            (i for i, v in enumerate(self.views) if v.name.casefold() == "all"), 0
        )
        self.sla = Sla(config.sla)
        self._crisis_seen: set[str] | None = None
        self._late = 0
        self.filter_query: Query = parse_query("")
        self.query_error = ""
        self._seen_version = -1
        self.queue_screen = QueueScreen()
        self.sub_title = f"{config.org.name}{' · sandbox' if sandbox else ''} · {user}"

    def get_default_screen(self) -> Screen[None]:
        return self.queue_screen

    def on_mount(self) -> None:
        self.store.write_in_background()
        if not self.store.loaded:
            self._load_everything()
        for warning in self.store.warnings:
            self.notify(warning, severity="warning", timeout=20, markup=False)
        self._apply_keymap()
        self.set_interval(1.0, self._tick)
        self.set_interval(30.0, self._refresh_ages)
        if self.store.replayed:
            self.notify(f"Recovered {self.store.replayed} actions from the journal.")
        self.start_legal_duties()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load_everything(self) -> None:
        """Read the whole queue off the UI thread; the UI thread then adopts it."""
        comments, unreadable = self.store.read_all()
        self.call_from_thread(self._adopt, comments, unreadable)

    def _adopt(self, comments: dict[str, Comment], unreadable: list[int]) -> None:
        before = len(self.store.warnings)
        self.perform(lambda: self.store.adopt(comments, unreadable))
        for warning in self.store.warnings[before:]:
            self.notify(warning, severity="warning", timeout=20, markup=False)
        self.apply_retention_at_start()
        self.reload()

    def _apply_keymap(self) -> None:
        keymap = dict(self.config.keymap)
        known = {
            binding.id
            for node in (QueueScreen, QueueList, TriageApp, HelpScreen, PromptScreen, ChoiceScreen,
                     StatsScreen, LegalScreen, EscalateForm)
            for binding in node.BINDINGS
            if isinstance(binding, Binding) and binding.id
        }
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
            sla=self.sla, priority=self.config.priority.order,
        )

    def refresh_comments(self, ids: Iterable[str]) -> None:
        """Show the new state of comments an action changed, without rebuilding the list.

        A comment that no longer belongs in the view leaves it; one that now belongs but
        is not shown (an undo) makes the list be rebuilt.
        """
        queue = self.queue_screen.query_one(QueueList)
        now = self.clock()
        view = self.views[self.view_index]
        match = Query(view.query.terms + self.filter_query.terms).matcher(now=now, user=self.user)
        for comment_id in set(ids):
            comment = self.store.comments.get(comment_id)
            if comment is None:
                continue
            if not queue.update_row(comment, keep=match(comment)) and match(comment):
                self.reload(keep=comment_id)
                return
        self._seen_version = self.store.version
        self.queue_screen.show_detail()
        self._update_views()
        self._update_status()

    def switch_view(self, index: int) -> None:
        self.view_index = index
        self.reload()

    def _update_views(self) -> None:
        now = self.clock()
        index, comments = self.store.index, self.store.comments
        late = self.sla.late_ids(self.store, now)
        self._late = len(late)
        counts, breaches = [], []
        for view in self.views:
            if not late:
                counts.append(index.count(view.query, comments, now=now, user=self.user))
                breaches.append(0)
                continue
            ids = {c.id for c in index.select(view.query, comments, now=now, user=self.user)}
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

    def reload(self, *, keep: str | None = None, counts: bool = True) -> None:
        """Show the store's current state, keeping the cursor on the same comment.

        ``counts=False`` leaves the view counts alone (a search does not change them).
        """
        queue = self.queue_screen.query_one(QueueList)
        current = queue.selected
        queue.set_rows(self.visible_comments(), keep=keep or (current.id if current else None))
        if counts:
            self._seen_version = self.store.version
            self._update_views()
            self._ring_for_new_crises()
        self._update_status()

    def set_filter(self, text: str) -> None:
        """Filter the queue by a query; a bad query is named and the last good one kept."""
        self.filter_text = text
        try:
            self.filter_query = parse_query(text)
        except QueryError as exc:
            self.query_error = str(exc)
            self._update_status()
            return
        self.query_error = ""
        self.reload(counts=False)

    def perform(self, command: Callable[[], T]) -> T | None:
        """Run a desk command; a refusal or a problem becomes a notification."""
        try:
            return command()
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return None

    def _tick(self) -> None:
        self.perform(self.store.flush_if_due)
        error = self.store.take_write_error()
        if error:
            self.notify(f"{error}. Your actions are safe in the journal; writing is retried.",
                        severity="error", timeout=10, markup=False)
        if self.store.version != self._seen_version:
            self.reload()

    def _refresh_ages(self) -> None:
        self.queue_screen.query_one(QueueList).refresh_ages()

    def _update_status(self) -> None:
        index = self.store.index
        total = len(self.store.comments)
        open_ids = index.ids("status", "new")
        new = len(open_ids)
        crisis = len(open_ids & index.ids("tag", "crisis"))
        shown = len(self.queue_screen.query_one(QueueList).rows)
        late = self._late
        parts = [self.views[self.view_index].name, f"{total} comments", f"{new} new"]
        if not self.store.loaded:
            parts = [self.views[self.view_index].name,
                     f"loading {self.store.expected_total:,} comments — the newest are here"]
        if crisis:
            parts.append(f"{crisis} crisis open")
        if late:
            parts.append(f"{late} past their SLA")
        if self.query_error:
            parts.append(f"search: {self.query_error}")
        elif self.filter_text:
            parts.append(f"search “{self.filter_text}”: {shown} shown")
        parts.append(f"acting as {self.user}")
        status = Text("  ·  ".join(parts))
        self.queue_screen.query_one("#status", Static).update(status)

    # -- app-wide actions ------------------------------------------------------------

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
