"""The Instagram connector (Graph API): comments on a business account's media in, replies out.

Reading. The media looked at are the account's config ``media_ids`` when given (each
``GET /{media-id}``), else ``GET /{ig-user-id}/media`` (newest first): the newest
``recent_posts`` (50) of the last ``recent_days`` (30) days, each with its
``comments_count`` (top-level comments and replies). Instagram lists a media's comments
newest first and has no ``since``, and a reply does not move its comment in that list, so
a media is read again whole — ``GET /{media-id}/comments`` with each comment's replies
inline (``replies.limit(50){…}``, the rest from ``GET /{comment-id}/replies``) — when its
count moved since its last complete read, when it is new, when its read was interrupted,
or when it was not read for an hour (a deletion and a new comment leave the count as it
was). Comments read before come again and the store keeps one of each (same ids).

Cursor: ``{"v": 1, "posts": {media id: {"n", "at", "walk"?}}}`` — ``n`` is the count when
the last complete read began, ``at`` when; while a read is under way, ``walk`` holds
``{"n": count at its start, "follow": the paging values of the next page}`` so an
interrupted sync goes on from there (comments added meanwhile move the count, so the
media is read again). If Instagram no longer accepts that place, the media is read from
the start. Media that leave the window leave the cursor. A comment that cannot be read
waits under ``"retry": {id: tries}`` and is asked for by id on later syncs (three tries).

Placing: ``post_id`` is the media, ``parent_id`` the top-level comment a reply answers
(Instagram has two levels). Comments by the account itself (``user`` is given only for
those) are the organisation's replies: never queue items. A comment's permalink is its
media's (Instagram has none per comment).

Writing: reply ``POST /{comment-id}/replies message=`` — top-level comments only, and not
hidden ones (refused with the reason before anything is sent); hide/unhide
``POST /{comment-id} hide=``; delete ``DELETE /{comment-id}``. No idempotency key:
``find_reply`` looks in the thread before anything is posted again.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

from triage.account_settings import Setting
from triage.config import AccountConfig
from triage.connectors.base import Capability, Thread
from triage.connectors.graph import GraphConnector, GraphRefusal, Listed, Walked
from triage.connectors.graph_wire import as_int, as_object, item_id, read_edge, read_follow
from triage.connectors.payload import (
    ItemError,
    checked,
    id_field,
    obj_field,
    text_field,
    time_field,
)
from triage.errors import ActionRefused, BadPayload, ConfigError
from triage.model import Author, Comment, Post

__all__ = ["InstagramConnector"]

logger = logging.getLogger("triage.connectors")

MEDIA_FIELDS = "id,caption,timestamp,permalink,comments_count"
COMMENT_FIELDS = "id,text,timestamp,username,from{id,username},parent_id,user"
REPLIES_INLINE = 50
LIST_FIELDS = f"{COMMENT_FIELDS},replies.limit({REPLIES_INLINE}){{{COMMENT_FIELDS}}}"


class InstagramConnector(GraphConnector):
    """One Instagram professional account (``user_id``, or a list of ``media_ids``)."""

    platform = "instagram"
    SETTINGS = (
        Setting("user_id", str, "the Instagram professional account's id; its newest media "
                "are read", example="17841400000000000"),
        Setting("media_ids", list, "only these media are read (instead of the newest)"),
    )
    capabilities = frozenset({Capability.READ, Capability.THREAD, Capability.REPLY,
                              Capability.HIDE, Capability.DELETE})
    hide_field = "hide"
    comment_fields = COMMENT_FIELDS

    @classmethod
    def check_account(cls, account: AccountConfig) -> None:
        super().check_account(account)
        if not account.user_id.strip() and not account.media_ids:
            raise ConfigError(f"account {account.name}: user_id (the Instagram account's id) "
                              "or media_ids is needed for instagram")

    # -- reading ---------------------------------------------------------------------

    async def listed(self, problems: list[str]) -> list[Listed]:
        if self.account.media_ids:
            return await self._configured(problems)

        def read(index: int, raw: Any) -> tuple[Any, Listed] | None:
            try:
                listed = self._media(raw)
            except ItemError as exc:
                problems.append(f"{self.name}: skipped instagram media #{index + 1} of the "
                                f"account: {exc}")
                return None
            return (listed.post.created_at if listed.post else None), listed

        return await self.recent(f"/{self.account.user_id}/media", MEDIA_FIELDS, read)

    async def _configured(self, problems: list[str]) -> list[Listed]:
        found: list[Listed] = []
        for native in dict.fromkeys(self.account.media_ids):
            try:
                found.append(self._media(await self.node(native, MEDIA_FIELDS, "media")))
            except ActionRefused as exc:
                problems.append(f"{exc} (it is listed in media_ids)")
            except ItemError as exc:
                problems.append(f"{self.name}: skipped instagram media {native}: {exc}")
        return found

    def _media(self, raw: Any) -> Listed:
        """A media as listed; ItemError only when not even its id can be read."""
        doc = as_object(raw)
        native = id_field(doc, "id")
        count = as_int(doc.get("comments_count"))
        permalink = _url(doc.get("permalink"))
        try:
            post: Post | None = self._post(doc)
        except ItemError as exc:
            logger.warning("%s: instagram media %s is unreadable (%s); its comments are read "
                           "without it", self.name, native, exc)
            post = None
        return Listed(native, post, count, permalink)

    def _post(self, doc: dict[str, Any]) -> Post:
        return Post(id=self.comment_id(id_field(doc, "id")), platform=self.platform,
                    account=self.name, text=text_field(doc, "caption"),
                    created_at=time_field(doc, "timestamp"),
                    permalink=_url(doc.get("permalink")))

    async def walk(self, item: Listed, entries: dict[str, dict[str, Any]], now: int
                   ) -> AsyncGenerator[Walked, None]:
        entry = entries.get(item.native, {})
        kept = {k: v for k, v in entry.items() if k in ("n", "at")}
        resume = entry.get("walk") if isinstance(entry.get("walk"), dict) else None
        follow = read_follow(resume.get("follow")) if resume else None
        started = as_int(resume.get("n")) if resume and follow else item.count
        params = {"fields": LIST_FIELDS, "limit": self.limit}
        while True:
            read_any = False
            try:
                async with aclosing(self.edge(f"/{item.native}/comments", params,
                                              follow=follow)) as pages:
                    async for page in pages:
                        read_any = True
                        found = await self._read_page(page.items, item)
                        if page.follow is None:
                            entries[item.native] = {"n": started, "at": now}
                        else:
                            entries[item.native] = {**kept, "walk": {"n": started,
                                                                     "follow": page.follow}}
                        yield found
                return
            except GraphRefusal as exc:
                if exc.gone or follow is None or read_any:
                    raise
                logger.info("%s: instagram no longer takes the stored place in media %s (%s); "
                            "reading it from the start", self.name, item.native, exc.detail)
                follow, started = None, item.count

    async def _read_page(self, items: list[Any], item: Listed) -> Walked:
        found = Walked()
        for index, raw in enumerate(items):
            native = item_id(raw)
            try:
                top, own = self._comment(raw, item, None)
            except ItemError as exc:
                found.problems.append(f"{self.name}: skipped instagram comment "
                                      f"{native or f'#{index + 1}'} on media {item.native}: "
                                      f"{exc}")
                if native:
                    found.broken.append(native)
            else:
                if not own:
                    found.comments.append(top)
            if not native:
                continue  # its replies cannot be placed
            try:
                replies = await self._replies(raw, native)
            except BadPayload as exc:
                found.problems.append(f"{self.name}: skipped the replies to instagram "
                                      f"comment {native}: {exc}")
                continue
            for number, reply_raw in enumerate(replies):
                try:
                    reply, own = self._comment(reply_raw, item, native)
                except ItemError as exc:
                    label = item_id(reply_raw)
                    found.problems.append(f"{self.name}: skipped instagram reply "
                                          f"{label or f'#{number + 1}'} to comment {native}: "
                                          f"{exc}")
                    if label:
                        found.broken.append(label)
                    continue
                if not own:
                    found.comments.append(reply)
        return found

    def reread(self, raw: Any, item: Listed) -> tuple[Comment, bool]:
        return self._comment(raw, item, None)

    async def _replies(self, raw: Any, native: str) -> list[Any]:
        """A comment's replies: those given inline, then the rest of the edge."""
        inline = raw.get("replies") if isinstance(raw, dict) else None
        if inline is None:
            return []
        where = f"{self.name}: instagram gave comment {native}"
        replies, follow = read_edge(inline, where, account=self.name)
        if follow is not None:
            params = {"fields": COMMENT_FIELDS, "limit": self.limit}
            async with aclosing(self.edge(f"/{native}/replies", params,
                                          follow=follow)) as pages:
                async for page in pages:
                    replies = replies + page.items
        return replies

    def _comment(self, raw: Any, media: Listed, parent: str | None) -> tuple[Comment, bool]:
        """A comment placed under its media (and parent), and whether the account wrote it."""
        doc = as_object(raw)
        native = id_field(doc, "id")
        author = obj_field(doc, "from", required=False)
        username = text_field(doc, "username").strip() or text_field(author, "username").strip()
        author_id = id_field(author, "id", required=False)
        parent = parent or id_field(doc, "parent_id", required=False) or None
        comment = checked(Comment(
            id=self.comment_id(native),
            platform=self.platform,
            account=self.name,
            text=text_field(doc, "text", required=True),
            created_at=time_field(doc, "timestamp"),
            author=Author(id=author_id or username, name=username or "Instagram user",
                          handle=f"@{username}" if username else ""),
            post_id=self.comment_id(media.native) if media.native else None,
            parent_id=self.comment_id(parent) if parent else None,
            permalink=media.permalink,
            native_id=native,
            captured_at=self.clock(),
        ))
        own = isinstance(doc.get("user"), dict) or (
            bool(author_id) and author_id == self.account.user_id)
        return comment, own

    # -- the thread ------------------------------------------------------------------

    async def thread(self, comment: Comment) -> Thread:
        """The media, the top-level comment this one sits under, its replies, ours apart."""
        doc = await self.node(comment.native_id, COMMENT_FIELDS + ",media{id}", "comment")
        parent = doc.get("parent_id")
        top = parent if isinstance(parent, str) and parent else comment.native_id
        top_doc = doc if top == comment.native_id else await self.node(top, COMMENT_FIELDS,
                                                                       "comment")
        media = obj_field(doc, "media", required=False).get("id")
        media_native = media if isinstance(media, str) and media else self.native_of(
            comment.post_id)
        post = None
        listed = Listed(media_native or "", None, None)
        if media_native:
            try:
                listed = self._media(await self.node(media_native, MEDIA_FIELDS, "media"))
                post = listed.post
            except (ItemError, ActionRefused) as exc:
                logger.warning("%s: the instagram media %s is unreadable (%s)", self.name,
                               media_native, exc)
        docs: list[Any] = [top_doc]
        params = {"fields": COMMENT_FIELDS, "limit": self.limit}
        async with aclosing(self.edge(f"/{top}/replies", params)) as pages:
            async for page in pages:
                docs.extend(page.items)
        others: list[Comment] = []
        own: list[Comment] = []
        for raw in docs:
            try:
                found, mine = self._comment(raw, listed, None if raw is top_doc else top)
            except ItemError as exc:
                logger.warning("%s: skipped an instagram comment in a thread: %s", self.name,
                               exc)
                continue
            (own if mine else others).append(found)
        return Thread(post, tuple(others), tuple(own))

    # -- writing ---------------------------------------------------------------------

    async def reply(self, comment: Comment, text: str, *, idempotency_key: str) -> str:
        if comment.parent_id is not None:
            raise ActionRefused(f"{self.name}: Instagram takes replies only to top-level "
                                "comments, and this one answers another comment: reply to that "
                                "one instead (mention the person to reach them)")
        doc = await self.node(comment.native_id, "id,hidden,parent_id", "comment")
        if doc.get("parent_id"):
            raise ActionRefused(f"{self.name}: Instagram takes replies only to top-level "
                                "comments, and this one answers another comment: reply to that "
                                "one instead (mention the person to reach them)")
        if doc.get("hidden") is True:
            raise ActionRefused(f"{self.name}: Instagram takes no replies to a hidden "
                                "comment: unhide it first, or leave it unanswered")
        body = await self.write("POST", f"/{comment.native_id}/replies", what="reply",
                                idempotent=False, data={"message": text})
        try:
            return id_field(body if isinstance(body, dict) else {}, "id")
        except ItemError as exc:
            raise BadPayload(f"{self.name}: instagram accepted the reply but its answer is "
                             f"unreadable ({exc}); find it before posting again",
                             account=self.name) from None


def _url(value: Any) -> str:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else ""


