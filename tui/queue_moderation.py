"""The queue's moderation keys: ``r`` replies, ``h`` hides, ``D`` deletes, ``u`` undoes, ``n``.

:class:`Moderation` belongs to the queue screen. ``r`` opens the composer on the selected
comment (refused with the reason when the comment is on legal hold; the composer and its
lease are :class:`~tui.queue_reply.Replying`). ``h``
toggles: on a hidden comment it shows it again, and the cursor stays on the comment, so a
second ``h`` takes the first back; with comments marked, ``h`` hides the marked ones as
one batch. ``D`` asks first, deletes through the comment's connector, then moves on.
``u`` takes back the person's last action, whatever it was; what cannot be undone is
said. ``n`` takes the most urgent comment nobody holds and assigns it to the person. Each
key, where it cannot work, is disabled and says why (``refusal``).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from triage.ae import require_intake_settled
from triage.connectors import Capability
from triage.desk import AT_SOURCE, REPLIES
from triage.errors import ActionRefused, TriageError
from triage.holds import require_not_held
from triage.model import Action, Comment
from triage.outbox import (
    capability_gap,
    delete_comment,
    hide_many,
    undo_hide,
    undo_reply,
)
from triage.textsafe import counted, one_line
from tui.pickers import ConfirmScreen
from tui.queue_list import PLATFORM_LABELS, QueueList
from tui.queue_reply import Replying
from tui.services import Services, perform

if TYPE_CHECKING:
    from tui.queue_screen import QueueScreen

__all__ = ["MODERATION_KEYS", "Moderation"]

#: The screen's actions that :meth:`Moderation.refusal` decides.
MODERATION_KEYS = ("compose_reply", "hide_comment", "delete_comment")

_ONE_AT_A_TIME = "{key} {does} one comment at a time: clear the marks first (escape)"


class Moderation:
    """Reply, hide, delete, undo and take the next comment, on the queue screen."""

    def __init__(self, screen: QueueScreen, services: Services) -> None:
        self.screen = screen
        self.services = services
        self.desk = services.desk
        #: ``r``: the composer, and the lease that tells the others.
        self.replying = Replying(screen, services, self)

    def _queue(self) -> QueueList | None:
        return self.screen.view.queue_list()

    def say(self, message: str, **kwargs: object) -> None:
        self.screen.app.notify(message, markup=False, **kwargs)  # type: ignore[arg-type]

    def changed(self, ids: list[str], *, stay: str | None = None) -> None:
        self.desk.announce(ids)
        self.screen.view.refresh_comments(ids, stay=stay)

    # -- refusals --------------------------------------------------------------------

    def delete_refusal(self, comment: Comment) -> str:
        """Why ``D`` cannot delete ``comment`` ("" when it can): the platform, the
        account, a legal hold, or a delete already done."""
        gap = capability_gap(self.services.config, comment, Capability.DELETE)
        if gap:
            return f"cannot delete: {gap}"
        try:
            require_not_held(self.desk.store, comment.id, "delete")
            require_intake_settled(self.desk.store, comment.id, "delete")
        except ActionRefused as exc:
            return str(exc)
        return ""

    def refusal(self, action: str) -> str:
        """Why ``r``, ``h`` or ``D`` cannot work on the queue now ("" when it can)."""
        queue = self._queue()
        if queue is None:
            return "The queue is not shown."
        if queue.marked:
            if action == "compose_reply":
                return _ONE_AT_A_TIME.format(key="r", does="replies to")
            if action == "delete_comment":
                return _ONE_AT_A_TIME.format(key="D", does="deletes")
            return ""  # h hides the marked comments
        if self.screen.group_targets():
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
        gap = capability_gap(self.services.config, comment, capability)
        return f"cannot {capability.value}: {gap}" if gap else ""

    def following(self, comment: Comment) -> str | None:
        queue = self._queue()
        return queue.following(comment.id) if queue is not None else None

    def move_on(self, comment: Comment, following: str | None) -> None:
        """After replying to or deleting ``comment``: on to the comment that followed it,
        unless the person has moved elsewhere meanwhile."""
        queue = self._queue()
        if queue is None:
            return
        selected = queue.selected
        if selected is None or selected.id in (comment.id, following):
            queue.move_on(following)

    # -- h ---------------------------------------------------------------------------

    def hide(self) -> None:
        queue = self._queue()
        if queue is None:
            return
        refusal = self.refusal("hide_comment")
        if refusal:  # reached from the palette, or the comment changed meanwhile
            self.say(refusal, severity="warning")
            return
        if queue.marked:
            self._hide_several(sorted(queue.marked), "marked comment")
            return
        group = self.screen.group_targets()
        if group:
            self._hide_several(group, "group member")
            return
        comment = queue.selected
        if comment is not None:
            self._start_hide([comment.id], hidden=comment.status != "hidden")

    def _hide_several(self, marked: list[str], noun: str) -> None:
        """``h`` with marks, or on a group's row: hide those the platform can hide, as one
        batch; those on legal hold, or on a platform that cannot hide, are left as they
        are, saying how many. A group all hidden already is shown again."""
        queue = self._queue()
        if queue is None:
            return
        config = self.services.config
        ids = self.services.legal.not_held(marked, "hide", noun) if len(marked) > 1 else marked
        comments = self.desk.get_many(ids)
        if noun == "group member" and comments and all(c.status == "hidden" for c in comments):
            self._start_hide(ids, hidden=False)
            return
        can = [c.id for c in comments
               if c.status != "hidden" and not capability_gap(config, c, Capability.HIDE)]
        cannot = sum(1 for c in comments if capability_gap(config, c, Capability.HIDE))
        if cannot:
            self.say(f"{counted(cannot, noun)} cannot be hidden on their platform and "
                      "stay as they are", severity="warning")
        if not can:
            self.say(f"None of the {noun}s can be hidden: nothing was done.",
                      severity="warning")
            return
        queue.clear_marks()
        self.screen.refresh_bindings()
        self._start_hide(can, hidden=True)

    def _start_hide(self, ids: list[str], *, hidden: bool) -> None:
        self.screen.run_worker(self._hide(ids, hidden=hidden), group="hide",
                               exit_on_error=False)

    async def _hide(self, ids: list[str], *, hidden: bool) -> None:
        """Hide (or show again) ``ids`` at their source; several make one batch (one undo)."""
        services = self.services
        done, refused = await hide_many(self.desk.store, services.config, self.desk.user, ids,
                                        hidden=hidden, links=services.outbox.links())
        if refused:
            reason = next(iter(refused.values()))
            many = (f"{counted(len(refused), 'comment')} not changed: "
                    if len(ids) > 1 else "")
            self.say(f"{many}{reason}", severity="error")
        if not done:
            return
        self.changed([a.comment_id for a in done if a.comment_id],
                      stay=ids[0] if len(ids) == 1 else None)
        if len(done) > 1:
            what = counted(len(done), "comment")
        else:
            comment = self.desk.get_many(ids[:1])[0]
            what = f"the comment on {PLATFORM_LABELS.get(comment.platform, comment.platform)}"
        if hidden:
            again = " (h again shows it)" if len(done) == 1 else ""
            self.say(f"Hid {what}{again} — u to undo", timeout=3)
        else:
            self.say(f"Showed {what} again — u to undo", timeout=3)

    # -- u ---------------------------------------------------------------------------

    def undo(self) -> None:
        """``u``: take back the person's last action, whatever it was, or say why not."""
        services = self.services
        last = perform(self.screen, self.desk.last_actions)
        if last is None:
            return
        if not last:
            self.say("Nothing to undo.", severity="warning")
            return
        kind = last[0].kind
        if kind in AT_SOURCE:
            self.screen.run_worker(self._undo_hide(last), group="hide", exit_on_error=False)
        elif kind in REPLIES:
            items = []
            for action in last:  # one reply, or every reply of a group answered at once
                item = perform(self.screen, partial(undo_reply, self.desk.store,
                                                    self.desk.user, action, now=services.clock()))
                if item is not None:
                    items.append(item)
            if items:
                self.changed([item.comment_id for item in items])
                self._show_undone(items[0].comment_id)
                what = "the reply" if len(items) == 1 else counted(len(items), "reply", "replies")
                self.say(f"Cancelled {what}: nothing was sent.", timeout=3)
        else:
            actions = perform(self.screen, self.desk.undo)  # a delete, an escalation … why not
            if actions:
                self.screen.view.refresh_comments(a.comment_id for a in actions if a.comment_id)
                self._show_undone(actions[0].comment_id)
                what = counted(len(actions), "comment") if len(actions) > 1 else "the comment"
                kind = actions[0].data.get("undone_kind", "action")
                self.say(f"Undid {kind} of {what}", timeout=3)

    async def _undo_hide(self, actions: list[Action]) -> None:
        services = self.services
        try:
            done = await undo_hide(self.desk.store, services.config, self.desk.user, actions,
                                   links=services.outbox.links())
        except TriageError as exc:
            self.say(str(exc), severity="error")
            return
        self.changed([a.comment_id for a in done if a.comment_id])
        self._show_undone(actions[0].comment_id)
        what = counted(len(done), "comment") if len(done) > 1 else "the comment"
        self.say(f"Undid {actions[0].kind} of {what}", timeout=3)

    def _show_undone(self, comment_id: str | None) -> None:
        """Put the cursor on the comment an undo changed, when the view shows it."""
        queue = self._queue()
        if queue is not None and comment_id:
            queue.move_to_id(comment_id)

    # -- D ---------------------------------------------------------------------------

    def compose(self, comment: Comment, template_id: str | None = None,
                group: list[str] | None = None) -> None:
        """``r``: open the composer (see :class:`~tui.queue_reply.Replying`)."""
        self.replying.compose(comment, template_id, group)

    def delete(self) -> None:
        refusal = self.refusal("delete_comment")
        if refusal:  # reached from the palette, or the comment changed meanwhile
            self.say(refusal, severity="warning")
            return
        queue = self._queue()
        comment = queue.selected if queue is not None else None
        if comment is None:
            return
        shown = self.services.legal.shown(comment)
        where = PLATFORM_LABELS.get(comment.platform, comment.platform)
        body = (f"{one_line(shown.author.name, 40)} on {where}:\n"
                f"“{one_line(shown.text, 300)}”\n\n"
                f"It is removed from {where} for everyone and cannot be undone. "
                "Triage keeps it, marked deleted, and journals who deleted it.")

        def answered(yes: bool | None) -> None:
            if yes:
                self.screen.run_worker(self._delete(comment), group="delete",
                                       exit_on_error=False)

        self.screen.app.push_screen(
            ConfirmScreen(f"Delete this comment from {where}?", body, "Delete"), answered)

    async def _delete(self, comment: Comment) -> None:
        services = self.services
        following = self.following(comment)
        try:
            await delete_comment(self.desk.store, services.config, self.desk.user, comment.id,
                                 links=services.outbox.links())
        except TriageError as exc:
            self.say(str(exc), severity="error")
            return
        self.changed([comment.id])
        self.move_on(comment, following)
        where = PLATFORM_LABELS.get(comment.platform, comment.platform)
        self.say(f"Deleted the comment from {where}.", timeout=4)

    # -- n ---------------------------------------------------------------------------

    def take_next(self) -> None:
        """``n``: assign the most urgent comment nobody holds to this person and go to it."""
        comment = perform(self.screen, self.desk.claim_next)
        if comment is None:
            self.say("Nothing left to take: every open comment is assigned, on legal hold "
                      "or being answered.", severity="warning")
            return
        view = self.screen.view
        index = view.view_having(comment)
        if index is not None and index != view.view_index:
            view.switch_view(index)
        view.refresh_comments([comment.id])
        view.show_comment(comment.id)
        self.say(f"Took {one_line(comment.author.name, 30)}'s comment: assigned to you.",
                  timeout=4)
