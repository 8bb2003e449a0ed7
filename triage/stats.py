"""Figures about the queue: volume, response times, SLAs met, the myths seen most."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from triage.convert import parse_time
from triage.model import PLATFORMS, TAG_NAMES, Comment
from triage.store import Store
from triage.views import Sla

__all__ = ["Stats", "compute_figures", "compute_stats", "first_responses"]

#: A comment counts as answered by the team once its status leaves "new".
ANSWERED = frozenset({"replied", "hidden", "dismissed", "escalated", "deleted"})


@dataclass(slots=True)
class Stats:
    """What ``triage stats`` prints and the stats screen draws."""

    since: str
    until: str
    total: int
    by_tag: dict[str, int] = field(default_factory=dict)
    by_platform: dict[str, int] = field(default_factory=dict)
    by_day: dict[str, int] = field(default_factory=dict)
    responded: int = 0
    median_first_response_minutes: float | None = None
    sla_met: int = 0
    sla_missed: int = 0
    sla_met_share: float | None = None
    top_myths: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def first_responses(entries: Iterable[dict[str, Any]]) -> dict[str, datetime]:
    """When the team first answered each comment (its status first left "new"), from the
    journal's entries, oldest first."""
    found: dict[str, datetime] = {}
    for entry in entries:
        comment_id = entry.get("comment_id")
        after = entry.get("after") or {}
        if comment_id and comment_id not in found and after.get("status") in ANSWERED:
            found[comment_id] = parse_time(entry["at"])
    return found


def compute_stats(store: Store, *, now: datetime, since: timedelta, sla: Sla) -> Stats:
    """Figures for the comments of an embedded store created in ``[now - since, now]``."""
    return compute_figures(store, (entry for _, entry in store.journal.read()), now=now,
                           since=since, sla=sla)


def compute_figures(comments: Iterable[Comment], entries: Iterable[dict[str, Any]], *,
                    now: datetime, since: timedelta, sla: Sla) -> Stats:
    """Figures for the ``comments`` created in the window ``[now - since, now]``, with the
    journal's ``entries`` (oldest first) for when each was answered."""
    start = now - since
    window: list[Comment] = [c for c in comments if start <= c.created_at <= now]
    answered = first_responses(entries)
    by_tag = Counter(t.name for c in window for t in c.tags if not t.possible)
    by_platform = Counter(c.platform for c in window)
    by_day = Counter(c.created_at.date().isoformat() for c in window)
    waits: list[float] = []
    met = missed = 0
    for comment in window:
        at = answered.get(comment.id)
        if at is not None:
            waits.append(max((at - comment.created_at).total_seconds() / 60, 0.0))
        deadline = sla.deadline(comment)
        if deadline is None:
            continue
        if at is not None:
            met, missed = (met + 1, missed) if at <= deadline else (met, missed + 1)
        elif now > deadline:
            missed += 1
    week = now - timedelta(days=7)
    myths = Counter(
        (t.claim_id, t.resource_title or "")
        for c in window
        if c.created_at >= week
        for t in c.tags
        if t.name == "misinformation" and t.claim_id
    )
    days = [(start + timedelta(days=i)).date().isoformat() for i in range(since.days + 1)]
    return Stats(
        since=start.isoformat(),
        until=now.isoformat(),
        total=len(window),
        by_tag={name: by_tag.get(name, 0) for name in TAG_NAMES},
        by_platform={p: by_platform[p] for p in PLATFORMS if by_platform.get(p)},
        by_day={day: by_day.get(day, 0) for day in days if day <= now.date().isoformat()},
        responded=len(waits),
        median_first_response_minutes=round(statistics.median(waits), 1) if waits else None,
        sla_met=met,
        sla_missed=missed,
        sla_met_share=round(met / (met + missed), 3) if met + missed else None,
        top_myths=[
            {"claim_id": claim, "resource_title": title, "count": count}
            for (claim, title), count in myths.most_common(10)
        ],
    )
