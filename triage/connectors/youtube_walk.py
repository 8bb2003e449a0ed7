"""Where a walk of YouTube's newest-first comment-thread listing stands, and its cursor.

YouTube lists threads newest first and has no ``since``. A sync walks until it meets
threads older than the boundary kept from the last walk: the newest top-level time seen
and the ids of the threads at exactly that second (times have whole seconds). New
replies do not move a thread up the listing, so the reply counts of the newest ``WATCH``
threads are kept too; the walk goes on until it has passed them, and a thread whose
count changed has its replies read again.

Cursor: ``{"after": ISO time, "ids": [...], "watch": {thread id: replies}}`` between
syncs; during a walk also ``page_token`` (where to go on), ``top``, ``top_ids`` and
``seen`` (the next boundary and watch), which replace the old ones only once the whole
walk is stored. Everything read back is checked; what is not valid is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from triage.connectors.payload import ItemError, time_field

__all__ = ["WATCH", "Walk"]

#: How many of the newest threads have their reply counts watched between syncs.
WATCH = 100


@dataclass(slots=True)
class Walk:
    """Where a walk of the thread listing stands (read from and written to the cursor)."""

    after: datetime | None = None
    ids: list[str] = field(default_factory=list)
    watch: dict[str, int] = field(default_factory=dict)
    token: str | None = None
    top: datetime | None = None
    top_ids: list[str] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, cursor: Mapping[str, Any] | None) -> Walk:
        if not isinstance(cursor, Mapping):
            return cls()
        token = cursor.get("page_token")
        return cls(after=_time(cursor.get("after")), ids=_ids(cursor.get("ids")),
                   watch=_counts(cursor.get("watch")),
                   token=token if isinstance(token, str) and 0 < len(token) < 1000 else None,
                   top=_time(cursor.get("top")), top_ids=_ids(cursor.get("top_ids")),
                   seen=_counts(cursor.get("seen")))

    def is_new(self, thread: str, when: datetime) -> bool:
        """Whether a thread whose top-level comment is from ``when`` is past the boundary."""
        return self.after is None or when > self.after or (
            when == self.after and thread not in self.ids)

    def note(self, thread: str, when: datetime, replies: int) -> None:
        """Count a thread read by this walk (for the next boundary and watch)."""
        if self.top is None or when > self.top:
            self.top, self.top_ids = when, [thread]
        elif when == self.top and thread not in self.top_ids:
            self.top_ids.append(thread)
        if len(self.seen) < WATCH:
            self.seen[thread] = replies

    def watched_seen(self) -> bool:
        """Whether the walk has passed every watched thread (or as many as are watched)."""
        return len(self.seen) >= WATCH or self.watch.keys() <= self.seen.keys()

    def during(self, token: str) -> dict[str, Any]:
        """The cursor of a page that is not the walk's last: the old boundary holds."""
        return {**self._kept(), "page_token": token, "top": _iso(self.top),
                "top_ids": self.top_ids, "seen": self.seen}

    def finished(self) -> dict[str, Any]:
        """The cursor of the walk's last page: the new boundary and watch."""
        if self.top is not None and (self.after is None or self.top > self.after):
            return {"after": _iso(self.top), "ids": self.top_ids, "watch": self.seen}
        ids = self.ids + [i for i in self.top_ids if i not in self.ids and self.top == self.after]
        return {**self._kept(), "ids": ids, "watch": self.seen or self.watch}

    def _kept(self) -> dict[str, Any]:
        return {"after": _iso(self.after), "ids": self.ids, "watch": self.watch}


def _time(value: Any) -> datetime | None:
    try:
        return time_field({"t": value}, "t")
    except ItemError:
        return None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _ids(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v for v in value[:1000] if isinstance(v, str) and 0 < len(v) <= 200]


def _counts(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in list(value.items())[:WATCH] if isinstance(k, str)
            and isinstance(v, int) and not isinstance(v, bool) and v >= 0}
