"""The queue's keys that act on the marked comments or the selected one: x, *, a, t, and e.

Each takes the queue screen; the screen's ``action_*`` calls it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage.closing import CLOSE_REASONS, needs_reason
from triage.errors import QueryError
from triage.legal import escalate as escalate_to_legal
from triage.model import TAG_LABELS, TAG_NAMES, tag_label
from triage.query import parse_query
from triage.textsafe import counted, one_line
from tui.escalate_form import EscalateForm, EscalationRequest
from tui.pickers import ChoiceScreen, PromptScreen
from tui.queue_list import QueueList
from tui.services import perform

if TYPE_CHECKING:
    from tui.queue_screen import QueueScreen

__all__ = ["assign", "dismiss", "escalate", "mark_query", "tag"]


def dismiss(screen: QueueScreen) -> None:
    """``x``: dismiss the marked comments or the selected one (a crisis asks what was done)."""
    ids = screen.services.legal.not_held(screen.targets(), "dismiss", screen.target_noun())
    if not ids:
        return
    desk = screen.desk
    crises = sum(needs_reason(c) for c in desk.get_many(ids))
    if not crises:
        screen.acted("Dismissed", ids, perform(screen, lambda: desk.dismiss(ids)))
        return

    def chosen(reason: str | None) -> None:
        if reason is None:
            return
        done = perform(screen, lambda: desk.dismiss(ids, reason))
        screen.acted("Closed", ids, done, f": {CLOSE_REASONS[reason]}")

    what = "this crisis" if crises == 1 else f"the {crises} crises"
    screen.app.push_screen(
        ChoiceScreen(f"Close {what}: what was done?", list(CLOSE_REASONS.items())), chosen)


def mark_query(screen: QueueScreen) -> None:
    """``*``: mark every comment in this view matching a query."""
    def chosen(text: str | None) -> None:
        if not text:
            return
        try:
            match = parse_query(text).matcher(now=screen.services.clock(), user=screen.desk.user,
                                              legal=screen.services.legal.legal_states())
        except QueryError as exc:
            screen.notify(str(exc), severity="error", markup=False)
            return
        queue = screen.query_one(QueueList)
        ids = {c.id for c in queue.rows if match(c)}
        queue.mark(ids)
        screen.view.update_status()
        screen.refresh_bindings()
        screen.notify(f"Marked {counted(len(ids), 'comment')} ({len(queue.marked)} in all)",
                    markup=False)

    screen.app.push_screen(
        PromptScreen("Mark every comment in this view matching:", "tag:question age:>1d"),
        chosen,
    )


def assign(screen: QueueScreen) -> None:
    """``a``: assign the marked comments or the selected one to a team member."""
    ids = screen.targets()
    if not ids:
        return
    team = [(m.name, f"{m.name}  ({', '.join(m.roles)})")
            for m in screen.services.config.team]
    if not team:
        screen.notify("No team in config.toml: add [[team]] entries to assign comments.",
                    severity="warning", markup=False)
        return

    def chosen(name: str | None) -> None:
        if name is None:
            return
        person = None if name == "-" else name
        done = perform(screen, lambda: screen.desk.assign(ids, person))
        if person:
            screen.acted("Assigned", ids, done, f" to {person}")
        else:
            screen.acted("Unassigned", ids, done)

    what = "the comment" if len(ids) == 1 else f"{len(ids)} marked comments"
    you = screen.desk.user
    team = [(name, f"{label}{'  — you' if name == you else ''}") for name, label in team]
    screen.app.push_screen(ChoiceScreen(f"Assign {what} to",
                                      [*team, ("-", "nobody (unassign)")]), chosen)


def tag(screen: QueueScreen) -> None:
    """``t``: add or remove a tag by hand."""
    ids = screen.targets()
    if not ids:
        return
    comments = screen.desk.get_many(ids)
    choices = []
    if any((t := c.tag("crisis")) is not None and t.possible for c in comments):
        # the learned layer's possible crisis: a person decides, either way journaled
        choices += [("!crisis", "confirm the possible Crisis"),
                    ("-crisis", "dismiss the possible Crisis: not a crisis")]
    for name in TAG_NAMES:
        label = tag_label(name)
        if choices and name == "crisis":
            continue
        if all(c.tag(name) for c in comments):
            choices.append((f"-{name}", f"remove {label}"))
        else:
            choices.append((f"+{name}", f"add {label}"))

    def chosen(choice: str | None) -> None:
        if choice is None:
            return
        add, name = choice[0] == "+", choice[1:]
        if choice[0] == "!":
            confirmed = perform(screen, lambda: screen.desk.confirm_possible(ids))
            screen.acted("Confirmed as Crisis", ids, confirmed)
            return
        done = perform(screen, lambda: screen.desk.correct_tag(ids, name, add=add))
        if add:
            screen.acted("Tagged", ids, done, f" as {TAG_LABELS.get(name, name)}")
        else:
            screen.acted(f"Took {TAG_LABELS.get(name, name)} off", ids, done)

    what = "the comment" if len(ids) == 1 else f"{len(ids)} marked comments"
    screen.app.push_screen(ChoiceScreen(f"Correct the tags of {what}", choices), chosen)


def escalate(screen: QueueScreen) -> None:
    """``e``: escalate the selected comment to legal (it goes on legal hold)."""
    comment = screen.query_one(QueueList).selected
    if comment is None or screen.refusal("escalate"):
        return

    def submitted(request: EscalationRequest | None) -> None:
        if request is None:
            return
        desk, legal = screen.desk, screen.services.legal
        esc = perform(screen, lambda: escalate_to_legal(
            desk.store, screen.services.config, desk.user, comment.id, request.reason,
            request.severity, request.note))
        if esc is not None:
            desk.announce([comment.id])
            screen.view.refresh_comments([comment.id])
            who = one_line(comment.author.name, 30)
            screen.notify(f"Escalated {who}'s comment to legal as {esc.id}; it is on legal "
                        "hold (L shows it)", timeout=5, markup=False)
            if legal.background_delivery:
                legal.deliver_due()

    screen.app.push_screen(EscalateForm(comment), submitted)

