"""The desk contract on the team database: reads with SQL, every change through its functions.

A :class:`TeamDesk` acts as the database login of its connections (``session_user``); no
call passes a user name. Writes go through the ``SECURITY DEFINER`` functions of the
migrations, which check the login's role, change the state and journal it in one
transaction; reads come from the tables, by their indexes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from psycopg_pool import ConnectionPool

from triage.config import Config
from triage.convert import iso
from triage.desk import check_status, check_tag, last_of, refuse_undo
from triage.errors import NotFound
from triage.history import NOT_ACTS, HistoryEntry
from triage.model import STATUSES, Action, Comment, Post, Tag, utcnow
from triage.notes import Note, notes_from_records
from triage.service import ChainCheck, Lease
from triage.teamdb import calls
from triage.teamdb.calls import action_from_row, comment_from_row
from triage.teamdb.connection import open_pool

if TYPE_CHECKING:
    from triage.templates import TemplateLibrary

__all__ = ["TeamDesk", "open_team_desk"]

P = ParamSpec("P")
R = TypeVar("R")
Conn = calls.Conn

#: Rows read at a time when walking the comments or the journal.
CHUNK = 500


def open_team_desk(url: str, *, size: int = 2,
                   tagger: Callable[[str], tuple[Tag, ...]] | None = None,
                   config: Config | None = None,
                   library: TemplateLibrary | None = None) -> TeamDesk:
    """A desk on the team database at ``url`` (the password the libpq way), acting as the
    login that connects; with ``config``, replies are checked against the reply policies
    (and ``library``'s templates) before they reach the outbox."""
    return TeamDesk(open_pool(url, size), tagger=tagger, config=config, library=library)


class TeamDesk:
    """Reads and commands on the team store, as the login of ``pool``'s connections."""

    shared = True

    def __init__(self, pool: ConnectionPool,
                 tagger: Callable[[str], tuple[Tag, ...]] | None = None,
                 config: Config | None = None, library: TemplateLibrary | None = None) -> None:
        self.pool = pool
        self.tagger = tagger
        self.config = config
        self.library = library
        self.user: str = str(self.rows("SELECT session_user AS login")[0]["login"])

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read-only ``query`` on a pooled connection."""
        with self.pool.connection() as conn:
            return calls.query_rows(conn, query, params)

    def _call(self, fn: Callable[Concatenate[Conn, P], R], *args: P.args,
              **kwargs: P.kwargs) -> R:
        with self.pool.connection() as conn:
            return fn(conn, *args, **kwargs)

    def close(self) -> None:
        """Drop this login's presence leases and close the connections."""
        if not self.pool.closed:
            self.rows("SELECT triage.lease_release(comment_id) AS gone FROM triage.leases "
                       "WHERE person = session_user")
            self.pool.close()

    # -- reads -----------------------------------------------------------------------

    def get(self, comment_id: str) -> Comment:
        rows = self.rows("SELECT * FROM triage.comments WHERE id = %s", (comment_id,))
        if not rows:
            raise NotFound(f"no comment with id {comment_id!r}")
        return comment_from_row(rows[0])

    def get_many(self, ids: Iterable[str]) -> list[Comment]:
        wanted = list(ids)
        rows = self.rows("SELECT * FROM triage.comments WHERE id = ANY(%s)", (wanted,))
        found = {row["id"]: comment_from_row(row) for row in rows}
        for comment_id in wanted:
            if comment_id not in found:
                raise NotFound(f"no comment with id {comment_id!r}")
        return [found[i] for i in wanted]

    def known(self, ids: Iterable[str]) -> set[str]:
        rows = self.rows("SELECT id FROM triage.comments WHERE id = ANY(%s)", (list(ids),))
        return {r["id"] for r in rows}

    def _newest_first(self) -> Iterator[Comment]:
        after: tuple[datetime, str] | None = None
        while True:
            if after is None:
                rows = self.rows("SELECT * FROM triage.comments ORDER BY created_at DESC, "
                                  "id DESC LIMIT %s", (CHUNK,))
            else:
                rows = self.rows("SELECT * FROM triage.comments WHERE (created_at, id) < "
                                  "(%s, %s) ORDER BY created_at DESC, id DESC LIMIT %s",
                                  (*after, CHUNK))
            for row in rows:
                yield comment_from_row(row)
            if len(rows) < CHUNK:
                return
            after = (rows[-1]["created_at"], rows[-1]["id"])

    def iter_comments(self) -> Iterator[Comment]:
        return self._newest_first()

    def newest(self, wanted: Callable[[Comment], bool], limit: int | None) -> list[Comment]:
        rows: list[Comment] = []
        if limit is not None and limit <= 0:
            return rows
        for comment in self._newest_first():
            if wanted(comment):
                rows.append(comment)
                if limit is not None and len(rows) >= limit:
                    break
        return rows

    def counts(self) -> dict[str, int]:
        found = {r["status"]: r["n"] for r in self.rows(
            "SELECT status, count(*) AS n FROM triage.comments GROUP BY status")}
        return {s: int(found.get(s, 0)) for s in STATUSES}

    def thread(self, comment: Comment) -> tuple[Comment | None, list[Comment]]:
        if not comment.parent_id:
            return None, []
        parent = self.rows("SELECT * FROM triage.comments WHERE id = %s", (comment.parent_id,))
        siblings = self.rows("SELECT * FROM triage.comments WHERE parent_id = %s AND id <> %s "
                              "ORDER BY created_at, id", (comment.parent_id, comment.id))
        return (comment_from_row(parent[0]) if parent else None,
                [comment_from_row(r) for r in siblings])

    def replies(self, comment: Comment) -> list[Comment]:
        return [comment_from_row(r) for r in self.rows(
            "SELECT * FROM triage.comments WHERE parent_id = %s ORDER BY created_at, id",
            (comment.id,))]

    def author_history(self, comment: Comment, *, limit: int = 200) -> list[HistoryEntry]:
        """The author's other comments on the platform, newest first, with what the team
        did with each."""
        if comment.author.id:
            where, who = "author_id = %s", comment.author.id
        else:
            where, who = "author_id = '' AND author = %s", comment.author.name
        found = [comment_from_row(r) for r in self.rows(
            f"SELECT * FROM triage.comments WHERE platform = %s AND {where} AND id <> %s "
            "ORDER BY created_at DESC, id DESC LIMIT %s",
            (comment.platform, who, comment.id, limit))]
        acts: dict[str, list[Action]] = {}
        if found:
            for row in self.rows(
                    "SELECT * FROM triage.journal WHERE comment_id = ANY(%s) "
                    "AND NOT kind = ANY(%s) AND kind NOT LIKE 'delivery%%' ORDER BY seq",
                    ([c.id for c in found], sorted(NOT_ACTS | {"history"}))):
                acts.setdefault(row["comment_id"], []).append(action_from_row(row))
        return [HistoryEntry(c, tuple(acts.get(c.id, ()))) for c in found]

    def notes(self, comment_id: str) -> list[Note]:
        rows = self.rows("SELECT key, doc FROM triage.records WHERE tbl = 'notes' "
                          "AND doc ->> 'comment_id' = %s", (comment_id,))
        return notes_from_records({r["key"]: r["doc"] for r in rows}).get(comment_id, [])

    def records(self, table: str) -> dict[str, dict[str, Any]]:
        rows = self.rows("SELECT key, doc FROM triage.records WHERE tbl = %s", (table,))
        return {r["key"]: r["doc"] for r in rows}

    def _journal(self, where: str, params: Sequence[Any], order: str) -> Iterator[dict[str, Any]]:
        """Journal rows as the embedded journal's entries, ``order`` by seq, by chunks."""
        op = ">" if order == "ASC" else "<"
        last: int | None = None
        while True:
            bound = "" if last is None else f" AND seq {op} {int(last)}"
            rows = self.rows(f"SELECT * FROM triage.journal WHERE {where}{bound} "
                              f"ORDER BY seq {order} LIMIT {CHUNK}", params)
            for row in rows:
                body = row["body"] or {}
                yield {"seq": row["seq"], "at": iso(row["at"]), "user": row["actor"],
                       "kind": row["kind"], "comment_id": row["comment_id"],
                       **{k: body[k] for k in ("before", "after", "batch", "data", "entry")
                          if k in body}}
            if len(rows) < CHUNK:
                return
            last = rows[-1]["seq"]

    def journal_entries(self) -> Iterator[dict[str, Any]]:
        """The journal, oldest first (a copied store's history rows as their entries)."""
        for doc in self._journal("true", (), "ASC"):
            if doc["kind"] == "history" and isinstance(doc.get("entry"), dict):
                yield doc["entry"]
            else:
                yield doc

    def last_actions(self) -> list[Action]:
        return last_of(self._journal("actor = session_user", (), "DESC"), self.user)

    def held_among(self, ids: Sequence[str]) -> int:
        rows = self.rows("SELECT count(*) AS n FROM unnest(%s::text[]) AS i WHERE "
                          "triage.held(i)", (list(ids),))
        return int(rows[0]["n"])

    def verify_journal(self) -> ChainCheck:
        return self._call(calls.verify_journal)

    # -- writes ----------------------------------------------------------------------

    def dismiss(self, ids: Sequence[str], reason: str | None = None) -> list[Action]:
        return self._call(calls.dismiss, ids, reason)

    def restore(self, ids: Sequence[str]) -> list[Action]:
        return self._call(calls.restore, ids)

    def set_status(self, ids: Sequence[str], status: str) -> list[Action]:
        check_status(status)
        return self._call(calls.set_status, ids, status)

    def assign(self, ids: Sequence[str], person: str | None) -> list[Action]:
        return self._call(calls.assign, ids, person)

    def correct_tag(self, ids: Sequence[str], tag: str, *, add: bool) -> list[Action]:
        check_tag(tag)
        return self._call(calls.correct_tag, ids, tag, add=add)

    def add_note(self, comment_id: str, text: str) -> Action:
        return self._call(calls.add_note, comment_id, text)

    def undo(self) -> list[Action]:
        """Take back this login's last action (all of its batch); the database checks it
        is the login's own and unchanged since."""
        targets = self.last_actions()
        refuse_undo(targets)
        return self._call(calls.undo, [t.seq for t in targets])

    def claim_next(self) -> Comment | None:
        return self._call(calls.claim_next)

    def lease_set(self, comment_id: str, what: str, seconds: int) -> datetime:
        return self._call(calls.lease_set, comment_id, what, seconds)

    def lease_release(self, comment_id: str) -> bool:
        return self._call(calls.lease_release, comment_id)

    def leases(self, comment_id: str | None = None) -> list[Lease]:
        return self._call(calls.leases, comment_id)

    def submit_reply(self, comment_id: str, text: str, template_id: str | None) -> Action:
        """Put a reply in the outbox; the reply policies are checked first (a blocking hit
        is refused, naming it), then the database checks the role, the hold and repeats."""
        from triage.outbox.book import normal_text
        from triage.outbox.commands import check_item, local_today

        text = normal_text(text)
        if self.config is not None:
            check_item(self.get(comment_id), self.library, template_id, text,
                       local_today(utcnow()), self.config)
        return self._call(calls.submit_reply, comment_id, text, template_id)

    def approve_reply(self, item_id: str, note: str = "") -> Action:
        return self._call(calls.approve_reply, item_id, note)

    def reveal(self, comments: Iterable[Comment], where: str = "") -> list[Action]:
        """Journal that this login (legal only, the database checks) read the identifiers
        of ``comments``."""
        from triage.legal.masking import has_identifiers, reveal_data

        done: list[Action] = []
        for comment in comments:
            if has_identifiers(comment):
                done.append(self._call(calls.reveal, comment.id, reveal_data(comment, where)))
        return done

    def hold_place(self, comment_id: str, reason: str, escalation: str) -> Action:
        return self._call(calls.hold_place, comment_id, reason,
                          escalation)

    def hold_release(self, comment_id: str, note: str) -> Action:
        return self._call(calls.hold_release, comment_id, note)

    def capture(self, comments: Iterable[Comment], posts: Iterable[Post] = (), *,
                tagged: bool = False) -> tuple[int, int, int]:
        """Store synced or imported comments, tagged here first unless ``tagged`` says
        they come tagged already: (new, updated, unchanged)."""
        tag = None if tagged else self.tagger
        ready = [replace(c, tags=tag(c.text)) if tag is not None else c for c in comments]
        return self._call(calls.capture, ready, list(posts))
