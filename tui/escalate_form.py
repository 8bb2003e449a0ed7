"""The escalation form: why a comment must go to legal, how urgent, and a note for them."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from triage.legal import REASONS, SEVERITIES, mask_text
from triage.model import Comment
from triage.textsafe import inline, one_line

__all__ = ["REASON_LABELS", "EscalateForm", "EscalationRequest"]

REASON_LABELS = {
    "privacy_breach": "Privacy breach (PHI or identifiers posted)",
    "adverse_event": "Adverse event (harm after a drug, vaccine, device)",
    "legal_threat": "Legal threat (lawsuit, threat against staff)",
    "defamation": "Defamation",
    "regulatory": "Regulatory (a regulator must hear of it)",
    "other": "Other",
}
#: The reason a comment's tags suggest, chosen in the form to start with.
SUGGESTED = {"privacy": "privacy_breach", "adverse_event": "adverse_event"}


@dataclass(frozen=True, slots=True)
class EscalationRequest:
    """What the person filled in."""

    reason: str
    severity: str
    note: str


class EscalateForm(ModalScreen[EscalationRequest | None]):
    """Ask for the reason, severity and a note; enter in the note or Escalate submits."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="escalate.cancel"),
        Binding("ctrl+s", "submit", "Escalate", id="escalate.submit",
                tooltip="Send it to legal and put the comment on hold"),
    ]
    DEFAULT_CSS = """
    EscalateForm { align: center middle; }
    EscalateForm > Vertical {
        width: 80; max-width: 95%; height: auto; max-height: 100%; border: thick $error;
        background: $surface; padding: 0 1;
    }
    EscalateForm #escalate-title { text-style: bold; }
    EscalateForm #escalate-comment { color: $text-muted; }
    EscalateForm #escalate-error { color: $error; height: auto; }
    EscalateForm Horizontal { height: auto; margin-top: 1; }
    EscalateForm Button { margin-right: 2; }
    """

    def __init__(self, comment: Comment) -> None:
        super().__init__()
        self._comment = comment

    def compose(self) -> ComposeResult:
        comment = self._comment
        suggested = next((SUGGESTED[t] for t in comment.tag_names if t in SUGGESTED), None)
        with Vertical():
            yield Static(Text("Escalate to legal — the comment goes on legal hold"),
                         id="escalate-title")
            yield Static(
                Text(f"{inline(comment.id)} · {one_line(comment.author.name, 30)} · "
                     f"{one_line(mask_text(comment), 60)}"),
                id="escalate-comment",
            )
            yield Label("Reason")
            yield Select(
                [(REASON_LABELS[r], r) for r in REASONS],
                prompt="Choose why",
                value=suggested if suggested is not None else Select.NULL,
                id="escalate-reason",
            )
            yield Label("Severity")
            yield Select([(s, s) for s in SEVERITIES], value="high", allow_blank=False,
                         id="escalate-severity")
            yield Label("Note for legal")
            yield Input(placeholder="what happened, what you know (enter escalates)",
                        id="escalate-note")
            yield Static(id="escalate-error")
            with Horizontal():
                yield Button("Escalate", variant="error", id="escalate-submit")
                yield Button("Cancel", id="escalate-cancel")

    def on_mount(self) -> None:
        reason = self.query_one("#escalate-reason", Select)
        if reason.is_blank():
            reason.focus()
        else:
            self.query_one("#escalate-note", Input).focus()

    def request(self) -> EscalationRequest | None:
        """The filled-in request, or None (and the problem shown) when it is incomplete."""
        reason = self.query_one("#escalate-reason", Select).value
        severity = self.query_one("#escalate-severity", Select).value
        if not isinstance(reason, str) or not isinstance(severity, str):
            self.query_one("#escalate-error", Static).update(Text("Choose a reason first."))
            self.query_one("#escalate-reason", Select).focus()
            return None
        note = self.query_one("#escalate-note", Input).value
        return EscalationRequest(reason, severity, note)

    def action_submit(self) -> None:
        request = self.request()
        if request is not None:
            self.dismiss(request)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#escalate-note")
    def _note_done(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#escalate-submit")
    def _submit_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#escalate-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
