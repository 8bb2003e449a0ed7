"""What the queue screen shows: the view, the search, the rows and counts, read through the desk.

:class:`QueueView` belongs to the queue screen. It keeps which view is chosen and what is
searched, reads the rows and the counts through the desk, and brings the list, the view
bar and the status line up to date — in full (``reload``) or only for the comments that
changed (``refresh_comments``: an action here, a send, another desk), keeping the cursor
on the comment it is on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.css.query import NoMatches
from textual.widgets import Static

from triage.ae import open_intake_ids
from triage.errors import QueryError
from triage.model import Comment
from triage.query import Query, parse_query
from triage.service import Lease
from triage.textsafe import counted
from triage.views import opening_view
from tui.group_rows import GroupedRows
from tui.queue_list import QueueList
from tui.services import Services
from tui.view_bar import ViewBar

if TYPE_CHECKING:
    from tui.queue_screen import QueueScreen

__all__ = ["QueueView"]


class QueueView:
    """The queue's view, search and counts; it draws them on its screen's widgets."""

    def __init__(self, screen: QueueScreen, services: Services, start_view: str | None) -> None:
        self.screen = screen
        self.services = services
        self.desk = services.desk
        self.views = services.views
        self.filter_text = ""
        self.filter_query: Query = parse_query("")
        self.query_error = ""
        # The view to open on is chosen once the queue is loaded (``opening_view``):
        # Crisis while any crisis is open, else Needs reply; ``start_view`` names another.
        self._start_view = start_view
        self._opened = False
        self._view_chosen = False
        self.view_index = opening_view(self.views, 0, start_view)
        self._crisis_seen: set[str] | None = None
        self._late = 0
        self._seen_version = -1
        #: Who else is working on which comment ("ben is replying"), by comment id.
        self.leases: dict[str, Lease] = {}
        #: Near-copies shown as one row (z opens a group, Z shows every row); grouped on
        #: the UI thread as comments come, or off it for a queue read at open.
        self.grouped = GroupedRows()
        self.groups_ready = self.desk.loaded

    def queue_list(self) -> QueueList | None:
        """The list (None before it is built, or once the app is closing)."""
        try:
            return self.screen.query_one(QueueList)
        except NoMatches:
            return None

    # -- what is shown -----------------------------------------------------------------

    def visible_comments(self) -> list[Comment]:
        """The current view's comments, narrowed by the search, in the view's order."""
        services = self.services
        return self.desk.query_page(self.views[self.view_index], narrow=self.filter_query,
                                    now=services.clock(), sla=services.sla,
                                    priority=services.config.priority.order)

    def lease_of(self, comment_id: str) -> Lease | None:
        """Someone else's lease on a comment (none of this person's own)."""
        return self.leases.get(comment_id)

    def read_leases(self) -> None:
        you = self.desk.user
        self.leases = {lease.comment_id: lease for lease in self.desk.leases()
                       if lease.person != you}

    def reload(self, *, keep: str | None = None, counts: bool = True) -> None:
        """Show the desk's current state, keeping the cursor on the same comment.

        ``counts=False`` leaves the view counts alone (a search does not change them).
        """
        queue = self.queue_list()
        if queue is None:
            return
        if not self._opened and self.desk.loaded and self.desk.totals()[0]:
            # decided on the first comments, which a sandbox or a first sync brings after start
            self._opened = True
            crises = len(self.desk.open_crises())
            self.view_index = opening_view(self.views, crises, self._start_view)
        current = queue.selected
        self.read_leases()
        rows = self.visible_comments()
        if self.groups_ready:
            rows = self.grouped.rows(rows, self.desk.grouper())
        target = keep or (current.id if current else None)
        queue.set_rows(rows, keep=self.grouped.row_for(target) if target else None)
        if counts:
            self._seen_version = self.desk.version
            self.update_views()
            self.ring_for_new_crises()
        self.update_status()

    def refresh_comments(self, ids: Iterable[str], *, stay: str | None = None,
                         remote: bool = False) -> None:
        """Show the new state of comments that changed, without rebuilding the list.

        A comment that no longer belongs in the view leaves it, unless it is ``stay`` (the
        one the cursor stays on, so that the same key takes the action back); one that
        now belongs but is not shown (an undo, another desk's action) makes the list be
        rebuilt — on the comment itself after an action here, on the same comment as
        before after another desk's (``remote``).
        """
        queue = self.queue_list()
        if queue is None:
            return
        services = self.services
        view = self.views[self.view_index]
        match = Query(view.query.terms + self.filter_query.terms).matcher(
            now=services.clock(), user=self.desk.user, legal=services.legal.legal_states())
        for comment_id in set(ids):
            comment = self.desk.find(comment_id)
            if comment is None:
                continue
            keep = match(comment) or comment_id == stay
            if not queue.update_row(comment, keep=keep) and match(comment):
                selected = queue.selected
                self.reload(keep=(selected.id if selected else None) if remote else comment_id)
                return
        self._seen_version = self.desk.version
        self.screen.show_detail()
        self.update_views()
        self.update_status()

    def switch_view(self, index: int) -> None:
        """Show view ``index``: on the same comment if the view has it, else at its top.

        A view chosen by the person stays chosen: the opening view (Crisis while a crisis
        is open), picked once the queue has loaded or the first sync is done, no longer
        applies."""
        self._opened = self._view_chosen = True
        self.view_index = index
        queue = self.screen.query_one(QueueList)
        before = queue.selected
        self.reload()
        if before is None or queue.index_of(before.id) is None:
            queue.action_cursor_top()

    def view_having(self, comment: Comment) -> int | None:
        """The view to show ``comment`` in: this one when it has it, else the first that does."""
        services = self.services
        legal = services.legal.legal_states()
        order = [self.view_index] + [i for i in range(len(self.views)) if i != self.view_index]
        for index in order:
            match = self.views[index].query.matcher(now=services.clock(), user=self.desk.user,
                                                    legal=legal)
            if match(comment):
                return index
        return None

    def update_views(self) -> None:
        services = self.services
        now = services.clock()
        late = self.desk.late_ids(services.sla, now)
        self._late = len(late)
        legal = services.legal.legal_states()
        # An adverse event past its reporting deadline counts as a breach too (in red).
        store = getattr(self.desk, "store", None)
        if store is not None:
            late = late | {i for i in open_intake_ids(store)
                           if "ae:late" in legal(store.comments[i])}
        found = self.desk.view_counts([v.query for v in self.views], now=now,
                                      legal=legal, late=late)
        self.screen.query_one(ViewBar).show(
            [v.name for v in self.views], [c for c, _ in found], [b for _, b in found],
            self.view_index)

    def ring_for_new_crises(self) -> None:
        crises = self.desk.open_crises()
        if self._crisis_seen is not None:
            fresh = crises - self._crisis_seen
            if fresh:
                self.screen.app.bell()
                self.screen.app.notify(
                    f"{len(fresh)} new crisis comment{'s' if len(fresh) > 1 else ''}: "
                    "press 1 for the Crisis view",
                    title="Crisis", severity="error", timeout=15, markup=False,
                )
        self._crisis_seen = crises
        self._show_open_crises(len(crises))

    def _show_open_crises(self, count: int) -> None:
        """The open crises in the header, on every screen that has one."""
        app = self.screen.app
        base = getattr(app, "base_sub_title", app.sub_title)
        warning = f"⚠ {count} open cris{'es' if count != 1 else 'is'} · " if count else ""
        app.sub_title = warning + base

    def show_comment(self, comment_id: str) -> None:
        """Select a comment in the queue: in this view when it has it, else in the view
        of every comment; say so when the search hides it."""
        queue = self.screen.query_one(QueueList)
        if queue.index_of(comment_id) is None:
            every = next((i for i, v in enumerate(self.views) if v.query.empty), None)
            if every is not None and every != self.view_index:
                self.switch_view(every)
        if queue.index_of(comment_id) is None:
            self.screen.notify("That comment is not in this view (the search or the view "
                               "hides it).", severity="warning", markup=False)
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
        queue = self.screen.query_one(QueueList)
        before = queue.selected
        self.reload(counts=False)
        if before is None or queue.index_of(before.id) is None:
            queue.action_cursor_top()  # a new search starts at its first match

    def first_sync_done(self) -> None:
        """Comments the first sync brought (a sandbox's crises among them) may ask for the
        Crisis view: open on it unless a view was chosen at start or by hand."""
        if self._view_chosen or self._start_view is not None:
            return
        crises = len(self.desk.open_crises())
        wanted = opening_view(self.views, crises)
        if crises and wanted != self.view_index:
            self.switch_view(wanted)
            self._view_chosen = False

    def refresh_queue(self) -> None:
        """Show comments the store took in meanwhile; the cursor stays on its comment."""
        if self.desk.version != self._seen_version:
            self.reload()

    def update_status(self) -> None:
        """The status line: the view, counts, the search, the marks, who is acting."""
        queue = self.queue_list()
        if queue is None:
            return
        total, new = self.desk.totals()
        crisis = len(self.desk.open_crises())
        shown = len(queue.rows)
        # What the person is doing first (the search, the marks): the line is cut at the
        # right when the terminal is narrow.
        parts = [self.views[self.view_index].name]
        if self.query_error:
            parts.append(f"search: {self.query_error}")
        elif self.filter_text:
            parts.append(f"search “{self.filter_text}”: {shown} shown (/ edits, esc clears)")
        if queue.marked:
            parts.append(f"{len(queue.marked)} marked: x a t h act on them, esc clears")
        if not self.desk.loaded:
            parts.append(f"loading {self.desk.expected_total:,} comments — "
                         "the newest are here")
        else:
            parts += [counted(total, "comment"), f"{new} new"]
        if crisis:
            parts.append(f"{crisis} crisis open")
        if self._late:
            parts.append(f"{self._late} past their SLA")
        parts.append(f"acting as {self.desk.user}")
        status = Text("  ·  ".join(parts), no_wrap=True, overflow="ellipsis")
        self.screen.query_one("#status", Static).update(status)
