"""The author's history: their other comments on the platform, and what the team did."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from triage.history import HistoryEntry
from triage.model import Comment
from triage.textsafe import clean, one_line
from triage.timefmt import ago, local
from tui.chips import CHIP_LABELS
from tui.queue_list import PLATFORM_LABELS

if TYPE_CHECKING:
    from tui.queue_screen import QueueScreen
    from tui.services import Services

__all__ = ["AuthorScreen", "show_author"]

COLUMNS = ("When", "Account", "Status", "Tags", "Acted by", "Comment")


class AuthorScreen(Screen[str | None]):
    """One author's other comments, newest first; enter goes to one in the queue."""

    BINDINGS = [
        Binding("escape,q,H", "close", "Back", id="author.close"),
        Binding("enter", "choose", "Go to it", id="author.go",
                tooltip="Close this and select that comment in the queue"),
    ]
    DEFAULT_CSS = """
    AuthorScreen #author-title { padding: 0 1; height: auto; background: $panel; }
    AuthorScreen DataTable { height: 1fr; }
    AuthorScreen #author-detail {
        height: auto; max-height: 45%; border-top: solid $panel-lighten-2; padding: 0 1;
    }
    """

    def __init__(self, comment: Comment, history: Sequence[HistoryEntry],
                 text_of: Callable[[Comment], str], now: datetime) -> None:
        super().__init__()
        self._comment, self._history = comment, list(history)
        self._text_of, self._now = text_of, now

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(self._title(), id="author-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="author-table")
        with VerticalScroll(id="author-detail"):
            yield Static(id="author-detail-body")
        yield Footer()

    def _title(self) -> Text:
        author = self._comment.author
        where = PLATFORM_LABELS.get(self._comment.platform, self._comment.platform)
        title = Text(one_line(author.name, 40), style="bold")
        if not self._history:
            title.append(f": no other comment on {where} in the queue", style="dim")
            return title
        accounts = {entry.comment.account for entry in self._history}
        count = len(self._history)
        title.append(f": {count} other comment{'s' if count != 1 else ''} on {where}, "
                     f"on {len(accounts)} account{'s' if len(accounts) != 1 else ''}")
        return title

    def on_mount(self) -> None:
        self.title = "Author's history"
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        room = max(16, self.size.width - 68)  # the rest of the row, read in full below
        for entry in self._history:
            comment = entry.comment
            tags = " ".join(CHIP_LABELS.get(t, t) for t in comment.tag_names) or "—"
            status = comment.status + (f" → {comment.assignee}" if comment.assignee else "")
            table.add_row(
                Text(ago(comment.created_at, self._now)),
                Text(one_line(comment.account, 20)),
                Text(status),
                Text(tags),
                Text(", ".join(entry.acted_by) or "nobody yet"),
                Text(one_line(self._text_of(comment), room)),
                key=comment.id,
            )
        table.focus()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        index = event.cursor_row
        if 0 <= index < len(self._history):
            self.query_one("#author-detail-body", Static).update(
                self._detail(self._history[index]))

    def _detail(self, entry: HistoryEntry) -> Text:
        """The comment in full, then every action the team took on it."""
        comment = entry.comment
        where = PLATFORM_LABELS.get(comment.platform, comment.platform)
        text = Text(f"{where} · {comment.account} · {ago(comment.created_at, self._now)} "
                    f"({local(comment.created_at)}) · {comment.status}", style="dim")
        text.append("\n")
        text.append(clean(self._text_of(comment)))
        for action in entry.actions:
            text.append(f"\n  {action.kind.replace('_', ' ')} by ", style="dim")
            text.append(one_line(action.user, 24), style="bold")
            text.append(f" {ago(action.at, self._now)} ({local(action.at)})", style="dim")
        if not entry.actions:
            text.append("\n  nobody has acted on it yet", style="dim italic")
        return text

    def action_close(self) -> None:
        self.dismiss(None)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(event.row_key.value)

    def action_choose(self) -> None:
        table = self.query_one(DataTable)
        if self._history and 0 <= table.cursor_row < len(self._history):
            self.dismiss(self._history[table.cursor_row].comment.id)


def show_author(screen: QueueScreen, services: Services, comment: Comment) -> None:
    """Open the history of ``comment``'s author; the comment chosen there is selected."""

    def chosen(comment_id: str | None) -> None:
        if comment_id is not None:
            screen.view.show_comment(comment_id)

    shown = services.legal.shown
    screen.app.push_screen(AuthorScreen(comment, services.desk.author_history(comment),
                                        lambda c: shown(c).text, services.clock()), chosen)
