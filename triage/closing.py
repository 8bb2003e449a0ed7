"""Closing a crisis: what was done about it, asked for, journaled and shown with the comment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from triage.errors import ActionRefused
from triage.model import Comment
from triage.store import Store

__all__ = ["CLOSE_REASONS", "CLOSINGS", "Closing", "closing_of", "closing_record",
           "needs_reason", "reason_key"]

#: What was done about a crisis before it is dismissed: key → how the detail pane says it.
#: ``not-crisis`` also takes the crisis tag off (a correction, as ``t`` records it).
CLOSE_REASONS: dict[str, str] = {
    "called-911": "called 911",
    "on-call": "passed to the on-call clinician",
    "lifeline": "replied with the lifeline",
    "not-crisis": "not a crisis",
}
#: The store's records of closed crises, one per comment (the last closing).
CLOSINGS = "closings"


@dataclass(frozen=True, slots=True)
class Closing:
    """Why a crisis was closed, by whom and when."""

    reason: str
    by: str
    at: datetime

    @property
    def label(self) -> str:
        return CLOSE_REASONS.get(self.reason, self.reason)


def needs_reason(comment: Comment) -> bool:
    """Whether dismissing ``comment`` asks what was done: it is a crisis still open."""
    return comment.tag("crisis") is not None and comment.status != "dismissed"


def reason_key(reason: str | None) -> str:
    """The reason's key, checked; a missing or unknown one is refused, naming the choices."""
    choices = ", ".join(f"{key} ({label})" for key, label in CLOSE_REASONS.items())
    if reason is None or not reason.strip():
        raise ActionRefused(f"closing a crisis needs a reason: say what was done — {choices}")
    key = reason.strip().casefold()
    if key not in CLOSE_REASONS:
        raise ActionRefused(f"unknown reason {reason!r}: one of {choices}")
    return key


def closing_record(comment_id: str, reason: str, user: str, at: datetime) -> dict[str, Any]:
    """The record a dismiss entry carries (``data["record"]``) for a closed crisis."""
    return {"table": CLOSINGS, "key": comment_id,
            "doc": {"reason": reason, "by": user, "at": at.isoformat()}}


def closing_of(store: Store, comment: Comment) -> Closing | None:
    """Why the dismissed ``comment`` was closed as a crisis, or None."""
    if comment.status != "dismissed":
        return None
    doc = store.get_record(CLOSINGS, comment.id)
    if not doc:
        return None
    try:
        at = datetime.fromisoformat(str(doc.get("at")))
    except ValueError:
        return None
    return Closing(str(doc.get("reason", "")), str(doc.get("by", "")), at)
