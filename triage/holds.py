"""Legal holds: a held comment is evidence, and nothing may reply to, hide or delete it.

A hold is a record in the store's ``holds`` table, keyed by comment id, written through
the journal by escalation and removed (``active: false``) only when legal releases it.
"""

from __future__ import annotations

from typing import Any

from triage.errors import ActionRefused
from triage.store import Store

__all__ = ["HOLDS", "check_not_held", "hold_of", "hold_record"]

HOLDS = "holds"


def hold_of(store: Store, comment_id: str) -> dict[str, Any] | None:
    """The active hold on a comment, or None."""
    hold = store.get_record(HOLDS, comment_id)
    if hold and hold.get("active"):
        return hold
    return None


def check_not_held(store: Store, comment_id: str, action: str) -> None:
    """Refuse ``action`` (reply, hide, delete) on a comment under legal hold, saying why."""
    hold = hold_of(store, comment_id)
    if hold is not None:
        who = hold.get("by") or "someone"
        reason = hold.get("reason") or "escalation"
        raise ActionRefused(
            f"cannot {action}: the comment is on legal hold ({reason}, escalated by {who}) "
            "until legal releases it"
        )


def hold_record(comment_id: str, doc: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of a journal entry that sets a comment's hold record."""
    return {"record": {"table": HOLDS, "key": comment_id, "doc": doc}}
