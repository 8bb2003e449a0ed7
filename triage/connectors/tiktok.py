"""The TikTok connector: comments on the business account's videos in, replies, hide and
delete of its own replies out (TikTok API for Business v1.3).

Signing in: the account's access token (``token_env``) in the ``Access-Token`` header;
``business_id`` names the account in every call. Every answer is the envelope
``{code, message, request_id, data}``; a non-zero ``code`` is an error even with HTTP 200:
40100 is the rate limit (no header says until when: a pause of a minute), 40102, 40104
and 40105 a token that is expired, missing or wrong, 40001 a missing permission.

Reading: the account's newest videos (``/business/video/list/``, up to
:attr:`TikTokConnector.max_videos`), and for each whose ``comments`` count changed since
the last sync, its comments (``/business/comment/list/``, oldest first, paged by
``cursor`` and ``has_more``) and, under each comment whose ``replies`` count changed, its
replies (``/business/comment/reply/list/``). Cursor: ``{"videos": {video: count},
"replies": {comment: count}}``; a video's counts are kept with the page of its comments.
Times are ``create_time`` epoch seconds (a string in lists). Ids: ``tiktok:{account}:…``.

Writing: ``/business/comment/reply/create/`` answers a top-level comment (TikTok nests one
level: an answer to a reply goes under its top-level comment, with an @mention of the
person answered); there is no idempotency key, so ``find_reply`` reads the thread.
``/business/comment/hide/`` hides and unhides. ``/business/comment/delete/`` deletes only
the account's own comments: others' comments are hidden instead.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from triage.account_settings import Setting
from triage.connectors.base import Capability, Connector, Page, Thread
from triage.connectors.payload import ItemError, checked, id_field, text_field
from triage.errors import (
    ActionRefused,
    AuthError,
    BadPayload,
    BadTime,
    ConnectorError,
    RateLimited,
)
from triage.model import Author, Comment, Post
from triage.timefmt import parse_utc

if TYPE_CHECKING:
    import httpx

__all__ = ["TikTokConnector"]

logger = logging.getLogger("triage.connectors")

RATE_LIMITED = frozenset({40100})
AUTH = frozenset({40102, 40104, 40105, 40001})
#: Most items a page may hold: videos, comments.
MAX_VIDEOS, MAX_COMMENTS = 20, 30
#: Pages in a row whose cursor does not move before the answer is called broken.
STALLS = 3


class TikTokConnector(Connector):
    """One TikTok business account (``business_id``) with its access token."""

    platform = "tiktok"
    SETTINGS = (Setting("business_id", str, "the business account's id (its open_id, as "
                        "TikTok's token endpoint gives it)", required=True,
                        example="-000abcdEFGHijklMNOPqrst"),)
    capabilities = frozenset({Capability.READ, Capability.THREAD, Capability.REPLY,
                              Capability.HIDE})
    missing = {
        Capability.DELETE: "TikTok lets a business account delete only its own comments; "
                           "hide other people's instead",
    }
    default_base_url = "https://business-api.tiktok.com/open_api/v1.3"
    page_size = MAX_COMMENTS
    #: How many of the account's newest videos each sync checks for new comments.
    max_videos = 100

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._links: dict[str, str] = {}  # video id -> its share_url, from the video list

    @property
    def business(self) -> str:
        return str(self.account.setting("business_id"))

    # -- requests --------------------------------------------------------------------

    async def _get(self, path: str, **params: Any) -> dict[str, Any]:
        body, _ = await self.http.get_json(path, params={"business_id": self.business,
                                                         **params})
        return self._data(body, f"GET {path}")

    async def _post(self, path: str, payload: dict[str, Any], *,
                    idempotent: bool = False) -> dict[str, Any]:
        body, _ = await self.http.send_json("POST", path, json={"business_id": self.business,
                                                                **payload},
                                            idempotent=idempotent)
        return self._data(body, f"POST {path}")

    def _data(self, body: Any, where: str) -> dict[str, Any]:
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(body, dict) or body.get("code") != 0 or not isinstance(data, dict):
            raise BadPayload(f"{self.name}: tiktok answered {where} with something else "
                             "(not its envelope with data)", account=self.name)
        return data

    def _listing(self, data: dict[str, Any], key: str, where: str
                 ) -> tuple[list[Any], int | None]:
        items, cursor, more = data.get(key), data.get("cursor"), data.get("has_more")
        if not isinstance(items, list):
            raise BadPayload(f"{self.name}: tiktok answered {where} without a {key} list",
                             account=self.name)
        go_on = more is True and isinstance(cursor, int) and not isinstance(cursor, bool)
        return items, cursor if go_on else None

    def _stalled(self, before: int | None, after: int | None, stalls: int, where: str) -> int:
        """Count pages whose cursor did not move; BadPayload after :data:`STALLS`."""
        stalls = stalls + 1 if after is not None and after == before else 0
        if stalls >= STALLS:
            raise BadPayload(f"{self.name}: tiktok keeps answering {where} with a next page "
                             "that does not move on", account=self.name)
        return stalls

    # -- reading ---------------------------------------------------------------------

    async def pages(self, cursor: Mapping[str, Any] | None) -> AsyncIterator[Page]:
        old_videos = _counts(cursor, "videos")
        old_replies = _counts(cursor, "replies")
        videos, replies = dict(old_videos), dict(old_replies)
        for doc in await self._videos():
            video, count = doc["item_id"], doc.get("comments")
            if isinstance(count, int) and old_videos.get(video) == count:
                continue
            comments, problems = await self._comments(video, old_replies, replies)
            if isinstance(count, int):
                videos[video] = count
            post = self._video_post(doc)
            given = (post,) if post is not None and not self.known.has_post(post.id) else ()
            yield Page(tuple(comments), given, {"videos": dict(videos),
                                                "replies": dict(replies)}, tuple(problems))

    async def _videos(self) -> list[dict[str, Any]]:
        """The account's newest videos, newest first (their ``item_id`` is an id)."""
        out: list[dict[str, Any]] = []
        cursor: int | None = 0
        fields = orjson.dumps(["item_id", "create_time", "caption", "share_url",
                               "comments"]).decode()
        stalls = 0
        while cursor is not None and len(out) < self.max_videos:
            data = await self._get("/business/video/list/", fields=fields, cursor=str(cursor),
                                   max_count=str(min(MAX_VIDEOS, self.max_videos - len(out))))
            before = cursor
            items, cursor = self._listing(data, "videos", "GET /business/video/list/")
            stalls = self._stalled(before, cursor, stalls, "GET /business/video/list/")
            for item in items:
                try:
                    video = id_field(item if isinstance(item, dict) else {}, "item_id")
                except ItemError as exc:
                    logger.warning("%s: a tiktok video is unreadable (%s)", self.name, exc)
                    continue
                link = text_field(item, "share_url") if isinstance(
                    item.get("share_url"), str) else ""
                if link.startswith("https://") and link.isprintable():
                    self._links[video] = link
                out.append(item)
        return out

    async def _list(self, path: str, **params: Any) -> list[Any]:
        """Every comment of a comment list (oldest first), page after page."""
        out: list[Any] = []
        cursor: int | None = 0
        stalls = 0
        while cursor is not None:
            data = await self._get(path, status="ALL", sort_field="create_time",
                                   sort_order="asc", cursor=str(cursor),
                                   max_count=str(min(self.page_size, MAX_COMMENTS)), **params)
            before = cursor
            items, cursor = self._listing(data, "comments", f"GET {path}")
            stalls = self._stalled(before, cursor, stalls, f"GET {path}")
            out.extend(items)
        return out

    async def _comments(self, video: str, old: Mapping[str, int], counts: dict[str, int]
                        ) -> tuple[list[Comment], list[str]]:
        """A video's comments and, where their count changed, their replies."""
        items = await self._list("/business/comment/list/", video_id=video)
        comments, problems = self._read(items, video)
        for item in items:
            top = item.get("comment_id") if isinstance(item, dict) else None
            number = item.get("replies") if isinstance(item, dict) else None
            if not isinstance(top, str) or not isinstance(number, int) or number == 0:
                continue
            if old.get(top) != number:
                found = await self._list("/business/comment/reply/list/", video_id=video,
                                         comment_id=top)
                more, trouble = self._read(found, video)
                comments.extend(more)
                problems.extend(trouble)
            counts[top] = number
        return comments, problems

    def _read(self, items: list[Any], video: str, *, own: bool = False
              ) -> tuple[list[Comment], list[str]]:
        comments: list[Comment] = []
        problems: list[str] = []
        for index, item in enumerate(items):
            label = f"item {index + 1}"
            try:
                if not isinstance(item, dict):
                    raise ItemError("the item is not an object")
                label = f"comment {id_field(item, 'comment_id')}"
                if bool(item.get("owner")) != own:
                    continue
                comments.append(self._comment(item, video))
            except ItemError as exc:
                problems.append(f"{self.name}: skipped tiktok {label}: {exc}")
        return comments, problems

    def _comment(self, doc: dict[str, Any], video: str) -> Comment:
        native = id_field(doc, "comment_id")
        text = text_field(doc, "text", required=True)
        user = id_field(doc, "unique_identifier", required=False) or id_field(
            doc, "user_id", required=False)
        username = text_field(doc, "username").strip()
        name = text_field(doc, "display_name").strip() or username or "TikTok user"
        parent = id_field(doc, "parent_comment_id", required=False)
        video = id_field(doc, "video_id", required=False) or video
        return checked(Comment(
            id=self.comment_id(native), platform=self.platform, account=self.name, text=text,
            created_at=_created(doc), author=Author(id=user or username, name=name,
                                                    handle=f"@{username}" if username else ""),
            post_id=self.comment_id(video),
            parent_id=self.comment_id(parent) if parent and parent != video else None,
            permalink=self._link(video), native_id=native, captured_at=self.clock()))

    def _link(self, video: str) -> str:
        """The video's address (its ``share_url``; "" before the video list gave it)."""
        return self._links.get(video, "")

    def _video_post(self, doc: dict[str, Any]) -> Post | None:
        try:
            native = id_field(doc, "item_id")
            return Post(id=self.comment_id(native), platform=self.platform, account=self.name,
                        text=text_field(doc, "caption"), created_at=_created(doc),
                        permalink=self._link(native))
        except ItemError as exc:
            logger.warning("%s: a tiktok video is unreadable (%s)", self.name, exc)
            return None

    # -- the thread ------------------------------------------------------------------

    def _video_of(self, comment: Comment) -> str:
        if not comment.post_id:
            raise ActionRefused(f"{self.name}: the tiktok video of comment "
                                f"{comment.native_id} is not known")
        return comment.post_id.rsplit(":", 1)[-1]

    def _top_of(self, comment: Comment) -> str:
        """The top-level comment ``comment`` belongs to (itself when it is one)."""
        return comment.parent_id.rsplit(":", 1)[-1] if comment.parent_id else comment.native_id

    async def thread(self, comment: Comment) -> Thread:
        video = self._video_of(comment)
        top = self._top_of(comment)
        tops = await self._list("/business/comment/list/", video_id=video)
        replies = await self._list("/business/comment/reply/list/", video_id=video,
                                   comment_id=top)
        others = [*self._read(tops, video)[0], *self._read(replies, video)[0]]
        own = self._read(replies, video, own=True)[0]
        return Thread(None, tuple(others), tuple(own))

    # -- writing ---------------------------------------------------------------------

    @classmethod
    def reply_prefix(cls, comment: Comment, text: str) -> str:
        handle = comment.author.handle
        return f"{handle} " if comment.parent_id and handle.startswith("@") else ""

    async def reply(self, comment: Comment, text: str, *, idempotency_key: str) -> str:
        data = await self._post("/business/comment/reply/create/", {
            "video_id": self._video_of(comment), "comment_id": self._top_of(comment),
            "text": self.reply_prefix(comment, text) + text})
        try:
            return id_field(data, "comment_id")
        except ItemError as exc:
            raise BadPayload(f"{self.name}: tiktok accepted the reply but its answer is "
                             f"unreadable ({exc}); find it before posting again",
                             account=self.name) from None

    async def find_reply(self, comment: Comment, text: str, *,
                         idempotency_key: str) -> str | None:
        wanted = self.reply_prefix(comment, text) + text
        top = self.comment_id(self._top_of(comment))
        for reply in (await self.thread(comment)).own:
            if reply.parent_id == top and " ".join(reply.text.split()) == " ".join(
                    wanted.split()):
                return reply.native_id
        return None

    async def delete_reply(self, reply_id: str) -> None:
        await self._post("/business/comment/delete/", {"comment_id": reply_id},
                         idempotent=True)

    async def hide(self, comment: Comment, hidden: bool = True) -> None:
        await self._post("/business/comment/hide/", {
            "video_id": self._video_of(comment), "comment_id": comment.native_id,
            "action": "HIDE" if hidden else "UNHIDE"}, idempotent=True)

    # -- errors and limits -----------------------------------------------------------

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Access-Token": token}

    def classify(self, response: httpx.Response, now: datetime) -> ConnectorError | None:
        code, message = _envelope(response)
        if code in (None, 0):
            return None
        detail = f"{code}: {message}" if message else str(code)
        if code in RATE_LIMITED:
            return RateLimited(f"{self.name}: tiktok rate limit reached ({detail})",
                               until=now + timedelta(minutes=1), account=self.name)
        if code in AUTH:
            return AuthError(f"{self.name}: tiktok refused the token in "
                             f"{self.account.token_env} ({detail})", account=self.name)
        where = f"{response.request.method} {response.request.url.path}"
        return ConnectorError(f"{self.name}: tiktok refused {where} ({detail})",
                              account=self.name)

    def error_text(self, response: httpx.Response) -> str:
        code, message = _envelope(response)
        return message or super().error_text(response)


def _envelope(response: httpx.Response) -> tuple[int | None, str]:
    """The envelope's ``code`` and ``message`` (None when the body is not one)."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None, ""
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, int) or isinstance(code, bool):
        return None, ""
    message = body.get("message")
    return code, message if isinstance(message, str) else ""


def _created(doc: dict[str, Any]) -> datetime:
    """``create_time``: epoch seconds, a string of digits in lists, a number elsewhere."""
    value = doc.get("create_time")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ItemError("create_time is not a number of seconds")
    try:
        return parse_utc(value, "create_time", numbers=True)
    except BadTime as exc:
        raise ItemError(str(exc)) from None


def _counts(cursor: Mapping[str, Any] | None, key: str) -> dict[str, int]:
    found = cursor.get(key) if isinstance(cursor, Mapping) else None
    if not isinstance(found, Mapping):
        return {}
    return {k: v for k, v in found.items() if isinstance(v, int) and not isinstance(v, bool)}
