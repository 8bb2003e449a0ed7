"""Scoring the tagger on labelled comments (the JSON-lines format of TAGS.md).

Each line has ``text`` and ``labels``; an optional ``judged`` list names the tags the
labels speak for (without it, all six). A tag counts on a line only where it was judged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from triage.model import TAG_NAMES, Tag

__all__ = ["Evaluation", "LabelledComment", "Miss", "TagCounts", "evaluate", "read_labelled"]


@dataclass(frozen=True, slots=True)
class LabelledComment:
    """One labelled line: its text, the true tags, and the tags that were judged."""

    id: str
    text: str
    labels: frozenset[str]
    judged: frozenset[str]
    where: str


@dataclass(frozen=True, slots=True)
class Miss:
    """A tag the tagger got wrong on one comment."""

    kind: str  # "miss" or "false alarm"
    tag: str
    comment: LabelledComment
    source: str = ""


@dataclass(slots=True)
class TagCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.support if self.support else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


@dataclass(slots=True)
class Evaluation:
    """Per-tag counts over every judged line, and what went wrong."""

    counts: dict[str, TagCounts] = field(default_factory=dict)
    errors: list[Miss] = field(default_factory=list)
    comments: int = 0

    @property
    def macro_f1(self) -> float | None:
        scores = [c.f1 for c in self.counts.values() if c.support and c.f1 is not None]
        return sum(scores) / len(scores) if scores else None

    def as_json(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "tags": {
                name: {
                    "precision": rounded(c.precision),
                    "recall": rounded(c.recall),
                    "f1": rounded(c.f1),
                    "support": c.support,
                }
                for name, c in self.counts.items()
            },
            "macro_f1": rounded(self.macro_f1),
        }


def read_labelled(path: Path, problems: list[str]) -> Iterator[LabelledComment]:
    """The labelled comments of ``path``; a bad line is added to ``problems`` and skipped."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            where = f"{path}: line {number}"
            try:
                row = orjson.loads(raw)
            except orjson.JSONDecodeError:
                problems.append(f"{where}: not valid JSON")
                continue
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                problems.append(f"{where}: needs a 'text' string")
                continue
            labels = row.get("labels", [])
            judged = row.get("judged", list(TAG_NAMES))
            if not _tag_list(labels) or not _tag_list(judged):
                problems.append(
                    f"{where}: 'labels' and 'judged' must be lists of tag names "
                    f"({', '.join(TAG_NAMES)})"
                )
                continue
            yield LabelledComment(
                id=str(row.get("id", f"line-{number}")),
                text=row["text"],
                labels=frozenset(labels),
                judged=frozenset(judged),
                where=where,
            )


def _tag_list(value: Any) -> bool:
    return isinstance(value, list) and all(item in TAG_NAMES for item in value)


def evaluate(
    comments: Iterable[LabelledComment], tag: Callable[[str], tuple[Tag, ...]]
) -> Evaluation:
    """Run ``tag`` on every comment and count hits, misses and false alarms per tag."""
    result = Evaluation()
    for comment in comments:
        result.comments += 1
        predicted = {t.name: t for t in tag(comment.text)}
        for name in TAG_NAMES:
            if name not in comment.judged:
                continue
            counts = result.counts.setdefault(name, TagCounts())
            truth = name in comment.labels
            if truth and name in predicted:
                counts.tp += 1
            elif truth:
                counts.fn += 1
                result.errors.append(Miss("miss", name, comment))
            elif name in predicted:
                counts.fp += 1
                result.errors.append(Miss("false alarm", name, comment, predicted[name].source))
    result.counts = {name: result.counts[name] for name in TAG_NAMES if name in result.counts}
    return result
