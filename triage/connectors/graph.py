"""The connector base shared by Facebook and Instagram: Graph errors, limits, paging, writes.

Both speak Meta's Graph API; what is the same is here once (payload shapes in
:mod:`~triage.connectors.graph_wire`):

* :meth:`GraphConnector.classify` branches on the error ``code`` (Graph answers 400 for
  nearly everything): throttle codes 4, 17, 32, 613, 80001, 80002 → ``RateLimited`` until
  the usage headers say (else five minutes); 190 (subcode 463: expired), 102, 104 →
  ``AuthError`` naming the account and the variable; 10 and 200–299 (a permission the
  token lacks) → ``AuthError``; 1, 2 or ``is_transient`` → ``Unavailable`` (retried when
  safe); any other → :class:`GraphRefusal`, which knows a missing object (``gone``).
* :meth:`GraphConnector.pause_until` reads the usage headers on every answer.
* :meth:`GraphConnector.edge` walks an edge by cursor until ``next`` is absent (an empty
  page with ``next`` goes on; a link that does not move three times running is a broken
  answer), rebuilding each request from ``base_url`` and the connector's own parameters.
* :meth:`GraphConnector.pages` is the reading loop of both (see its class docstring).
* Hide (``is_hidden`` / ``hide``) and delete are the same call on both; a missing object on
  delete means it is already gone. Graph takes no idempotency key: replies are never
  resent by ``Http``, and :meth:`GraphConnector.find_reply` looks in the thread first.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from triage.connectors.base import Connector, Page
from triage.connectors.graph_wire import (
    AUTH_CODES,
    THROTTLE_CODES,
    THROTTLE_PAUSE,
    as_int,
    due,
    graph_error,
    is_gone,
    plain,
    read_edge,
    read_entries,
    read_retry,
    sent_token,
    snapshot,
    usage_pause,
)
from triage.connectors.payload import ItemError
from triage.errors import (
    ActionRefused,
    AuthError,
    BadPayload,
    ConnectorError,
    RateLimited,
    Unavailable,
)
from triage.model import Comment, Post
from triage.textsafe import one_line

if TYPE_CHECKING:
    import httpx

__all__ = ["EdgePage", "GraphConnector", "GraphRefusal", "Listed", "Walked"]

logger = logging.getLogger("triage.connectors")

MAX_STALLS = 3
#: Tries to read a broken comment (the first in the walk that met it), and how many
#: broken comments a post keeps waiting at most.
MAX_TRIES = 3
MAX_RETRY = 50


class GraphRefusal(ConnectorError):
    """The Graph API refused a call (not auth, not a limit, not transient)."""

    def __init__(self, message: str, *, code: int | None, subcode: int | None,
                 detail: str, account: str = "") -> None:
        super().__init__(message, account=account)
        self.code = code
        self.subcode = subcode
        self.detail = detail

    @property
    def gone(self) -> bool:
        """The object does not exist (deleted, or not visible with this token)."""
        return is_gone(self.code, self.subcode)


@dataclass(frozen=True, slots=True)
class EdgePage:
    """One page of an edge: its items, and the paging values of the next (None: the end)."""

    items: list[Any]
    follow: dict[str, str] | None


@dataclass(frozen=True, slots=True)
class Listed:
    """A post (Instagram: media) whose comments are read: its id, the Post when readable,
    its comment count when the platform gave one, and its permalink."""

    native: str
    post: Post | None
    count: int | None
    permalink: str = ""


@dataclass(slots=True)
class Walked:
    """What reading a page of one post's comments gave: the queue's comments, the problems,
    and the ids of the items that could not be read (asked for again by id next time)."""

    comments: list[Comment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)


class GraphConnector(Connector):
    """What the Facebook and Instagram connectors share; not registered itself.

    Reading: :meth:`listed` names the posts to look at (the newest ``recent_posts`` of
    the last ``recent_days`` days, as a platform's own client does); each post's entry in
    the cursor says whether it must be read again (:func:`due`), and :meth:`walk` reads
    its comments page by page, updating that entry before each page it yields.
    """

    default_base_url = "https://graph.facebook.com/v19.0"
    page_size = 100
    max_page_size: ClassVar[int] = 100
    #: The parameter that hides a comment (``is_hidden`` on Facebook, ``hide`` on Instagram).
    hide_field: ClassVar[str] = "is_hidden"
    #: The fields of a comment asked for by id.
    comment_fields: ClassVar[str] = "id"
    #: Posts older than this many days are not read again, nor more than ``recent_posts``.
    recent_days: ClassVar[int] = 30
    recent_posts: ClassVar[int] = 50

    # -- reading ---------------------------------------------------------------------

    @abstractmethod
    async def listed(self, problems: list[str]) -> list[Listed]:
        """The posts whose comments this sync looks at, newest first."""

    @abstractmethod
    def reread(self, raw: Any, item: Listed) -> tuple[Comment, bool]:
        """A comment asked for by id under ``item`` (ItemError if still unreadable), and
        whether the account wrote it."""

    @abstractmethod
    def walk(self, item: Listed, entries: dict[str, dict[str, Any]], now: int
             ) -> AsyncGenerator[Walked, None]:
        """One post's new comments, page by page; ``entries[item.native]`` is brought up
        to date before each page is yielded (it is the cursor kept once that page is)."""

    async def pages(self, cursor: Mapping[str, Any] | None) -> AsyncIterator[Page]:
        stored = read_entries(cursor, "posts")
        problems: list[str] = []
        listed = await self.listed(problems)
        now = int(self.clock().timestamp())
        # Only the posts still looked at keep an entry: the cursor stays small.
        entries = {item.native: stored[item.native] for item in listed if item.native in stored}
        retry = {native: read_retry(entry.pop("retry", None))
                 for native, entry in entries.items()}
        given: set[str] = set()
        for item in listed:
            try:
                if retry.get(item.native):
                    found = await self._read_again(item, retry[item.native])
                    yield Page(tuple(found.comments), self._give(item, found.comments, given),
                               snapshot(entries, retry), tuple(problems + found.problems))
                    problems = []
                if not due(entries.get(item.native), item.count, now):
                    continue
                async with aclosing(self.walk(item, entries, now)) as pages:
                    async for found in pages:
                        waiting = retry.setdefault(item.native, {})
                        for native in found.broken[:MAX_RETRY - len(waiting)]:
                            waiting.setdefault(native, 1)
                        yield Page(tuple(found.comments),
                                   self._give(item, found.comments, given),
                                   snapshot(entries, retry), tuple(problems + found.problems))
                        problems = []
            except GraphRefusal as exc:
                if not exc.gone:
                    raise
                entries.pop(item.native, None)
                retry.pop(item.native, None)
                logger.info("%s: %s post %s is gone; its comments are no longer read",
                            self.name, self.platform, item.native)
        yield Page(cursor=snapshot(entries, retry), problems=tuple(problems))

    async def _read_again(self, item: Listed, tries: dict[str, int]) -> Walked:
        """Comments that could not be read before, asked for one by one (``GET /{id}``)."""
        found = Walked()
        for native, failed in list(tries.items()):
            try:
                comment, own = self.reread(await self.node(native, self.comment_fields,
                                                           "comment"), item)
            except ActionRefused:  # gone meanwhile
                del tries[native]
                continue
            except ItemError as exc:
                if failed + 1 < MAX_TRIES:
                    tries[native] = failed + 1
                    continue
                del tries[native]
                found.problems.append(f"{self.name}: gave up on {self.platform} comment "
                                      f"{native} after {MAX_TRIES} tries: {exc}")
                continue
            del tries[native]
            if not own:
                found.comments.append(comment)
        return found

    def _give(self, item: Listed, comments: list[Comment], given: set[str]) -> tuple[Post, ...]:
        """The post with the first comments read under it in this run, unless stored."""
        post = item.post
        if not comments or post is None or post.id in given:
            return ()
        given.add(post.id)
        return () if self.known.has_post(post.id) else (post,)

    async def recent(self, path: str, fields: str,
                     read: Callable[[int, Any], tuple[datetime | None, Listed] | None]
                     ) -> list[Listed]:
        """The newest posts of an edge listed newest first, within the recent window."""
        cutoff = self.clock() - timedelta(days=self.recent_days)
        params = {"fields": fields, "limit": self.limit, "since": str(int(cutoff.timestamp()))}
        found: list[Listed] = []
        async with aclosing(self.edge(path, params)) as pages:
            async for page in pages:
                fresh = 0
                for index, raw in enumerate(page.items):
                    entry = read(index, raw)
                    if entry is None or (entry[0] is not None and entry[0] < cutoff):
                        continue
                    fresh += 1
                    found.append(entry[1])
                    if len(found) >= self.recent_posts:
                        return found
                if page.items and not fresh:
                    break  # a whole page of older posts: the platform ignored since
        return found

    # -- paging ----------------------------------------------------------------------

    @property
    def limit(self) -> str:
        return str(max(1, min(self.page_size, self.max_page_size)))

    async def edge(self, path: str, params: Mapping[str, str], *,
                   follow: Mapping[str, str] | None = None) -> AsyncGenerator[EdgePage, None]:
        """Every page of an edge from ``follow`` (None: its start) until ``next`` is absent."""
        stalls = 0
        current = dict(follow) if follow else None
        while True:
            body, _ = await self.http.get_json(path, params={**params, **(current or {})})
            items, following = read_edge(body, f"{self.name}: {self.platform} answered "
                                         f"GET {path}", account=self.name)
            yield EdgePage(items, following)
            if following is None:
                return
            stalls = stalls + 1 if following == current else 0
            if stalls >= MAX_STALLS:
                raise BadPayload(f"{self.name}: {self.platform} keeps answering GET {path} "
                                 "with a next page that does not move on", account=self.name)
            current = following

    async def node(self, native: str, fields: str, what: str) -> dict[str, Any]:
        """``GET /{native}``; ActionRefused naming ``what`` when it is gone."""
        try:
            body, _ = await self.http.get_json(f"/{native}", params={"fields": fields})
        except GraphRefusal as exc:
            if exc.gone:
                raise ActionRefused(f"{self.name}: {self.platform} {what} {native} is no "
                                    "longer there (deleted, or not visible to the account)"
                                    ) from None
            raise
        if not isinstance(body, dict):
            raise BadPayload(f"{self.name}: {self.platform} answered GET /{native} with "
                             f"{type(body).__name__} instead of an object", account=self.name)
        return body

    def native_of(self, triage_id: str | None) -> str | None:
        """The platform id inside one of this account's Triage ids (None if not ours)."""
        prefix = self.comment_id("")
        if triage_id and triage_id.startswith(prefix) and len(triage_id) > len(prefix):
            return triage_id[len(prefix):]
        return None

    # -- writing (the same on both) --------------------------------------------------

    async def hide(self, comment: Comment, hidden: bool = True) -> None:
        what = "hide" if hidden else "unhide"
        body = await self.write("POST", f"/{comment.native_id}", what=what, idempotent=True,
                                data={self.hide_field: "true" if hidden else "false"})
        self._check_success(body, what)

    async def delete(self, comment: Comment) -> None:
        body = await self.write("DELETE", f"/{comment.native_id}", what="delete the comment",
                                idempotent=True, gone_ok=True)
        self._check_success(body, "delete the comment")

    async def delete_reply(self, reply_id: str) -> None:
        body = await self.write("DELETE", f"/{reply_id}", what="delete the reply",
                                idempotent=True, gone_ok=True)
        self._check_success(body, "delete the reply")

    async def find_reply(self, comment: Comment, text: str, *,
                         idempotency_key: str) -> str | None:
        return await self.reply_in_thread(comment, text, plain)

    async def write(self, method: str, path: str, *, what: str, idempotent: bool,
                    data: Mapping[str, str] | None = None, gone_ok: bool = False) -> Any:
        """Send a write; a refusal becomes ``ActionRefused`` with the platform's reason."""
        try:
            body, _ = await self.http.send_json(method, path, data=data, idempotent=idempotent)
        except GraphRefusal as exc:
            if exc.gone and gone_ok:
                return None  # already gone, which is what was wanted
            if exc.gone:
                raise ActionRefused(f"{self.name}: cannot {what}: the {self.platform} comment "
                                    "is no longer there (deleted, or not visible to the "
                                    "account)") from None
            raise ActionRefused(f"{self.name}: {self.platform} refused to {what} "
                                f"({exc.detail})") from None
        return body

    def _check_success(self, body: Any, what: str) -> None:
        if isinstance(body, dict) and body.get("success") is False:
            raise ConnectorError(f"{self.name}: {self.platform} did not {what} (it answered "
                                 "success: false)", account=self.name)

    # -- hooks for Http --------------------------------------------------------------

    def pause_until(self, response: httpx.Response, now: datetime) -> datetime | None:
        return usage_pause(response.headers, now)

    def classify(self, response: httpx.Response, now: datetime) -> ConnectorError | None:
        status = response.status_code
        error = graph_error(response)
        if status < 400 or error is None:
            return None
        code, subcode = as_int(error.get("code")), as_int(error.get("error_subcode"))
        detail = self._scrubbed_text(response)
        where = f"{response.request.method} {response.request.url.path}"
        if code in THROTTLE_CODES:
            until = usage_pause(response.headers, now) or now + THROTTLE_PAUSE
            return RateLimited(f"{self.name}: {self.platform} rate limit (code {code})",
                               until=until, account=self.name)
        if code in AUTH_CODES:
            why = "it has expired" if subcode == 463 else "it is invalid or was revoked"
            return AuthError(f"{self.name}: {self.platform} refused the token in "
                             f"{self.account.token_env}: {why} ({detail})", account=self.name)
        if code == 10 or (code is not None and 200 <= code <= 299):
            return AuthError(f"{self.name}: {self.platform} does not allow this with the token "
                             f"in {self.account.token_env} (a permission is missing: {detail})",
                             account=self.name)
        if status == 429 or status >= 500 or status in (401, 403):
            return None  # the generic rules read these right
        if code in (1, 2) or error.get("is_transient") is True:
            return Unavailable(f"{self.name}: {self.platform} is unavailable ({status}: "
                               f"{detail}) for {where}", account=self.name)
        return GraphRefusal(f"{self.name}: {self.platform} refused {where} ({status}: {detail})",
                            code=code, subcode=subcode, detail=detail, account=self.name)

    def error_text(self, response: httpx.Response) -> str:
        error = graph_error(response)
        if error is None:
            return super().error_text(response)
        message = error.get("message")
        text = message if isinstance(message, str) else ""
        code, subcode = as_int(error.get("code")), as_int(error.get("error_subcode"))
        if code is not None:
            text += f" (code {code}" + (f", subcode {subcode})" if subcode is not None else ")")
        return text.strip()

    def _scrubbed_text(self, response: httpx.Response) -> str:
        """The platform's message, on one line, without the token the request carried."""
        text = self.error_text(response)
        token = sent_token(response)
        if token and token in text:
            text = text.replace(token, "[token]")
        return one_line(text, 200)
