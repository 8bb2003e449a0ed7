"""``i``: the adverse-event intake form, and the intake's clock in the list and detail pane.

The form shows the four minimum criteria, each with its value (pre-filled from the
tagger's evidence until someone saves it) and a "confirmed" box. Anyone on the team saves
it; pharmacovigilance completes it, or marks it not an AE with a reason. Every choice
goes through the domain (triage.ae), which journals it and refuses what is not allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from triage.ae import (
    CRITERIA,
    CRITERION_LABELS,
    Intake,
    complete_intake,
    intake_of,
    mark_not_ae,
    save_intake,
    save_intakes,
)
from triage.config import Config
from triage.legal import has_role, mask_text
from triage.model import Comment
from triage.store import Store
from triage.textsafe import inline, one_line

if TYPE_CHECKING:
    from tui.app import TriageApp

__all__ = ["IntakeForm", "IntakeRequest", "ae_chip", "ae_notice", "export_from_queue",
           "open_intake"]

ROLE = "pharmacovigilance"


def ae_chip(store: Store, config: Config, comment: Comment,
            now: datetime) -> tuple[str, str, bool] | None:
    """The list's chip for an open intake: long and short label, and whether it is late."""
    if comment.tag("adverse_event") is None:
        return None
    intake = intake_of(store, config, comment, prefilled=False)
    if intake is None or not intake.open:
        return None
    return intake.clock_label(now), intake.clock_label(now, short=True), intake.late(now)


def ae_notice(store: Store, config: Config, comment: Comment, now: datetime) -> Text | None:
    """What the detail pane says first about the comment's intake (None: it has none)."""
    intake = intake_of(store, config, comment)
    if intake is None:
        return None
    if intake.state == "complete":
        return Text(f"AE intake complete — {intake.closed_by}, day "
                    f"{intake.day(intake.closed_at or now)}", style="bold")
    if intake.state == "not_ae":
        return Text(f"Not an adverse event — {intake.closed_by}: {one_line(intake.reason, 80)}",
                    style="bold")
    left = intake.days_left(now)
    when = (f"{-left} day{'s' if left != -1 else ''} LATE" if left < 0
            else "due today" if left == 0 else f"{left} day{'s' if left != 1 else ''} left")
    text = Text(f"AE intake open: day {intake.day(now)} of {intake.deadline_days}, due "
                f"{intake.due.isoformat()} ({when}) · {intake.confirmed()}/4 criteria "
                "confirmed · i to fill it in", style="bold red" if left < 0 else "bold")
    return text


@dataclass(frozen=True, slots=True)
class IntakeRequest:
    """What the person chose: ``save``, ``complete`` or ``not_ae``, with the form's values."""

    action: str
    values: dict[str, str] = field(default_factory=dict)
    confirmed: dict[str, bool] = field(default_factory=dict)
    reason: str = ""


class IntakeForm(ModalScreen[IntakeRequest | None]):
    """The four criteria, each with a value and a confirmed box; save, complete, not an AE."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="intake.cancel"),
        Binding("ctrl+s", "save", "Save", id="intake.save",
                tooltip="Save the criteria and which are confirmed"),
    ]
    DEFAULT_CSS = """
    IntakeForm { align: center middle; }
    IntakeForm > Vertical {
        width: 90; max-width: 95%; height: auto; max-height: 100%; border: thick $warning;
        background: $surface; padding: 0 1;
    }
    IntakeForm #intake-title { text-style: bold; }
    IntakeForm #intake-comment, IntakeForm #intake-role { color: $text-muted; }
    IntakeForm #intake-error { color: $error; height: auto; }
    IntakeForm .criterion { height: auto; }
    IntakeForm .criterion Input { width: 1fr; }
    IntakeForm .criterion Checkbox { width: 18; }
    IntakeForm Horizontal { height: auto; }
    IntakeForm #intake-buttons { margin-top: 1; }
    IntakeForm Button { margin-right: 1; }
    """

    def __init__(self, comment: Comment, intake: Intake, now: datetime, *,
                 may_close: bool, user: str) -> None:
        super().__init__()
        self._comment = comment
        self._intake = intake
        self._now = now
        self._may_close = may_close
        self._user = user

    def compose(self) -> ComposeResult:
        comment, intake = self._comment, self._intake
        with Vertical():
            yield Static(Text(f"Adverse-event intake — {intake.clock_label(self._now)} (day "
                              f"{intake.day(self._now)} of {intake.deadline_days}, due "
                              f"{intake.due.isoformat()})"), id="intake-title")
            yield Static(Text(f"{inline(comment.id)} · {one_line(comment.author.name, 30)} · "
                              f"{one_line(mask_text(comment), 70)}"), id="intake-comment")
            for name in CRITERIA:
                criterion = intake.criteria.get(name)
                yield Label(CRITERION_LABELS[name])
                with Horizontal(classes="criterion"):
                    yield Input(criterion.value if criterion else "", id=f"intake-{name}",
                                placeholder="not found in the comment: fill it in")
                    yield Checkbox("confirmed", bool(criterion and criterion.confirmed),
                                   id=f"intake-{name}-ok")
            yield Label("Reason, for Not an AE")
            yield Input(placeholder="why this is not an adverse event (required for Not an AE)",
                        id="intake-reason")
            if not self._may_close:
                yield Static(Text(f"Only the {ROLE} role completes an intake or marks it not "
                                  f"an AE ({self._user} can fill in and confirm the criteria)."),
                             id="intake-role")
            yield Static(id="intake-error")
            with Horizontal(id="intake-buttons"):
                yield Button("Save", variant="primary", id="intake-save")
                yield Button("Complete", variant="success", id="intake-complete",
                             disabled=not self._may_close)
                yield Button("Not an AE", variant="warning", id="intake-not-ae",
                             disabled=not self._may_close)
                yield Button("Cancel", id="intake-cancel")

    def on_mount(self) -> None:
        first_empty = next((n for n in CRITERIA
                            if not self.query_one(f"#intake-{n}", Input).value), CRITERIA[0])
        self.query_one(f"#intake-{first_empty}", Input).focus()

    def _values(self) -> tuple[dict[str, str], dict[str, bool]]:
        values = {n: self.query_one(f"#intake-{n}", Input).value for n in CRITERIA}
        ticks = {n: self.query_one(f"#intake-{n}-ok", Checkbox).value for n in CRITERIA}
        return values, ticks

    def _error(self, message: str) -> None:
        self.query_one("#intake-error", Static).update(Text(message))

    def _finish(self, action: str) -> None:
        values, ticks = self._values()
        empty = [CRITERION_LABELS[n] for n in CRITERIA if ticks[n] and not values[n].strip()]
        if empty:
            self._error(f"{', '.join(empty)}: empty, so it cannot be confirmed.")
            return
        reason = self.query_one("#intake-reason", Input).value.strip()
        if action == "not_ae" and not reason:
            self._error("Not an AE needs a reason: say why in the reason field.")
            self.query_one("#intake-reason", Input).focus()
            return
        if action == "complete":
            missing = [CRITERION_LABELS[n] for n in CRITERIA if not ticks[n]]
            if missing:
                self._error(f"Not complete: confirm {', '.join(missing)} first.")
                return
        self.dismiss(IntakeRequest(action, values, ticks, reason))

    def action_save(self) -> None:
        self._finish("save")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#intake-save")
    def _save_pressed(self) -> None:
        self._finish("save")

    @on(Button.Pressed, "#intake-complete")
    def _complete_pressed(self) -> None:
        self._finish("complete")

    @on(Button.Pressed, "#intake-not-ae")
    def _not_ae_pressed(self) -> None:
        self._finish("not_ae")

    @on(Button.Pressed, "#intake-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


def open_intake(app: TriageApp, comment: Comment, done: Callable[[], None]) -> None:
    """Show the comment's intake form; carry out what the person chose through the domain."""
    store, config, user = app.store, app.config, app.user
    intake = intake_of(store, config, comment)
    if intake is None:
        app.notify("Not an adverse event: no intake (t tags it adverse_event).",
                   severity="warning", markup=False)
        return
    if not intake.open:
        state = "complete" if intake.state == "complete" else "marked not an AE"
        app.notify(f"The intake is {state} ({intake.closed_by}); it is not changed again.",
                   markup=False)
        return

    def chosen(request: IntakeRequest | None) -> None:
        if request is None:
            return
        saved = app.perform(lambda: save_intake(store, config, user, comment.id,
                                                request.values, request.confirmed))
        if saved is None:
            return
        message = "Intake saved"
        if request.action == "complete":
            if app.perform(lambda: complete_intake(store, config, user, comment.id)) is None:
                done()
                return
            message = "Intake complete: it can go to the safety database (triage ae export)"
        elif request.action == "not_ae":
            if app.perform(lambda: mark_not_ae(store, config, user, comment.id,
                                               request.reason)) is None:
                done()
                return
            message = "Marked not an adverse event"
        done()
        app.notify(message, timeout=4, markup=False)

    app.push_screen(IntakeForm(comment, intake, app.clock(),
                               may_close=has_role(config, user, ROLE), user=user), chosen)


def export_from_queue(app: TriageApp) -> None:
    """``E``: export the last 7 days' intakes as CSV or JSON to ``exports/`` in the data
    folder (pharmacovigilance only; journaled) and say where."""
    from triage.query import parse_duration
    from tui.pickers import ChoiceScreen

    def chosen(fmt: str | None) -> None:
        if fmt is None:
            return
        found = app.perform(lambda: save_intakes(app.store, app.config, app.user,
                                                 since=parse_duration("7d"), since_text="7d",
                                                 fmt=fmt))
        if found is not None:
            path, count = found
            app.notify(f"Exported {count} intake{'s' if count != 1 else ''} (masked) to "
                       f"{path}", timeout=10, markup=False)

    app.push_screen(ChoiceScreen("Export the last 7 days' adverse-event intakes as",
                                 [("csv", "CSV"), ("json", "JSON")]), chosen)
