"""Where a sync writes: the store, on the thread that owns it, and each account's state.

:class:`StoreSink` is the one place a sync touches the store. Tagging runs in a worker
thread (``asyncio.to_thread``); storing a batch, keeping its cursor and recording an
account's state run on the store's owning thread: directly when the sync runs on that
thread's event loop (the command line, a Textual async worker), or through ``call``
(e.g. Textual's ``App.call_from_thread``) when the sync runs in a thread of its own.

Store state keys: ``sync:{account}:cursor`` holds ``{"platform", "base_url", "cursor"}``
(a cursor is dropped when the account now points elsewhere); ``sync:{account}:status``
holds an :class:`AccountStatus`.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, TypeVar

from triage.config import AccountConfig
from triage.connectors.base import Known
from triage.convert import iso, parse_time
from triage.model import Comment, Post, utcnow
from triage.store import IngestResult, Store
from triage.timefmt import clock_time

__all__ = [
    "STATES",
    "AccountStatus",
    "Sink",
    "StoreKnown",
    "StoreSink",
    "account_statuses",
    "cursor_doc",
    "cursor_key",
    "kept_cursor",
    "status_key",
]

T = TypeVar("T")

#: never (not synced yet), ok, rate_limited (``until``), auth_error, error.
STATES = ("never", "ok", "rate_limited", "auth_error", "error")


def cursor_key(account: str) -> str:
    return f"sync:{account}:cursor"


def status_key(account: str) -> str:
    return f"sync:{account}:status"


@dataclass(frozen=True, slots=True)
class AccountStatus:
    """How an account's last sync went; ``message`` says why when it did not (no secret)."""

    account: str
    state: str = "never"
    until: datetime | None = None
    message: str = ""
    at: datetime | None = None
    last_ok: datetime | None = None

    @property
    def failed(self) -> bool:
        """An account failed: its token or its platform needs a person."""
        return self.state in ("auth_error", "error")

    def paused(self, now: datetime) -> bool:
        """Still inside a rate-limit pause the platform asked for."""
        return self.state == "rate_limited" and self.until is not None and self.until > now

    def label(self, now: datetime | None = None) -> str:
        """The state as the status bar says it: "ok", "rate-limited until 14:05", …"""
        if self.state == "rate_limited" and self.until is not None:
            return f"rate-limited until {clock_time(self.until, now or utcnow())}"
        return {"never": "not synced yet", "ok": "ok", "rate_limited": "rate-limited",
                "auth_error": "auth error", "error": "error"}.get(self.state, self.state)

    @property
    def reason(self) -> str:
        """Why a rate-limited account pauses, in the platform's words ("" when only the
        generic "rate limit reached" is known): the message without the account's name
        and the "paused until …" that :meth:`label` says already."""
        if self.state != "rate_limited":
            return ""
        text = self.message
        if text.startswith(f"{self.account}: "):
            text = text[len(self.account) + 2:]
        text = _PAUSED.sub("", text).strip()
        return "" if _GENERIC.fullmatch(text) else text

    def explained(self, now: datetime | None = None) -> str:
        """The label and, for a rate limit, its reason: ``rate-limited until 00:00 —
        youtube's daily quota is used up (it resets at midnight Pacific time)``."""
        reason = self.reason
        return f"{self.label(now)} — {reason}" if reason else self.label(now)

    def to_doc(self) -> dict[str, Any]:
        return {"account": self.account, "state": self.state, "message": self.message,
                "until": iso(self.until) if self.until else None,
                "at": iso(self.at) if self.at else None,
                "last_ok": iso(self.last_ok) if self.last_ok else None}

    @classmethod
    def from_doc(cls, account: str, doc: Mapping[str, Any] | None) -> AccountStatus:
        """Read a stored status; anything unreadable counts as never synced."""
        if not doc or doc.get("state") not in STATES:
            return cls(account)
        try:
            return cls(account, str(doc["state"]), _time(doc.get("until")),
                       str(doc.get("message") or ""), _time(doc.get("at")),
                       _time(doc.get("last_ok")))
        except (TypeError, ValueError):
            return cls(account)


#: The tail the connectors' HTTP path adds to a rate limit's message, and its wording when
#: the platform gave no reason (see ``Http._limited_message``).
_PAUSED = re.compile(r"[;,]?\s*paused until .*$", re.DOTALL)
_GENERIC = re.compile(r"[\w.-]+ rate limit reached")


def _time(value: Any) -> datetime | None:
    return parse_time(value) if isinstance(value, str) and value else None



def account_statuses(store: Store, accounts: Sequence[AccountConfig]) -> list[AccountStatus]:
    """Every account's last known state (for a status bar when the queue opens)."""
    return [AccountStatus.from_doc(a.name, store.state(status_key(a.name))) for a in accounts]


class Sink(Protocol):
    """Where a sync writes: :class:`StoreSink` (the embedded store) or the team store's
    :class:`triage.teamdb.sink.TeamSink`."""

    @property
    def known(self) -> Known: ...

    async def cursor(self, account: AccountConfig) -> Mapping[str, Any] | None: ...
    async def status(self, account: str) -> AccountStatus: ...
    async def set_status(self, status: AccountStatus) -> None: ...
    async def prepare(self, comments: Sequence[Comment]) -> list[Comment]: ...
    async def write(self, account: AccountConfig, comments: Sequence[Comment],
                    posts: Sequence[Post], cursor: Mapping[str, Any] | None
                    ) -> IngestResult: ...


def kept_cursor(account: AccountConfig, doc: Mapping[str, Any] | None
                ) -> Mapping[str, Any] | None:
    """The cursor in a stored ``doc`` when it is still ``account``'s (same platform and
    base URL), else None."""
    if not doc or doc.get("platform") != account.platform:
        return None
    if doc.get("base_url", "") != account.base_url:
        return None
    cursor = doc.get("cursor")
    return cursor if isinstance(cursor, dict) else None


def cursor_doc(account: AccountConfig, cursor: Mapping[str, Any]) -> dict[str, Any]:
    """What is stored as ``account``'s cursor."""
    return {"platform": account.platform, "base_url": account.base_url,
            "cursor": dict(cursor)}


class StoreKnown:
    """What the store holds, for connectors placing comments (dict reads: thread-safe)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._replies: Counter[str] | None = None
        self._counted = 0

    def has_post(self, post_id: str) -> bool:
        return post_id in self.store.posts

    def stored_comment(self, comment_id: str) -> Comment | None:
        return self.store.comments.get(comment_id)

    def reply_count(self, comment_id: str) -> int:
        """How many stored comments answer ``comment_id`` (counted again when the store
        has grown since the last count)."""
        size = len(self.store.comments)
        if self._replies is None or self._counted != size:
            self._replies = Counter(c.parent_id for c in list(self.store.comments.values())
                                    if c.parent_id)
            self._counted = size
        return self._replies.get(comment_id, 0)


class StoreSink:
    """Writes a sync's batches into ``store``; see the module docstring for threads.

    ``on_write(account, result)`` and ``on_status(status)`` run on the owning thread
    after each stored batch and each account's end (the TUI refreshes from them).
    """

    def __init__(
        self,
        store: Store,
        *,
        call: Callable[[Callable[[], Any]], Any] | None = None,
        on_write: Callable[[str, IngestResult], None] | None = None,
        on_status: Callable[[AccountStatus], None] | None = None,
        user: str = "sync",
    ) -> None:
        self.store = store
        self.known = StoreKnown(store)
        self.user = user
        self._call = call
        self._on_write = on_write
        self._on_status = on_status
        self._tagger = store.tagger
        self._tag_lock = threading.Lock()

    async def _owner(self, work: Callable[[], T]) -> T:
        if self._call is None:
            return work()
        result: T = await asyncio.to_thread(self._call, work)
        return result

    async def cursor(self, account: AccountConfig) -> Mapping[str, Any] | None:
        """The cursor kept for ``account``, or None (first sync, or it points elsewhere)."""
        doc = await self._owner(lambda: self.store.state(cursor_key(account.name)))
        return kept_cursor(account, doc)

    async def status(self, account: str) -> AccountStatus:
        doc = await self._owner(lambda: self.store.state(status_key(account)))
        return AccountStatus.from_doc(account, doc)

    async def set_status(self, status: AccountStatus) -> None:
        def work() -> None:
            self.store.set_state(status_key(status.account), status.to_doc())
            if self._on_status is not None:
                self._on_status(status)

        await self._owner(work)

    async def prepare(self, comments: Sequence[Comment]) -> list[Comment]:
        """Tag the comments that are new or changed, in a worker thread."""
        if self._tagger is None or not comments:
            return list(comments)
        return await asyncio.to_thread(self._tag, comments)

    def _tag(self, comments: Sequence[Comment]) -> list[Comment]:
        tagger = self._tagger
        assert tagger is not None
        stored = self.store.comments
        out: list[Comment] = []
        with self._tag_lock:  # one tagging at a time: a tagger need not be thread-safe
            for comment in comments:
                old = stored.get(comment.id)
                if old is None or old.text != comment.text:
                    comment = replace(comment, tags=tagger(comment.text))
                out.append(comment)
        return out

    async def write(
        self,
        account: AccountConfig,
        comments: Sequence[Comment],
        posts: Sequence[Post],
        cursor: Mapping[str, Any] | None,
    ) -> IngestResult:
        """Store a batch (already tagged by :meth:`prepare`), then keep its cursor."""

        def work() -> IngestResult:
            result = IngestResult()
            if comments or posts:
                with self._tags_as_given():
                    result = self.store.ingest(comments, posts, user=self.user)
            if cursor is not None:
                self.store.set_state(cursor_key(account.name), cursor_doc(account, cursor))
            if self._on_write is not None and (result.new or result.updated):
                self._on_write(account.name, result)
            return result

        return await self._owner(work)

    @contextmanager
    def _tags_as_given(self) -> Iterator[None]:
        """Ingest without tagging again: :meth:`prepare` tagged new and changed comments.

        With no tagger, :meth:`Store.ingest` keeps the tags a comment arrives with, for
        new comments and for changed ones alike. Only the owning thread calls this.
        """
        if self._tagger is None:
            yield
            return
        saved, self.store.tagger = self.store.tagger, None
        try:
            yield
        finally:
            self.store.tagger = saved
