"""The desk's outbox sender: what the screens say about replies, and the rounds that send them.

:class:`OutboxSender` is a service the app builds once. What ``r`` sends goes into the
outbox through the domain (``submit_reply``): an approved template's rendering is queued
with the undo window, anything else waits for an approver. Every second the sender has
the window counted down on screen (``on_countdown``: "sending 8s" in the list, "u
cancels" in the detail) and, when replies are due, sends them in an async worker
on the app's loop — network awaited, journal written on the loop — never two rounds at
once. Results come back as notifications and as :class:`~tui.messages.CommentsChanged`.
Quitting with a reply still queued asks first (the app's ``q``): send it now, keep it
queued for the next start, or stay. One HTTP client serves every send (and every hide and
delete) and is closed at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text
from textual.app import App
from textual.worker import Worker, WorkerState

from triage.config import Config
from triage.connectors import Capability, RetryPolicy
from triage.desk import Desk
from triage.errors import TriageError
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
)
from triage.sync import new_client
from triage.templates import TemplateLibrary, load_library
from triage.textsafe import clean, one_line
from tui.messages import CommentsChanged
from tui.queue_list import PLATFORM_LABELS

if TYPE_CHECKING:
    import httpx


__all__ = ["OUTBOX_CHECK_SECONDS", "OutboxSender"]

#: How often the app counts the undo windows down and looks for replies that are due.
OUTBOX_CHECK_SECONDS = 1.0

T = TypeVar("T")

_BAD = (FAILED, FAILED_PERMANENTLY, REJECTED)
_PENDING = (QUEUED, SENDING, FAILED)


class OutboxSender:
    """The replies of one desk: labels and notices for the screens, and the send rounds."""

    def __init__(self, host: App[None], desk: Desk, config: Config,
                 clock: Callable[[], datetime], *,
                 on_countdown: Callable[[], None] = lambda: None) -> None:
        #: The app: it runs the send worker and shows the notifications.
        self.host = host
        #: Draws the list and the detail again while a window counts down (on the loop,
        #: in the same turn as the tick, so that no second shows a stale count).
        self.on_countdown = on_countdown
        self.desk = desk
        self.store = desk.store
        self.config, self.user, self.clock = config, desk.user, clock
        #: Send due replies from a timer (tests that drive sending by hand turn it off).
        self.background = True
        #: Where tokens are read (None: the process environment) and how patient the
        #: connectors are (None: their defaults) — for tests and the sandbox.
        self.environ: Mapping[str, str] | None = None
        self.policy: RetryPolicy | None = None
        self._items: dict[str, OutboxItem] = {}
        self._pending: list[OutboxItem] = []
        self._items_version = -1
        self._client: httpx.AsyncClient | None = None
        self._links: Links | None = None
        self._send_worker: Worker[list[Outcome]] | None = None
        self._counting = False

    def start(self) -> None:
        """Call once mounted: count down and send from a timer."""
        self.host.set_interval(OUTBOX_CHECK_SECONDS, self.outbox_tick)
        self.host.call_after_refresh(self.outbox_tick)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    # -- what the screens show ----------------------------------------------------------

    def outbox_items(self) -> dict[str, OutboxItem]:
        """The newest outbox item of each comment, unless sent or cancelled (read again
        only when the store changed)."""
        if self._items_version != self.desk.version:
            self._items = latest_by_comment(self.store, skip=(SENT, CANCELLED))
            self._pending = all_items(self.store, states=_PENDING)
            self._items_version = self.desk.version
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
                and not self.background)

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

    def reply_gap(self, comment: Comment) -> str:
        """Why ``r`` cannot reply to ``comment`` here ("" when it can)."""
        return capability_gap(self.config, comment, Capability.REPLY)

    def reply_library(self) -> TemplateLibrary | None:
        """The templates as they stand today (None, and the problem said, when unreadable)."""
        try:
            return load_library(self.config, today=local_today(self.clock()))
        except TriageError as exc:
            self.host.notify(str(exc), severity="error", markup=False)
            return None

    # -- sending --------------------------------------------------------------------------

    def links(self) -> Links:
        """The connectors' links for sending, hiding and deleting (one HTTP client)."""
        if self._links is None:
            self._client = new_client()
            self._links = Links(self.config, self._client, environ=self.environ,
                                policy=self.policy, clock=self.clock)
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
        if self.background:
            self.send_due()

    def send_due(self) -> bool:
        """Start sending the due replies; False when a round runs or nothing is due."""
        if self.sending or not self.desk.loaded:
            return False
        now = self.clock()
        self.outbox_items()
        if not any(item.due(now) for item in self._pending):
            return False
        self._send_worker = self.host.run_worker(self._send_round(), group="outbox",
                                                 exit_on_error=False)
        return True

    async def _send_round(self) -> list[Outcome]:
        """One round: quitting cancels it mid-attempt, and the next start checks first."""
        sender = Sender(self.store, self.config, self.user, self.links(),
                        SendOptions(clock=self.clock))
        outcomes = await sender.send_due()
        self._report(outcomes)
        return outcomes

    def _report(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            item = outcome.item
            comment = self.desk.find(item.comment_id)
            who = one_line(comment.author.name, 30) if comment is not None else item.comment_id
            if outcome.sent:
                where = PLATFORM_LABELS.get(item.platform, item.platform)
                self.host.notify(f"Reply to {who} sent on {where}.", timeout=3, markup=False)
            elif outcome.permanent:
                self.host.notify(f"Reply to {who} NOT SENT: {item.last_error}", severity="error",
                            timeout=15, markup=False)
            else:
                when = item.retry_at.astimezone().strftime("%H:%M:%S") if item.retry_at else "soon"
                self.host.notify(f"Reply to {who} not sent yet ({item.last_error}); it is tried "
                            f"again at {when}.", severity="warning", timeout=8, markup=False)
        if outcomes:
            ids = [o.item.comment_id for o in outcomes]
            self.desk.announce(ids)
            self.host.post_message(CommentsChanged(ids))

    def _show_countdown(self) -> None:
        self.on_countdown()

    # -- quitting -------------------------------------------------------------------------

    def replies_waiting(self) -> list[OutboxItem]:
        """This person's replies queued and not sent yet (in their window, or due)."""
        self.outbox_items()
        return [item for item in self._pending if item.state == QUEUED and item.by == self.user]

    async def send_then_quit(self, ids: list[str]) -> None:
        """End the replies' windows, send them (after any round under way), then quit;
        what could not be sent stays queued for the next start (run it in a worker)."""
        worker = self._send_worker
        if worker is not None and self.sending:
            await worker.wait()
        try:
            send_now(self.store, self.user, ids, now=self.clock())
            sender = Sender(self.store, self.config, self.user, self.links(),
                            SendOptions(clock=self.clock))
            unsent = [o for o in await sender.send_due(only=ids) if not o.sent]
        except TriageError as exc:
            self.host.exit(message=f"Not sent ({exc}); the replies stay queued for the next start.")
            return
        self.host.exit(message=f"{len(unsent)} not sent yet ({unsent[0].item.last_error}); "
                  "queued for the next start." if unsent else None)
