"""Typed calls of the team database's functions: what people do, as the login they are.

Every call runs in its own transaction on a connection from :func:`connect`; the database
checks the login's roles, changes the state and journals it, and tells listeners on commit.
No call takes a user name: the actor is always the login (``session_user``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from triage.convert import comment_to_doc, post_to_doc, tag_from_doc
from triage.model import Action, Author, Comment, Post
from triage.service import ChainCheck, Lease
from triage.teamdb.connection import translated

__all__ = [
    "CHANNEL",
    "Change",
    "ChainCheck",
    "Lease",
    "add_note",
    "approve_reply",
    "assign",
    "capture",
    "changes",
    "action_from_row",
    "claim_next",
    "comment_from_row",
    "correct_tag",
    "dismiss",
    "hold_place",
    "hold_release",
    "lease_release",
    "lease_set",
    "leases",
    "listen",
    "query_rows",
    "restore",
    "reveal",
    "set_state",
    "set_status",
    "submit_reply",
    "undo",
    "verify_journal",
]

#: The channel on which every committed change is announced.
CHANNEL = "triage_changes"

Conn = psycopg.Connection[Any]


@dataclass(frozen=True, slots=True)
class Change:
    """One announcement on :data:`CHANNEL`: a journal ``seq`` (None for presence), its
    kind, the comment, and for presence the person."""

    seq: int | None
    kind: str
    comment_id: str | None
    person: str | None = None


def action_from_row(row: dict[str, Any]) -> Action:
    body = row["body"] or {}
    return Action(seq=row["seq"], at=row["at"], user=row["actor"], kind=row["kind"],
                  comment_id=row["comment_id"], before=body.get("before") or {},
                  after=body.get("after") or {}, batch=body.get("batch"),
                  data=body.get("data") or {})


def comment_from_row(row: dict[str, Any]) -> Comment:
    return Comment(
        id=row["id"], platform=row["platform"], account=row["account"], text=row["text"],
        created_at=row["created_at"].astimezone(UTC),
        author=Author(row["author_id"], row["author"], row["author_handle"]),
        post_id=row["post_id"], parent_id=row["parent_id"], permalink=row["permalink"],
        native_id=row["native_id"], status=row["status"],
        tags=tuple(tag_from_doc(doc) for doc in row["tags"]), assignee=row["assignee"],
        captured_at=row["captured_at"].astimezone(UTC),
    )


def query_rows(conn: Conn, query: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Rows of ``query`` as dicts, in a transaction of their own."""
    with translated(), conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)
        return cur.fetchall()


def _actions(conn: Conn, function: str, *params: Any) -> list[Action]:
    marks = ", ".join(["%s"] * len(params))
    query = f"SELECT * FROM triage.{function}({marks})"
    return [action_from_row(r) for r in query_rows(conn, query, params)]


# -- the queue ------------------------------------------------------------------------


def capture(conn: Conn, comments: Iterable[Comment], posts: Iterable[Post] = ()
            ) -> tuple[int, int, int]:
    """Store comments (tagged already) and posts: (new, updated, unchanged)."""
    docs = [comment_to_doc(c) for c in comments]
    post_docs = [post_to_doc(p) for p in posts]
    row = query_rows(conn, "SELECT * FROM triage.capture(%s, %s)",
                     (Jsonb(docs), Jsonb(post_docs)))[0]
    return row["added"], row["updated"], row["unchanged"]


def dismiss(conn: Conn, ids: Sequence[str], reason: str | None = None) -> list[Action]:
    """Dismiss comments; an open crisis among them needs ``reason`` (what was done)."""
    return _actions(conn, "dismiss", list(ids), reason)


def add_note(conn: Conn, comment_id: str, text: str) -> Action:
    """An internal note on a comment (journaled; never sent)."""
    return _actions(conn, "add_note", comment_id, text)[0]


def reveal(conn: Conn, comment_id: str, data: dict[str, Any]) -> Action:
    """Journal that the login (legal) read a comment's identifiers."""
    return _actions(conn, "reveal", comment_id, Jsonb(data))[0]


def undo(conn: Conn, seqs: Sequence[int]) -> list[Action]:
    """Take back the login's own journal rows ``seqs`` (its last action)."""
    return _actions(conn, "undo", list(seqs))


def restore(conn: Conn, ids: Sequence[str]) -> list[Action]:
    return _actions(conn, "restore", list(ids))


def set_status(conn: Conn, ids: Sequence[str], status: str) -> list[Action]:
    return _actions(conn, "set_status", list(ids), status)


def assign(conn: Conn, ids: Sequence[str], person: str | None) -> list[Action]:
    """Assign comments to an agent's login (None unassigns)."""
    return _actions(conn, "assign", list(ids), person)


def correct_tag(conn: Conn, ids: Sequence[str], tag: str, *, add: bool) -> list[Action]:
    return _actions(conn, "correct_tag", list(ids), tag, add)


def claim_next(conn: Conn) -> Comment | None:
    """The most urgent open comment nobody holds, now assigned to the login (or None)."""
    rows = query_rows(conn, "SELECT * FROM triage.claim_next()")
    return comment_from_row(rows[0]) if rows else None


def set_state(conn: Conn, key: str, value: dict[str, Any]) -> None:
    query_rows(conn, "SELECT triage.set_state(%s, %s) AS done", (key, Jsonb(value)))


# -- legal holds and replies ----------------------------------------------------------


def hold_place(conn: Conn, comment_id: str, reason: str, escalation: str) -> Action:
    return _actions(conn, "hold_place", comment_id, reason, escalation)[0]


def hold_release(conn: Conn, comment_id: str, note: str) -> Action:
    """Release a legal hold (the legal role only)."""
    return _actions(conn, "hold_release", comment_id, note)[0]


def submit_reply(conn: Conn, comment_id: str, text: str, template_id: str | None) -> Action:
    """Put a reply in the outbox; the action's ``data["record"]["doc"]`` is the item."""
    return _actions(conn, "submit_reply", comment_id, text, template_id)[0]


def approve_reply(conn: Conn, item_id: str, note: str = "") -> Action:
    """Approve a reply waiting for approval (the approver role; never one's own)."""
    return _actions(conn, "approve_reply", item_id, note)[0]


# -- presence -------------------------------------------------------------------------


def lease_set(conn: Conn, comment_id: str, what: str, seconds: int) -> datetime:
    """Say the login is doing ``what`` on a comment for ``seconds``; renew by calling again."""
    row = query_rows(conn, "SELECT triage.lease_set(%s, %s, %s) AS until",
                (comment_id, what, seconds))[0]
    until: datetime = row["until"]
    return until


def lease_release(conn: Conn, comment_id: str) -> bool:
    """Drop the login's lease on a comment (False when it had none)."""
    rows = query_rows(conn, "SELECT triage.lease_release(%s) AS gone", (comment_id,))
    return bool(rows[0]["gone"])


def leases(conn: Conn, comment_id: str | None = None) -> list[Lease]:
    """The leases not yet expired, on one comment or all."""
    rows = query_rows(conn, "SELECT * FROM triage.leases_now WHERE %s::text IS NULL "
                       "OR comment_id = %s ORDER BY comment_id, person", (comment_id, comment_id))
    return [Lease(r["comment_id"], r["person"], r["what"], r["expires_at"]) for r in rows]


# -- the journal and live changes -----------------------------------------------------


def verify_journal(conn: Conn) -> ChainCheck:
    """Walk the journal's hash chain inside the database."""
    row = query_rows(conn, "SELECT * FROM triage.verify_journal()")[0]
    return ChainCheck(row["entries"], row["broken_seq"], row["reason"])


def listen(conn: Conn) -> None:
    """Start hearing :data:`CHANNEL` on ``conn`` (a connection of its own)."""
    with translated():
        conn.execute(f"LISTEN {CHANNEL}")


def changes(conn: Conn, *, timeout: float, stop_after: int | None = None) -> Iterator[Change]:
    """The changes announced on a listening connection, until ``timeout`` seconds pass
    (or ``stop_after`` arrived)."""
    with translated():
        for note in conn.notifies(timeout=timeout, stop_after=stop_after):
            payload = orjson.loads(note.payload)
            yield Change(seq=payload.get("seq"), kind=str(payload.get("kind", "")),
                         comment_id=payload.get("id"), person=payload.get("person"))
