"""Retention: purge the text of closed comments older than ``[retention] days``.

A comment is closed when it was dismissed, replied to, hidden or deleted. Its text is purged (set
to ``""``) through a journaled ``purge`` entry that keeps the metadata and the SHA-256
of what was purged, so the journal can still prove what the text was. A comment on
legal hold is never purged, whatever its age or status.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from triage.config import Config
from triage.convert import iso
from triage.errors import StoreError
from triage.holds import hold_of
from triage.store import Store

__all__ = ["CLOSED_STATUSES", "RetentionReport", "apply_retention", "retention_candidates"]

CLOSED_STATUSES = frozenset({"dismissed", "replied", "hidden", "deleted"})


@dataclass(frozen=True, slots=True)
class RetentionReport:
    """What :func:`apply_retention` purged (or would purge), and the held ones it kept."""

    days: int
    purged: tuple[str, ...] = ()
    kept_held: tuple[str, ...] = ()
    dry_run: bool = False

    @property
    def enabled(self) -> bool:
        return self.days > 0


def retention_candidates(
    store: Store, days: int, now: datetime
) -> tuple[list[str], list[str]]:
    """The ids whose text is due for purging, and the held ones that would be but are kept.

    Age is counted from when the comment was written.
    """
    cutoff = now - timedelta(days=days)
    due: list[str] = []
    held: list[str] = []
    for status in CLOSED_STATUSES:
        for comment_id in store.index.ids("status", status):
            comment = store.comments.get(comment_id)
            if comment is None or not comment.text or comment.created_at >= cutoff:
                continue
            (held if hold_of(store, comment_id) is not None else due).append(comment_id)
    return sorted(due), sorted(held)


def apply_retention(
    store: Store, config: Config, user: str, now: datetime | None = None, *,
    dry_run: bool = False,
) -> RetentionReport:
    """Purge the text of closed, not-held comments older than the configured days."""
    days = config.retention.days
    if days <= 0:
        return RetentionReport(days=0, dry_run=dry_run)
    if not store.loaded:
        raise StoreError("the queue is still loading; retention runs once it is whole")
    due, held = retention_candidates(store, days, now or store.clock())
    if due and not dry_run:
        batch = uuid.uuid4().hex[:12]
        entries: list[dict[str, Any]] = []
        for comment_id in due:
            comment = store.comments[comment_id]
            entries.append({
                "user": user, "kind": "purge", "comment_id": comment_id, "batch": batch,
                "after": {"text": ""},
                "data": {"sha256": comment.content_hash, "chars": len(comment.text),
                         "status": comment.status, "created_at": iso(comment.created_at),
                         "retention_days": days},
            })
        store.record(entries)
    return RetentionReport(days=days, purged=tuple(due), kept_held=tuple(held), dry_run=dry_run)
