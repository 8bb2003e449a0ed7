"""The team's sender: posts the team database's due replies through the connectors, once.

Run by the one process that holds the ``sender`` role (:mod:`triage.teamdb.leader`). Each
round, due items are taken in the database (``outbox_take``: row locks skipped by other
takers, then a sending lease), posted with the item's id as the idempotency key — after
asking the platform first when an earlier attempt may have posted (``find_reply``) — and
the result is recorded by ``outbox_sent`` / ``outbox_failed``, which refuse an item that is
not being sent: nothing is marked sent twice, and the database refuses a second sent item
with the same text to the same comment.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from triage.config import Config
from triage.connectors import Capability
from triage.errors import BadPayload, RateLimited, TriageError, Unavailable
from triage.outbox.item import OutboxItem, item_from_doc
from triage.outbox.links import Links, require_capability
from triage.outbox.sender import Outcome, SendOptions, retry_delay
from triage.teamdb import calls
from triage.teamdb.connection import translated
from triage.teamdb.desk import TeamDesk

__all__ = ["TeamSender"]

logger = logging.getLogger("triage.outbox")

#: Items taken per round, and how long a taken item stays leased to its sender.
BATCH = 20
LEASE_SECONDS = 120


def _take(conn: calls.Conn, limit: int) -> list[tuple[OutboxItem, bool]]:
    rows = calls.query_rows(conn, "SELECT * FROM triage.outbox_take(%s, %s)",
                            (limit, LEASE_SECONDS))
    return [(item_from_doc(r["doc"]), bool(r["check_first"])) for r in rows]


def _sent(conn: calls.Conn, item_id: str, reply_id: str, found: bool) -> dict[str, Any]:
    row = calls.query_rows(conn, "SELECT * FROM triage.outbox_sent(%s, %s, %s)",
                           (item_id, reply_id, found))[0]
    return dict(row["body"]["data"]["record"]["doc"])


def _failed(conn: calls.Conn, item_id: str, error: str, retry_at: datetime | None,
            uncertain: bool) -> dict[str, Any]:
    row = calls.query_rows(conn, "SELECT * FROM triage.outbox_failed(%s, %s, %s, %s)",
                           (item_id, error, retry_at, uncertain))[0]
    return dict(row["body"]["data"]["record"]["doc"])


@dataclass
class TeamSender:
    """Sends the team outbox's due replies as the desk's login."""

    desk: TeamDesk
    config: Config
    links: Links
    options: SendOptions = field(default_factory=SendOptions)
    batch: int = BATCH

    def _run(self, fn: Any, *args: Any) -> Any:
        with self.desk.pool.connection() as conn, translated():
            return fn(conn, *args)

    async def send_due(self) -> list[Outcome]:
        """Take the due items and try each once; accounts at once, one reply at a time each."""
        taken = await asyncio.to_thread(self._run, _take, self.batch)
        by_account: dict[str, list[tuple[OutboxItem, bool]]] = defaultdict(list)
        for item, first in taken:
            by_account[item.account].append((item, first))
        rounds = await asyncio.gather(*(self._send_all(items) for items in by_account.values()))
        return [outcome for outcomes in rounds for outcome in outcomes]

    async def _send_all(self, items: list[tuple[OutboxItem, bool]]) -> list[Outcome]:
        return [await self.send(item, check_first=first) for item, first in items]

    async def send(self, item: OutboxItem, *, check_first: bool) -> Outcome:
        """One attempt at an item this sender took (state ``sending``)."""
        try:
            comment = await asyncio.to_thread(self.desk.get, item.comment_id)
            if item.needs_approval and not item.approved:
                raise TriageError("the reply needs an approver's approval of exactly this "
                                  "text, and has none")
            require_capability(self.config, comment, Capability.REPLY)
        except TriageError as exc:
            return await self._record_failure(item, str(exc), None, check_first)
        try:
            connector = self.links.connector(comment)
            reply_id = None
            if check_first:
                reply_id = await connector.find_reply(comment, item.text, idempotency_key=item.id)
            found = reply_id is not None
            if reply_id is None:
                reply_id = await connector.reply(comment, item.text, idempotency_key=item.id)
        except RateLimited as exc:  # refused unprocessed: nothing was posted
            return await self._retry(item, str(exc), check_first, at=exc.until)
        except (Unavailable, BadPayload) as exc:  # it may have taken effect
            return await self._retry(item, str(exc), True)
        except TriageError as exc:  # refused: deleted, no permission, not allowed
            return await self._record_failure(item, str(exc), None, check_first)
        except Exception as exc:  # a connector's bug must not stop the outbox
            logger.exception("outbox item %s: unexpected failure", item.id)
            return await self._retry(item, f"unexpected {type(exc).__name__}", True)
        doc = await asyncio.to_thread(self._run, _sent, item.id, reply_id, found)
        return Outcome(item_from_doc(doc))

    async def _retry(self, item: OutboxItem, error: str, uncertain: bool,
                     at: datetime | None = None) -> Outcome:
        limit = self.options.max_attempts or self.config.replies.max_attempts
        if item.attempts >= limit:
            return await self._record_failure(
                item, f"gave up after {item.attempts} attempts, the last: {error}", None,
                uncertain)
        now = self.options.clock()
        retry_at = now + retry_delay(item.attempts, self.options.rng)
        if at is not None:
            retry_at = max(at, now + timedelta(seconds=1))
        return await self._record_failure(item, error, retry_at, uncertain)

    async def _record_failure(self, item: OutboxItem, error: str, retry_at: datetime | None,
                              uncertain: bool) -> Outcome:
        if retry_at is None and uncertain:
            error += ("; an earlier attempt may have posted it: look on the platform "
                      "before sending it again")
        doc = await asyncio.to_thread(self._run, _failed, item.id, error, retry_at, uncertain)
        return Outcome(item_from_doc(doc), error)


async def send_as_leader(desk: TeamDesk, config: Config, url: str,
                         options: SendOptions | None = None) -> list[Outcome] | str:
    """One round of the team's sender, if no other process is the sender: the outcomes,
    or who is sending (``login (pid N)``) when another process holds the role."""
    from triage.sync import new_client
    from triage.teamdb.leader import SENDER, Leadership

    with Leadership(url, SENDER) as lead:
        if not lead.held:
            return await asyncio.to_thread(lead.holder) or "another desk"
        async with new_client() as client:
            sender = TeamSender(desk, config, Links(config, client),
                                options=options or SendOptions())
            return await sender.send_due()
