"""The app's outbox: r composes a reply, h hides, A lists approvals, and a worker sends.

:class:`OutboxApp` is a base of the Triage app. ``r`` opens the composer on the selected
comment (refused with the reason when the comment is on legal hold); what it sends goes
into the outbox through the domain (``submit_reply``): an approved template's rendering is
queued with the undo window, anything else waits for an approver. Every second the app
shows the window counting down ("sending 8s" in the list, "u cancels" in the detail) and,
when replies are due, sends them in an async worker on the app's loop — network awaited,
journal written on the loop — never two rounds at once. Results come back as
notifications and in the list's status column and the detail pane. Quitting with a reply
still queued asks first: send it now, keep it queued for the next start, or stay. One HTTP
client serves every send (and every hide and delete) and is closed at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from rich.text import Text
from textual import work
from textual.app import App, SystemCommand
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from triage.config import Config
from triage.connectors import Capability, RetryPolicy
from triage.desk import Desk
from triage.errors import TriageError
from triage.holds import require_not_held
from triage.model import Comment
from triage.outbox import (
    CANCELLED,
    FAILED,
    FAILED_PERMANENTLY,
    QUEUED,
    REJECTED,
    SENDING,
    SENT,
    WAITING,
    Links,
    OutboxItem,
    Outcome,
    Sender,
    SendOptions,
    all_items,
    capability_gap,
    describe,
    latest_by_comment,
    local_today,
    send_now,
    state_label,
    submit_group_reply,
    submit_reply,
)
from triage.policies import load_policies
from triage.store import Store
from triage.sync import new_client
from triage.templates import TemplateLibrary, load_library
from triage.textsafe import clean, counted, one_line
from tui.approvals_screen import ApprovalsScreen
from tui.composer import ComposerScreen, Draft
from tui.pickers import ChoiceScreen
from tui.queue_list import PLATFORM_LABELS, QueueList
from tui.template_commands import TemplateCommands

if TYPE_CHECKING:
    import httpx

    from tui.queue_screen import QueueScreen

__all__ = ["OUTBOX_CHECK_SECONDS", "OutboxApp"]

#: How often the app counts the undo windows down and looks for replies that are due.
OUTBOX_CHECK_SECONDS = 1.0

T = TypeVar("T")

_BAD = (FAILED, FAILED_PERMANENTLY, REJECTED)
_PENDING = (QUEUED, SENDING, FAILED)


class OutboxApp(App[None]):
    """The sending side of the app; :class:`tui.app.TriageApp` builds on it."""

    COMMANDS = App.COMMANDS | {TemplateCommands}

    store: Store
    config: Config
    user: str
    clock: Callable[[], datetime]
    queue_screen: QueueScreen
    #: From the other bases of the Triage app: the comment as this person may see it
    #: (identifiers masked), and showing comments an action changed.
    shown: Callable[[Comment], Comment]
    refresh_comments: Callable[..., None]
    desk: Desk
    not_held: Callable[..., list[str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Send due replies from a timer (tests that drive sending by hand turn it off).
        self.background_outbox = True
        #: Where tokens are read (None: the process environment) and how patient the
        #: connectors are (None: their defaults) — for tests and the sandbox.
        self.outbox_environ: Mapping[str, str] | None = None
        self.outbox_policy: RetryPolicy | None = None
        self._items: dict[str, OutboxItem] = {}
        self._pending: list[OutboxItem] = []
        self._items_version = -1
        self._client: httpx.AsyncClient | None = None
        self._links: Links | None = None
        self._send_worker: Worker[list[Outcome]] | None = None
        self._counting = False

    def on_mount(self) -> None:
        self.set_interval(OUTBOX_CHECK_SECONDS, self.outbox_tick)
        self.call_after_refresh(self.outbox_tick)

    async def on_unmount(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    # -- what the screens show ----------------------------------------------------------

    def outbox_items(self) -> dict[str, OutboxItem]:
        """The newest outbox item of each comment, unless sent or cancelled (read again
        only when the store changed)."""
        if self._items_version != self.store.version:
            self._items = latest_by_comment(self.store, skip=(SENT, CANCELLED))
            self._pending = all_items(self.store, states=_PENDING)
            self._items_version = self.store.version
        return self._items

    def outbox_label(self, comment: Comment) -> str | None:
        """What the list's status column says instead of the status, while a reply is on
        its way or went wrong."""
        item = self.outbox_items().get(comment.id)
        if item is None:
            return None
        if self._idle(item):
            return "queued"
        return state_label(item, self.clock())

    def _idle(self, item: OutboxItem) -> bool:
        """Whether ``item`` is queued past its window with no sender to send it here."""
        now = self.clock()
        return (item.state == QUEUED and not item.in_window(now) and not self.sending
                and not self.background_outbox)

    def outbox_alert(self, comment: Comment) -> bool:
        item = self.outbox_items().get(comment.id)
        return item is not None and item.state in _BAD

    def outbox_notices(self, comment: Comment) -> list[Text]:
        """The detail pane's lines about replies to the comment, and keys that cannot work."""
        now = self.clock()
        lines = []
        for item in all_items(self.store, comment_id=comment.id)[-3:]:
            style = "bold red" if item.state in _BAD else (
                "bold yellow" if item.in_window(now) or item.state == WAITING else "green")
            said = describe(item, now)
            if self._idle(item):
                said = (f"Reply by {item.by} queued (outbox {item.short_id}): it is sent at "
                        "the next start of Triage, or by `triage outbox send`.")
            lines.append(Text(clean(said), style=style))
        gaps: dict[str, list[str]] = {}
        for capability, key in ((Capability.REPLY, "r"), (Capability.HIDE, "h")):
            gap = capability_gap(self.config, comment, capability)
            if gap:
                gaps.setdefault(gap, []).append(f"{key} ({capability.value})")
        for gap, keys in gaps.items():  # one line each: the key's press says it in full
            verb = "is" if len(keys) == 1 else "are"
            lines.append(Text(f"{' and '.join(keys)} {verb} not available here: {gap}",
                              style="italic dim", no_wrap=True, overflow="ellipsis"))
        return lines

    # -- keys -----------------------------------------------------------------------------

    def queue_list(self) -> QueueList | None:
        """The queue's list (None before it is built, or once the app is closing)."""
        try:
            return self.queue_screen.query_one(QueueList)
        except NoMatches:
            return None

    def perform(self, command: Callable[[], T]) -> T | None:
        """Run a desk command; a refusal or a problem becomes a notification."""
        try:
            return command()
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return None

    def selected_comment(self, screen: Screen[Any] | None = None) -> Comment | None:
        """The comment selected in the queue, when ``screen`` (default: the active one) is
        the queue screen."""
        from tui.queue_screen import QueueScreen

        if not isinstance(screen or self.screen, QueueScreen):
            return None
        queue = self.queue_list()
        return queue.selected if queue is not None else None

    def reply_gap(self, comment: Comment) -> str:
        """Why ``r`` cannot reply to ``comment`` here ("" when it can)."""
        return capability_gap(self.config, comment, Capability.REPLY)

    def reply_library(self) -> TemplateLibrary | None:
        """The templates as they stand today (None, and the problem said, when unreadable)."""
        try:
            return load_library(self.config, today=local_today(self.clock()))
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return None

    def action_compose_reply(self, template_id: str | None = None) -> None:
        comment = self.selected_comment()
        if comment is not None:
            group = self.queue_screen.group_targets()
            self.open_composer(comment, template_id, group=group if len(group) > 1 else None)

    def open_composer(self, comment: Comment, template_id: str | None = None,
                      group: list[str] | None = None) -> None:
        """Open the composer on ``comment`` (with ``template_id`` chosen, if given); with
        ``group``, what is sent goes to each of those near-copies of it."""
        try:
            require_not_held(self.store, comment.id, "reply")
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        library = self.reply_library()
        if library is None:
            return
        try:
            policies = load_policies(self.config)
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        shown = self.shown(comment)

        def submitted(draft: Draft | None) -> None:
            if draft is not None and group:
                self._submit_group(group, draft, library)
            elif draft is not None:
                self._submit(comment, draft, library)

        self.push_screen(ComposerScreen(comment, shown, library, self.config,
                                        today=local_today(self.clock()), policies=policies,
                                        chosen=template_id,
                                        undo_seconds=self.config.replies.undo_seconds),
                         submitted)

    def _submit(self, comment: Comment, draft: Draft, library: TemplateLibrary) -> None:
        following = self._following(comment)
        try:
            item = submit_reply(self.store, self.config, self.user, comment.id,
                                library=library, template_id=draft.template_id,
                                text=draft.text, now=self.clock())
        except TriageError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.refresh_comments([comment.id])
        self._move_on(comment, following)
        if item.state == WAITING:
            self.notify(f"The reply waits for an approver ({item.reason}).", timeout=6,
                        markup=False)
        else:
            self.notify(f"Sending the reply in {item.seconds_left(self.clock())} s — "
                        "u cancels it.", timeout=4, markup=False)

    def _submit_group(self, group: list[str], draft: Draft, library: TemplateLibrary) -> None:
        """Reply to every member of a group as one batch (one u cancels every reply not
        sent); members on legal hold are left out, saying how many, and any refused
        (a platform that cannot reply, a reply already there) are counted."""
        ids = self.not_held(group, "reply", "group member")
        items, refused = submit_group_reply(self.store, self.config, self.user, ids,
                                            library=library, template_id=draft.template_id,
                                            text=draft.text, now=self.clock())
        self.refresh_comments(ids)
        if refused:
            reason = next(iter(refused.values()))
            self.notify(f"{counted(len(refused), 'group member')} not answered: {reason}",
                        severity="warning", markup=False)
        if not items:
            return
        waiting = sum(1 for item in items if item.state == WAITING)
        what = counted(len(items), "reply", "replies")
        if waiting:
            self.notify(f"{what} to the group wait for an approver — u cancels them.",
                        timeout=6, markup=False)
        else:
            self.notify(f"Sending {what} to the group in "
                        f"{items[0].seconds_left(self.clock())} s — u cancels them.",
                        timeout=4, markup=False)

    def _following(self, comment: Comment) -> str | None:
        queue = self.queue_list()
        return queue.following(comment.id) if queue is not None else None

    def _move_on(self, comment: Comment, following: str | None) -> None:
        """After replying to or hiding ``comment``: on to the comment that followed it,
        unless the person has moved elsewhere meanwhile."""
        queue = self.queue_list()
        if queue is None:
            return
        selected = queue.selected
        if selected is None or selected.id in (comment.id, following):
            queue.move_on(following)

    def action_approvals(self) -> None:
        self.push_screen(ApprovalsScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Approvals", "Replies waiting for an approver (A)",
                            self.action_approvals)

    # -- sending --------------------------------------------------------------------------

    def _links_now(self) -> Links:
        if self._links is None:
            self._client = new_client()
            self._links = Links(self.config, self._client, environ=self.outbox_environ,
                                policy=self.outbox_policy, clock=self.clock)
        return self._links

    @property
    def sending(self) -> bool:
        worker = self._send_worker
        return worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def outbox_tick(self) -> None:
        """Count the windows down on screen; send what is due (never two rounds at once)."""
        items = self.outbox_items()
        now = self.clock()
        counting = any(item.in_window(now) for item in items.values())
        if counting or self._counting:  # once more when the windows end: no stale "5 s"
            self._show_countdown()
        self._counting = counting
        if self.background_outbox:
            self.send_due()

    def send_due(self) -> bool:
        """Start sending the due replies; False when a round runs or nothing is due."""
        if self.sending or not self.store.loaded:
            return False
        now = self.clock()
        self.outbox_items()
        if not any(item.due(now) for item in self._pending):
            return False
        self._send_worker = self._send_round()
        return True

    @work(group="outbox", exit_on_error=False)
    async def _send_round(self) -> list[Outcome]:
        """One round: quitting cancels it mid-attempt, and the next start checks first."""
        sender = Sender(self.store, self.config, self.user, self._links_now(),
                        SendOptions(clock=self.clock))
        outcomes = await sender.send_due()
        self._report(outcomes)
        return outcomes

    def _report(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            item = outcome.item
            comment = self.store.comments.get(item.comment_id)
            who = one_line(comment.author.name, 30) if comment is not None else item.comment_id
            if outcome.sent:
                where = PLATFORM_LABELS.get(item.platform, item.platform)
                self.notify(f"Reply to {who} sent on {where}.", timeout=3, markup=False)
            elif outcome.permanent:
                self.notify(f"Reply to {who} NOT SENT: {item.last_error}", severity="error",
                            timeout=15, markup=False)
            else:
                when = item.retry_at.astimezone().strftime("%H:%M:%S") if item.retry_at else "soon"
                self.notify(f"Reply to {who} not sent yet ({item.last_error}); it is tried "
                            f"again at {when}.", severity="warning", timeout=8, markup=False)
        if outcomes:
            self.refresh_comments([o.item.comment_id for o in outcomes])

    def _show_countdown(self) -> None:
        from tui.queue_screen import QueueScreen

        queue = self.queue_list()
        if isinstance(self.screen, QueueScreen) and queue is not None:
            queue.refresh()
            self.queue_screen.show_detail()

    # -- quitting -------------------------------------------------------------------------

    def replies_waiting(self) -> list[OutboxItem]:
        """This person's replies queued and not sent yet (in their window, or due)."""
        self.outbox_items()
        return [item for item in self._pending if item.state == QUEUED and item.by == self.user]

    async def action_quit(self) -> None:
        """``q``: quit; with a reply still to be sent, ask first (send now, keep it queued
        for the next start, or stay)."""
        waiting = self.replies_waiting()
        if not waiting:
            self.exit()
            return
        count = len(waiting)
        title = (f"{count} {'reply is' if count == 1 else 'replies are'} waiting to be sent. "
                 "Quit how?")
        choices = [("send", "Send now, then quit"),
                   ("keep", "Keep queued — sent at the next start of Triage"),
                   ("cancel", "Cancel — stay in Triage")]

        def chosen(choice: str | None) -> None:
            if choice == "send":
                self.notify(f"Sending {count} {'reply' if count == 1 else 'replies'}…",
                            timeout=10, markup=False)
                self._send_then_quit([item.id for item in waiting])
            elif choice == "keep":
                self.exit()

        self.push_screen(ChoiceScreen(title, choices), chosen)

    @work(group="quit", exit_on_error=False)
    async def _send_then_quit(self, ids: list[str]) -> None:
        """End the replies' windows, send them (after any round under way), then quit;
        what could not be sent stays queued for the next start."""
        worker = self._send_worker
        if worker is not None and self.sending:
            await worker.wait()
        try:
            send_now(self.store, self.user, ids, now=self.clock())
            sender = Sender(self.store, self.config, self.user, self._links_now(),
                            SendOptions(clock=self.clock))
            unsent = [o for o in await sender.send_due(only=ids) if not o.sent]
        except TriageError as exc:
            self.exit(message=f"Not sent ({exc}); the replies stay queued for the next start.")
            return
        self.exit(message=f"{len(unsent)} not sent yet ({unsent[0].item.last_error}); "
                  "queued for the next start." if unsent else None)
