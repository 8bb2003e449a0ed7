"""The app's delete: ``D`` removes somebody else's comment at its source, after a confirmation.

:class:`DeleteApp` is a base of the Triage app, on top of the outbox's. ``D`` on the queue
asks first (a modal: ``y`` deletes, ``n`` or escape keeps it, so one keystroke never
deletes), then deletes through the comment's connector (``delete_comment``, which checks
the legal hold and the platform again, and journals who deleted it). The key is disabled
where the platform cannot delete other people's comments (YouTube, X, Mastodon), on a
comment under legal hold, and on one deleted already; pressing it there says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import events, on, work
from textual.app import SystemCommand
from textual.screen import Screen

from triage.connectors import Capability
from triage.errors import ActionRefused, TriageError
from triage.holds import require_not_held
from triage.model import Comment
from triage.outbox import capability_gap, delete_comment
from triage.textsafe import one_line
from tui.outbox_app import OutboxApp
from tui.pickers import ConfirmScreen
from tui.queue_list import PLATFORM_LABELS

__all__ = ["DeleteApp"]


class DeleteApp(OutboxApp):
    """Deleting comments at their source; :class:`tui.app.TriageApp` builds on it."""

    def delete_refusal(self, comment: Comment) -> str:
        """Why ``D`` cannot delete ``comment`` ("" when it can): the platform, the
        account, a legal hold, or a delete already done."""
        gap = capability_gap(self.config, comment, Capability.DELETE)
        if gap:
            return f"cannot delete: {gap}"
        try:
            require_not_held(self.store, comment.id, "delete")
        except ActionRefused as exc:
            return str(exc)
        return ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete_comment":
            comment = self.selected_comment()
            if comment is None:
                return None
            return not self.delete_refusal(comment) or None
        return super().check_action(action, parameters)

    @on(events.Key)
    def _say_why_no_delete(self, event: events.Key) -> None:
        """``D`` pressed while disabled says why."""
        active = self.screen.active_bindings.get(event.key)
        comment = self.selected_comment()
        if active is None or active.enabled or comment is None \
                or active.binding.id != "queue.delete":
            return
        self.notify(self.delete_refusal(comment), severity="warning", markup=False)

    def action_delete_comment(self) -> None:
        comment = self.selected_comment()
        if comment is None:
            return
        refusal = self.delete_refusal(comment)
        if refusal:  # reached from the palette, or the comment changed meanwhile
            self.notify(refusal, severity="warning", markup=False)
            return
        shown = self.shown(comment)
        where = PLATFORM_LABELS.get(comment.platform, comment.platform)
        body = (f"{one_line(shown.author.name, 40)} on {where}:\n"
                f"“{one_line(shown.text, 300)}”\n\n"
                f"It is removed from {where} for everyone and cannot be undone. "
                "Triage keeps it, marked deleted, and journals who deleted it.")

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(comment)

        self.push_screen(ConfirmScreen(f"Delete this comment from {where}?", body, "Delete"),
                         answered)

    @work(group="delete", exit_on_error=False)
    async def _delete(self, comment: Comment) -> None:
        try:
            await delete_comment(self.store, self.config, self.user, comment.id,
                                 links=self._links_now())
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.refresh_comments([comment.id])
        where = PLATFORM_LABELS.get(comment.platform, comment.platform)
        self.notify(f"Deleted the comment from {where}.", timeout=4, markup=False)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        from tui.queue_screen import QueueScreen

        if isinstance(screen, QueueScreen):
            yield SystemCommand("Delete comment", "Delete somebody else's comment at its "
                                "source, after a confirmation (D)", self.action_delete_comment)
