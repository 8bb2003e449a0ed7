"""The Mastodon connector: mentions in, replies out, on any instance.

Reading: ``GET /api/v1/notifications?types[]=mention`` newest first, paged by the
``Link`` header's ``next`` (only its ``max_id`` is taken: our own filters and
``since_id`` are always sent again, and the token never follows a link elsewhere).
The cursor is ``{"since_id"}`` between syncs; during a walk it also holds ``max_id``
(where to go on) and ``top_id`` (the newest seen), so an interrupted sync resumes
where it stopped and the walk's floor only rises once the whole walk is stored.

Placing: a mention that replies to one of the account's own statuses (directly or
deeper in its thread) belongs to that status, the post. The thread is learnt once per
run from ``/statuses/:id/context`` and remembered, and comments and posts already in the
store answer without a request.

Ids: a comment is ``mastodon:{account}:{status id}``; ``native_id`` is the status id.
Status HTML becomes plain text with :func:`~triage.connectors.htmltext.html_to_text`.
Rate limits: 429 with ``Retry-After``, and ``X-RateLimit-Remaining: 0`` with
``X-RateLimit-Reset`` (ISO time; epoch seconds accepted too).
Writing: replies carry ``Idempotency-Key`` and keep the comment's visibility (a direct
message is answered directly); the account can delete its own replies. Mastodon has no
per-reply hide and does not let an account delete other people's posts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from triage.account_settings import Setting
from triage.connectors.base import Capability, Connector, Page, Thread
from triage.connectors.htmltext import html_to_text
from triage.connectors.payload import (
    ItemError,
    checked,
    id_field,
    id_order,
    obj_field,
    text_field,
    time_field,
    url_field,
)
from triage.errors import ActionRefused, BadPayload, BadTime
from triage.model import Author, Comment, Post
from triage.timefmt import parse_utc

if TYPE_CHECKING:
    import httpx

__all__ = ["MastodonConnector"]

logger = logging.getLogger("triage.connectors")

NOTIFICATIONS = "/api/v1/notifications"
VISIBILITIES = ("public", "unlisted", "private", "direct")
_DIGITS = re.compile(r"[0-9]{1,30}\Z")
_MENTIONS = re.compile(r"^(?:@[\w.\-]+(?:@[\w.\-]+)?\s+)+")


class MastodonConnector(Connector):
    """One Mastodon account (``base_url`` is its instance, e.g. https://mastodon.social)."""

    platform = "mastodon"
    SETTINGS = (Setting("user_id", str, "the account's id on its server (asked for when not "
                        "given)", pattern=r"\d{1,20}",
                        shape="digits only"),)
    capabilities = frozenset({Capability.READ, Capability.THREAD, Capability.REPLY})
    missing = {
        Capability.HIDE: "Mastodon has no per-reply hide for ordinary accounts "
                         "(mute or block the author on Mastodon instead)",
        Capability.DELETE: "Mastodon lets an account delete only its own posts, "
                           "not other people's replies",
    }
    page_size = 80
    max_page_size = 80

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._me: str | None = self.account.user_id or None
        self._roots: dict[str, str | None] = {}  # status id -> its thread's root id
        self._ours: dict[str, bool] = {}  # root id -> whether the account wrote it
        self._root_docs: dict[str, dict[str, Any]] = {}
        self._posts_given: set[str] = set()

    # -- reading ---------------------------------------------------------------------

    async def pages(self, cursor: Mapping[str, Any] | None) -> AsyncIterator[Page]:
        since, max_id, top = (_cursor_id(cursor, key) for key in ("since_id", "max_id", "top_id"))
        limit = str(min(self.page_size, self.max_page_size))
        while True:
            params = [("types[]", "mention"), ("limit", limit)]
            params += [(k, v) for k, v in (("since_id", since), ("max_id", max_id)) if v]
            body, response = await self.http.get_json(NOTIFICATIONS, params=params)
            if not isinstance(body, list):
                raise BadPayload(f"{self.name}: mastodon answered GET {NOTIFICATIONS} with "
                                 f"{type(body).__name__} instead of a list", account=self.name)
            comments, posts, problems, ids = await self._read_page(body)
            if ids:
                newest = max(ids, key=id_order)
                top = newest if top is None else max(top, newest, key=id_order)
            following = self._next_max_id(response, ids)
            if following is not None and (
                (max_id is not None and id_order(following) >= id_order(max_id))
                or (since is not None and id_order(following) <= id_order(since))
            ):
                following = None  # a link that does not go down would loop for ever
            if following is None or not body:
                yield Page(tuple(comments), tuple(posts), {"since_id": top or since},
                           tuple(problems))
                return
            yield Page(tuple(comments), tuple(posts),
                       {"since_id": since, "max_id": following, "top_id": top}, tuple(problems))
            max_id = following

    def _next_max_id(self, response: httpx.Response, ids: list[str]) -> str | None:
        url = response.links.get("next", {}).get("url")
        if not url:
            return None
        values = parse_qs(urlsplit(url).query).get("max_id") or []
        if values and _DIGITS.match(values[0]):
            return values[0]
        return min(ids, key=id_order) if ids else None

    async def _read_page(
        self, body: list[Any]
    ) -> tuple[list[Comment], list[Post], list[str], list[str]]:
        comments: list[Comment] = []
        posts: list[Post] = []
        problems: list[str] = []
        ids: list[str] = []
        for index, item in enumerate(body):
            label = f"item {index + 1}"
            try:
                notification_id = id_field(item if isinstance(item, dict) else {}, "id")
                ids.append(notification_id)
                label = f"notification {notification_id}"
                if item.get("type") not in (None, "mention"):
                    continue  # a server that ignores types[]
                status = obj_field(item, "status")
                comment = self._comment(status)
                post_id, parent_id, post = await self._place(status, comment.native_id)
            except ItemError as exc:
                problems.append(f"{self.name}: skipped mastodon {label}: {exc}")
                continue
            comments.append(replace(comment, post_id=post_id, parent_id=parent_id))
            if post is not None:
                posts.append(post)
        return comments, posts, problems, ids

    def _comment(self, status: dict[str, Any]) -> Comment:
        native = id_field(status, "id")
        author = obj_field(status, "account")
        acct = text_field(author, "acct") or text_field(author, "username")
        text = html_to_text(text_field(status, "content"))
        warning = text_field(status, "spoiler_text").strip()
        if warning:
            text = f"{warning}\n\n{text}".strip()
        parent = id_field(status, "in_reply_to_id", required=False)
        return checked(Comment(
            id=self.comment_id(native),
            platform=self.platform,
            account=self.name,
            text=text,
            created_at=time_field(status, "created_at"),
            author=Author(id=id_field(author, "id"),
                          name=text_field(author, "display_name").strip() or acct,
                          handle=f"@{acct}" if acct else ""),
            parent_id=self.comment_id(parent) if parent else None,
            permalink=url_field(status, "url", "uri"),
            native_id=native,
            captured_at=self.clock(),
        ))

    async def _place(
        self, status: dict[str, Any], native: str
    ) -> tuple[str | None, str | None, Post | None]:
        """(post id, parent comment id, a Post not yet given) for a status."""
        parent = id_field(status, "in_reply_to_id", required=False)
        if not parent:
            return None, None, None
        parent_id = self.comment_id(parent)
        if parent in self._roots:
            root = self._roots[parent]
        elif self.known.has_post(parent_id):
            root, self._roots[parent], self._ours[parent] = parent, parent, True
        elif (stored := self.known.stored_comment(parent_id)) is not None:
            return stored.post_id, parent_id, None
        else:
            root = await self._learn_thread(native, parent)
        if root is None or not self._ours.get(root):
            return None, parent_id, None
        post_id = self.comment_id(root)
        return post_id, None if parent == root else parent_id, self._post_once(root, post_id)

    async def _learn_thread(self, native: str, parent: str) -> str | None:
        body, response = await self.http.get_json(f"/api/v1/statuses/{native}/context",
                                                  allow=(404,))
        if response.status_code == 404:
            return None  # deleted meanwhile: the comment stays, placed under its parent only
        try:
            ancestors = [s for s in _list(body, "ancestors") if isinstance(s, dict)]
            descendants = [s for s in _list(body, "descendants") if isinstance(s, dict)]
            root_doc = ancestors[0] if ancestors else None
            root = id_field(root_doc, "id") if root_doc else parent
            ours = root_doc is not None and (
                id_field(obj_field(root_doc, "account"), "id") == await self._my_id())
        except ItemError as exc:
            logger.warning("%s: the mastodon thread of status %s is unreadable (%s); "
                           "its comments are kept without their post", self.name, native, exc)
            return None
        for doc in (*ancestors, *descendants):
            if isinstance(doc.get("id"), str):
                self._roots[doc["id"]] = root
        self._roots[native] = self._roots[parent] = root
        self._ours[root] = ours
        if ours and root_doc is not None:
            self._root_docs[root] = root_doc
        return root

    def _post_once(self, root: str, post_id: str) -> Post | None:
        doc = self._root_docs.get(root)
        if doc is None or post_id in self._posts_given or self.known.has_post(post_id):
            return None
        self._posts_given.add(post_id)
        try:
            return self._post(doc)
        except ItemError as exc:
            logger.warning("%s: the mastodon post %s is unreadable (%s)", self.name, root, exc)
            return None

    def _post(self, doc: dict[str, Any]) -> Post:
        return Post(id=self.comment_id(id_field(doc, "id")), platform=self.platform,
                    account=self.name, text=html_to_text(text_field(doc, "content")),
                    created_at=time_field(doc, "created_at"),
                    permalink=url_field(doc, "url", "uri"))

    async def _my_id(self) -> str:
        if self._me is None:
            body, _ = await self.http.get_json("/api/v1/accounts/verify_credentials")
            try:
                self._me = id_field(body if isinstance(body, dict) else {}, "id")
            except ItemError as exc:
                raise BadPayload(f"{self.name}: mastodon's verify_credentials is unreadable "
                                 f"({exc})", account=self.name) from None
        return self._me

    # -- the thread ------------------------------------------------------------------

    async def thread(self, comment: Comment) -> Thread:
        status = await self._status(comment.native_id)
        body, _ = await self.http.get_json(f"/api/v1/statuses/{comment.native_id}/context")
        ancestors = [s for s in _list(body, "ancestors") if isinstance(s, dict)]
        descendants = [s for s in _list(body, "descendants") if isinstance(s, dict)]
        me = await self._my_id()
        root = ancestors[0] if ancestors else status
        post = None
        if _author_id(root) == me:
            try:
                post = self._post(root)
            except ItemError as exc:
                logger.warning("%s: the mastodon post is unreadable (%s)", self.name, exc)
        others: list[Comment] = []
        own: list[Comment] = []
        for doc in (*ancestors, status, *descendants):
            if post is not None and doc is root:
                continue
            try:
                found = self._comment(doc)
            except ItemError as exc:
                logger.warning("%s: skipped a mastodon status in a thread: %s", self.name, exc)
                continue
            parent = found.parent_id
            if post is not None and parent == post.id:
                parent = None
            placed = replace(found, parent_id=parent, post_id=post.id if post else None)
            (own if found.author.id == me else others).append(placed)
        return Thread(post, tuple(others), tuple(own))

    async def _status(self, native: str) -> dict[str, Any]:
        body, response = await self.http.get_json(f"/api/v1/statuses/{native}", allow=(404,))
        if response.status_code == 404 or not isinstance(body, dict):
            raise ActionRefused(f"{self.name}: mastodon status {native} is no longer there "
                                "(deleted, or not visible to the account)")
        return body

    # -- writing ---------------------------------------------------------------------

    @classmethod
    def reply_prefix(cls, comment: Comment, text: str) -> str:
        # The stored handle is the status's acct as sync read it; reply() asks again.
        handle = comment.author.handle
        if handle and not handle.startswith("@"):
            handle = f"@{handle}"
        return _mention(handle, text)

    async def reply(self, comment: Comment, text: str, *, idempotency_key: str) -> str:
        status = await self._status(comment.native_id)
        author = status.get("account")
        acct = author.get("acct") if isinstance(author, dict) else None
        acct = acct if isinstance(acct, str) else ""
        text = _mention(f"@{acct}" if acct else "", text) + text
        visibility = status.get("visibility")
        data = {"status": text, "in_reply_to_id": comment.native_id,
                "visibility": visibility if visibility in VISIBILITIES else "unlisted"}
        body, _ = await self.http.send_json("POST", "/api/v1/statuses", data=data,
                                            headers={"Idempotency-Key": idempotency_key},
                                            idempotent=True)
        try:
            return id_field(body if isinstance(body, dict) else {}, "id")
        except ItemError as exc:
            raise BadPayload(f"{self.name}: mastodon accepted the reply but its answer is "
                             f"unreadable ({exc}); find it before posting again",
                             account=self.name) from None

    async def find_reply(self, comment: Comment, text: str, *,
                         idempotency_key: str) -> str | None:
        return await self.reply_in_thread(comment, text, _plain)

    async def delete_reply(self, reply_id: str) -> None:
        await self.http.request("DELETE", f"/api/v1/statuses/{reply_id}", idempotent=True,
                                allow=(404,))  # 404: already gone, which is what was wanted

    # -- rate limits -----------------------------------------------------------------

    def pause_until(self, response: httpx.Response, now: datetime) -> datetime | None:
        reset = response.headers.get("X-RateLimit-Reset", "").strip()
        remaining = response.headers.get("X-RateLimit-Remaining", "").strip()
        if not reset or (response.status_code != 429 and remaining not in ("0", "0.0")):
            return None
        try:  # epoch seconds, or an ISO 8601 time (Mastodon sends the latter)
            value: int | str = int(reset) if _DIGITS.match(reset) else reset
            return parse_utc(value, "X-RateLimit-Reset", numbers=True)
        except (ValueError, BadTime):  # ValueError: more digits than an int may be read from
            return None


def _cursor_id(cursor: Mapping[str, Any] | None, key: str) -> str | None:
    value = cursor.get(key) if isinstance(cursor, Mapping) else None
    return value if isinstance(value, str) and _DIGITS.match(value) else None


def _list(body: Any, key: str) -> list[Any]:
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, list) else []


def _author_id(doc: dict[str, Any]) -> str | None:
    author = doc.get("account")
    return author.get("id") if isinstance(author, dict) else None


def _mention(handle: str, text: str) -> str:
    """The mention a reply opens with, so the person is notified as Mastodon clients do
    ("" when the text names them already)."""
    return f"{handle} " if handle and handle not in text else ""


def _plain(text: str) -> str:
    """Text compared for "the same reply": leading mentions and spacing ignored."""
    return " ".join(_MENTIONS.sub("", text.strip()).split())
