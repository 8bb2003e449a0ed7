"""In-memory indexes of the queue, kept in step by the store, so queries need not scan it all.

Ids are indexed by status, tag, platform and assignee, and by author (one person's
comments across the accounts of a platform); each comment's text is kept case-folded for
search. A query's indexed terms narrow it to a candidate set with set
algebra; only the rest of its terms are checked comment by comment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime

from triage.model import Comment
from triage.query import LegalStates, Query

__all__ = ["INDEXED", "QueueIndex", "author_key"]

#: Query fields answered from the index.
INDEXED = ("status", "tag", "platform", "assignee")


def author_key(comment: Comment) -> tuple[str, str]:
    """Who wrote ``comment``, as the index knows them: the platform and the author's id
    there (their name when the platform gave no id)."""
    return comment.platform, comment.author.id or comment.author.name


def _keys(comment: Comment) -> list[tuple[str, str]]:
    keys = [("status", comment.status), ("platform", comment.platform),
            ("assignee", comment.assignee or "none")]
    keys.extend(("tag", tag.name) for tag in comment.tags)
    return keys


class QueueIndex:
    """Sets of comment ids by field value, and the case-folded text of each comment."""

    def __init__(self) -> None:
        self._sets: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.folded: dict[str, str] = {}
        #: Replies by the id of the comment they answer.
        self.children: dict[str, set[str]] = defaultdict(set)
        #: Comment ids by :func:`author_key`.
        self.by_author: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._newest: list[str] | None = None
        self._created: dict[str, tuple[datetime, str]] = {}

    def build(self, comments: Iterable[Comment]) -> None:
        for comment in comments:
            self.add(comment)

    def add(self, comment: Comment) -> None:
        self._newest = None
        self._created[comment.id] = (comment.created_at, comment.id)
        for key in _keys(comment):
            self._sets[key].add(comment.id)
        self.folded[comment.id] = comment.text.casefold()
        if comment.parent_id:
            self.children[comment.parent_id].add(comment.id)
        self.by_author[author_key(comment)].add(comment.id)

    def remove(self, comment: Comment) -> None:
        self._newest = None
        self._created.pop(comment.id, None)
        for key in _keys(comment):
            self._sets[key].discard(comment.id)
        self.folded.pop(comment.id, None)
        if comment.parent_id:
            self.children[comment.parent_id].discard(comment.id)
        self.by_author[author_key(comment)].discard(comment.id)

    def replace(self, old: Comment, new: Comment) -> None:
        if _keys(old) != _keys(new):
            for key in _keys(old):
                self._sets[key].discard(old.id)
            for key in _keys(new):
                self._sets[key].add(new.id)
        if old.text != new.text:
            self.folded[new.id] = new.text.casefold()
        if author_key(old) != author_key(new):
            self.by_author[author_key(old)].discard(old.id)
            self.by_author[author_key(new)].add(new.id)

    def newest_first(self) -> list[str]:
        """Every id, newest comment first (kept until comments are added or removed)."""
        if self._newest is None:
            created = self._created
            self._newest = sorted(created, key=lambda i: (created[i], i), reverse=True)
        return self._newest

    def ids(self, field: str, value: str) -> set[str]:
        return self._sets.get((field, value), set())

    def candidates(self, query: Query, user: str) -> set[str] | None:
        """Ids that satisfy every indexed term of ``query``; None when it has none."""
        chosen: set[str] | None = None
        excluded: set[str] = set()
        for term in query.terms:
            if term.field not in INDEXED:
                continue
            values = [user if (term.field == "assignee" and v == "me") else v
                      for v in term.values]
            union: set[str] = set().union(*(self.ids(term.field, v) for v in values))
            if term.negated:
                excluded |= union
            else:
                chosen = union if chosen is None else chosen & union
        if chosen is None:
            return None if not excluded else set(self.folded) - excluded
        return chosen - excluded

    def select(self, query: Query, comments: Mapping[str, Comment], *, now: datetime,
               user: str, legal: LegalStates | None = None) -> list[Comment]:
        """The comments matching ``query``, using the index where it can."""
        ids = self.select_ids(query, comments, now=now, user=user, legal=legal)
        return list(comments.values()) if ids is None else [comments[i] for i in ids]

    def select_ids(self, query: Query, comments: Mapping[str, Comment], *, now: datetime,
                   user: str, legal: LegalStates | None = None) -> Iterable[str] | None:
        """The ids matching ``query``; None means every comment."""
        candidates = self.candidates(query, user)
        rest = [t for t in query.terms if t.field not in INDEXED]
        if not rest:
            return candidates
        pool: Iterable[str] = comments.keys() if candidates is None else candidates
        texts = [t for t in rest if t.field == "text"]
        others = Query(tuple(t for t in rest if t.field != "text"))
        folded = self.folded
        for term in texts:
            if len(term.values) == 1 and not term.negated:
                needle = term.values[0]
                pool = [i for i in pool if needle in folded[i]]
            else:
                pool = [i for i in pool
                        if any(v in folded[i] for v in term.values) != term.negated]
        if others.empty:
            return pool
        match = others.matcher(now=now, user=user, legal=legal)
        return [i for i in pool if match(comments[i])]

    def count(self, query: Query, comments: Mapping[str, Comment], *, now: datetime,
              user: str, legal: LegalStates | None = None) -> int:
        if all(t.field in INDEXED for t in query.terms):
            candidates = self.candidates(query, user)
            return len(comments) if candidates is None else len(candidates)
        return len(self.select(query, comments, now=now, user=user, legal=legal))
