"""The queue list: a virtual list that renders only the rows on screen (Textual's line API)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from triage.model import Comment, utcnow
from triage.textsafe import inline, one_line
from triage.timefmt import ago
from triage.views import Sla
from tui.chips import LATE_CHIP, chip_label, chip_style

__all__ = ["COLUMNS", "LAYOUTS", "PLATFORM_SHORT", "QueueList", "layout_for", "short_age"]

PLATFORM_LABELS = {
    "facebook": "Facebook", "instagram": "Instagram", "youtube": "YouTube", "x": "X",
    "tiktok": "TikTok", "mastodon": "Mastodon", "bluesky": "Bluesky", "reddit": "Reddit",
    "linkedin": "LinkedIn",
}

#: The platform in two letters, for the narrowest layout.
#: Column titles for columns too narrow for the full one.
_SHORT_TITLES = {"Platform": "Net"}

PLATFORM_SHORT = {
    "facebook": "FB", "instagram": "IG", "youtube": "YT", "x": "X", "tiktok": "TT",
    "mastodon": "Ma", "bluesky": "Bs", "reddit": "Rd", "linkedin": "Li",
}

# Column widths, in cells, by the width the list has: wide enough, every column in full;
# narrower, the age in short ("4m") and the platform in two letters (the account names
# it too); narrower still, no account column (the detail pane names it) and one chip; at
# 80 columns the names cut shorter, so that the comment keeps some 25 characters. The
# comment takes what is left.
Layout = tuple[tuple[str, int], ...]
LAYOUTS: tuple[tuple[int, Layout], ...] = (
    (150, (("Platform", 10), ("Account", 17), ("Author", 18), ("Age", 11), ("Tags", 21),
           ("Status", 13), ("Assignee", 9))),
    (126, (("Platform", 10), ("Account", 17), ("Author", 18), ("Age", 5), ("Tags", 19),
           ("Status", 13), ("Assignee", 9))),
    (108, (("Platform", 4), ("Account", 14), ("Author", 16), ("Age", 5), ("Tags", 18),
           ("Status", 13), ("Assignee", 9))),
    (96, (("Platform", 4), ("Author", 16), ("Age", 5), ("Tags", 12), ("Status", 13),
          ("Assignee", 9))),
    (0, (("Platform", 4), ("Author", 12), ("Age", 4), ("Tags", 12), ("Status", 12),
         ("Who", 6))),
)
#: The widest layout's columns (the titles every layout draws from).
COLUMNS = LAYOUTS[0][1]


def layout_for(width: int) -> Layout:
    """The columns a list ``width`` cells wide shows."""
    return next(columns for least, columns in LAYOUTS if width >= least)


def _span(minutes: int) -> str:
    """A short duration: 45m, 3h, 2d."""
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h"
    return f"{minutes // 1440}d"


def short_age(created: datetime, now: datetime) -> str:
    """How long ago, in at most four characters: now, 45m, 3h, 2d."""
    minutes = int((now - created).total_seconds() // 60)
    return "now" if minutes < 1 else _span(minutes)


class QueueList(ScrollView, can_focus=True):
    """Comments, one per line; the cursor row is the selected comment."""

    COMPONENT_CLASSES = {
        "queue-list--header",
        "queue-list--cursor",
        "queue-list--done",
        "queue-list--muted",
        "queue-list--late",
        "queue-list--mark",
    }

    DEFAULT_CSS = """
    QueueList {
        background: $surface;
        scrollbar-gutter: stable;
        overflow-x: hidden;
    }
    QueueList > .queue-list--header { text-style: bold; background: $panel; color: $text; }
    QueueList > .queue-list--cursor { background: $accent 40%; }
    QueueList:focus > .queue-list--cursor { background: $accent 70%; text-style: bold; }
    QueueList > .queue-list--done { color: $text-muted; }
    QueueList > .queue-list--muted { color: $text-muted; }
    QueueList > .queue-list--late { color: $error; text-style: bold; }
    QueueList > .queue-list--mark { color: $warning; text-style: bold; }
    """

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="queue.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="queue.up"),
        Binding("g,home", "cursor_top", "Top", show=False, id="queue.top"),
        Binding("G,end", "cursor_bottom", "Bottom", show=False, id="queue.bottom"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="queue.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="queue.page_up"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor moved to another comment (or the list became empty)."""

        ALLOW_SELECTOR_MATCH = {"comment_id"}

        def __init__(self, comment_id: str | None) -> None:
            super().__init__()
            self.comment_id = comment_id

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, QueueList.Highlighted)

    class Activated(Message):
        """Enter was pressed on a comment."""

        def __init__(self, comment_id: str) -> None:
            super().__init__()
            self.comment_id = comment_id

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = utcnow,
        sla: Sla | None = None,
        text_of: Callable[[Comment], str] | None = None,
        status_of: Callable[[Comment], str | None] | None = None,
        alert_of: Callable[[Comment], bool] | None = None,
        ae_chip_of: Callable[[Comment], tuple[str, str, bool] | None] | None = None,
        badge_of: Callable[[Comment], str] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.sla = sla
        #: The text a row shows for a comment (the app masks identifiers until revealed).
        self.text_of: Callable[[Comment], str] = text_of or (lambda comment: comment.text)
        #: What the status column says instead of the status (a reply on its way), and
        #: whether that is bad news (drawn like a late one).
        self.status_of: Callable[[Comment], str | None] = status_of or (lambda comment: None)
        self.alert_of: Callable[[Comment], bool] = alert_of or (lambda comment: False)
        #: An open adverse-event intake's clock, shown as its chip: ("AE 3d left",
        #: "AE 3d", late?), or None.
        self.ae_chip_of: Callable[[Comment], tuple[str, str, bool] | None] = (
            ae_chip_of or (lambda comment: None))
        #: What a row shows before the text (a group of near-copies: "×23").
        self.badge_of: Callable[[Comment], str] = badge_of or (lambda comment: "")
        #: Ids of the comments marked for a bulk action.
        self.marked: set[str] = set()
        self._rows: list[Comment] = []
        self._positions: dict[str, int] | None = None
        self._now: datetime = clock()

    # -- data ------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[Comment]:
        return self._rows

    @property
    def selected(self) -> Comment | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def set_rows(self, rows: list[Comment], *, keep: str | None = None) -> None:
        """Show ``rows``; keep the cursor on comment ``keep`` if it is still there."""
        self._rows = rows
        self._positions = None
        self._now = self.clock()
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        target = self.cursor
        if keep is not None:
            found = self.index_of(keep)
            if found is not None:
                target = found
        self._move_to(min(max(target, 0), max(len(rows) - 1, 0)), force=True)
        self.refresh()

    def index_of(self, comment_id: str) -> int | None:
        if self._positions is None:
            self._positions = {comment.id: index for index, comment in enumerate(self._rows)}
        return self._positions.get(comment_id)

    def update_row(self, comment: Comment, *, keep: bool) -> bool:
        """Show the new state of a comment in place (or drop it when ``keep`` is false).

        Returns False when the comment is not in the list.
        """
        index = self.index_of(comment.id)
        if index is None:
            return False
        if keep:
            self._rows[index] = comment
        else:
            del self._rows[index]
            self._positions = None
            self.virtual_size = Size(self.size.width, len(self._rows) + 1)
            if index < self.cursor or self.cursor >= len(self._rows):
                self.cursor = max(min(self.cursor - (index < self.cursor), len(self._rows) - 1), 0)
        self.refresh()
        return True

    def toggle_mark(self) -> None:
        """Mark or unmark the selected comment, then move on."""
        comment = self.selected
        if comment is None:
            return
        self.marked.symmetric_difference_update({comment.id})
        self._move_to(self.cursor + 1, force=True)
        self.refresh()

    def mark(self, ids: set[str]) -> None:
        self.marked |= ids
        self.refresh()

    def clear_marks(self) -> None:
        self.marked.clear()
        self.refresh()

    def refresh_ages(self) -> None:
        self._now = self.clock()
        self.refresh()

    # -- cursor ----------------------------------------------------------------------

    def _move_to(self, index: int, *, force: bool = False) -> None:
        if not self._rows:
            self.cursor = 0
            self.post_message(self.Highlighted(None))
            return
        index = min(max(index, 0), len(self._rows) - 1)
        changed = index != self.cursor
        self.cursor = index
        self._scroll_cursor_into_view()
        if changed or force:
            self.post_message(self.Highlighted(self._rows[index].id))

    def move_to_id(self, comment_id: str) -> None:
        index = self.index_of(comment_id)
        if index is not None:
            self._move_to(index, force=True)

    def following(self, comment_id: str) -> str | None:
        """The id of the comment shown after ``comment_id`` (None: it is the last)."""
        index = self.index_of(comment_id)
        if index is None or index + 1 >= len(self._rows):
            return None
        return self._rows[index + 1].id

    def move_on(self, following: str | None) -> None:
        """After acting on a comment: to the one that followed it (whether the comment
        stayed in the list or left it); where it was the last, the cursor stays."""
        if following is not None:
            self.move_to_id(following)

    def _scroll_cursor_into_view(self) -> None:
        visible = max(self.scrollable_content_region.height - 1, 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()

    def action_cursor_down(self) -> None:
        self._move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move_to(self.cursor - 1)

    def action_cursor_top(self) -> None:
        self._move_to(0)

    def action_cursor_bottom(self) -> None:
        self._move_to(len(self._rows) - 1)

    def action_page_down(self) -> None:
        self._move_to(self.cursor + max(self.scrollable_content_region.height - 2, 1))

    def action_page_up(self) -> None:
        self._move_to(self.cursor - max(self.scrollable_content_region.height - 2, 1))

    def on_click(self, event: events.Click) -> None:
        row = event.y + int(self.scroll_offset.y) - 1
        if 0 <= row < len(self._rows):
            self._move_to(row)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self._rows) + 1)
        self._scroll_cursor_into_view()

    # -- rendering -------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        index = y - 1 + int(self.scroll_offset.y)
        if index >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        return self._row(self._rows[index], index == self.cursor, width)

    def _header(self, width: int) -> Strip:
        style = self.get_component_rich_style("queue-list--header")
        segments = [Segment(" " + set_cell_size(
            title if len(title) < size else _SHORT_TITLES.get(title, ""), size - 1), style)
                    for title, size in layout_for(width)]
        segments.append(Segment(" Comment", style))
        return Strip(segments).adjust_cell_length(width, style)

    def _over(self, base: Style, component: str) -> Style:
        """A component's colour and weight on ``base``, keeping the row's background (the
        cursor's highlight covers every cell)."""
        return base + self.get_component_rich_style(component) + Style(bgcolor=base.bgcolor)

    def _status_cell(self, comment: Comment, base: Style, size: int) -> Segment:
        """The status; for an open comment with a target, the time left to answer it
        ("new 13m"), or how late the answer is ("new late 5m", highlighted); a reply on
        its way or gone wrong says so instead."""
        override = self.status_of(comment)
        if override is not None:
            late = self._over(base, "queue-list--late")
            return Segment(" " + set_cell_size(override, size - 1),
                           late if self.alert_of(comment) else base)
        left = self.sla.time_left(comment, self._now) if self.sla else None
        if left is None:
            return Segment(" " + set_cell_size(comment.status, size - 1), base)
        minutes = int(left.total_seconds() // 60)
        if minutes < 0:
            label = f"{comment.status} late {_span(-minutes)}"
            if cell_len(label) > size - 1:  # narrow: the lateness matters more than "new"
                label = f"late {_span(-minutes)}"
            style = self._over(base, "queue-list--late")
        else:
            label = f"{comment.status} {_span(minutes)}"
            style = base
        return Segment(" " + set_cell_size(label, size - 1), style)

    def _tags_cell(self, comment: Comment, base: Style, size: int) -> list[Segment]:
        """The tags as chips, as many as fit in ``size`` cells, "+" when some do not."""
        segments = [Segment(" ", base)]
        used = 1
        clock = self.ae_chip_of(comment) if comment.tag("adverse_event") else None
        for tag in comment.tags:
            label = f" {chip_label(tag)} "
            style = chip_style(tag.name, possible=tag.possible)
            if tag.name == "adverse_event" and clock is not None:
                long, short, late = clock
                label = f" {long} " if used + len(long) + 2 <= size - 1 else f" {short} "
                if late:
                    style = LATE_CHIP
            if used + len(label) > size - 1:
                segments.append(Segment("+", base))
                used += 1
                break
            segments.append(Segment(label, style))
            segments.append(Segment(" ", base))
            used += len(label) + 1
        segments.append(Segment(" " * max(size - used, 0), base))
        return segments

    def _row(self, comment: Comment, selected: bool, width: int) -> Strip:
        base = self.rich_style
        if comment.status != "new":
            base = base + self.get_component_rich_style("queue-list--done")
        if selected:
            base = base + self.get_component_rich_style("queue-list--cursor")
        muted = self._over(base, "queue-list--muted")

        def cell(text: str, size: int, style: Style = base) -> Segment:
            return Segment(" " + set_cell_size(one_line(text, size - 1), size - 1), style)

        columns = layout_for(width)
        marked = comment.id in self.marked
        segments: list[Segment] = []
        for title, size in columns:
            if title == "Platform":
                labels = PLATFORM_LABELS if size > 6 else PLATFORM_SHORT
                platform = labels.get(comment.platform, inline(comment.platform))
                mark = self._over(base, "queue-list--mark")
                segments += [Segment("●" if marked else " ", mark if marked else base),
                             Segment(set_cell_size(platform, size - 1), base)]
            elif title == "Account":
                segments.append(cell(comment.account, size, muted))
            elif title == "Author":
                segments.append(cell(comment.author.name, size))
            elif title == "Age":
                age = ago(comment.created_at, self._now) if size > 6 else \
                    short_age(comment.created_at, self._now)
                segments.append(cell(age, size, muted))
            elif title in ("Assignee", "Who"):
                segments.append(cell(comment.assignee or "", size, muted))
            elif title == "Tags":
                segments += self._tags_cell(comment, base, size)
            else:
                segments.append(self._status_cell(comment, base, size))
        rest = max(width - sum(size for _, size in columns), 0)
        badge = self.badge_of(comment)
        if badge:
            segments.append(Segment(f" {badge}", self._over(base, "queue-list--mark")))
            rest -= len(badge) + 1
        segments.append(Segment(" " + one_line(self.text_of(comment), max(rest - 1, 1)), base))
        return Strip(segments).adjust_cell_length(width, base)
