"""The model pass: after the rules' tags are stored, score the comments not scored yet and
journal what the learned layer adds (``model_tag``, by user "model"): a tag, or a possible
crisis for a person to decide. It never removes a tag, and never gives a text again a tag
that a person took off it.

Scoring (the slow part) may run on any thread; applying runs where the store is owned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from triage.convert import tag_to_doc
from triage.learned.layer import ModelLayer, Suggestion
from triage.model import TAG_NAMES, Comment, Tag
from triage.store import Store, stored_fields

__all__ = ["EVIDENCE", "MODEL_USER", "STATE_KEY", "ModelPass", "PassResult", "Scored",
           "evidence_for"]

#: The journal's user for what the learned layer adds.
MODEL_USER = "model"
#: The record table holding each model tag's evidence (probability, nearest examples).
EVIDENCE = "model_evidence"
#: The store state listing the comments already scored (id -> start of the text's hash).
STATE_KEY = "model_pass"


@dataclass(frozen=True, slots=True)
class Scored:
    comment_id: str
    digest: str
    suggestions: tuple[Suggestion, ...]


@dataclass(slots=True)
class PassResult:
    scored: int = 0
    tagged: int = 0
    possible: int = 0


def evidence_for(store: Store, comment_id: str) -> dict[str, Any]:
    """The learned layer's evidence on a comment's current text, by tag ({} when it added
    nothing)."""
    doc = store.get_record(EVIDENCE, comment_id) or {}
    comment = store.comments.get(comment_id)
    if comment is None or doc.get("hash") != comment.content_hash[:16]:
        return {}
    tags = doc.get("tags")
    return tags if isinstance(tags, dict) else {}


class ModelPass:
    """Finds the comments to score, scores them in batches, journals the additions."""

    def __init__(self, store: Store, layer: ModelLayer, *, batch: int = 32) -> None:
        self.store = store
        self.layer = layer
        self.batch = batch
        state = store.state(STATE_KEY) or {}
        done = state.get("done")
        #: Comment id -> the start of the hash of the text scored (kept in the store).
        self._done: dict[str, str] = dict(done) if isinstance(done, dict) else {}
        #: Comment id -> the text object known scored, so that a text is hashed once.
        self._known: dict[str, str] = {}

    def pending(self) -> list[Comment]:
        """The comments whose current text the model has not scored, newest first."""
        out = []
        for comment in self.store.comments.values():
            if self._known.get(comment.id) is comment.text or comment.status == "deleted":
                continue
            if self._done.get(comment.id) == comment.content_hash[:16]:
                self._known[comment.id] = comment.text
                continue
            out.append(comment)
        out.sort(key=lambda c: (c.created_at, c.id), reverse=True)
        return out

    def score(self, comments: list[Comment]) -> list[Scored]:
        """The model's suggestions for ``comments`` (no store writes: any thread)."""
        found = self.layer.suggest([c.text for c in comments],
                                   [set(c.tag_names) for c in comments])
        return [Scored(c.id, c.content_hash[:16], tuple(s)) for c, s in zip(comments, found,
                                                                             strict=True)]

    def apply(self, scored: list[Scored]) -> PassResult:
        """Journal the additions for comments whose text is still the one scored."""
        result = PassResult()
        entries: list[dict[str, Any]] = []
        for item in scored:
            comment = self.store.comments.get(item.comment_id)
            if comment is None or comment.content_hash[:16] != item.digest:
                continue
            result.scored += 1
            self._done[item.comment_id] = item.digest
            self._known[item.comment_id] = comment.text
            entry = self._entry(comment, item.suggestions)
            if entry is not None:
                entries.append(entry)
                added = entry["data"]["added"]
                result.tagged += sum(1 for a in added if not a["possible"])
                result.possible += sum(1 for a in added if a["possible"])
        if entries:
            self.store.record(entries)
        if result.scored:
            self.store.set_state(STATE_KEY, {"heads": self.layer.heads.version,
                                             "done": dict(self._done)})
        return result

    def _entry(self, comment: Comment, suggestions: tuple[Suggestion, ...]
               ) -> dict[str, Any] | None:
        have = set(comment.tag_names)
        doc = self.store.get_record(EVIDENCE, comment.id) or {}
        digest = comment.content_hash[:16]
        evidence = dict(doc.get("tags") or {}) if doc.get("hash") == digest else {}
        # A tag the model gave this text before and that is gone now was taken off by a
        # person: it is never given again.
        fresh = [s for s in suggestions if s.tag not in have and s.tag not in evidence]
        if not fresh:
            return None
        tags = list(comment.tags)
        for s in fresh:
            tags.append(Tag(s.tag, s.p, (), s.source))
        tags.sort(key=lambda t: TAG_NAMES.index(t.name))
        after = {"tags": [tag_to_doc(t) for t in tags]}
        added = []
        for s in fresh:
            detail = {"p": s.p, "possible": s.possible,
                      "nearest": [[n.id, n.text, n.similarity] for n in s.nearest]}
            evidence[s.tag] = detail
            added.append({"tag": s.tag, **detail})
        return {
            "user": MODEL_USER, "kind": "model_tag", "comment_id": comment.id,
            "before": stored_fields(comment, after), "after": after,
            "data": {"heads": self.layer.heads.version, "added": added,
                     "record": {"table": EVIDENCE, "key": comment.id,
                                "doc": {"hash": digest, "tags": evidence}}},
        }

    def run(self, *, limit: int | None = None,
            progress: Callable[[PassResult], None] | None = None) -> PassResult:
        """Score and apply every pending comment (up to ``limit``), batch by batch."""
        total = PassResult()
        todo = self.pending()[:limit] if limit is not None else self.pending()
        for start in range(0, len(todo), self.batch):
            part = self.apply(self.score(todo[start:start + self.batch]))
            total.scored += part.scored
            total.tagged += part.tagged
            total.possible += part.possible
            if progress is not None:
                progress(total)
        return total

