"""The embedded store's reads for the screens: pages of a view, its counts, threads.

:class:`SeatReads` is mixed into :class:`triage.desk.Desk`; the team store answers the
same methods from its tables (:class:`triage.teamdb.desk.TeamDesk`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from triage.errors import NotFound
from triage.history import HistoryEntry, author_history
from triage.model import Comment, Post
from triage.query import LegalStates, Query
from triage.store import Store

if TYPE_CHECKING:
    from triage.views import Sla, View

__all__ = ["SeatReads"]

_OPEN = "new"


class SeatReads:
    """What the TUI reads of the queue, on one data folder."""

    store: Store
    user: str


    @property
    def loaded(self) -> bool:
        """Whether every comment is read in (a big queue loads after the desk opens)."""
        return self.store.loaded

    @property
    def expected_total(self) -> int:
        """How many comments the queue holds once loaded (known before it is)."""
        return self.store.expected_total

    @property
    def version(self) -> int:
        """Grows with every change of the store: read again when it moved."""
        return self.store.version

    def find(self, comment_id: str) -> Comment | None:
        """The comment with ``comment_id``, or None."""
        return self.store.comments.get(comment_id)

    def get_many(self, ids: Iterable[str]) -> list[Comment]:
        """The comments with ``ids``, in that order; an unknown id is refused."""
        out = []
        for comment_id in ids:
            comment = self.store.comments.get(comment_id)
            if comment is None:
                raise NotFound(f"no comment with id {comment_id!r}")
            out.append(comment)
        return out

    def query_page(self, view: View, *, narrow: Query | None = None, now: datetime,
                   sla: Sla, priority: Sequence[str]) -> list[Comment]:
        """The comments of ``view`` narrowed by a search, in the view's order."""
        return view.select_indexed(self.store, narrow=narrow, now=now, user=self.user,
                                   sla=sla, priority=priority)

    def view_counts(self, queries: Sequence[Query], *, now: datetime, legal: LegalStates | None,
               late: set[str]) -> list[tuple[int, int]]:
        """For each query: how many comments match, and how many of them are ``late``."""
        index, comments = self.store.index, self.store.comments
        found = []
        for query in queries:
            if not late:
                found.append((index.count(query, comments, now=now, user=self.user,
                                          legal=legal), 0))
                continue
            ids = {c.id for c in index.select(query, comments, now=now, user=self.user,
                                              legal=legal)}
            found.append((len(ids), len(ids & late)))
        return found

    def late_ids(self, sla: Sla, now: datetime) -> set[str]:
        """The open comments past their SLA target."""
        return sla.late_ids(self.store, now)

    def open_crises(self) -> set[str]:
        """The ids of the open comments tagged crisis."""
        index = self.store.index
        return index.ids("status", _OPEN) & index.ids("tag", "crisis")

    def totals(self) -> tuple[int, int]:
        """How many comments the queue holds, and how many of them are open."""
        return len(self.store.comments), len(self.store.index.ids("status", _OPEN))

    def post(self, post_id: str | None) -> Post | None:
        """The post a comment was left on, when it is stored."""
        return self.store.posts.get(post_id or "")

    def thread(self, comment: Comment) -> tuple[Comment | None, list[Comment]]:
        """The comment's parent and its siblings (other replies to the same parent)."""
        if not comment.parent_id:
            return None, []
        parent = self.store.comments.get(comment.parent_id)
        ids = self.store.index.children.get(comment.parent_id, set()) - {comment.id}
        return parent, self._by_time(ids)

    def replies(self, comment: Comment) -> list[Comment]:
        """The replies to ``comment``, oldest first."""
        return self._by_time(self.store.index.children.get(comment.id, set()))

    def _by_time(self, ids: Iterable[str]) -> list[Comment]:
        found = [self.store.comments[i] for i in ids if i in self.store.comments]
        found.sort(key=lambda c: (c.created_at, c.id))
        return found

    def author_history(self, comment: Comment) -> list[HistoryEntry]:
        """The author's other comments on the platform (every account), newest first,
        with what the team did with each."""
        return author_history(self.store, comment)
