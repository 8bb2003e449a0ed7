"""``N``: write an internal note on a comment, through the desk (journaled, never sent)."""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen

from triage.desk import Desk
from triage.model import Comment
from triage.textsafe import one_line
from tui.pickers import PromptScreen
from tui.services import perform

__all__ = ["write_note"]


def write_note(screen: Screen[None], desk: Desk, comment: Comment,
               done: Callable[[], None]) -> None:
    """Ask for the note; once the desk has it, call ``done`` (which shows it)."""

    def written(text: str | None) -> None:
        if text is None:
            return
        if perform(screen, lambda: desk.add_note(comment.id, text)) is not None:
            done()
            screen.notify("Noted, for the team only (shown under the thread)", timeout=3,
                       markup=False)

    who = one_line(comment.author.name, 30)
    screen.app.push_screen(PromptScreen(f"Note on {who}'s comment (for the team, never sent)",
                                 "what you found, who you called, what to do next"), written)
