"""The Facebook Pages connector: comments on a Page's posts in, replies and moderation out.

Reading. ``GET /{page-id}/feed`` (newest first) names the posts looked at: the newest
``recent_posts`` (50) of the last ``recent_days`` (30) days, as the Page's own tools show
recent activity. The same request asks each post's comment count
(``comments.filter(stream).limit(0).summary(true)``). A post whose count moved since
its last complete read, a new post, a post whose read was interrupted, and any post
not read for an hour (a deletion plus a new comment leave the count unchanged) is read
with ``GET /{post-id}/comments?filter=stream&order=chronological&since=…`` — every depth,
oldest first, each reply with its ``parent`` — following ``paging.next`` to the end.

Cursor: ``{"v": 1, "posts": {post id: {"t", "ids", "n", "at"}}}`` — per post, ``t`` is
the newest ``created_time`` read (epoch seconds) and ``ids`` the comments read at that
second; ``n`` the count when its last complete read began and ``at`` when that was.
The listing is chronological, so after every page everything up to ``t`` is read: the
next request asks ``since=t`` (inclusive) and skips ``ids``. An interrupted sync resumes
each post where it stopped (its ``n`` is only updated once its read is whole, so it is
read again), new comments on older posts are found by the count, and posts that leave
the window leave the cursor. A comment the Page approves late (held for review, then
published) keeps its old ``created_time``, so ``since`` passes it by: when the count grew
by more than the read found, the post is read again newest first
(``order=reverse_chronological``) back to 30 days before ``t``, and every comment not
stored yet is taken. A broken item's id counts as read, so it never blocks a post,
and waits under ``"retry": {id: tries}``: each later sync asks for it by id
(``GET /{comment-id}``), three tries in all, so it is not lost either.

Placing: ``post_id`` is the post, ``parent_id`` the comment replied to (``parent``).
Comments written by the Page itself are the organisation's replies: never queue items.
Author names may be withheld by Facebook (then "Facebook user"). Permalinks from
``permalink_url``.

Writing: reply ``POST /{comment-id}/comments message=``; hide/unhide
``POST /{comment-id} is_hidden=``; delete ``DELETE /{comment-id}`` (a comment already
gone counts as deleted). Graph takes no idempotency key: a reply is never resent, and
``find_reply`` looks in the thread for it first.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

from triage.account_settings import Setting
from triage.connectors.base import Capability, Thread
from triage.connectors.graph import GraphConnector, Listed, Walked
from triage.connectors.graph_wire import as_int, as_object, item_id
from triage.connectors.payload import (
    ItemError,
    checked,
    id_field,
    obj_field,
    text_field,
    time_field,
    url_field,
)
from triage.errors import ActionRefused, BadPayload
from triage.model import Author, Comment, Post

__all__ = ["FacebookConnector"]

logger = logging.getLogger("triage.connectors")

POST_FIELDS = "id,message,story,created_time,permalink_url"
FEED_FIELDS = POST_FIELDS + ",comments.filter(stream).limit(0).summary(true)"
COMMENT_FIELDS = "id,message,created_time,from{id,name},parent{id},permalink_url"
#: Comments kept in the cursor for the newest second (more at one second is unheard of).
MAX_BOUNDARY_IDS = 200
#: How far back before the newest comment read a late-approved comment is looked for.
LATE_SECONDS = 30 * 86400


class FacebookConnector(GraphConnector):
    """One Facebook Page (``page_id``), with a Page access token."""

    platform = "facebook"
    SETTINGS = (Setting("page_id", str, "the id of the Page whose comments are read",
                        required=True, example="104729381234567"),)
    capabilities = frozenset({Capability.READ, Capability.THREAD, Capability.REPLY,
                              Capability.HIDE, Capability.DELETE})
    hide_field = "is_hidden"
    comment_fields = COMMENT_FIELDS


    # -- reading ---------------------------------------------------------------------

    async def listed(self, problems: list[str]) -> list[Listed]:
        def read(index: int, raw: Any) -> tuple[Any, Listed] | None:
            try:
                native = id_field(as_object(raw), "id")
            except ItemError as exc:
                problems.append(f"{self.name}: skipped facebook post #{index + 1} of the "
                                f"feed: {exc}")
                return None
            count = _count(raw)
            try:
                post = self._post(raw)
            except ItemError as exc:
                problems.append(f"{self.name}: facebook post {native} is unreadable ({exc}); "
                                "its comments are read without it")
                return None, Listed(native, None, count)
            return post.created_at, Listed(native, post, count, post.permalink)

        return await self.recent(f"/{self.account.page_id}/feed", FEED_FIELDS, read)

    async def walk(self, item: Listed, entries: dict[str, dict[str, Any]], now: int
                   ) -> AsyncGenerator[Walked, None]:
        entry = entries.get(item.native, {})
        newest = as_int(entry.get("t"))
        before, was = newest, as_int(entry.get("n"))
        at_newest = {i for i in entry.get("ids", ()) if isinstance(i, str)}
        fresh_items = 0
        params = {"fields": COMMENT_FIELDS, "filter": "stream", "order": "chronological",
                  "limit": self.limit}
        if newest is not None:
            params["since"] = str(newest)
        async with aclosing(self.edge(f"/{item.native}/comments", params)) as pages:
            async for page in pages:
                found = Walked()
                for index, raw in enumerate(page.items):
                    ident, moment = item_id(raw), _moment(raw)
                    if newest is not None and moment is not None and (
                            moment < newest or (moment == newest and ident in at_newest)):
                        continue  # read before (since is inclusive)
                    if moment is None and ident and ident in at_newest:
                        continue  # a broken item already noted
                    fresh_items += 1
                    try:
                        comment, own = self._comment(raw, item.native)
                    except ItemError as exc:
                        found.problems.append(f"{self.name}: skipped facebook comment "
                                              f"{ident or f'#{index + 1}'} on post "
                                              f"{item.native}: {exc}")
                        if ident:
                            found.broken.append(ident)
                    else:
                        if not own:
                            found.comments.append(comment)
                    if moment is not None and (newest is None or moment > newest):
                        newest, at_newest = moment, set()
                    if ident and (moment is None or moment == newest):
                        at_newest.add(ident)
                fresh = {k: v for k, v in entry.items() if k in ("n", "at")}
                if newest is not None:
                    fresh["t"] = newest
                fresh["ids"] = sorted(at_newest)[:MAX_BOUNDARY_IDS]
                late = (page.follow is None and before is not None and was is not None
                        and item.count is not None and item.count - was > fresh_items)
                if page.follow is None and not late:
                    fresh.update(n=item.count, at=now)
                entries[item.native] = fresh
                yield found
                if late and before is not None:
                    found = await self._late(item, before, at_newest)
                    entries[item.native] = {**entries[item.native], "n": item.count,
                                            "at": now}
                    yield found

    async def _late(self, item: Listed, before: int, skip: set[str]) -> Walked:
        """Comments the Page approved late: their ``created_time`` is older than the newest
        read, so ``since`` passes them by. The count says some came in that the forward read
        did not see; the newest-first listing is read back over :data:`LATE_SECONDS` before
        that newest time, and every comment not stored yet is taken."""
        found = Walked()
        params = {"fields": COMMENT_FIELDS, "filter": "stream",
                  "order": "reverse_chronological", "limit": self.limit}
        async with aclosing(self.edge(f"/{item.native}/comments", params)) as pages:
            async for page in pages:
                for raw in page.items:
                    ident, moment = item_id(raw), _moment(raw)
                    if moment is not None and moment < before - LATE_SECONDS:
                        return found
                    if (not ident or ident in skip or moment is None or moment > before
                            or self.known.stored_comment(self.comment_id(ident)) is not None):
                        continue
                    try:
                        comment, own = self._comment(raw, item.native)
                    except ItemError as exc:
                        found.problems.append(f"{self.name}: skipped facebook comment {ident} "
                                              f"on post {item.native}: {exc}")
                        continue
                    if not own:
                        found.comments.append(comment)
        return found

    def reread(self, raw: Any, item: Listed) -> tuple[Comment, bool]:
        return self._comment(raw, item.native)

    def _post(self, raw: Any) -> Post:
        doc = as_object(raw)
        return Post(id=self.comment_id(id_field(doc, "id")), platform=self.platform,
                    account=self.name,
                    text=text_field(doc, "message") or text_field(doc, "story"),
                    created_at=time_field(doc, "created_time"),
                    permalink=url_field(doc, "permalink_url"))

    def _comment(self, raw: Any, post_native: str | None) -> tuple[Comment, bool]:
        """A comment (placed under its post and parent) and whether the Page wrote it."""
        doc = as_object(raw)
        native = id_field(doc, "id")
        author = obj_field(doc, "from", required=False)
        author_id = id_field(author, "id", required=False)
        parent = id_field(obj_field(doc, "parent", required=False), "id", required=False)
        comment = checked(Comment(
            id=self.comment_id(native),
            platform=self.platform,
            account=self.name,
            text=text_field(doc, "message"),
            created_at=time_field(doc, "created_time"),
            author=Author(id=author_id,
                          name=text_field(author, "name").strip() or "Facebook user"),
            post_id=self.comment_id(post_native) if post_native else None,
            parent_id=self.comment_id(parent) if parent else None,
            permalink=url_field(doc, "permalink_url"),
            native_id=native,
            captured_at=self.clock(),
        ))
        return comment, bool(author_id) and author_id == self.account.page_id

    # -- the thread ------------------------------------------------------------------

    async def thread(self, comment: Comment) -> Thread:
        """The post, the top-level comment this one sits under, its replies, ours apart."""
        doc = await self.node(comment.native_id, COMMENT_FIELDS, "comment")
        parent = obj_field(doc, "parent", required=False).get("id")
        top = parent if isinstance(parent, str) and parent else comment.native_id
        docs = [doc] if top == comment.native_id else [await self.node(top, COMMENT_FIELDS,
                                                                       "comment")]
        below = [top] if top == comment.native_id else [top, comment.native_id]
        for native in below:
            params = {"fields": COMMENT_FIELDS, "order": "chronological", "limit": self.limit}
            async with aclosing(self.edge(f"/{native}/comments", params)) as pages:
                async for page in pages:
                    docs.extend(page.items)
        post_native = self.native_of(comment.post_id)
        post = None
        if post_native:
            try:
                post = self._post(await self.node(post_native, POST_FIELDS, "post"))
            except (ItemError, ActionRefused) as exc:
                logger.warning("%s: the facebook post %s is unreadable (%s)", self.name,
                               post_native, exc)
        others: list[Comment] = []
        own: list[Comment] = []
        seen: set[str] = set()
        for raw in docs:
            try:
                found, mine = self._comment(raw, post_native)
            except ItemError as exc:
                logger.warning("%s: skipped a facebook comment in a thread: %s", self.name, exc)
                continue
            if found.native_id in seen:
                continue
            seen.add(found.native_id)
            (own if mine else others).append(found)
        return Thread(post, tuple(others), tuple(own))

    # -- writing ---------------------------------------------------------------------

    async def reply(self, comment: Comment, text: str, *, idempotency_key: str) -> str:
        body = await self.write("POST", f"/{comment.native_id}/comments", what="reply",
                                idempotent=False, data={"message": text})
        try:
            return id_field(body if isinstance(body, dict) else {}, "id")
        except ItemError as exc:
            raise BadPayload(f"{self.name}: facebook accepted the reply but its answer is "
                             f"unreadable ({exc}); find it before posting again",
                             account=self.name) from None


def _moment(raw: Any) -> int | None:
    try:
        return int(time_field(as_object(raw), "created_time").timestamp())
    except ItemError:
        return None


def _count(raw: Any) -> int | None:
    comments = raw.get("comments") if isinstance(raw, dict) else None
    summary = comments.get("summary") if isinstance(comments, dict) else None
    total = summary.get("total_count") if isinstance(summary, dict) else None
    return total if isinstance(total, int) and not isinstance(total, bool) else None

