"""Where a walk of YouTube's newest-first comment-thread listing stands, and its cursor.

YouTube lists threads newest first and has no ``since``. A sync walks until it meets
threads older than the boundary kept from the last walk: the newest top-level time seen
and the ids of the threads at exactly that second (times have whole seconds).

New replies do not move a thread up the listing, so the reply counts of the watched
threads are kept too, and a thread whose count changed has its replies read again. The
watched threads are the newest ``WATCH`` ones and every other thread of the last
``RECHECK_DAYS`` days, ``KEEP`` at most. An ordinary sync walks on until it has passed
the newest ``WATCH`` watched threads (a page or two); once every ``RECHECK_EVERY`` a sync
is a *re-check* and walks on through the whole watched window (at most ``KEEP`` threads:
ten more pages of 100, one quota unit each, so at most 240 units a day out of YouTube's
default 10,000). So a reply to a thread of the last two weeks is found within the hour.
Replies to threads older than that window (or beyond the newest ``KEEP``) are found by
the *deep* re-check, once every ``DEEP_EVERY`` (a day): it walks the whole listing (up to
``DEEP_MAX`` threads, a unit per 100) and reads again the replies of every older thread
whose ``totalReplyCount`` is more than the replies the store holds under it (the store
knows, so the cursor stays small). So such a reply is found within a day; ``thread()``
shows it at once.

Cursor: ``{"after": ISO time, "ids": [...], "watch": {thread id: replies}, "checked": ISO
time of the last whole re-check, "videos": [ids whose details could not be read]}``
between syncs; during a walk also ``page_token``
(where to go on), ``top``, ``top_ids`` and ``seen`` (the next boundary and watch) and
``recheck`` (whether the walk is a re-check), which replace the old ones only once the
whole walk is stored. Everything read back is checked; what is not valid is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from triage.connectors.payload import ItemError, time_field

__all__ = ["DEEP_EVERY", "DEEP_MAX", "KEEP", "RECHECK_DAYS", "RECHECK_EVERY", "WATCH", "Walk",
           "held"]

#: How many of the newest threads have their reply counts checked on every sync.
WATCH = 100
#: Threads this recent are watched too (up to ``KEEP`` in all), checked on a re-check.
RECHECK_DAYS = 14
KEEP = 1000
#: How often a sync walks the whole watched window.
RECHECK_EVERY = timedelta(hours=1)
#: How often a sync walks the whole listing for new replies to older threads, and how far.
DEEP_EVERY = timedelta(days=1)
DEEP_MAX = 20_000
#: At most this many videos wait in the cursor to have their details read again.
VIDEOS = 50


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
    checked: datetime | None = None
    recheck: bool = False
    #: Videos whose details could not be read (asked for again by the next sync).
    videos: list[str] = field(default_factory=list)
    #: When the last whole deep re-check ended, and whether this walk is one.
    deep_at: datetime | None = None
    deep: bool = False
    #: Threads this walk has read (a deep re-check stops at ``DEEP_MAX``).
    walked: int = field(default=0, compare=False)
    #: Threads older than this are watched only among the newest ``WATCH`` (set by start).
    cutoff: datetime | None = field(default=None, compare=False)
    #: The walk met a thread it does not watch: a re-check has gone far enough.
    beyond: bool = field(default=False, compare=False)

    @classmethod
    def load(cls, cursor: Mapping[str, Any] | None) -> Walk:
        if not isinstance(cursor, Mapping):
            return cls()
        token = cursor.get("page_token")
        token = token if isinstance(token, str) and 0 < len(token) < 1000 else None
        return cls(after=_time(cursor.get("after")), ids=_ids(cursor.get("ids")),
                   watch=_counts(cursor.get("watch")), token=token,
                   top=_time(cursor.get("top")), top_ids=_ids(cursor.get("top_ids")),
                   seen=_counts(cursor.get("seen")), checked=_time(cursor.get("checked")),
                   recheck=token is not None and cursor.get("recheck") is True,
                   videos=_ids(cursor.get("videos"))[:VIDEOS],
                   deep_at=_time(cursor.get("deep_at")),
                   deep=token is not None and cursor.get("deep") is True)

    def start(self, now: datetime) -> None:
        """Begin (or go on with) a walk at ``now``: is it a re-check, and how far back."""
        self.cutoff = now - timedelta(days=RECHECK_DAYS)
        if self.token is None:  # a walk resumed keeps what it was
            self.recheck = self.checked is None or not (
                now - RECHECK_EVERY < self.checked <= now)
            self.deep = self.deep_at is None or not (now - DEEP_EVERY < self.deep_at <= now)

    def is_new(self, thread: str, when: datetime) -> bool:
        """Whether a thread whose top-level comment is from ``when`` is past the boundary."""
        return self.after is None or when > self.after or (
            when == self.after and thread not in self.ids)

    def note(self, thread: str, when: datetime, replies: int) -> None:
        """Count a thread read by this walk (for the next boundary and watch)."""
        self.walked += 1
        if self.top is None or when > self.top:
            self.top, self.top_ids = when, [thread]
        elif when == self.top and thread not in self.top_ids:
            self.top_ids.append(thread)
        recent = self.cutoff is not None and when >= self.cutoff
        if thread in self.seen or len(self.seen) < WATCH or (recent and len(self.seen) < KEEP):
            self.seen[thread] = replies
        else:
            self.beyond = True

    def done(self, older: bool) -> bool:
        """Whether the walk may stop after a page; ``older``: it has passed the boundary."""
        if self.deep:
            return self.walked >= DEEP_MAX
        if not older:
            return False
        if self.recheck:
            return self.beyond
        newest = list(self.watch)[:WATCH]
        return len(self.seen) >= WATCH or self.seen.keys() >= set(newest)

    def during(self, token: str) -> dict[str, Any]:
        """The cursor of a page that is not the walk's last: the old boundary holds."""
        return {**self._kept(), "page_token": token, "top": _iso(self.top),
                "top_ids": self.top_ids, "seen": self.seen, "recheck": self.recheck,
                "deep": self.deep}

    def finished(self, now: datetime) -> dict[str, Any]:
        """The cursor of the walk's last page: the new boundary and watch."""
        watch = self.seen if self.recheck or self.deep else self._merged()
        checked = _iso(now if self.recheck else self.checked)
        deep_at = _iso(now if self.deep else self.deep_at)
        if self.top is not None and (self.after is None or self.top > self.after):
            return {"after": _iso(self.top), "ids": self.top_ids, "watch": watch,
                    "checked": checked, "videos": self.videos, "deep_at": deep_at}
        ids = self.ids + [i for i in self.top_ids if i not in self.ids and self.top == self.after]
        return {"after": _iso(self.after), "ids": ids, "watch": watch, "checked": checked,
                "videos": self.videos, "deep_at": deep_at}

    def _merged(self) -> dict[str, int]:
        """The counts just seen, then the older watched ones this walk did not reach."""
        merged = dict(self.seen)
        for thread, replies in self.watch.items():
            if len(merged) >= KEEP:
                break
            merged.setdefault(thread, replies)
        return merged

    def _kept(self) -> dict[str, Any]:
        return {"after": _iso(self.after), "ids": self.ids, "watch": self.watch,
                "checked": _iso(self.checked), "videos": self.videos,
                "deep_at": _iso(self.deep_at)}


def held(known: Any, thread: str) -> int:
    """How many replies under ``thread`` the store holds, as far as ``known`` tells (the
    channel's own are never stored, so a thread it answered is read again by each deep
    re-check); without a count, a number no thread reaches."""
    count = getattr(known, "reply_count", None)
    return count(thread) if callable(count) else 1_000_000_000


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
    return {k: v for k, v in list(value.items())[:KEEP] if isinstance(k, str)
            and isinstance(v, int) and not isinstance(v, bool) and v >= 0}
