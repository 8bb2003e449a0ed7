"""Retention: purge the text of comments closed more than ``[retention] days`` ago.

A comment is closed when it was dismissed, replied to, hidden or deleted, and its age is
counted from then: from ``closed_at``, the time of the action that closed it (kept by the
store since it was added). For a comment closed in an older store, which has no
``closed_at``, the close time is read from the journal (the newest entry that gave it a
closed status); if the journal holds none, from when Triage stored the comment
(``captured_at``), the latest time known to come before its closing. Its text is purged (set
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
from triage.convert import iso, parse_time
from triage.errors import StoreError
from triage.holds import hold_of
from triage.model import CLOSED_STATUSES, Comment
from triage.store import Store

__all__ = ["CLOSED_STATUSES", "RetentionReport", "apply_retention", "retention_candidates"]



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
    """The ids whose text is due for purging, and the held ones that would be but are kept
    (on legal hold, or adverse events whose intake is open).

    Age is counted from when the comment was closed (see the module's docstring).
    """
    cutoff = now - timedelta(days=days)
    closed: list[Comment] = []
    for status in CLOSED_STATUSES:
        for comment_id in store.index.ids("status", status):
            comment = store.comments.get(comment_id)
            if comment is not None and comment.text:
                closed.append(comment)
    unknown = {c.id for c in closed if c.closed_at is None and c.captured_at < cutoff}
    from_journal = _close_times(store, unknown) if unknown else {}
    from triage.ae.intake import open_intake_ids

    kept = open_intake_ids(store)  # an adverse event's text stays until its intake is done
    due: list[str] = []
    held: list[str] = []
    for comment in closed:
        closed_at = comment.closed_at or from_journal.get(comment.id) or comment.captured_at
        if closed_at >= cutoff:
            continue
        keep = hold_of(store, comment.id) is not None or comment.id in kept
        (held if keep else due).append(comment.id)
    return sorted(due), sorted(held)


def _close_times(store: Store, ids: set[str]) -> dict[str, datetime]:
    """The newest journaled time each of ``ids`` was given a closed status."""
    found: dict[str, datetime] = {}
    for entry in store.journal.read_backwards():
        comment_id = entry.get("comment_id")
        after = entry.get("after")
        if comment_id in ids and comment_id not in found and isinstance(after, dict) \
                and after.get("status") in CLOSED_STATUSES:
            found[comment_id] = parse_time(entry["at"])
            if len(found) == len(ids):
                break
    return found


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
                         "closed_at": iso(comment.closed_at) if comment.closed_at else None,
                         "retention_days": days},
            })
        store.record(entries)
    return RetentionReport(days=days, purged=tuple(due), kept_held=tuple(held), dry_run=dry_run)
