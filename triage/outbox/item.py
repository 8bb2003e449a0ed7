"""An outbox item: one reply on its way to a platform, its states, and its stored form.

Every item lives in the store's ``outbox`` record table, keyed by its id, and every
change to it is a journal entry carrying the whole new record (``data.record``), so a
restart replays the outbox exactly as it stood.

The id is the reply's idempotency key (uuid4 hex, made when the person sends): it goes
to the platform with every attempt (Mastodon's ``Idempotency-Key``) and names the item in
the journal, the CLI and the screens.

States::

    waiting_approval ──approve──▶ queued          (free text, or a template edited)
                     └─reject──▶ rejected
    queued ──(send_after passed)──▶ sending ──▶ sent(reply_id)
       │                              ├──▶ failed(retry_at, attempts, last_error) ──▶ sending …
       └─cancel (undo window)─▶ cancelled          └──▶ failed_permanently(reason)

``uncertain`` is true once an attempt may have posted without Triage learning it (a
timeout, a crash between journaling "sending" and its result): the next attempt first
asks the platform whether the reply is already there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from triage.convert import iso, parse_time
from triage.policies.record import Hit

__all__ = [
    "ACTIVE",
    "CANCELLED",
    "FAILED",
    "FAILED_PERMANENTLY",
    "OUTBOX",
    "QUEUED",
    "REJECTED",
    "SENDING",
    "SENT",
    "STATES",
    "WAITING",
    "Decision",
    "OutboxItem",
    "item_from_doc",
    "item_to_doc",
]

#: The record table of the outbox.
OUTBOX = "outbox"

WAITING = "waiting_approval"
QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
FAILED_PERMANENTLY = "failed_permanently"
CANCELLED = "cancelled"
REJECTED = "rejected"
STATES = (WAITING, QUEUED, SENDING, SENT, FAILED, FAILED_PERMANENTLY, CANCELLED, REJECTED)

#: States in which an item stands for "this reply is (being) sent": a second one with
#: the same text or template for the same comment is refused.
ACTIVE = frozenset({WAITING, QUEUED, SENDING, SENT, FAILED})


@dataclass(frozen=True, slots=True)
class Decision:
    """An approver's decision on a reply that needed approval.

    ``content_hash`` names the exact text approved: a different text is not approved.
    """

    by: str
    at: datetime
    approved: bool
    content_hash: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One reply in the outbox (see the module docstring for the states)."""

    id: str
    comment_id: str
    platform: str
    account: str
    text: str
    content_hash: str
    template_id: str | None
    by: str
    created_at: datetime
    state: str
    #: Why it may go as it is, or why it needs approval (the send check's reason).
    reason: str = ""
    needs_approval: bool = False
    privacy_risk: bool = False
    #: The template's review date when it was sent (its approval lapses that day).
    review_by: str | None = None
    #: Not sent before this moment: the undo window (queued items only).
    send_after: datetime | None = None
    attempts: int = 0
    retry_at: datetime | None = None
    last_error: str = ""
    uncertain: bool = False
    reply_id: str | None = None
    #: True when the reply was found already posted rather than posted by this attempt.
    found: bool = False
    sent_at: datetime | None = None
    decision: Decision | None = None
    #: The comment's status before the reply made it "replied" (restored on cancel).
    status_before: str | None = None
    updated_at: datetime | None = None
    #: The review-level policy hits the text had when it was submitted (for the approver).
    hits: tuple[Hit, ...] = ()

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def approved(self) -> bool:
        """Whether an approver approved exactly this text."""
        d = self.decision
        return d is not None and d.approved and d.content_hash == self.content_hash

    def in_window(self, now: datetime) -> bool:
        """Whether the reply can still be cancelled before it is first sent."""
        return self.state == QUEUED and self.send_after is not None and now < self.send_after

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds left in the undo window (rounded up; 0 when it is over)."""
        if not self.in_window(now) or self.send_after is None:
            return 0
        return max(0, -int(-(self.send_after - now).total_seconds() // 1))

    def due(self, now: datetime) -> bool:
        """Whether a sender should try it now.

        ``sending`` is due too: a sender finds an item in that state only when an earlier
        run stopped mid-attempt (a crash), and then checks the platform before posting.
        """
        if self.state == QUEUED:
            return self.send_after is None or self.send_after <= now
        if self.state == FAILED:
            return self.retry_at is None or self.retry_at <= now
        return self.state == SENDING

    def evolve(self, **changes: Any) -> OutboxItem:
        return replace(self, **changes)


def _when(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def _time(value: Any) -> datetime | None:
    return parse_time(value) if isinstance(value, str) and value else None


def item_to_doc(item: OutboxItem) -> dict[str, Any]:
    """The stored (and journaled) form of an item."""
    decision = item.decision
    return {
        "id": item.id, "comment_id": item.comment_id, "platform": item.platform,
        "account": item.account, "text": item.text, "content_hash": item.content_hash,
        "template_id": item.template_id, "by": item.by, "created_at": iso(item.created_at),
        "state": item.state, "reason": item.reason, "needs_approval": item.needs_approval,
        "privacy_risk": item.privacy_risk, "review_by": item.review_by,
        "send_after": _when(item.send_after), "attempts": item.attempts,
        "retry_at": _when(item.retry_at), "last_error": item.last_error,
        "uncertain": item.uncertain, "reply_id": item.reply_id, "found": item.found,
        "sent_at": _when(item.sent_at),
        "decision": None if decision is None else {
            "by": decision.by, "at": iso(decision.at), "approved": decision.approved,
            "content_hash": decision.content_hash, "note": decision.note,
        },
        "status_before": item.status_before, "updated_at": _when(item.updated_at),
        "policy_hits": [hit.to_doc() for hit in item.hits],
    }


def item_from_doc(doc: dict[str, Any]) -> OutboxItem:
    """Read a stored item back (raises KeyError/ValueError/TypeError when it is broken)."""
    raw = doc.get("decision")
    decision = None
    if isinstance(raw, dict):
        decision = Decision(by=str(raw["by"]), at=parse_time(raw["at"]),
                            approved=bool(raw["approved"]),
                            content_hash=str(raw["content_hash"]), note=str(raw.get("note", "")))
    state = str(doc["state"])
    if state not in STATES:
        raise ValueError(f"unknown outbox state {state!r}")
    template = doc.get("template_id")
    reply = doc.get("reply_id")
    return OutboxItem(
        id=str(doc["id"]), comment_id=str(doc["comment_id"]), platform=str(doc["platform"]),
        account=str(doc["account"]), text=str(doc["text"]),
        content_hash=str(doc["content_hash"]),
        template_id=str(template) if template is not None else None, by=str(doc["by"]),
        created_at=parse_time(doc["created_at"]), state=state,
        reason=str(doc.get("reason", "")), needs_approval=bool(doc.get("needs_approval")),
        privacy_risk=bool(doc.get("privacy_risk")),
        review_by=doc.get("review_by") if isinstance(doc.get("review_by"), str) else None,
        send_after=_time(doc.get("send_after")), attempts=int(doc.get("attempts", 0)),
        retry_at=_time(doc.get("retry_at")), last_error=str(doc.get("last_error", "")),
        uncertain=bool(doc.get("uncertain")),
        reply_id=str(reply) if reply is not None else None, found=bool(doc.get("found")),
        sent_at=_time(doc.get("sent_at")), decision=decision,
        status_before=doc.get("status_before") if isinstance(doc.get("status_before"), str)
        else None,
        updated_at=_time(doc.get("updated_at")),
        hits=tuple(Hit.from_doc(h) for h in doc.get("policy_hits") or () if isinstance(h, dict)),
    )
