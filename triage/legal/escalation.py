"""Escalation to legal: freeze a comment as evidence, hold it, and follow it to a decision.

An escalation is a record in the ``escalations`` table (written through the journal, so
it is replayed after a crash). Escalating writes, in one journaled batch, the comment's
new status (``escalated``), the escalation with the text exactly as captured and its
SHA-256, the legal hold, and one pending delivery per configured channel.

Lifecycle: ``open`` → ``under_review`` (legal adds a note) → ``released`` (legal
releases the hold with a decision) → ``closed``. Only the legal role releases and closes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from triage.config import Config
from triage.convert import iso, parse_time, tag_from_doc, tag_to_doc
from triage.errors import ActionRefused, NotFound
from triage.holds import HOLDS, hold_of, hold_record
from triage.legal.delivery import configured_channels, deliveries_of, delivery_entry
from triage.legal.masking import mask_text
from triage.legal.people import has_role, require_role
from triage.model import Tag
from triage.notes import Note, checked_note
from triage.service import RecordSource
from triage.store import Store

__all__ = [
    "DECISIONS",
    "ESCALATIONS",
    "REASONS",
    "SEVERITIES",
    "STATES",
    "Escalation",
    "Note",
    "add_note",
    "all_escalations",
    "close",
    "display_status",
    "escalate",
    "find_escalation",
    "release",
]

ESCALATIONS = "escalations"
REASONS = ("privacy_breach", "adverse_event", "legal_threat", "defamation", "regulatory", "other")
SEVERITIES = ("low", "medium", "high", "critical")
DECISIONS = ("reply_allowed", "hide", "delete", "no_action")
STATES = ("open", "under_review", "released", "closed")


@dataclass(frozen=True, slots=True)
class Escalation:
    """An escalation, with the comment as it was captured when it was escalated."""

    id: str
    comment_id: str
    reason: str
    severity: str
    note: str
    by: str
    at: datetime
    status: str
    sha256: str
    text: str
    masked_text: str
    author: str
    author_id: str
    platform: str
    account: str
    permalink: str
    post_id: str | None
    captured_at: datetime
    tags: tuple[Tag, ...] = ()
    notes: tuple[Note, ...] = ()
    decision: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Whether the comment is still held for this escalation."""
        return self.status in ("open", "under_review")


def _escalation_to_doc(esc: Escalation) -> dict[str, Any]:
    def when(moment: datetime | None) -> str | None:
        return iso(moment) if moment is not None else None

    return {
        "id": esc.id, "comment_id": esc.comment_id, "reason": esc.reason,
        "severity": esc.severity, "note": esc.note, "by": esc.by, "at": iso(esc.at),
        "status": esc.status, "sha256": esc.sha256, "text": esc.text,
        "masked_text": esc.masked_text, "author": esc.author, "author_id": esc.author_id,
        "platform": esc.platform, "account": esc.account, "permalink": esc.permalink,
        "post_id": esc.post_id, "captured_at": iso(esc.captured_at),
        "tags": [tag_to_doc(tag) for tag in esc.tags],
        "notes": [{"by": n.by, "at": iso(n.at), "text": n.text} for n in esc.notes],
        "decision": esc.decision, "decided_by": esc.decided_by,
        "decided_at": when(esc.decided_at), "closed_by": esc.closed_by,
        "closed_at": when(esc.closed_at),
    }


def _escalation_from_doc(doc: dict[str, Any]) -> Escalation:
    def when(value: Any) -> datetime | None:
        return parse_time(value) if isinstance(value, str) and value else None

    return Escalation(
        id=str(doc["id"]), comment_id=str(doc["comment_id"]), reason=str(doc["reason"]),
        severity=str(doc["severity"]), note=str(doc.get("note", "")), by=str(doc["by"]),
        at=parse_time(doc["at"]), status=str(doc["status"]), sha256=str(doc["sha256"]),
        text=str(doc["text"]), masked_text=str(doc.get("masked_text", doc["text"])),
        author=str(doc.get("author", "")), author_id=str(doc.get("author_id", "")),
        platform=str(doc.get("platform", "")), account=str(doc.get("account", "")),
        permalink=str(doc.get("permalink", "")), post_id=doc.get("post_id"),
        captured_at=parse_time(doc.get("captured_at") or doc["at"]),
        tags=tuple(tag_from_doc(t) for t in doc.get("tags", ())),
        notes=tuple(
            Note(str(n["by"]), parse_time(n["at"]), str(n["text"])) for n in doc.get("notes", ())
        ),
        decision=doc.get("decision"), decided_by=doc.get("decided_by"),
        decided_at=when(doc.get("decided_at")), closed_by=doc.get("closed_by"),
        closed_at=when(doc.get("closed_at")),
    )


def _record(esc: Escalation) -> dict[str, Any]:
    return {"record": {"table": ESCALATIONS, "key": esc.id, "doc": _escalation_to_doc(esc)},
            "escalation": esc.id}


# -- reading ---------------------------------------------------------------------------


def all_escalations(store: RecordSource) -> list[Escalation]:
    """Every escalation, newest first."""
    found = [_escalation_from_doc(doc) for doc in store.records(ESCALATIONS).values()]
    found.sort(key=lambda e: (e.at, e.id), reverse=True)
    return found


def find_escalation(store: Store, ident: str) -> Escalation:
    """An escalation by its id, or the latest one of a comment given the comment's id."""
    doc = store.get_record(ESCALATIONS, ident)
    if doc is not None:
        return _escalation_from_doc(doc)
    of_comment = [e for e in all_escalations(store) if e.comment_id == ident]
    if of_comment:
        return of_comment[0]
    raise NotFound(f"no escalation with id {ident!r} (and no comment with one)")


def display_status(store: Store, esc: Escalation) -> str:
    """The status a person reads: pending delivery, open, under review, released, closed."""
    if esc.status == "open" and any(d.status == "pending" for d in deliveries_of(store, esc.id)):
        return "pending delivery"
    return esc.status.replace("_", " ")


def _next_id(store: Store) -> str:
    taken = store.records(ESCALATIONS)
    number = len(taken) + 1
    while f"esc-{number:04d}" in taken:
        number += 1
    return f"esc-{number:04d}"


# -- writing ---------------------------------------------------------------------------


def escalate(
    store: Store,
    config: Config,
    user: str,
    comment_id: str,
    reason: str,
    severity: str = "high",
    note: str = "",
    *,
    now: datetime | None = None,
) -> Escalation:
    """Escalate a comment to legal: status, evidence, hold and deliveries in one batch."""
    if reason not in REASONS:
        raise ActionRefused(f"unknown reason {reason!r} (one of {', '.join(REASONS)})")
    if severity not in SEVERITIES:
        raise ActionRefused(f"unknown severity {severity!r} (one of {', '.join(SEVERITIES)})")
    note = checked_note(note, required=False)
    comment = store.get(comment_id)
    held = hold_of(store, comment.id)
    if held is not None:
        raise ActionRefused(
            f"{comment.id} is already escalated ({held.get('escalation', 'on hold')}) "
            "and on legal hold"
        )
    moment = now or store.clock()
    esc = Escalation(
        id=_next_id(store), comment_id=comment.id, reason=reason, severity=severity,
        note=note, by=user, at=moment, status="open", sha256=comment.content_hash,
        text=comment.text, masked_text=mask_text(comment), author=comment.author.name,
        author_id=comment.author.id, platform=comment.platform, account=comment.account,
        permalink=comment.permalink, post_id=comment.post_id,
        captured_at=comment.captured_at, tags=comment.tags,
    )
    hold = {"active": True, "comment_id": comment.id, "escalation": esc.id, "reason": reason,
            "severity": severity, "by": user, "at": iso(moment), "sha256": esc.sha256}
    batch = uuid.uuid4().hex[:12]
    entries: list[dict[str, Any]] = [
        {"user": user, "kind": "escalate", "comment_id": comment.id,
         "before": {"status": comment.status}, "after": {"status": "escalated"},
         "data": _record(esc)},
        {"user": user, "kind": "hold", "comment_id": comment.id,
         "data": {**hold_record(comment.id, hold), "escalation": esc.id}},
    ]
    for channel in configured_channels(config):
        entries.append(delivery_entry(user, esc.id, comment.id, channel, moment))
    for entry in entries:
        entry["batch"] = batch
    store.record(entries)
    return esc


def add_note(store: Store, config: Config, user: str, ident: str, text: str) -> Escalation:
    """Add a note; a note by legal on an open escalation puts it under review."""
    esc = find_escalation(store, ident)
    note = Note(user, store.clock(), checked_note(text, required=True))
    status = esc.status
    if status == "open" and has_role(config, user, "legal"):
        status = "under_review"
    updated = replace(esc, status=status, notes=(*esc.notes, note))
    store.record([{"user": user, "kind": "escalation_note", "comment_id": esc.comment_id,
                   "data": _record(updated)}])
    return updated


def release(
    store: Store, config: Config, user: str, ident: str, decision: str, note: str = ""
) -> Escalation:
    """Legal releases the hold with a decision; the comment goes back to the team.

    ``no_action`` dismisses the comment; the other decisions put it back in the queue as
    new (assigned to whoever escalated it, when they are on the team) for them to act on.
    """
    require_role(config, user, "legal", "release a legal hold")
    if decision not in DECISIONS:
        raise ActionRefused(f"unknown decision {decision!r} (one of {', '.join(DECISIONS)})")
    esc = find_escalation(store, ident)
    if not esc.active:
        raise ActionRefused(f"{esc.id} is already {esc.status}; its hold was released")
    moment = store.clock()
    notes = esc.notes
    if note.strip():
        notes = (*notes, Note(user, moment, checked_note(note, required=False)))
    updated = replace(esc, status="released", decision=decision, decided_by=user,
                       decided_at=moment, notes=notes)
    comment = store.get(esc.comment_id)
    after: dict[str, Any] = {"status": "dismissed" if decision == "no_action" else "new"}
    if decision != "no_action" and config.member(esc.by) is not None:
        after["assignee"] = esc.by
    before = {"status": comment.status, "assignee": comment.assignee}
    hold = dict(store.get_record(HOLDS, esc.comment_id) or {})
    hold.update(active=False, released_by=user, released_at=iso(moment), decision=decision)
    batch = uuid.uuid4().hex[:12]
    store.record([
        {"user": user, "kind": "release", "comment_id": esc.comment_id, "batch": batch,
         "before": {k: before[k] for k in after}, "after": after,
         "data": {**_record(updated), "decision": decision}},
        {"user": user, "kind": "hold_release", "comment_id": esc.comment_id, "batch": batch,
         "data": {**hold_record(esc.comment_id, hold), "escalation": esc.id}},
    ])
    return updated


def close(store: Store, config: Config, user: str, ident: str) -> Escalation:
    """Legal closes a released escalation; the record and its evidence stay."""
    require_role(config, user, "legal", "close an escalation")
    esc = find_escalation(store, ident)
    if esc.status == "closed":
        raise ActionRefused(f"{esc.id} is already closed")
    if esc.status != "released":
        raise ActionRefused(
            f"{esc.id} still holds the comment: release it first with a decision "
            f"({', '.join(DECISIONS)})"
        )
    updated = replace(esc, status="closed", closed_by=user, closed_at=store.clock())
    store.record([{"user": user, "kind": "escalation_close", "comment_id": esc.comment_id,
                   "data": _record(updated)}])
    return updated
