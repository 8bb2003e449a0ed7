"""The approvals screen: replies waiting for an approver, each with its comment and its edit.

Every reply that needs approval (free text, a template edited beyond ``[replies]
max_edit_share`` of its words, or a reply with a review-level policy hit) is listed,
oldest first; below, the selected one's comment (identifiers masked), the reply, what
changed from the template word by word, and each policy hit with its reason. ``y``
approves (the reply is queued and sent), ``n`` rejects with a note for its writer — both
only for a team member with the approver role: for anyone else the keys are disabled and
the screen says who may approve.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from triage.errors import TriageError
from triage.legal import has_role, require_role
from triage.outbox import (
    WAITING,
    OutboxItem,
    all_items,
    approve,
    check_item,
    local_today,
    marked_change,
    reject,
)
from triage.textsafe import clean, inline, one_line
from triage.timefmt import ago
from tui.messages import CommentsChanged
from tui.pickers import PromptScreen

if TYPE_CHECKING:
    from tui.services import Services

__all__ = ["ApprovalsScreen"]

COLUMNS = ("Reply", "Comment", "Platform", "Written by", "Age", "Why it needs approval")


class ApprovalsScreen(Screen[None]):
    """Replies waiting for approval; approvers approve or reject them."""

    BINDINGS = [
        Binding("escape,q,A", "app.pop_screen", "Back", id="approvals.close"),
        Binding("y", "approve", "Approve", id="approvals.approve",
                tooltip="Approve this exact text: it is queued and sent (approvers only)"),
        Binding("n", "reject", "Reject", id="approvals.reject",
                tooltip="Reject it with a note for the writer (approvers only)"),
    ]
    DEFAULT_CSS = """
    ApprovalsScreen DataTable { height: 1fr; }
    ApprovalsScreen #approvals-who { height: 1; padding: 0 1; color: $text-muted; }
    ApprovalsScreen #approvals-detail {
        height: 1fr; border-top: solid $panel-lighten-2; padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="approvals-who")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="approvals-table")
        with VerticalScroll(id="approvals-detail"):
            yield Static(id="approvals-body")
        yield Footer()

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def _changed(self, comment_id: str) -> None:
        """Tell the other desks and the queue that a comment's reply changed."""
        self.services.desk.announce([comment_id])
        self.app.post_message(CommentsChanged([comment_id]))

    @property
    def may_decide(self) -> bool:
        return has_role(self.services.config, self.services.user, "approver")

    def on_mount(self) -> None:
        app = self.services
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        holders = [m.name for m in app.config.team if "approver" in m.roles]
        if self.may_decide:
            who = f"{app.user}, you are an approver: y approves, n rejects."
        else:
            who = (f"Only approvers decide ({', '.join(holders) or 'no one has the role yet'}); "
                   f"{app.user} may read the list.")
        self.query_one("#approvals-who", Static).update(Text(who))
        self.refresh_rows()
        table.focus()

    def waiting(self) -> list[OutboxItem]:
        return all_items(self.services.desk.store, states=(WAITING,))

    def refresh_rows(self) -> None:
        app = self.services
        table = self.query_one(DataTable)
        table.clear()
        now = app.clock()
        for item in self.waiting():
            comment = app.desk.find(item.comment_id)
            author = one_line(comment.author.name, 20) if comment is not None else "?"
            table.add_row(Text(inline(item.short_id)),
                          Text(f"{author}: {one_line(app.legal.shown(comment).text, 40)}"
                               if comment is not None else inline(item.comment_id)),
                          Text(inline(item.platform)), Text(one_line(item.by, 20)),
                          ago(item.created_at, now), Text(one_line(item.reason, 60)),
                          key=item.id)
        self._show_selected()

    def selected(self) -> OutboxItem | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((i for i in self.waiting() if i.id == key), None)

    def on_data_table_row_highlighted(self) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        body = self.query_one("#approvals-body", Static)
        item = self.selected()
        if item is None:
            body.update(Text("No reply is waiting for approval.", style="dim"))
            return
        app = self.services
        parts: list[Text] = [Text(f"Outbox {inline(item.short_id)} · {inline(item.comment_id)}"
                                  f" · written by {inline(item.by)}", style="bold")]
        comment = app.desk.find(item.comment_id)
        if comment is not None:
            text = clean(app.legal.shown(comment).text)
            parts.append(Text("Comment: ", style="bold").append(text))
        expected = self._expected(item)
        reply = Text("Reply: " if expected is None else
                     "Reply, as changed from its template ([-taken out-] {+added+}): ",
                     style="bold")
        for op, piece in marked_change(expected, item.text):
            reply.append(clean(piece), style={"=": "", "-": "strike red", "+": "bold green"}[op])
        parts.append(reply)
        for hit in item.hits:
            line = Text(f"Policy {inline(hit.policy)} ({hit.severity}): ", style="bold yellow")
            line.append(one_line(hit.text, 80), style="bold reverse yellow")
            if hit.detail:
                line.append(f" ({inline(hit.detail)})")
            line.append(" — " + inline(hit.reason), style="italic")
            parts.append(line)
        if item.privacy_risk:
            parts.append(Text("The comment is a privacy risk: the reply must neither confirm "
                              "nor imply a patient relationship.", style="bold yellow"))
        body.update(Group(*parts))

    def _expected(self, item: OutboxItem) -> str | None:
        app = self.services
        comment = app.desk.find(item.comment_id)
        library = app.outbox.reply_library() if item.template_id is not None else None
        if comment is None or library is None:
            return None
        try:
            return check_item(comment, library, item.template_id, item.text,
                              local_today(app.clock()), app.config).expected
        except TriageError:
            return None

    def _who(self, item: OutboxItem) -> str:
        """Whose comment a reply answers, as people say it."""
        comment = self.services.desk.find(item.comment_id)
        return one_line(comment.author.name, 30) if comment is not None else inline(
            item.comment_id)

    def refusal(self, action: str) -> str:
        """Why ``y`` or ``n`` cannot work now ("" when it can), as the command line says it."""
        if action not in ("approve", "reject"):
            return ""
        app = self.services
        try:
            require_role(app.config, app.user, "approver", f"{action} a reply")
        except TriageError as exc:
            return str(exc)
        return "" if self.selected() is not None else "No reply is waiting for approval."

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("approve", "reject"):
            return not self.refusal(action) or None
        return True

    def action_approve(self) -> None:
        item = self.selected()
        app = self.services
        library = app.outbox.reply_library()
        if item is None or library is None:
            return
        try:
            approve(app.desk.store, app.config, app.user, item.id, library=library, now=app.clock())
        except TriageError as exc:
            self.notify(clean(str(exc)), severity="error", markup=False)
            return
        self._changed(item.comment_id)
        self.notify(f"Approved: the reply to {self._who(item)} is being sent.", timeout=4,
                    markup=False)
        self.refresh_rows()
        app.outbox.send_due()

    def action_reject(self) -> None:
        item = self.selected()
        if item is None:
            return
        app = self.services

        def noted(note: str | None) -> None:
            if note is None:
                return
            try:
                reject(app.desk.store, app.config, app.user, item.id, note=note, now=app.clock())
            except TriageError as exc:
                self.notify(clean(str(exc)), severity="error", markup=False)
                return
            self._changed(item.comment_id)
            self.notify(f"Rejected the reply to {self._who(item)}; {inline(item.by)} reads why.",
                        timeout=4, markup=False)
            self.refresh_rows()

        self.app.push_screen(PromptScreen("Why is it rejected? (the writer reads this)",
                                     "e.g. use the hours template"), noted)
