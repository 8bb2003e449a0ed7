"""The tagger measured against the team's corrections: where it is wrong, week by week.

A comment counts as reviewed once someone acted on it (any journaled action but capture).
On a reviewed comment, the team's answer for a tag is what the comment carries now; the
tagger's answer is what it carried before any hand correction. So a tag the team removed
was a false alarm, a tag the team added was a miss, and a tag left in place was right.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from triage.convert import parse_time
from triage.model import TAG_NAMES
from triage.store import Store

__all__ = ["Feedback", "TagScore", "feedback_from_journal"]

NOT_REVIEW = frozenset({"capture", "update", "model_tag"})


@dataclass(slots=True)
class TagScore:
    """Counts for one tag, and the figures they give."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def as_dict(self) -> dict[str, float | int | None]:
        p, r = self.precision, self.recall
        return {
            "precision": None if p is None else round(p, 3),
            "recall": None if r is None else round(r, 3),
            "support": self.tp + self.fn,
            "false_alarms": self.fp,
            "misses": self.fn,
        }


@dataclass(slots=True)
class Feedback:
    """Scores overall and per ISO week (``2026-W47``) of the first review."""

    reviewed: int = 0
    corrections: int = 0
    tags: dict[str, TagScore] = field(default_factory=dict)
    weeks: dict[str, dict[str, TagScore]] = field(default_factory=dict)


def _week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def feedback_from_journal(store: Store) -> Feedback:
    """Score the tagger on every reviewed comment against the team's corrections."""
    first_review: dict[str, datetime] = {}
    removed: dict[str, set[str]] = defaultdict(set)  # the tagger's tags the team took off
    corrections = 0
    for _, entry in store.journal.read():
        comment_id = entry.get("comment_id")
        kind = entry.get("kind")
        if not comment_id or kind in NOT_REVIEW:
            continue
        first_review.setdefault(comment_id, parse_time(entry["at"]))
        data = entry.get("data") or {}
        if kind == "tag" and data.get("tag") in TAG_NAMES:
            corrections += 1
            if data.get("op") == "remove" and data.get("tagger_had"):
                removed[comment_id].add(data["tag"])
    result = Feedback(corrections=corrections, tags={name: TagScore() for name in TAG_NAMES})
    for comment_id, moment in first_review.items():
        comment = store.comments.get(comment_id)
        if comment is None:
            continue
        result.reviewed += 1
        truth = set(comment.tag_names)
        predicted = {t.name for t in comment.tags
                     if not t.source.startswith("manual:") and not t.possible}
        predicted |= removed[comment_id]
        week = result.weeks.setdefault(_week(moment), {n: TagScore() for n in TAG_NAMES})
        for name in TAG_NAMES:
            for score in (result.tags[name], week[name]):
                if name in truth and name in predicted:
                    score.tp += 1
                elif name in predicted:
                    score.fp += 1
                elif name in truth:
                    score.fn += 1
    return result
