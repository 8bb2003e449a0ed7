"""The Legal screen: escalations and their status; legal notes, releases holds, closes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from triage.config import Config
from triage.errors import TriageError
from triage.legal import (
    DECISIONS,
    Escalation,
    add_note,
    all_escalations,
    close,
    configured_channels,
    deliveries_of,
    display_status,
    release,
    require_role,
    reveal,
    save_packet,
)
from triage.store import Store
from triage.textsafe import clean, inline, one_line
from triage.timefmt import ago, local
from tui.pickers import ChoiceScreen, PromptScreen
from tui.queue_list import PLATFORM_LABELS, short_age

__all__ = ["DECISION_LABELS", "LegalScreen"]

T = TypeVar("T")

DECISION_LABELS = {
    "reply_allowed": "Reply allowed — back to the team to answer",
    "hide": "Hide — back to the team to hide it",
    "delete": "Delete — back to the team to delete it",
    "no_action": "No action — dismiss it",
}


def _short_decision(decision: str | None) -> str:
    """The decision's name as the release picker gives it ("Reply allowed"), or a dash."""
    if not decision:
        return "—"
    return DECISION_LABELS.get(decision, decision).split(" — ")[0]


STATUS_STYLES = {
    "pending delivery": "bold red", "open": "bold yellow", "under review": "cyan",
    "released": "green", "closed": "dim",
}
COLUMNS = ("ID", "Status", "Severity", "Reason", "Comment", "By", "Age", "Decision")
#: Below this width the table leaves out the comment and who escalated it (the detail
#: below shows both) and gives the age in short, so that no column is out of sight.
NARROW = 110
NARROW_COLUMNS = ("ID", "Status", "Severity", "Reason", "Age", "Decision")
#: Actions that may be refused on the selected escalation (disabled, and a press says why).
_REFUSABLE = ("release", "close_escalation", "reveal", "deliver")


class LegalScreen(Screen[None]):
    """Every escalation, newest first, the selected one in detail below."""

    BINDINGS = [
        Binding("escape,q,L", "app.pop_screen", "Back", id="legal.close"),
        Binding("n", "note", "Note", id="legal.note", tooltip="Add a note to the escalation"),
        Binding("r", "release", "Release", id="legal.release",
                tooltip="Release the legal hold with a decision (legal only)"),
        Binding("c", "close_escalation", "Close", id="legal.close_escalation",
                tooltip="Close a released escalation (legal only)"),
        Binding("v", "reveal", "Reveal", id="legal.reveal",
                tooltip="Show the masked identifiers (journaled)"),
        Binding("d", "deliver", "Deliver now", id="legal.deliver",
                tooltip="Try every pending delivery to legal now, whatever the backoff says"),
        Binding("e", "export_packet", "Export packet", id="legal.export",
                tooltip="Write the case packet (Markdown) to a file in the data folder, "
                        "as `triage escalation export` does (journaled)"),
    ]
    DEFAULT_CSS = """
    LegalScreen DataTable { height: 1fr; }
    LegalScreen #legal-detail { height: 1fr; border-top: solid $panel-lighten-2; padding: 0 1; }
    """

    class DeliverNow(Message):
        """The person asked to try every pending delivery now (the app sends them)."""

    def __init__(
        self, store: Store, config: Config, user: str, clock: Callable[[], datetime]
    ) -> None:
        super().__init__()
        self._store, self._config, self._user, self._clock = store, config, user, clock
        self._rows: list[Escalation] = []
        self._revealed: set[str] = set()
        self._columns: tuple[str, ...] = COLUMNS

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield DataTable(cursor_type="row", zebra_stripes=True, id="legal-table")
        with VerticalScroll(id="legal-detail"):
            yield Static(id="legal-detail-body")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Legal — escalations"
        table = self.query_one(DataTable)
        self._columns = self._columns_for(self.size.width)
        table.add_columns(*self._columns)
        self.refresh_rows()
        table.focus()

    @staticmethod
    def _columns_for(width: int) -> tuple[str, ...]:
        return COLUMNS if width >= NARROW else NARROW_COLUMNS

    def on_resize(self) -> None:
        columns = self._columns_for(self.size.width)
        table = self.query_one(DataTable)
        if table.columns and columns != self._columns:  # once on_mount has drawn it
            self._columns = columns
            table.clear(columns=True)
            table.add_columns(*columns)
            self.refresh_rows()

    # -- showing ---------------------------------------------------------------------

    @property
    def selected(self) -> Escalation | None:
        table = self.query_one(DataTable)
        if not self._rows or table.cursor_row < 0 or table.cursor_row >= len(self._rows):
            return None
        return self._rows[table.cursor_row]

    def refresh_rows(self, keep: str | None = None) -> None:
        """Rebuild the table from the store, keeping the cursor on escalation ``keep``."""
        table = self.query_one(DataTable)
        current = keep or (self.selected.id if self.selected else None)
        self._rows = all_escalations(self._store)
        now = self._clock()
        table.clear()
        for esc in self._rows:
            status = display_status(self._store, esc)
            cells = {
                "ID": Text(inline(esc.id)),
                "Status": Text(inline(status), style=STATUS_STYLES.get(status, "")),
                "Severity": Text(inline(esc.severity),
                                 style="bold red" if esc.severity == "critical" else ""),
                "Reason": Text(inline(esc.reason)),
                "Comment": Text(one_line(f"{one_line(esc.author, 14)}: {esc.masked_text}", 28)),
                "By": Text(one_line(esc.by, 20)),
                "Age": Text(ago(esc.at, now) if "Comment" in self._columns
                            else short_age(esc.at, now)),
                "Decision": Text(inline(_short_decision(esc.decision))),
            }
            table.add_row(*(cells[name] for name in self._columns), key=esc.id)
        ids = [e.id for e in self._rows]
        if current in ids:
            table.move_cursor(row=ids.index(current))
        count = len(self._rows)
        self.sub_title = (f"{count} escalation{'' if count == 1 else 's'} · "
                          f"acting as {self._user}")
        self.refresh_bindings()
        self.show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()
        self.refresh_bindings()

    def show_detail(self) -> None:
        body = self.query_one("#legal-detail-body", Static)
        esc = self.selected
        if esc is None:
            body.update(Text("No escalations yet: press e on a comment in the queue.",
                             style="dim"))
            return
        body.update(self._detail(esc))

    def _detail(self, esc: Escalation) -> Group:
        shown = esc.text if esc.id in self._revealed else esc.masked_text
        lines: list[Text] = [
            Text.assemble((f"{inline(esc.id)}  ", "bold"),
                          (inline(display_status(self._store, esc)), "bold"),
                          inline(f"  ·  {esc.reason}  ·  {esc.severity}")),
            Text(f"Comment {inline(esc.comment_id)} on {inline(esc.platform)} "
                 f"({inline(esc.account)}) by {clean(esc.author)}"),
            Text(f"Escalated by {clean(esc.by)} {ago(esc.at, self._clock())} ({local(esc.at)})"
                 f"  ·  SHA-256 {inline(esc.sha256[:16])}…"),
            Text(inline(esc.permalink), style="underline"),
            Text(""),
            Text(clean(shown)),
        ]
        if shown != esc.text:
            lines.append(Text("identifiers masked — v reveals them (journaled)",
                              style="italic dim"))
        lines += [Text(""), Text(f"Note: {clean(esc.note) or '—'}")]
        for note in esc.notes:
            lines.append(Text(f"  {local(note.at)} {clean(note.by)}: {clean(note.text)}"))
        if esc.decision:
            label = DECISION_LABELS.get(esc.decision, esc.decision)
            lines.append(Text(f"Decision: {inline(label)} by {clean(esc.decided_by or '')}",
                              style="bold"))
        for delivery in deliveries_of(self._store, esc.id):
            state = f"{delivery.channel}: {delivery.status}, {delivery.attempts} attempt(s)"
            if delivery.last_error and delivery.status != "delivered":
                state += f" — {delivery.last_error}"
            lines.append(Text(inline(state),
                              style="red" if delivery.status == "pending" else "green"))
        return Group(*lines)

    # -- which keys work here ----------------------------------------------------------

    def refusal(self, action: str) -> str:
        """Why ``action`` cannot be done on the selected escalation ("" when it can)."""
        esc = self.selected
        if action == "deliver":
            return "" if configured_channels(self._config) else (
                "No [escalation] channel in config.toml: nothing to deliver to.")
        if esc is None:
            return "No escalation is selected."
        try:
            if action == "release":
                require_role(self._config, self._user, "legal", "release a legal hold")
                if not esc.active:
                    return f"{esc.id} is {esc.status}: its hold was already released"
            elif action == "close_escalation":
                require_role(self._config, self._user, "legal", "close an escalation")
                if esc.status == "closed":
                    return f"{esc.id} is already closed"
                if esc.status != "released":
                    return f"{esc.id} still holds the comment: release it first (r)"
            elif action == "reveal" and (esc.id in self._revealed
                                         or esc.masked_text == esc.text):
                return "Nothing is masked in this comment."
        except TriageError as exc:
            return str(exc)
        return ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _REFUSABLE:
            return not self.refusal(action) or None
        return True

    # -- acting ----------------------------------------------------------------------

    def _perform(self, command: Callable[[], T]) -> T | None:
        try:
            return command()
        except TriageError as exc:
            self.notify(clean(str(exc)), severity="error", markup=False)
            return None

    def action_note(self) -> None:
        esc = self.selected
        if esc is None:
            return

        def written(text: str | None) -> None:
            if text and self._perform(
                lambda: add_note(self._store, self._config, self._user, esc.id, text)
            ):
                self.refresh_rows(keep=esc.id)
                self.notify(f"Noted on {esc.id}", markup=False)

        self.app.push_screen(PromptScreen(f"Note on {esc.id}", "what legal found or decided"),
                             written)

    def action_release(self) -> None:
        esc = self.selected
        if esc is None or not self._may("release a legal hold"):
            return
        if not esc.active:
            self.notify(f"{esc.id} is {esc.status}: its hold was already released",
                        severity="warning", markup=False)
            return

        def chosen(decision: str | None) -> None:
            if decision is None:
                return
            done = self._perform(
                lambda: release(self._store, self._config, self._user, esc.id, decision)
            )
            if done is not None:
                self.refresh_rows(keep=esc.id)
                self.notify(f"Released {esc.id}: {DECISION_LABELS.get(decision, decision)}",
                            markup=False)

        where = inline(PLATFORM_LABELS.get(esc.platform, esc.platform))
        self.app.push_screen(
            ChoiceScreen(f"Release {esc.id} ({one_line(esc.author, 30)} on {where}) from "
                         "legal hold — the decision:",
                         [(d, DECISION_LABELS[d]) for d in DECISIONS]),
            chosen,
        )

    def action_close_escalation(self) -> None:
        esc = self.selected
        if esc is None or not self._may("close an escalation"):
            return
        if self._perform(lambda: close(self._store, self._config, self._user, esc.id)):
            self.refresh_rows(keep=esc.id)
            self.notify(f"Closed {esc.id}", markup=False)

    def action_reveal(self) -> None:
        esc = self.selected
        if esc is None or esc.id in self._revealed or esc.masked_text == esc.text:
            return
        if self._perform(lambda: reveal(self._store, self._config, self._user,
                                        esc.comment_id, where="legal screen")):
            self._revealed.add(esc.id)
            self.show_detail()

    def action_export_packet(self) -> None:
        esc = self.selected
        if esc is None:
            self.notify("No escalation is selected.", severity="warning", markup=False)
            return
        path = self._perform(lambda: save_packet(self._store, self._config, self._user, esc.id))
        if path is not None:
            self.notify(f"Case packet of {esc.id} written to {path}", timeout=15,
                        markup=False)

    def action_deliver(self) -> None:
        self.post_message(self.DeliverNow())

    def _may(self, action: str) -> bool:
        """Whether the acting person is legal; if not, say so (and who is)."""
        try:
            require_role(self._config, self._user, "legal", action)
        except TriageError as exc:
            self.notify(clean(str(exc)), severity="error", markup=False)
            return False
        return True
