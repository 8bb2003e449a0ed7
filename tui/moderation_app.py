"""The app's moderation at the source: ``h`` hides or shows again, ``D`` deletes, ``u`` undoes.

:class:`ModerationApp` is a base of the Triage app, on top of the outbox's. ``h`` toggles:
on a hidden comment it shows it again, and the cursor stays on the comment (which stays in
the list until it is rebuilt), so a second ``h`` takes the first back. With comments
marked, ``h`` hides the marked ones as one batch. ``D`` asks first (a modal: ``y``
deletes, ``n`` or escape keeps it), deletes through the comment's connector, then moves on
to the next comment. ``u`` takes back the person's last action, whatever it was: a desk
action (dismiss, assign, tag …), a hide or unhide (asking the platform again), a reply not
sent yet (cancelled); what cannot be undone (a delete, a sent reply) is said, and nothing
else is done. Each key, where it cannot work, is disabled and says why (``refusal``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from textual import work
from textual.app import SystemCommand
from textual.screen import Screen

from triage.ae import require_intake_settled
from triage.connectors import Capability
from triage.desk import AT_SOURCE, REPLIES
from triage.errors import ActionRefused, TriageError
from triage.holds import require_not_held
from triage.model import Action, Comment
from triage.outbox import capability_gap, delete_comment, hide_many, undo_hide, undo_reply
from triage.textsafe import counted, one_line
from tui.outbox_app import OutboxApp
from tui.pickers import ConfirmScreen
from tui.queue_list import PLATFORM_LABELS

__all__ = ["ModerationApp"]

_ONE_AT_A_TIME = "{key} {does} one comment at a time: clear the marks first (escape)"


class ModerationApp(OutboxApp):
    """Hide, delete and undo; :class:`tui.app.TriageApp` builds on it."""

    def delete_refusal(self, comment: Comment) -> str:
        """Why ``D`` cannot delete ``comment`` ("" when it can): the platform, the
        account, a legal hold, or a delete already done."""
        gap = capability_gap(self.config, comment, Capability.DELETE)
        if gap:
            return f"cannot delete: {gap}"
        try:
            require_not_held(self.store, comment.id, "delete")
            require_intake_settled(self.store, comment.id, "delete")
        except ActionRefused as exc:
            return str(exc)
        return ""

    def refusal(self, action: str) -> str:
        """Why an app key cannot work on the queue now ("" when it can)."""
        if action not in ("compose_reply", "hide_comment", "delete_comment"):
            return ""
        queue = self.queue_list()
        if queue is None:
            return "The queue is not shown."
        if queue.marked:
            if action == "compose_reply":
                return _ONE_AT_A_TIME.format(key="r", does="replies to")
            if action == "delete_comment":
                return _ONE_AT_A_TIME.format(key="D", does="deletes")
            return ""  # h hides the marked comments
        if self.queue_screen.group_targets():
            if action == "delete_comment":
                return "D deletes one comment at a time: z opens the group"
            if action == "hide_comment":
                return ""  # h hides the group
        comment = queue.selected
        if comment is None:
            return "No comment is selected."
        if action == "delete_comment":
            return self.delete_refusal(comment)
        capability = Capability.REPLY if action == "compose_reply" else Capability.HIDE
        gap = capability_gap(self.config, comment, capability)
        return f"cannot {capability.value}: {gap}" if gap else ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("compose_reply", "hide_comment", "delete_comment"):
            return not self.refusal(action) or None
        return super().check_action(action, parameters)

    # -- h ------------------------------------------------------------------------------

    def action_hide_comment(self) -> None:
        queue = self.queue_list()
        if queue is None:
            return
        refusal = self.refusal("hide_comment")
        if refusal:  # reached from the palette, or the comment changed meanwhile
            self.notify(refusal, severity="warning", markup=False)
            return
        if queue.marked:
            self._hide_several(sorted(queue.marked), "marked comment")
            return
        group = self.queue_screen.group_targets()
        if group:
            self._hide_several(group, "group member")
            return
        comment = queue.selected
        if comment is not None:
            self._hide([comment.id], hidden=comment.status != "hidden")

    def _hide_several(self, marked: list[str], noun: str) -> None:
        """``h`` with marks, or on a group's row: hide those the platform can hide, as one
        batch; those on legal hold, or on a platform that cannot hide, are left as they
        are, saying how many. A group all hidden already is shown again."""
        queue = self.queue_list()
        if queue is None:
            return
        ids = self.not_held(marked, "hide", noun) if len(marked) > 1 else marked
        comments = [self.store.get(i) for i in ids]
        if noun == "group member" and comments and all(c.status == "hidden" for c in comments):
            self._hide(ids, hidden=False)
            return
        can = [c.id for c in comments
               if c.status != "hidden" and not capability_gap(self.config, c, Capability.HIDE)]
        cannot = sum(1 for c in comments if capability_gap(self.config, c, Capability.HIDE))
        if cannot:
            self.notify(f"{counted(cannot, noun)} cannot be hidden on their platform and "
                        "stay as they are", severity="warning", markup=False)
        if not can:
            self.notify(f"None of the {noun}s can be hidden: nothing was done.",
                        severity="warning", markup=False)
            return
        queue.clear_marks()
        self.queue_screen.refresh_bindings()
        self._hide(can, hidden=True)

    @work(group="hide", exit_on_error=False)
    async def _hide(self, ids: list[str], *, hidden: bool) -> None:
        """Hide (or show again) ``ids`` at their source; several make one batch (one undo)."""
        done, refused = await hide_many(self.store, self.config, self.user, ids,
                                        hidden=hidden, links=self._links_now())
        if refused:
            reason = next(iter(refused.values()))
            many = (f"{counted(len(refused), 'comment')} not changed: "
                    if len(ids) > 1 else "")
            self.notify(f"{many}{reason}", severity="error", markup=False)
        if not done:
            return
        self.refresh_comments([a.comment_id for a in done if a.comment_id],
                              stay=ids[0] if len(ids) == 1 else None)
        if len(done) > 1:
            what = counted(len(done), "comment")
        else:
            comment = self.store.get(ids[0])
            what = f"the comment on {PLATFORM_LABELS.get(comment.platform, comment.platform)}"
        if hidden:
            again = " (h again shows it)" if len(done) == 1 else ""
            self.notify(f"Hid {what}{again} — u to undo", timeout=3, markup=False)
        else:
            self.notify(f"Showed {what} again — u to undo", timeout=3, markup=False)

    # -- u ------------------------------------------------------------------------------

    def undo_last(self) -> None:
        """``u``: take back the person's last action, whatever it was, or say why not."""
        last = self.perform(self.desk.last_actions)
        if last is None:
            return
        if not last:
            self.notify("Nothing to undo.", severity="warning", markup=False)
            return
        kind = last[0].kind
        if kind in AT_SOURCE:
            self._undo_hide(last)
        elif kind in REPLIES:
            items = []
            for action in last:  # one reply, or every reply of a group answered at once
                item = self.perform(partial(undo_reply, self.store, self.user, action,
                                            now=self.clock()))
                if item is not None:
                    items.append(item)
            if items:
                self.refresh_comments([item.comment_id for item in items])
                self.show_undone(items[0].comment_id)
                what = "the reply" if len(items) == 1 else counted(len(items), "reply", "replies")
                self.notify(f"Cancelled {what}: nothing was sent.", timeout=3, markup=False)
        else:
            actions = self.perform(self.desk.undo)  # a delete, an escalation … say why not
            if actions:
                self.refresh_comments(a.comment_id for a in actions if a.comment_id)
                self.show_undone(actions[0].comment_id)
                what = counted(len(actions), "comment") if len(actions) > 1 else "the comment"
                kind = actions[0].data.get("undone_kind", "action")
                self.notify(f"Undid {kind} of {what}", timeout=3, markup=False)

    @work(group="hide", exit_on_error=False)
    async def _undo_hide(self, actions: list[Action]) -> None:
        try:
            done = await undo_hide(self.store, self.config, self.user, actions,
                                   links=self._links_now())
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.refresh_comments([a.comment_id for a in done if a.comment_id])
        self.show_undone(actions[0].comment_id)
        what = counted(len(done), "comment") if len(done) > 1 else "the comment"
        self.notify(f"Undid {actions[0].kind} of {what}", timeout=3, markup=False)

    def show_undone(self, comment_id: str | None) -> None:
        """Put the cursor on the comment an undo changed, when the view shows it."""
        queue = self.queue_list()
        if queue is not None and comment_id:
            queue.move_to_id(comment_id)

    # -- D ------------------------------------------------------------------------------

    def action_delete_comment(self) -> None:
        refusal = self.refusal("delete_comment")
        if refusal:  # reached from the palette, or the comment changed meanwhile
            self.notify(refusal, severity="warning", markup=False)
            return
        comment = self.selected_comment()
        if comment is None:
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
        following = self._following(comment)
        try:
            await delete_comment(self.store, self.config, self.user, comment.id,
                                 links=self._links_now())
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.refresh_comments([comment.id])
        self._move_on(comment, following)
        where = PLATFORM_LABELS.get(comment.platform, comment.platform)
        self.notify(f"Deleted the comment from {where}.", timeout=4, markup=False)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        from tui.queue_screen import QueueScreen

        if isinstance(screen, QueueScreen):
            yield SystemCommand("Delete comment", "Delete somebody else's comment at its "
                                "source, after a confirmation (D)", self.action_delete_comment)
