"""Legal holds: a held comment is evidence, and nothing may reply to, hide or delete it.

A hold is a record in the store's ``holds`` table, keyed by comment id, written through
the journal by escalation and removed (``active: false``) only when legal releases it.

Every command that replies to, hides or deletes a comment (the outbox, bulk actions, the
screens) calls :func:`require_not_held` first, before anything is journaled or sent::

    require_not_held(store, comment_id, "hide")   # raises ActionRefused if held
"""

from __future__ import annotations

from typing import Any

from triage.errors import ActionRefused
from triage.store import Store

__all__ = [
    "HELD_ACTIONS",
    "HOLDS",
    "check_not_held",
    "held_ids",
    "hold_of",
    "hold_record",
    "require_not_held",
]

HOLDS = "holds"
#: What a hold refuses; :func:`require_not_held` takes one of these (or any verb).
HELD_ACTIONS = ("reply", "hide", "delete")


def hold_of(store: Store, comment_id: str) -> dict[str, Any] | None:
    """The active hold on a comment, or None."""
    hold = store.get_record(HOLDS, comment_id)
    if hold and hold.get("active"):
        return hold
    return None


def held_ids(store: Store) -> set[str]:
    """The ids of every comment under an active legal hold."""
    return {key for key, hold in store.records(HOLDS).items() if hold.get("active")}


def require_not_held(store: Store, comment_id: str, action: str) -> None:
    """Refuse ``action`` (reply, hide, delete) on a comment under legal hold, saying why.

    The message names the comment, the escalation, its reason and who escalated it, and
    that only legal can release it. Returns quietly when the comment is not held.
    """
    hold = hold_of(store, comment_id)
    if hold is None:
        return
    who = hold.get("by") or "someone"
    reason = hold.get("reason") or "escalation"
    escalation = hold.get("escalation") or "an escalation"
    raise ActionRefused(
        f"cannot {action}: the comment is on legal hold ({reason}, escalated by {who}) — "
        f"{comment_id} is evidence in {escalation} until legal releases it"
    )


#: The older name of :func:`require_not_held`.
check_not_held = require_not_held


def hold_record(comment_id: str, doc: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of a journal entry that sets a comment's hold record."""
    return {"record": {"table": HOLDS, "key": comment_id, "doc": doc}}
