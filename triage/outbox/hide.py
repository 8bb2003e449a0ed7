"""Hiding a comment at its source (or showing it again), through its account's connector.

Checked first: the legal hold, and that the platform can hide at all (Mastodon cannot:
the refusal carries the connector's reason). Then the platform is asked; only once it has
confirmed does the comment's status change (``hidden``, or back to ``new`` on unhide),
journaled as ``hide``/``unhide``. A failure changes nothing and is journaled as
``hide_failed``/``unhide_failed`` with the platform's reason, then raised for the person
to read. Hiding is idempotent on every platform, so pressing it again is always safe.
"""

from __future__ import annotations

from typing import Any

from triage.config import Config
from triage.connectors import Capability
from triage.errors import TriageError
from triage.holds import require_not_held
from triage.model import Action
from triage.outbox.links import Links, require_capability
from triage.store import Store

__all__ = ["set_hidden"]


async def set_hidden(
    store: Store, config: Config, user: str, comment_id: str, *, hidden: bool, links: Links
) -> list[Action]:
    """Hide (``hidden=True``) or unhide a comment on its platform; journal what happened."""
    verb = "hide" if hidden else "unhide"
    comment = store.get(comment_id)
    require_not_held(store, comment_id, verb)
    require_capability(config, comment, Capability.HIDE)
    data: dict[str, Any] = {"platform": comment.platform, "account": comment.account,
                            "native_id": comment.native_id}
    try:
        await links.connector(comment).hide(comment, hidden)
    except TriageError as exc:
        store.record([{"user": user, "kind": f"{verb}_failed", "comment_id": comment_id,
                       "data": {**data, "error": str(exc)}}])
        raise
    entry: dict[str, Any] = {"user": user, "kind": verb, "comment_id": comment_id, "data": data}
    current = store.get(comment_id).status
    status = "hidden" if hidden else "new"
    if current != status:
        entry["before"], entry["after"] = {"status": current}, {"status": status}
    return store.record([entry])
