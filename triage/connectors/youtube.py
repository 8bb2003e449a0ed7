"""The YouTube connector: comments on a channel's videos in, replies and moderation out.

Reading: ``GET /commentThreads?allThreadsRelatedToChannelId=…&order=time&textFormat=
plainText`` newest first, paged by ``nextPageToken`` (filters sent again on every page);
replies beyond those a thread embeds come from ``GET /comments?parentId=…``. YouTube has
no ``since``: where a walk stops, and the cursor, are described in ``youtube_walk``
(with which older threads have their new replies found: hourly for the last two weeks,
daily for older threads, by a deep re-check that compares ``totalReplyCount`` with the
replies the store holds). An interrupted walk
resumes at its ``page_token`` (from the newest again if YouTube no longer accepts it).

Placing: the post is the video; a reply's parent is its thread's top-level comment (two
levels only). The channel's own comments are not queued. The videos a walk meets that the
store does not hold yet are fetched once per sync, 50 to a call, and given in
``Page.posts`` with the page (``youtube_videos``; a failure there is a problem of the page,
never a lost comment); ``thread()`` gives its video too.
Text: ``textOriginal``, else ``textDisplay`` (plain text with ``textFormat=plainText``).
Quota: calls are counted in ``quota_used`` (reads 1 unit, writes 50); ``quotaExceeded``
pauses the account until midnight Pacific time (and says so), ``rateLimitExceeded`` for a
minute.
Writing: replies go under the thread's top-level comment (a reply to a reply opens with
the person's @handle); hide = ``heldForReview``, unhide = ``published``; never
``rejected``, which cannot be undone. No idempotency key: ``find_reply`` reads the thread.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import orjson
from dateutil import tz

from triage.account_settings import Setting
from triage.connectors.base import Capability, Connector, Page, Thread
from triage.connectors.payload import (
    ItemError,
    checked,
    id_field,
    obj_field,
    text_field,
    time_field,
)
from triage.connectors.youtube_videos import MAX_IDS, Videos, read_videos
from triage.connectors.youtube_walk import Walk, held
from triage.errors import (
    ActionRefused,
    AuthError,
    BadPayload,
    ConnectorError,
    RateLimited,
)
from triage.model import Author, Comment, Post

if TYPE_CHECKING:
    import httpx

__all__ = ["YouTubeConnector", "next_quota_reset"]

logger = logging.getLogger("triage.connectors")

THREADS = "/commentThreads"
COMMENTS = "/comments"
#: Repeats of the same page token (an empty page pointing at itself) before giving up.
STUCK = 3
READ_COST, WRITE_COST = 1, 50
PACIFIC = tz.gettz("America/Los_Angeles") or tz.tzoffset("PST", -8 * 3600)
_QUOTA = frozenset({"quotaExceeded", "dailyLimitExceeded"})
_RATE = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
#: 403 reasons that refuse one action rather than the token.
_REFUSALS = {
    "parentCommentIsPrivate": "the comment is held for review or private, so it cannot be "
                              "answered",
    "commentsDisabled": "comments are turned off on this video",
}


def next_quota_reset(now: datetime) -> datetime:
    """When YouTube's daily quota resets after ``now``: the next midnight, Pacific time."""
    local = now.astimezone(PACIFIC)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(UTC)


class YouTubeConnector(Connector):
    """One YouTube channel (``channel_id`` in the account's config)."""

    platform = "youtube"
    SETTINGS = (Setting("channel_id", str, "the channel's id, UC…", required=True,
                        example="UCxxxxxxxxxxxxxxxxxxxxxx"),)
    capabilities = frozenset({Capability.READ, Capability.THREAD, Capability.REPLY,
                              Capability.HIDE})
    missing = {
        Capability.DELETE: "YouTube lets a channel delete only its own comments; hide the "
                           "comment instead (it is held for review, and can be shown again)",
    }
    default_base_url = "https://www.googleapis.com/youtube/v3"
    page_size = 100
    max_page_size = 100

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Quota units spent by this connector's calls (reads 1, writes 50).
        self.quota_used = 0
        #: Posts (Triage ids) whose video was asked for in this walk, found or not.
        self._asked: set[str] = set()
        #: Videos of this walk whose details could not be read.
        self._unread: list[str] = []


    # -- reading ---------------------------------------------------------------------

    async def pages(self, cursor: Mapping[str, Any] | None) -> AsyncIterator[Page]:
        walk = Walk.load(cursor)
        walk.start(self.clock())
        self._asked, self._unread = set(), []  # videos are asked for once per run
        resumed, stuck = walk.token is not None, 0
        while True:
            params = {"part": "snippet,replies", "allThreadsRelatedToChannelId":
                      self.account.channel_id, "order": "time", "textFormat": "plainText",
                      "maxResults": str(self._per_page())}
            if walk.token:
                params["pageToken"] = walk.token
            body, response = await self._get(THREADS, params, allow=(400,) if resumed else ())
            if resumed and response.status_code == 400:
                logger.warning("%s: youtube no longer accepts the page token of the "
                               "interrupted walk; starting again from the newest", self.name)
                walk.token, resumed = None, False
                continue
            resumed = False
            items = _items(body, self.name, THREADS)
            comments, problems, older = await self._read_threads(items, walk)
            following = _next_token(body)
            stuck = stuck + 1 if following and following == walk.token else 0
            if stuck >= STUCK:
                raise BadPayload(f"{self.name}: youtube keeps answering GET {THREADS} with "
                                 "the same page token", account=self.name)
            posts, halt = await self._posts(comments, walk, problems)
            if walk.done(older) or not following:
                yield Page(tuple(comments), posts, walk.finished(self.clock()),
                           tuple(problems))
                logger.info("%s: youtube quota used: %d units%s", self.name, self.quota_used,
                            " (a re-check of the recent threads)" if walk.recheck else "")
                if halt is not None:  # the comments are kept; the account's state says why
                    raise halt
                return
            walk.token = following
            yield Page(tuple(comments), posts, walk.during(following), tuple(problems))

    async def _posts(self, comments: list[Comment], walk: Walk, problems: list[str]
                     ) -> tuple[tuple[Post, ...], RateLimited | AuthError | None]:
        """The videos of ``comments`` (and those the last sync could not read) that this
        run has not asked for and the store does not hold; what stopped the asking."""
        wanted: list[str] = []
        posts = [self.comment_id(v) for v in walk.videos] + [c.post_id for c in comments
                                                              if c.post_id]
        for post in posts:
            if post not in self._asked and not self.known.has_post(post):
                self._asked.add(post)
                wanted.append(post.split(":", 2)[-1])
        found = Videos()
        if wanted:
            found = await read_videos(self._get, wanted, account=self.name,
                                      post_id=self.comment_id)
            problems.extend(found.problems)
            self._unread.extend(found.unread)
        walk.videos = self._unread[:MAX_IDS]  # asked for again by the next sync
        return tuple(found.posts), found.halt

    async def _read_threads(
        self, items: list[Any], walk: Walk
    ) -> tuple[list[Comment], list[str], bool]:
        comments: list[Comment] = []
        problems: list[str] = []
        older = False
        for index, item in enumerate(items):
            label = f"thread {index + 1}"
            try:
                doc = item if isinstance(item, dict) else {}
                label = f"thread {id_field(doc, 'id')}"
                top, total, embedded = self._thread_parts(doc)
            except ItemError as exc:
                problems.append(f"{self.name}: skipped youtube {label}: {exc}")
                continue
            fresh = walk.is_new(top.native_id, top.created_at)
            older = older or (walk.after is not None and top.created_at < walk.after)
            changed = walk.watch.get(top.native_id, total) != total
            stale = (walk.deep and not fresh and not changed and total > 0  # see youtube_walk
                     and top.native_id not in walk.watch and held(self.known, top.id) < total)
            walk.note(top.native_id, top.created_at, total)
            if fresh or changed or stale:
                replies, trouble = await self._replies(top.native_id, embedded, total)
                comments.extend(c for c in ([top] if fresh else []) + replies
                                if not self._own(c))
                problems.extend(trouble)
        return comments, problems, older

    def _thread_parts(self, doc: dict[str, Any]) -> tuple[Comment, int, list[Any]]:
        """(top-level comment, totalReplyCount, embedded replies) of a thread resource."""
        snippet = obj_field(doc, "snippet")
        top = self._comment(obj_field(snippet, "topLevelComment"))
        total = snippet.get("totalReplyCount", 0)
        total = total if isinstance(total, int) and total >= 0 else 0
        embedded = obj_field(doc, "replies", required=False).get("comments")
        return top, total, embedded if isinstance(embedded, list) else []

    async def _replies(self, top: str, embedded: list[Any],
                       total: int) -> tuple[list[Comment], list[str]]:
        """Every reply in thread ``top`` (fetched when not all embedded), and problems."""
        docs = embedded if total <= len(embedded) else await self._all_replies(top)
        found: list[Comment] = []
        problems: list[str] = []
        for index, doc in enumerate(docs):
            try:
                found.append(self._comment(doc if isinstance(doc, dict) else {}))
            except ItemError as exc:
                problems.append(f"{self.name}: skipped youtube reply {index + 1} in thread "
                                f"{top}: {exc}")
        return found, problems

    async def _all_replies(self, parent: str) -> list[Any]:
        docs: list[Any] = []
        token: str | None = None
        stuck = 0
        while True:
            params = {"part": "snippet", "parentId": parent, "textFormat": "plainText",
                      "maxResults": str(self._per_page())}
            if token:
                params["pageToken"] = token
            body, response = await self._get(COMMENTS, params, allow=(404,))
            if response.status_code == 404:
                return docs  # the thread went away meanwhile
            docs.extend(_items(body, self.name, COMMENTS))
            following = _next_token(body)
            stuck = stuck + 1 if following and following == token else 0
            if not following or stuck >= STUCK:
                return docs
            token = following

    def _comment(self, doc: dict[str, Any]) -> Comment:
        native = id_field(doc, "id")
        snippet = obj_field(doc, "snippet")
        name = "textOriginal" if snippet.get("textOriginal") is not None else "textDisplay"
        text = text_field(snippet, name, required=True)
        display = text_field(snippet, "authorDisplayName").strip()
        channel = id_field(obj_field(snippet, "authorChannelId", required=False), "value",
                           required=False)
        video = id_field(snippet, "videoId", required=False)
        parent = id_field(snippet, "parentId", required=False)
        return checked(Comment(
            id=self.comment_id(native), platform=self.platform, account=self.name, text=text,
            created_at=time_field(snippet, "publishedAt"),
            author=Author(id=channel or display, name=display.lstrip("@") or channel,
                          handle=display if display.startswith("@") else ""),
            post_id=self.comment_id(video) if video else None,
            parent_id=self.comment_id(parent) if parent else None,
            permalink=(f"https://www.youtube.com/watch?v={quote(video, safe='')}"
                       f"&lc={quote(native, safe='')}") if video else "",
            native_id=native, captured_at=self.clock()))

    def _own(self, comment: Comment) -> bool:
        return comment.author.id == self.account.channel_id

    def _per_page(self) -> int:
        return max(1, min(self.page_size, self.max_page_size))

    async def _get(self, path: str, params: dict[str, str],
                   allow: tuple[int, ...] = ()) -> tuple[Any, httpx.Response]:
        self.quota_used += READ_COST
        return await self.http.get_json(path, params=params, allow=allow)

    # -- the thread ------------------------------------------------------------------

    async def thread(self, comment: Comment) -> Thread:
        top_id = _top_native(comment)
        body, _ = await self._get(THREADS, {"part": "snippet,replies", "id": top_id,
                                            "textFormat": "plainText"})
        items = _items(body, self.name, THREADS)
        if not items:
            raise ActionRefused(f"{self.name}: youtube comment {top_id} is no longer there "
                                "(deleted, or held for review)")
        try:
            top, total, embedded = self._thread_parts(items[0] if isinstance(items[0], dict)
                                                      else {})
        except ItemError as exc:
            raise BadPayload(f"{self.name}: youtube thread {top_id} is unreadable ({exc})",
                             account=self.name) from None
        replies, problems = await self._replies(top_id, embedded, total)
        for problem in problems:
            logger.warning("%s", problem)
        post = None
        if top.post_id:
            found = await read_videos(self._get, [top.post_id.split(":", 2)[-1]],
                                      account=self.name, post_id=self.comment_id)
            for problem in found.problems:
                logger.warning("%s", problem)
            post = found.posts[0] if found.posts else None
        everyone = [top, *replies]
        return Thread(post, tuple(c for c in everyone if not self._own(c)),
                      tuple(c for c in everyone if self._own(c)))

    # -- writing ---------------------------------------------------------------------

    @classmethod
    def reply_prefix(cls, comment: Comment, text: str) -> str:
        handle = comment.author.handle
        if comment.parent_id and handle and not text.lstrip().startswith(handle):
            return f"{handle} "  # a reply to a reply names whom it answers
        return ""

    def _reply_text(self, comment: Comment, text: str) -> str:
        return self.reply_prefix(comment, text) + text

    async def reply(self, comment: Comment, text: str, *, idempotency_key: str) -> str:
        snippet = {"parentId": _top_native(comment), "textOriginal": self._reply_text(comment,
                                                                                     text)}
        self.quota_used += WRITE_COST
        body, _ = await self.http.send_json("POST", f"{COMMENTS}?part=snippet",
                                            json={"snippet": snippet})
        try:
            return id_field(body if isinstance(body, dict) else {}, "id")
        except ItemError as exc:
            raise BadPayload(f"{self.name}: youtube accepted the reply but its answer is "
                             f"unreadable ({exc}); find it before posting again",
                             account=self.name) from None

    async def find_reply(self, comment: Comment, text: str, *,
                         idempotency_key: str) -> str | None:
        wanted = _plain(self._reply_text(comment, text))
        replies, _ = await self._replies(_top_native(comment), [], 1)  # none embedded: fetch
        for reply in replies:
            if self._own(reply) and _plain(reply.text) == wanted:
                return reply.native_id
        return None

    async def delete_reply(self, reply_id: str) -> None:
        self.quota_used += WRITE_COST
        await self.http.request("DELETE", COMMENTS, params={"id": reply_id}, idempotent=True,
                                allow=(404,))  # 404: already gone, which is what was wanted

    async def hide(self, comment: Comment, hidden: bool = True) -> None:
        # heldForReview can be undone; rejected cannot, so it is never used for a hide.
        status = "heldForReview" if hidden else "published"
        self.quota_used += WRITE_COST
        await self.http.request("POST", f"{COMMENTS}/setModerationStatus",
                                params={"id": comment.native_id, "moderationStatus": status},
                                idempotent=True)

    # -- errors and limits -----------------------------------------------------------

    def classify(self, response: httpx.Response, now: datetime) -> ConnectorError | None:
        if response.status_code not in (400, 403, 429):
            return None
        reasons = _reasons(response.content)
        if reasons & _QUOTA:
            until = next_quota_reset(now)
            return RateLimited(f"{self.name}: youtube's daily quota is used up (it resets "
                               "at midnight Pacific time)", until=until, account=self.name)
        if reasons & _RATE:
            return RateLimited(f"{self.name}: youtube asked to slow down", account=self.name,
                               until=now + timedelta(seconds=60))
        for reason in sorted(reasons):
            if response.status_code == 403 and reason in _REFUSALS:
                request = response.request
                return ConnectorError(f"{self.name}: youtube refused {request.method} "
                                      f"{request.url.path} ({reason}: {_REFUSALS[reason]})",
                                      account=self.name)
        return None


def _reasons(content: bytes) -> set[str]:
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        return set()
    error = body.get("error") if isinstance(body, dict) else None
    errors = error.get("errors") if isinstance(error, dict) else None
    return {e["reason"] for e in errors or () if isinstance(e, dict)
            and isinstance(e.get("reason"), str)} if isinstance(errors, list) else set()


def _items(body: Any, account: str, path: str) -> list[Any]:
    items = body.get("items", []) if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise BadPayload(f"{account}: youtube answered GET {path} with items that are not "
                         "a list", account=account)
    return items


def _next_token(body: Any) -> str | None:
    token = body.get("nextPageToken") if isinstance(body, dict) else None
    return token if isinstance(token, str) and token else None


def _top_native(comment: Comment) -> str:
    """The platform id of the top-level comment of ``comment``'s thread."""
    if comment.parent_id:
        return comment.parent_id.split(":", 2)[-1]
    return comment.native_id


def _plain(text: str) -> str:
    return " ".join(text.split())
