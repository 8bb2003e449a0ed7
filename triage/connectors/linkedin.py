"""The LinkedIn connector: comments on the organisation's posts in, replies as the
organisation and deleting its own replies out (Community Management API, ``/rest``).

Signing in: a member's access token (``token_env``) with the organisation's social
permissions, as a bearer; every request names the API version (``LinkedIn-Version``, the
account's ``api_version``) and ``X-Restli-Protocol-Version: 2.0.0``. The organisation is
``urn:li:organization:{organization_id}``.

Reading: the organisation's newest posts (``/posts?q=author``, up to
:attr:`LinkedInConnector.max_posts`), and for each whose comment count changed since the
last sync, its comments (``/socialActions/{post}/comments``) and, under each comment whose
own count changed, its replies (``/socialActions/{comment}/comments``), paged by
``start`` and ``count`` against ``paging.total``. Cursor: ``{"counts": {urn: count}}``,
kept with the page of each post. Times are epoch milliseconds. Ids:
``linkedin:{account}:urn:li:comment:(…)``.

What LinkedIn cannot do through its API: hide a comment (there is no such call), delete
someone else's comment (only the organisation's own), and name a commenter (a comment
carries the member's URN only). Errors: ``{status, serviceErrorCode, code, message}``;
429 is the rate limit, sent with no header saying until when (a pause of a minute).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from triage.account_settings import Setting
from triage.connectors.base import Capability, Connector, Page, Thread
from triage.connectors.payload import ItemError, checked, id_field, obj_field, text_field
from triage.errors import BadPayload, BadTime, ConnectorError, RateLimited
from triage.model import Author, Comment, Post
from triage.timefmt import parse_utc

if TYPE_CHECKING:
    import httpx

__all__ = ["LinkedInConnector"]

logger = logging.getLogger("triage.connectors")

#: The API version asked for when the account names none (YYYYMM).
DEFAULT_VERSION = "202511"
MAX_COUNT = 100
WEB = "https://www.linkedin.com/feed/update/"


class LinkedInConnector(Connector):
    """One LinkedIn organisation page, through a member token of one of its admins."""

    platform = "linkedin"
    SETTINGS = (
        Setting("organization_id", str, "the organisation's number, as in "
                "urn:li:organization:NUMBER", required=True, pattern=r"\d{1,20}",
                shape="digits only (the number in urn:li:organization:NUMBER)",
                example="18364502"),
        Setting("api_version", str, f"the LinkedIn-Version asked for (YYYYMM; default "
                f"{DEFAULT_VERSION})", pattern=r"20\d{4}", shape="a version YYYYMM"),
    )
    capabilities = frozenset({Capability.READ, Capability.THREAD, Capability.REPLY})
    missing = {
        Capability.HIDE: "LinkedIn's API has no way to hide a comment; hide it on "
                         "linkedin.com, or delete it there",
        Capability.DELETE: "LinkedIn's API deletes only the organisation's own comments; "
                           "delete other people's on linkedin.com",
    }
    default_base_url = "https://api.linkedin.com/rest"
    page_size = 50
    #: How many of the organisation's newest posts each sync checks for new comments.
    max_posts = 50

    @property
    def organization(self) -> str:
        return f"urn:li:organization:{self.account.setting('organization_id')}"

    # -- reading ---------------------------------------------------------------------

    async def _list(self, path: str, params: dict[str, str], limit: int | None = None
                    ) -> list[Any]:
        """Every element of a paged collection (up to ``limit``)."""
        out: list[Any] = []
        start = 0
        while limit is None or len(out) < limit:
            count = min(self.page_size, MAX_COUNT)
            body, _ = await self.http.get_json(path, params={**params, "start": str(start),
                                                             "count": str(count)})
            elements = body.get("elements") if isinstance(body, dict) else None
            paging = body.get("paging") if isinstance(body, dict) else None
            if not isinstance(elements, list) or not isinstance(paging, dict):
                raise BadPayload(f"{self.name}: linkedin answered GET {path.split('?')[0]} "
                                 "with something else (no elements and paging)",
                                 account=self.name)
            out.extend(elements)
            start += count
            total = paging.get("total")
            if not isinstance(total, int) or start >= total:
                break
        return out if limit is None else out[:limit]

    async def _comments(self, target: str) -> list[Any]:
        return await self._list(f"/socialActions/{quote(target, safe='')}/comments", {})

    async def pages(self, cursor: Mapping[str, Any] | None) -> AsyncIterator[Page]:
        found = cursor.get("counts") if isinstance(cursor, Mapping) else None
        old = {k: v for k, v in found.items() if isinstance(v, int)} if isinstance(
            found, Mapping) else {}
        counts = dict(old)
        posts = await self._list("/posts", {"author": self.organization, "q": "author",
                                            "sortBy": "LAST_MODIFIED"}, self.max_posts)
        for doc in posts:
            post = self._post_or_none(doc)
            if post is None:
                continue
            native = post.native
            items = await self._comments(native)
            comments, problems = self._read(items, native)
            for item in items:
                urn = item.get("commentUrn") if isinstance(item, dict) else None
                summary = item.get("commentsSummary") if isinstance(item, dict) else None
                number = summary.get("aggregatedTotalComments") if isinstance(
                    summary, dict) else None
                if not isinstance(urn, str) or not isinstance(number, int) or number == 0:
                    continue
                if old.get(urn) != number:
                    more, trouble = self._read(await self._comments(urn), native)
                    comments.extend(more)
                    problems.extend(trouble)
                counts[urn] = number
            given = (post.post,) if not self.known.has_post(post.post.id) else ()
            yield Page(tuple(comments), given, {"counts": dict(counts)}, tuple(problems))

    def _post_or_none(self, doc: Any) -> _Found | None:
        try:
            if not isinstance(doc, dict):
                raise ItemError("the post is not an object")
            native = id_field(doc, "id")
            created = _millis(doc.get("createdAt") or doc.get("publishedAt"), "createdAt")
            return _Found(native, Post(id=self.comment_id(native), platform=self.platform,
                                       account=self.name, text=text_field(doc, "commentary"),
                                       created_at=created, permalink=WEB + native + "/"))
        except ItemError as exc:
            logger.warning("%s: a linkedin post is unreadable (%s)", self.name, exc)
            return None

    def _read(self, items: list[Any], post: str, *, own: bool = False
              ) -> tuple[list[Comment], list[str]]:
        comments: list[Comment] = []
        problems: list[str] = []
        for index, item in enumerate(items):
            label = f"item {index + 1}"
            try:
                if not isinstance(item, dict):
                    raise ItemError("the item is not an object")
                label = f"comment {id_field(item, 'commentUrn', required=False) or id_field(item)}"
                if (text_field(item, "actor") == self.organization) != own:
                    continue
                comments.append(self._comment(item, post))
            except ItemError as exc:
                problems.append(f"{self.name}: skipped linkedin {label}: {exc}")
        return comments, problems

    def _comment(self, doc: dict[str, Any], post: str) -> Comment:
        native = id_field(doc, "commentUrn")
        text = text_field(obj_field(doc, "message"), "text", required=True)
        actor = id_field(doc, "actor")
        created = _millis(obj_field(doc, "created").get("time"), "created.time")
        parent = id_field(doc, "parentComment", required=False)
        target = text_field(doc, "object") or post
        return checked(Comment(
            id=self.comment_id(native), platform=self.platform, account=self.name, text=text,
            created_at=created, author=Author(id=actor, name=_member(actor)),
            post_id=self.comment_id(target),
            parent_id=self.comment_id(parent) if parent else None,
            permalink=f"{WEB}{target}/?commentUrn={quote(native, safe='')}",
            native_id=native, captured_at=self.clock()))

    # -- the thread ------------------------------------------------------------------

    def _post_of(self, comment: Comment) -> str:
        if comment.post_id:
            return comment.post_id.split(":", 2)[-1]
        inner = comment.native_id.removeprefix("urn:li:comment:(").rsplit(",", 1)[0]
        return inner

    def _top_of(self, comment: Comment) -> str:
        return comment.parent_id.split(":", 2)[-1] if comment.parent_id else comment.native_id

    async def thread(self, comment: Comment) -> Thread:
        post = self._post_of(comment)
        top = self._top_of(comment)
        tops = await self._comments(post)
        replies = await self._comments(top)
        others = [*self._read(tops, post)[0], *self._read(replies, post)[0]]
        return Thread(None, tuple(others), tuple(self._read(replies, post, own=True)[0]))

    # -- writing ---------------------------------------------------------------------

    async def reply(self, comment: Comment, text: str, *, idempotency_key: str) -> str:
        top = self._top_of(comment)
        body, response = await self.http.send_json(
            "POST", f"/socialActions/{quote(top, safe='')}/comments",
            json={"actor": self.organization, "object": self._post_of(comment),
                  "parentComment": top, "message": {"text": text}})
        urn = body.get("commentUrn") if isinstance(body, dict) else None
        if isinstance(urn, str) and urn.startswith("urn:li:comment:"):
            return urn
        made = response.headers.get("x-restli-id", "")
        if made:
            return f"urn:li:comment:({self._post_of(comment)},{made})"
        raise BadPayload(f"{self.name}: linkedin accepted the reply but named no comment; "
                         "find it before posting again", account=self.name)

    async def find_reply(self, comment: Comment, text: str, *,
                         idempotency_key: str) -> str | None:
        top = self.comment_id(self._top_of(comment))
        wanted = " ".join(text.split())
        for reply in (await self.thread(comment)).own:
            if reply.parent_id == top and " ".join(reply.text.split()) == wanted:
                return reply.native_id
        return None

    async def delete_reply(self, reply_id: str) -> None:
        """Delete the organisation's reply (its ``urn:li:comment:(parent,id)``)."""
        inner = reply_id.removeprefix("urn:li:comment:(").removesuffix(")")
        post, _, number = inner.rpartition(",")
        await self.http.request("DELETE", f"/socialActions/{quote(post, safe='')}/comments/"
                                f"{quote(number, safe='')}",
                                params={"actor": self.organization}, idempotent=True,
                                allow=(404,))  # 404: already gone

    # -- errors and limits -----------------------------------------------------------

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "X-Restli-Protocol-Version": "2.0.0",
                "LinkedIn-Version": str(self.account.setting("api_version", DEFAULT_VERSION))}

    def classify(self, response: httpx.Response, now: datetime) -> ConnectorError | None:
        if response.status_code == 429:
            return RateLimited(f"{self.name}: linkedin rate limit reached "
                               f"({self.error_text(response) or 'too many requests'})",
                               until=now + timedelta(minutes=1), account=self.name)
        return None


class _Found:
    """A post as read: its URN and the Post to store."""

    __slots__ = ("native", "post")

    def __init__(self, native: str, post: Post) -> None:
        self.native, self.post = native, post


def _millis(value: Any, what: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ItemError(f"{what} is not a number of milliseconds")
    try:
        return parse_utc(value / 1000, what, numbers=True)
    except BadTime as exc:
        raise ItemError(str(exc)) from None


def _member(actor: str) -> str:
    """What the queue calls a commenter: LinkedIn gives only the member's URN."""
    if actor.startswith("urn:li:organization:"):
        return f"LinkedIn organisation {actor.rsplit(':', 1)[-1]}"
    return "LinkedIn member"
