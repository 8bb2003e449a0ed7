"""Where a sync writes on the team store: comments through the database's capture, as the
login that runs the sync, and each account's cursor and state in the state table."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from triage.config import AccountConfig
from triage.model import Comment, Post
from triage.store import IngestResult
from triage.sync_sink import AccountStatus, cursor_doc, cursor_key, kept_cursor, status_key
from triage.teamdb import calls
from triage.teamdb.desk import TeamDesk

__all__ = ["TeamKnown", "TeamSink"]


class TeamKnown:
    """What the team database holds, for connectors placing comments under posts."""

    def __init__(self, desk: TeamDesk) -> None:
        self.desk = desk

    def has_post(self, post_id: str) -> bool:
        return bool(self.desk.rows("SELECT 1 FROM triage.posts WHERE id = %s", (post_id,)))

    def stored_comment(self, comment_id: str) -> Comment | None:
        rows = self.desk.rows("SELECT * FROM triage.comments WHERE id = %s", (comment_id,))
        return calls.comment_from_row(rows[0]) if rows else None


class TeamSink:
    """Writes a sync's batches into the team database (the work runs in a worker thread,
    so the event loop keeps serving the other accounts)."""

    def __init__(self, desk: TeamDesk) -> None:
        self.desk = desk
        self.known = TeamKnown(desk)

    def _state(self, key: str) -> dict[str, Any] | None:
        rows = self.desk.rows("SELECT value FROM triage.state WHERE key = %s", (key,))
        return dict(rows[0]["value"]) if rows else None

    def _set_state(self, key: str, value: dict[str, Any]) -> None:
        with self.desk.pool.connection() as conn:
            calls.set_state(conn, key, value)

    async def cursor(self, account: AccountConfig) -> Mapping[str, Any] | None:
        doc = await asyncio.to_thread(self._state, cursor_key(account.name))
        return kept_cursor(account, doc)

    async def status(self, account: str) -> AccountStatus:
        doc = await asyncio.to_thread(self._state, status_key(account))
        return AccountStatus.from_doc(account, doc)

    async def set_status(self, status: AccountStatus) -> None:
        await asyncio.to_thread(self._set_state, status_key(status.account), status.to_doc())

    async def prepare(self, comments: Sequence[Comment]) -> list[Comment]:
        """Tag the comments that are new or changed (the others keep their stored tags)."""
        return await asyncio.to_thread(self._tag, comments)

    def _tag(self, comments: Sequence[Comment]) -> list[Comment]:
        tagger = self.desk.tagger
        if tagger is None or not comments:
            return list(comments)
        rows = self.desk.rows("SELECT id, text FROM triage.comments WHERE id = ANY(%s)",
                              ([c.id for c in comments],))
        stored = {r["id"]: r["text"] for r in rows}
        return [c if stored.get(c.id) == c.text else replace(c, tags=tagger(c.text))
                for c in comments]

    async def write(self, account: AccountConfig, comments: Sequence[Comment],
                    posts: Sequence[Post], cursor: Mapping[str, Any] | None) -> IngestResult:
        """Capture a batch (tagged by :meth:`prepare`), then keep its cursor."""

        def work() -> IngestResult:
            result = IngestResult()
            if comments or posts:
                with self.desk.pool.connection() as conn:
                    result = IngestResult(*calls.capture(conn, comments, posts))
            if cursor is not None:
                self._set_state(cursor_key(account.name), cursor_doc(account, cursor))
            return result

        return await asyncio.to_thread(work)
