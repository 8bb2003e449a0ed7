"""The Bluesky connector: replies and mentions in, replies, hiding and deleting out (AT
Protocol, through the account's PDS).

Signing in: an app password (never the account's own password), read from the variable
``token_env`` names, with the account's ``handle`` (or DID); the session is kept and
refreshed by :mod:`~triage.connectors.bluesky_auth`. Every call is XRPC on ``base_url``
(``https://bsky.social`` by default), which passes the ``app.bsky.*`` reads to the AppView.

Reading: ``app.bsky.notification.listNotifications`` (reasons ``reply`` and ``mention``)
newest first, paged by its ``cursor``, down to the newest ``indexedAt`` seen last time.
Cursor: ``{"since": indexedAt, "seen": [uris at that instant]}``, raised once a walk is
stored. A reply whose thread starts at one of the account's own posts is placed under that
post (read with ``app.bsky.feed.getPosts`` when not stored yet); its parent is the post it
answers. Times are ``indexedAt`` (the server's; ``createdAt`` is the client's and may lack
a zone). Ids: ``bluesky:{account}:at://{did}/app.bsky.feed.post/{rkey}``; the native id is
the at:// URI. Threads come from ``app.bsky.feed.getPostThread``.
Rate limits: 429 and ``RateLimit-Remaining: 0`` with ``RateLimit-Reset`` (epoch seconds).
Errors are ``{"error", "message"}``; an expired access token is a 400 ``ExpiredToken``.
Writing: a reply is an ``app.bsky.feed.post`` record with ``reply.root`` and
``reply.parent`` (``com.atproto.repo.createRecord``); there is no idempotency key, so
before posting again :meth:`find_reply` looks in the account's own repository, which
knows a reply at once (the AppView's threads lag behind). Hiding adds the reply to
``hiddenReplies`` of the ``app.bsky.feed.threadgate`` record of the thread's first post,
which only that post's author can write: on the account's own posts only. The account
deletes its own replies (``com.atproto.repo.deleteRecord``), never other people's posts.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from triage.account_settings import Setting
from triage.config import AccountConfig
from triage.connectors.base import Capability, Connector, Page, Thread
from triage.connectors.bluesky_auth import ENDED, Session, SessionEnded, Tokens
from triage.connectors.bluesky_payload import (
    POST,
    AtUri,
    PostView,
    at_uri,
    cursor_doc,
    floor,
    indexed,
    is_did,
    is_handle,
    link_facets,
    plain,
    post_view,
    rate_limit_reset,
    thread_posts,
    xrpc_error,
)
from triage.connectors.bluesky_threadgate import ThreadGate
from triage.connectors.payload import ItemError, checked
from triage.convert import iso
from triage.errors import ActionRefused, BadPayload, ConfigError, ConnectorError
from triage.model import Author, Comment, Post

if TYPE_CHECKING:
    import httpx

__all__ = ["BlueskyConnector"]

logger = logging.getLogger("triage.connectors")

REASONS = ("reply", "mention")
#: Most uris ``app.bsky.feed.getPosts`` takes a call.
GET_POSTS = 25
#: How deep below a thread's first post ``thread`` reads (the AppView allows 1000).
THREAD_DEPTH = 100
#: How many of the account's newest posts ``find_reply`` looks through.
OWN_RECENT = 100


class BlueskyConnector(Connector):
    """One Bluesky account signed in with an app password."""

    platform = "bluesky"
    SETTINGS = (Setting("handle", str, "the account's handle, such as name.bsky.social "
                        "(without @), or its DID (did:plc:…); it signs in with the app "
                        "password in token_env", example="riversidehealth.bsky.social"),)
    capabilities = frozenset({Capability.READ, Capability.THREAD, Capability.REPLY,
                              Capability.HIDE})
    missing = {
        Capability.DELETE: "Bluesky lets an account delete only its own posts; on the "
                           "account's own posts, hide the reply instead (a threadgate)",
    }
    default_base_url = "https://bsky.social"
    page_size = 50
    max_page_size = 100

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session = Session(self)
        self._used: Tokens | None = None
        self._given: set[str] = set()  # uris yielded this run
        self._posts: set[str] = set()  # the account's posts yielded this run

    @classmethod
    def check_account(cls, account: AccountConfig) -> None:
        super().check_account(account)
        if not (is_handle(account.handle) or is_did(account.handle)):
            raise ConfigError(f"account {account.name}: handle is needed for bluesky: the "
                              "account's handle, such as name.bsky.social (without @), or its "
                              "DID (did:plc:…)")

    @classmethod
    def gap(cls, account: AccountConfig, capability: Capability,
            comment: Comment | None = None) -> str:
        if capability is Capability.HIDE and comment is not None and not comment.post_id:
            return ("Bluesky lets only the author of a thread's first post hide replies in "
                    f"it, and this one is not under a post of account {account.name} (a "
                    "mention, or a reply in someone else's thread)")
        return super().gap(account, capability, comment)

    # -- requests ------------------------------------------------------------------

    async def did(self) -> str:
        return (await self.session.ready()).did

    async def call(self, nsid: str, *, params: Any = None, body: Any = None,
                   idempotent: bool = False, allow: tuple[int, ...] = ()
                   ) -> tuple[Any, httpx.Response]:
        """An XRPC query (``body`` None) or procedure, signed in; the session is renewed
        once when the server says it ended."""
        for attempt in (1, 2):
            self._used = await self.session.ready()
            try:
                if body is None:
                    return await self.http.get_json(f"/xrpc/{nsid}", params=params, allow=allow)
                return await self.http.send_json("POST", f"/xrpc/{nsid}", json=body,
                                                 idempotent=idempotent, allow=allow)
            except SessionEnded as ended:
                if attempt == 2:
                    raise
                await self.session.renew(self._used, expired=ended.expired)
        raise AssertionError("unreachable")

    # -- reading ---------------------------------------------------------------------

    async def pages(self, cursor: Mapping[str, Any] | None) -> AsyncIterator[Page]:
        since, seen = floor(cursor)
        kept = cursor_doc(since, seen) if since else None
        me = await self.did()
        newest, at_newest = since, set(seen)
        after: str | None = None
        asked: set[str] = set()
        while True:
            params = [("limit", str(min(self.page_size, self.max_page_size))),
                      *(("reasons", r) for r in REASONS), *([("cursor", after)] if after else [])]
            body, _ = await self.call("app.bsky.notification.listNotifications", params=params)
            items = body.get("notifications") if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise BadPayload(f"{self.name}: bluesky answered listNotifications with "
                                 "something else (no notifications list)", account=self.name)
            fresh, reached = [], False
            for item in items:
                when, uri = indexed(item)
                if when is not None and since is not None and (
                        when < since or (when == since and uri in seen)):
                    reached = True  # what follows is older, or seen at the same instant
                    continue
                if when is not None and uri is not None:
                    if newest is None or when > newest:
                        newest, at_newest = when, {uri}
                    elif when == newest:
                        at_newest.add(uri)
                fresh.append(item)
            comments, problems = self._read(fresh, me, notifications=True)
            posts = await self._roots(comments)
            found = body.get("cursor")
            nxt = found if isinstance(found, str) and found and found not in asked else None
            if reached or nxt is None:
                if newest is not None:
                    kept = cursor_doc(newest, at_newest)
                yield Page(tuple(comments), tuple(posts), kept, tuple(problems))
                return
            yield Page(tuple(comments), tuple(posts), kept, tuple(problems))
            asked.add(nxt)
            after = nxt

    def _read(self, items: Iterable[Any], me: str, *, notifications: bool = False,
              own: bool = False, sync: bool = True) -> tuple[list[Comment], list[str]]:
        """Comments from notifications or post views (others' only, unless ``own``),
        each item that cannot be read named; in a ``sync``, each given once a run."""
        comments: list[Comment] = []
        problems: list[str] = []
        what = "notification" if notifications else "post"
        for index, item in enumerate(items):
            reason = item.get("reason") if notifications and isinstance(item, dict) else None
            if isinstance(reason, str) and reason not in REASONS:
                continue  # likes, follows, quotes: not comments
            label = (f"{what} {item['uri']}" if isinstance(item, dict) and isinstance(
                item.get("uri"), str) and item["uri"].isprintable() else f"{what} {index + 1}")
            try:
                if notifications and reason is None:
                    raise ItemError("reason is missing" if isinstance(item, dict)
                                    else "the item is not an object")
                view = post_view(item)
                comment = self._comment(view, me)
            except ItemError as exc:
                problems.append(f"{self.name}: skipped bluesky {label[:200]}: {exc}")
                continue
            if (view.author_did == me) != own:
                continue
            if sync:
                if comment.native_id in self._given:
                    continue
                self._given.add(comment.native_id)
            comments.append(comment)
        return comments, problems

    def _comment(self, view: PostView, me: str) -> Comment:
        ours = view.root is not None and at_uri(view.root["uri"]).did == me
        root = view.root["uri"] if view.root else None
        parent = view.parent["uri"] if view.parent else None
        return checked(Comment(
            id=self.comment_id(str(view.uri)), platform=self.platform, account=self.name,
            text=view.text, created_at=view.at,
            author=Author(id=view.author_did, name=view.name, handle=view.handle),
            post_id=self.comment_id(root) if ours and root else None,
            parent_id=self.comment_id(parent) if parent and (parent != root or not ours)
            else None,
            permalink=view.link, native_id=str(view.uri), captured_at=self.clock()))

    async def _roots(self, comments: list[Comment]) -> list[Post]:
        """The account's posts these comments are under, not stored or given yet."""
        wanted = []
        for comment in comments:
            if comment.post_id and comment.post_id not in self._posts and not (
                    self.known.has_post(comment.post_id)):
                self._posts.add(comment.post_id)
                wanted.append(self._native(comment.post_id))
        posts = []
        for view in await self.views(wanted):
            posts.append(self._post(view))
        return posts

    def _post(self, view: PostView) -> Post:
        return Post(id=self.comment_id(str(view.uri)), platform=self.platform,
                    account=self.name, text=view.text, created_at=view.at, permalink=view.link)

    async def views(self, uris: list[str]) -> list[PostView]:
        """The posts at ``uris`` that still exist and can be read (``getPosts``)."""
        out = []
        for start in range(0, len(uris), GET_POSTS):
            chunk = uris[start:start + GET_POSTS]
            body, _ = await self.call("app.bsky.feed.getPosts",
                                      params=[("uris", uri) for uri in chunk])
            found = body.get("posts") if isinstance(body, dict) else None
            if not isinstance(found, list):
                raise BadPayload(f"{self.name}: bluesky answered getPosts with something "
                                 "else (no posts list)", account=self.name)
            for doc in found:
                try:
                    out.append(post_view(doc))
                except ItemError as exc:
                    logger.warning("%s: a bluesky post is unreadable (%s)", self.name, exc)
        return out

    def _native(self, triage_id: str) -> str:
        return triage_id.removeprefix(f"{self.platform}:{self.name}:")

    # -- the thread ------------------------------------------------------------------

    async def thread(self, comment: Comment) -> Thread:
        me = await self.did()
        anchor = self._native(comment.post_id) if comment.post_id else comment.native_id
        body, response = await self.call("app.bsky.feed.getPostThread", params={
            "uri": anchor, "depth": str(THREAD_DEPTH), "parentHeight": "80"}, allow=(400,))
        if response.status_code == 400:
            if xrpc_error(response.content)[0] == "NotFound":
                raise ActionRefused(f"{self.name}: the bluesky thread of {comment.native_id} "
                                    "is gone (deleted)")
            raise ConnectorError(f"{self.name}: bluesky refused getPostThread "
                                 f"({self.error_text(response)})", account=self.name)
        top = body.get("thread") if isinstance(body, dict) else None
        if not isinstance(top, dict):
            raise BadPayload(f"{self.name}: bluesky answered getPostThread with something else "
                             "(no thread)", account=self.name)
        docs: list[Any] = []
        thread_posts(top, docs)
        root: Post | None = None
        rest = []
        for doc in docs:
            record = doc.get("record") if isinstance(doc, dict) else None
            if isinstance(record, dict) and "reply" not in record:
                try:
                    view = post_view(doc)
                except ItemError:
                    continue
                if view.author_did == me:
                    root = self._post(view)
                continue
            rest.append(doc)
        others, _ = self._read(rest, me, sync=False)
        own, _ = self._read(rest, me, own=True, sync=False)
        return Thread(root, tuple(others), tuple(own))

    # -- writing ---------------------------------------------------------------------

    async def reply(self, comment: Comment, text: str, *, idempotency_key: str) -> str:
        me = await self.did()
        found = await self.views([comment.native_id])
        if not found:
            raise ActionRefused(f"{self.name}: bluesky has no post {comment.native_id} any "
                                "more (deleted by its author?): nothing to reply to")
        target = found[0]
        record: dict[str, Any] = {
            "$type": POST, "text": text, "createdAt": iso(self.clock().astimezone(UTC)),
            "reply": {"root": target.root or target.ref, "parent": target.ref},
        }
        facets = link_facets(text)
        if facets:
            record["facets"] = facets
        body, _ = await self.call("com.atproto.repo.createRecord", body={
            "repo": me, "collection": POST, "record": record})
        try:
            return str(at_uri(body.get("uri") if isinstance(body, dict) else None))
        except ItemError as exc:
            raise BadPayload(f"{self.name}: bluesky accepted the reply but its answer is "
                             f"unreadable ({exc}); find it before posting again",
                             account=self.name) from None

    async def find_reply(self, comment: Comment, text: str, *,
                         idempotency_key: str) -> str | None:
        """Our reply to ``comment`` with this text among the account's newest posts, read
        from its own repository (which has it at once; threads lag behind)."""
        me = await self.did()
        body, _ = await self.call("com.atproto.repo.listRecords", params={
            "repo": me, "collection": POST, "limit": str(OWN_RECENT)})
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list):
            raise BadPayload(f"{self.name}: bluesky answered listRecords with something else "
                             "(no records list)", account=self.name)
        wanted = plain(text)
        for entry in records:
            value = entry.get("value") if isinstance(entry, dict) else None
            reply = value.get("reply") if isinstance(value, dict) else None
            parent = reply.get("parent") if isinstance(reply, dict) else None
            if (isinstance(parent, dict) and parent.get("uri") == comment.native_id
                    and isinstance(value.get("text"), str)  # type: ignore[union-attr]
                    and plain(value["text"]) == wanted  # type: ignore[index]
                    and isinstance(entry.get("uri"), str)):
                return str(entry["uri"])
        return None

    async def delete_reply(self, reply_id: str) -> None:
        me = await self.did()
        try:
            uri = at_uri(reply_id, "the reply's id")
        except ItemError as exc:
            raise ActionRefused(f"{self.name}: {exc}: {reply_id!r}") from None
        if uri.did != me or uri.collection != POST:
            raise ActionRefused(f"{self.name}: {reply_id} is not a post of this account")
        await self.call("com.atproto.repo.deleteRecord", body={
            "repo": me, "collection": POST, "rkey": uri.rkey}, idempotent=True)

    async def hide(self, comment: Comment, hidden: bool = True) -> None:
        gap = self.gap(self.account, Capability.HIDE, comment)
        if gap:
            raise ActionRefused(f"{self.name}: {gap}")
        me = await self.did()
        root = at_uri(self._native(comment.post_id or ""), "the comment's post")
        if root.did != me:
            raise ActionRefused(f"{self.name}: the thread of {comment.native_id} starts at a "
                                "post of another account: only its author can hide replies")
        await ThreadGate(self, me, AtUri(root.did, root.collection, root.rkey)).set(
            comment.native_id, hidden)

    # -- errors and limits -----------------------------------------------------------

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._used.access}"} if self._used else {}

    def pause_until(self, response: httpx.Response, now: datetime) -> datetime | None:
        return rate_limit_reset(response, now)

    def classify(self, response: httpx.Response, now: datetime) -> ConnectorError | None:
        if response.status_code not in (400, 401):
            return None
        name, message = xrpc_error(response.content)
        if response.status_code == 401 or name in ENDED:
            return SessionEnded(f"{self.name}: bluesky ended the session of "
                                f"{self.account.handle} ({response.status_code} {name}: "
                                f"{message or 'no reason given'})",
                                expired=name == "ExpiredToken", account=self.name)
        return None

    def error_text(self, response: httpx.Response) -> str:
        name, message = xrpc_error(response.content)
        return f"{name}: {message}" if name and message else name or message

