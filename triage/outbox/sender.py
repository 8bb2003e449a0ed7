"""The sender: posts every due reply through its comment's connector, once, whatever happens.

For each due item (its undo window over, its retry time come, or found ``sending`` after
a crash), right before the network:

1. the checks run again: the legal hold, the send check (a template's approval may have
   lapsed, the config changed), an approver's decision on exactly this text when the
   reply needs one, and that the account can still reply — a refusal is permanent;
2. "sending" (attempt n) is journaled;
3. if an earlier attempt may have posted (a timeout, a broken answer, a crash after
   step 2) the connector's ``find_reply`` looks for it first; a reply found is recorded
   as sent and nothing is posted;
4. ``reply(comment, text, idempotency_key=item.id)`` — Mastodon also gets the key as
   ``Idempotency-Key``, so its own retries never post twice;
5. the result is journaled: ``sent`` with the platform's reply id; ``failed`` with a
   retry time (exponential backoff with jitter; a rate limit's own end); or
   ``failed_permanently`` with the platform's reason (the comment deleted, no
   permission, a refusal) — or after ``[replies] max_attempts`` transient failures.

A crash between steps 2 and 5 leaves the item ``sending``; the next run treats it as
"may have posted" and checks first. Accounts are sent concurrently, one reply at a time
per account. Store writes happen on the caller's thread (the event loop's).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from triage.config import Config
from triage.connectors import Capability
from triage.errors import (
    BadPayload,
    RateLimited,
    TemplateError,
    TriageError,
    Unavailable,
)
from triage.holds import require_not_held
from triage.model import utcnow
from triage.outbox.book import all_items, item_entry
from triage.outbox.commands import check_item, local_today, restore_status
from triage.outbox.item import FAILED, FAILED_PERMANENTLY, QUEUED, SENDING, SENT, OutboxItem
from triage.outbox.links import Links, require_capability
from triage.store import Store
from triage.templates import TemplateLibrary, load_library

__all__ = ["Outcome", "SendOptions", "Sender", "retry_delay"]

logger = logging.getLogger("triage.outbox")

RETRY_FIRST = 5.0
RETRY_MAX = 15 * 60.0


def retry_delay(attempts: int, rng: Callable[[], float] = random.random) -> timedelta:
    """The wait after the ``attempts``-th failure: 5 s, 10 s, 20 s … 15 min, half of it
    random, so replies that failed together do not come back together."""
    ceiling = min(RETRY_MAX, RETRY_FIRST * 2 ** max(0, min(attempts - 1, 20)))
    return timedelta(seconds=ceiling / 2 + rng() * ceiling / 2)


@dataclass(frozen=True, slots=True)
class SendOptions:
    """How the sender runs; tests inject the clock and the randomness."""

    clock: Callable[[], datetime] = utcnow
    rng: Callable[[], float] = random.random
    #: Transient failures before giving up (None: config ``[replies] max_attempts``).
    max_attempts: int | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt at one item gave: the item as it now stands."""

    item: OutboxItem
    error: str = ""

    @property
    def sent(self) -> bool:
        return self.item.state == SENT

    @property
    def permanent(self) -> bool:
        return self.item.state == FAILED_PERMANENTLY


@dataclass
class Sender:
    """Sends the outbox's due replies as ``user`` (the person running Triage)."""

    store: Store
    config: Config
    user: str
    links: Links
    options: SendOptions = field(default_factory=SendOptions)
    _library: TemplateLibrary | None = field(default=None, init=False)

    def due(self, now: datetime | None = None) -> list[OutboxItem]:
        moment = now or self.options.clock()
        pending = all_items(self.store, states=(QUEUED, SENDING, FAILED))
        return [item for item in pending if item.due(moment)]

    async def send_due(self, only: Collection[str] | None = None) -> list[Outcome]:
        """Try every due item (or only those with the given ids) once; accounts at once."""
        self._library = None  # templates and their approvals are read afresh each round
        by_account: dict[str, list[OutboxItem]] = defaultdict(list)
        for item in self.due():
            if only is None or item.id in only:
                by_account[item.account].append(item)
        rounds = await asyncio.gather(*(self._send_all(items) for items in by_account.values()))
        return [outcome for outcomes in rounds for outcome in outcomes]

    async def _send_all(self, items: list[OutboxItem]) -> list[Outcome]:
        return [await self.send(item) for item in items]

    def _templates(self, now: datetime) -> TemplateLibrary:
        if self._library is None:
            self._library = load_library(self.config, today=local_today(now))
        return self._library

    async def send(self, item: OutboxItem) -> Outcome:
        """One attempt at ``item`` (see the module docstring for the steps)."""
        now = self.options.clock()
        comment = self.store.comments.get(item.comment_id)
        uncertain = item.uncertain or item.state == SENDING
        try:
            if comment is None:
                raise TemplateError(f"the comment {item.comment_id} is no longer in the queue")
            require_not_held(self.store, comment.id, "reply")
            library = self._templates(now) if item.template_id is not None else None
            verdict = check_item(comment, library, item.template_id, item.text,
                                 local_today(now), self.config)
            if verdict.needs_approval and not item.approved:
                raise TemplateError("the reply needs an approver's approval of exactly this "
                                    "text, and has none")
            require_capability(self.config, comment, Capability.REPLY)
        except TriageError as exc:
            return self._give_up(item, str(exc), uncertain=uncertain, now=now)
        attempt = item.attempts + 1
        sending = item.evolve(state=SENDING, attempts=attempt, retry_at=None, updated_at=now)
        self.store.record([item_entry(self.user, "reply_sending", sending, attempt=attempt,
                                      check_first=uncertain)])
        try:
            connector = self.links.connector(comment)
            reply_id = None
            if uncertain:
                reply_id = await connector.find_reply(comment, item.text, idempotency_key=item.id)
            found = reply_id is not None
            if reply_id is None:
                reply_id = await connector.reply(comment, item.text, idempotency_key=item.id)
        except RateLimited as exc:  # refused unprocessed: nothing new may have been posted
            return self._failed(sending, str(exc), uncertain=uncertain, at=exc.until)
        except (Unavailable, BadPayload) as exc:  # it may have taken effect
            return self._failed(sending, str(exc), uncertain=True)
        except TriageError as exc:  # refused: deleted, no permission, not allowed
            return self._give_up(sending, str(exc), uncertain=uncertain,
                                 now=self.options.clock())
        except Exception as exc:  # a connector's bug must not stop the outbox
            logger.exception("outbox item %s: unexpected failure", item.id)
            return self._failed(sending, f"unexpected {type(exc).__name__}", uncertain=True)
        done = sending.evolve(state=SENT, reply_id=reply_id, found=found, uncertain=False,
                              sent_at=self.options.clock(), last_error="",
                              updated_at=self.options.clock())
        self.store.record([item_entry(self.user, "reply_sent", done, reply_id=reply_id,
                                      found=found)])
        return Outcome(done)

    def _failed(self, item: OutboxItem, error: str, *, uncertain: bool,
                at: datetime | None = None) -> Outcome:
        now = self.options.clock()
        limit = self.options.max_attempts or self.config.replies.max_attempts
        if item.attempts >= limit:
            return self._give_up(item, f"gave up after {item.attempts} attempts, the last: "
                                 f"{error}", uncertain=uncertain, now=now)
        retry_at = now + retry_delay(item.attempts, self.options.rng)
        if at is not None:
            retry_at = max(at, now + timedelta(seconds=1))
        failed = item.evolve(state=FAILED, retry_at=retry_at, last_error=error,
                             uncertain=uncertain, updated_at=now)
        self.store.record([item_entry(self.user, "reply_failed", failed, error=error,
                                      attempt=item.attempts)])
        return Outcome(failed, error)

    def _give_up(self, item: OutboxItem, reason: str, *, uncertain: bool,
                 now: datetime) -> Outcome:
        if uncertain:
            reason += ("; an earlier attempt may have posted it: look on the platform "
                       "before sending it again")
        final = item.evolve(state=FAILED_PERMANENTLY, last_error=reason, retry_at=None,
                            uncertain=uncertain, updated_at=now)
        status = restore_status(self.store, item)
        self.store.record([item_entry(self.user, "reply_failed_permanently", final,
                                      status=status, reason=reason)])
        return Outcome(final, reason)

