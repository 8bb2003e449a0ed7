"""The team store's answers to what the screens read: a view's page and counts, presence news.

:class:`TeamReads` is mixed into :class:`triage.teamdb.desk.TeamDesk`. A view's query is
matched in Python over the comments read from the table (the query language's legal terms
need the embedded store's legal records and match nothing here); live changes come from
LISTEN/NOTIFY through :class:`triage.teamdb.watch.TeamWatch`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from psycopg_pool import ConnectionPool

from triage.groups import Grouper
from triage.model import Comment, Post, utcnow
from triage.query import LegalStates, Query
from triage.teamdb.calls import comment_from_row
from triage.teamdb.watch import TeamWatch

if TYPE_CHECKING:
    from triage.views import Sla, View

__all__ = ["TeamReads"]

_OPEN = "new"


class TeamReads:
    """What the TUI reads of the queue, from the team database."""

    pool: ConnectionPool
    user: str
    _grouper: Grouper

    if TYPE_CHECKING:
        def rows(self, query: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...
        def iter_comments(self) -> Iterator[Comment]: ...
        def lease_release(self, comment_id: str) -> bool: ...

    # -- live changes and presence ---------------------------------------------------

    def watch(self) -> TeamWatch:
        """What other logins change, as it happens (close it when done)."""
        return TeamWatch(str(self.pool.conninfo), self.user, self.rows, utcnow)

    def announce(self, ids: Iterable[str]) -> None:
        """Nothing to do: the database announces every change as it commits."""

    def release_all(self) -> None:
        """Let go of every lease this login holds."""
        for row in self.rows("SELECT comment_id FROM triage.leases WHERE person = "
                             "session_user"):
            self.lease_release(row["comment_id"])

    # -- the queue's state -----------------------------------------------------------

    @property
    def loaded(self) -> bool:
        """Always: the database answers each read."""
        return True

    @property
    def expected_total(self) -> int:
        return self.totals()[0]

    @property
    def version(self) -> int:
        """The journal's last entry: it grows with every change."""
        return int(self.rows("SELECT coalesce(max(seq), 0) AS v FROM triage.journal")[0]["v"])

    def find(self, comment_id: str) -> Comment | None:
        rows = self.rows("SELECT * FROM triage.comments WHERE id = %s", (comment_id,))
        return comment_from_row(rows[0]) if rows else None

    def query_page(self, view: View, *, narrow: Query | None = None, now: datetime,
                   sla: Sla, priority: Sequence[str]) -> list[Comment]:
        """The comments of ``view`` narrowed by a search, in the view's order."""
        from triage.views import View as ViewOf

        query = view.query if narrow is None else Query(view.query.terms + narrow.terms)
        return ViewOf(view.name, query, view.sort).select(
            self.iter_comments(), now=now, user=self.user, sla=sla, priority=priority)

    def view_counts(self, queries: Sequence[Query], *, now: datetime,
                    legal: LegalStates | None, late: set[str]) -> list[tuple[int, int]]:
        """For each query: how many comments match, and how many of them are ``late``."""
        comments = list(self.iter_comments())
        found = []
        for query in queries:
            match = query.matcher(now=now, user=self.user, legal=legal)
            ids = {c.id for c in comments if match(c)}
            found.append((len(ids), len(ids & late)))
        return found

    def late_ids(self, sla: Sla, now: datetime) -> set[str]:
        """The open comments past their SLA target."""
        rows = self.rows("SELECT * FROM triage.comments WHERE status = %s", (_OPEN,))
        late = set()
        for row in rows:
            deadline = sla.deadline(comment_from_row(row))
            if deadline is not None and deadline < now:
                late.add(row["id"])
        return late

    def open_crises(self) -> set[str]:
        rows = self.rows("SELECT * FROM triage.comments WHERE status = %s", (_OPEN,))
        return {r["id"] for r in rows if comment_from_row(r).tag("crisis") is not None}

    def totals(self) -> tuple[int, int]:
        row = self.rows("SELECT count(*) AS n, count(*) FILTER (WHERE status = %s) AS o "
                        "FROM triage.comments", (_OPEN,))[0]
        return int(row["n"]), int(row["o"])

    def post(self, post_id: str | None) -> Post | None:
        rows = self.rows("SELECT * FROM triage.posts WHERE id = %s", (post_id or "",))
        if not rows:
            return None
        row = rows[0]
        return Post(id=row["id"], platform=row["platform"], account=row["account"],
                    text=row["text"], created_at=row["created_at"], permalink=row["permalink"])

    # -- near-copies -----------------------------------------------------------------

    def grouper(self) -> Grouper:
        """Near-copies of one comment grouped, over the comments stored now."""
        self._grouper.follow({c.id: c for c in self.iter_comments()})
        return self._grouper

    def adopt_grouper(self, grouper: Grouper) -> None:
        self._grouper = grouper
