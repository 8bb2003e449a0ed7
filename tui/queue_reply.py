"""``r`` on the queue: the composer on a comment, and the lease that tells the other desks.

While the composer is open the desk holds a lease on the comment ("ana is replying",
renewed, released on send, cancel or quit); when someone else holds one, or already
queued or sent a reply, the person is told who and must confirm. What is sent goes into
the outbox through the domain (``submit_reply``, or ``submit_group_reply`` for a group of
near-copies).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.timer import Timer

from triage.errors import TriageError
from triage.holds import require_not_held
from triage.live import LEASE_SECONDS
from triage.model import Comment
from triage.outbox import (
    QUEUED,
    SENT,
    WAITING,
    all_items,
    local_today,
    submit_group_reply,
    submit_reply,
)
from triage.policies import load_policies
from triage.templates import TemplateLibrary
from triage.textsafe import counted, one_line
from tui.composer import ComposerScreen, Draft
from tui.pickers import ConfirmScreen
from tui.services import Services

if TYPE_CHECKING:
    from tui.queue_moderation import Moderation
    from tui.queue_screen import QueueScreen

__all__ = ["Replying"]


class Replying:
    """The composer of the queue screen, and the lease held while it is open."""

    def __init__(self, screen: QueueScreen, services: Services, moderation: Moderation) -> None:
        self.screen = screen
        self.services = services
        self.desk = services.desk
        self.moderation = moderation
        self._renewal: Timer | None = None

    def compose(self, comment: Comment, template_id: str | None = None,
                group: list[str] | None = None) -> None:
        """Open the composer on ``comment`` (with ``group``, what is sent goes to each of
        those near-copies of it); when someone else is on it, ask first."""
        try:
            require_not_held(self.desk.store, comment.id, "reply")
        except TriageError as exc:
            self.moderation.say(str(exc), severity="error")
            return
        you = self.desk.user
        lease = next((x for x in self.desk.leases(comment.id) if x.person != you), None)
        theirs = [i for i in all_items(self.desk.store, comment_id=comment.id)
                  if i.by != self.desk.user and i.state in (SENT, WAITING, QUEUED)]
        if lease is None and not theirs:
            self._open_composer(comment, template_id, group)
            return
        said = []
        if lease is not None:
            said.append(f"{lease.said()} to this comment now.")
        for item in theirs[-2:]:
            state = "sent" if item.state == SENT else "queued"
            said.append(f"{item.by} already {state} a reply: “{one_line(item.text, 200)}”")

        def answered(yes: bool | None) -> None:
            if yes:
                self._open_composer(comment, template_id, group)

        self.screen.app.push_screen(
            ConfirmScreen("Someone else is on this comment. Reply anyway?",
                          "\n\n".join(said), "Reply anyway"), answered)

    def _open_composer(self, comment: Comment, template_id: str | None,
                       group: list[str] | None) -> None:
        services = self.services
        library = services.outbox.reply_library()
        if library is None:
            return
        try:
            policies = load_policies(services.config)
        except TriageError as exc:
            self.moderation.say(str(exc), severity="error")
            return
        shown = services.legal.shown(comment)
        self._hold(comment.id)

        def submitted(draft: Draft | None) -> None:
            self._let_go(comment.id)
            if draft is not None and group:
                self._submit_group(group, draft, library)
            elif draft is not None:
                self._submit(comment, draft, library)

        self.screen.app.push_screen(
            ComposerScreen(comment, shown, library, services.config,
                           today=local_today(services.clock()), policies=policies,
                           chosen=template_id, undo_seconds=services.config.replies.undo_seconds),
            submitted)

    def _hold(self, comment_id: str) -> None:
        """Tell the other desks this person is replying, and keep saying it while the
        composer is open."""
        def renew() -> None:
            self.desk.lease_set(comment_id, "replying", LEASE_SECONDS)

        renew()
        self._renewal = self.screen.set_interval(LEASE_SECONDS / 3, renew)

    def _let_go(self, comment_id: str) -> None:
        if self._renewal is not None:
            self._renewal.stop()
            self._renewal = None
        self.desk.lease_release(comment_id)

    def _submit(self, comment: Comment, draft: Draft, library: TemplateLibrary) -> None:
        services = self.services
        following = self.moderation.following(comment)
        try:
            item = submit_reply(self.desk.store, services.config, self.desk.user, comment.id,
                                library=library, template_id=draft.template_id,
                                text=draft.text, now=services.clock())
        except TriageError as exc:
            self.moderation.say(str(exc), severity="error")
            return
        self.moderation.changed([comment.id])
        self.moderation.move_on(comment, following)
        if item.state == WAITING:
            self.moderation.say(f"The reply waits for an approver ({item.reason}).", timeout=6)
        else:
            self.moderation.say(f"Sending the reply in {item.seconds_left(services.clock())} s — "
                      "u cancels it.", timeout=4)

    def _submit_group(self, group: list[str], draft: Draft, library: TemplateLibrary) -> None:
        """Reply to every member of a group as one batch (one u cancels every reply not
        sent); members on legal hold are left out, saying how many, and any refused
        (a platform that cannot reply, a reply already there) are counted."""
        services = self.services
        ids = services.legal.not_held(group, "reply", "group member")
        items, refused = submit_group_reply(self.desk.store, services.config, self.desk.user,
                                            ids, library=library, template_id=draft.template_id,
                                            text=draft.text, now=services.clock())
        self.moderation.changed(ids)
        if refused:
            reason = next(iter(refused.values()))
            self.moderation.say(f"{counted(len(refused), 'group member')} not answered: {reason}",
                      severity="warning")
        if not items:
            return
        waiting = sum(1 for item in items if item.state == WAITING)
        what = counted(len(items), "reply", "replies")
        if waiting:
            self.moderation.say(f"{what} to the group wait for an approver — u cancels them.",
                                timeout=6)
        else:
            self.moderation.say(f"Sending {what} to the group in "
                      f"{items[0].seconds_left(services.clock())} s — u cancels them.", timeout=4)

