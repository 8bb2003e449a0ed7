"""The Reddit connector: comments on the account's posts and its inbox in, replies and
moderator removal out (a script app on oauth.reddit.com).

Signing in: ``POST /api/v1/access_token`` on www.reddit.com (on ``base_url`` itself when
one is given), with the app's client id and secret as HTTP Basic and the account's user
name and password (``grant_type=password``). The client id and the password come from
the variables named by ``client_id_env`` and ``password_env``, the secret from
``token_env``; the bearer it gives lasts an hour and is fetched again on a 401. Every
request carries a User-Agent naming the account, as Reddit asks.

Reading: the account's newest posts (``/user/{username}/submitted``, up to
:attr:`RedditConnector.max_posts`), and for each whose ``num_comments`` changed since the
last sync its whole comment tree (``/comments/{article}``, the ``more`` stubs expanded by
``/api/morechildren``); then ``/message/inbox`` newest first, paged by ``after``, down to
the newest ``created_utc`` seen last time (replies to the account's comments anywhere,
and mentions). Cursor: ``{"inbox": epoch seconds, "posts": {fullname: num_comments}}``;
each post's count is kept with the page of its tree, the inbox floor once the inbox walk
is stored. Ids: ``reddit:{account}:t1_…`` (comments) and ``…:t3_…`` (posts); the
``native_id`` is the fullname, which every write takes.
Rate limits: 429 and ``X-Ratelimit-Remaining`` below one with ``X-Ratelimit-Reset``
(seconds); writes refused with 200 and ``RATELIMIT`` in ``json.errors``.
Writing: ``/api/comment`` (no idempotency key: ``find_reply`` reads the thread),
``/api/remove`` and ``/api/approve`` for accounts that moderate (``moderates = true``),
``/api/del`` for the account's own replies. Others' comments cannot be deleted.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from triage import __version__
from triage.account_settings import Setting
from triage.config import AccountConfig
from triage.connectors.base import Capability, Connector, Page, Thread
from triage.connectors.payload import ItemError, checked, id_field, text_field
from triage.connectors.reddit_auth import SignIn
from triage.connectors.reddit_payload import (
    api_errors,
    body_errors,
    created,
    flatten,
    listing,
    plain,
    post_of,
    rate_limit_reset,
    retry_in,
    web_link,
)
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

__all__ = ["RedditConnector"]

logger = logging.getLogger("triage.connectors")

AUTH_HOST = "https://www.reddit.com"
#: ``/api/morechildren`` takes at most this many ids a call.
MORE_CHUNK = 100
_GONE = frozenset({"[deleted]", "[removed]"})


class RedditConnector(Connector):
    """One Reddit account signed in through its own script app."""

    platform = "reddit"
    SETTINGS = (
        Setting("username", str, "the account's Reddit user name, without u/", required=True,
                pattern=r"[A-Za-z0-9_-]{3,20}", example="RiversideHealth",
                shape="3 to 20 letters, digits, '_' or '-' (the name without u/)"),
        Setting("client_id_env", str, "the variable holding the script app's client id",
                required=True, secret_env=True),
        Setting("password_env", str, "the variable holding the account's password",
                required=True, secret_env=True),
        Setting("moderates", bool, "the account moderates the subreddits it posts in (remove "
                "and approve comments)"),
    )
    capabilities = frozenset({Capability.READ, Capability.THREAD, Capability.REPLY,
                              Capability.HIDE})
    missing = {
        Capability.DELETE: "Reddit lets an account delete only its own comments; a "
                           "moderator removes other people's instead (hide)",
    }
    default_base_url = "https://oauth.reddit.com"
    page_size = 100
    max_page_size = 100
    #: How many of the account's newest posts each sync checks for new comments.
    max_posts = 100

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._access = ""
        self.agent = f"triage/{__version__} (by /u/{self.account.username})"
        self._signin = SignIn(self, AUTH_HOST if self.base_url == self.default_base_url
                              else self.base_url)
        self._ours: set[str] = set()  # fullnames of the account's posts seen this run
        self._given: set[str] = set()  # fullnames of comments yielded this run

    @classmethod
    def gap(cls, account: AccountConfig, capability: Capability,
            comment: Comment | None = None) -> str:
        if capability is Capability.HIDE and not account.moderates:
            return (f"Reddit lets only a subreddit's moderators remove comments, and account "
                    f"{account.name} is not marked as one (moderates = true in config.toml)")
        return super().gap(account, capability, comment)

    # -- requests ------------------------------------------------------------------

    async def _call(self, method: str, path: str, *, params: Any = None,
                    data: Mapping[str, Any] | None = None, idempotent: bool = False,
                    allow: tuple[int, ...] = ()) -> tuple[Any, httpx.Response]:
        """A request with a fresh bearer: signed in first, and again once on a 401."""
        if not self._access:
            self._access = await self._signin.token()
        for attempt in (1, 2):
            if method == "GET":
                body, response = await self.http.get_json(path, params=params,
                                                          allow=(401, *allow))
            else:
                body, response = await self.http.send_json(method, path, data=data,
                                                           idempotent=idempotent,
                                                           allow=(401, *allow))
            if response.status_code != 401 or attempt == 2:
                break
            self._access = await self._signin.token()  # the hour is up, or the token was revoked
        if response.status_code == 401:
            raise AuthError(f"{self.name}: reddit refused the token it had just given for "
                            f"user {self.account.username} (401)", account=self.name)
        return body, response

    # -- reading ---------------------------------------------------------------------

    async def pages(self, cursor: Mapping[str, Any] | None) -> AsyncIterator[Page]:
        since = cursor.get("inbox") if isinstance(cursor, Mapping) else None
        since = float(since) if isinstance(since, int | float) else None
        old = cursor.get("posts") if isinstance(cursor, Mapping) else None
        old = {k: v for k, v in old.items() if isinstance(v, int)} if isinstance(
            old, Mapping) else {}
        counts: dict[str, int] = {}
        for doc in await self._posts():
            name, number = doc["name"], doc.get("num_comments")
            if isinstance(number, int) and old.get(name) == number:
                counts[name] = number
                continue
            head, things = await self._tree(name[3:])
            post = self._post_or_none(head or doc, name[3:])
            comments, problems = self._read(things, name)
            if isinstance(number, int):
                counts[name] = number
            given = post if post is not None and not self.known.has_post(post.id) else None
            yield Page(tuple(comments), (given,) if given else (),
                       {"inbox": since, "posts": {**old, **counts}}, tuple(problems))
        async for page in self._inbox(since, counts):
            yield page

    async def _posts(self) -> list[dict[str, Any]]:
        """The account's newest posts (their ``t3`` data), newest first."""
        out: list[dict[str, Any]] = []
        after: str | None = None
        path = f"/user/{self.account.username}/submitted"
        while len(out) < self.max_posts:
            params = {"limit": str(min(self.max_page_size, self.max_posts - len(out))),
                      "raw_json": "1", "sort": "new", **({"after": after} if after else {})}
            body, _ = await self._call("GET", path, params=params)
            children, after = self._listing(body, f"GET {path}")
            for child in children:
                data = child.get("data") if isinstance(child, dict) else None
                if (isinstance(data, dict) and isinstance(data.get("name"), str)
                        and data["name"].startswith("t3_")):
                    self._ours.add(data["name"])
                    out.append(data)
            if after is None or not children:
                return out
        return out

    def _tree_limit(self) -> int:
        """Comments a tree request asks for (Reddit gives at most 500, the rest as ``more``)."""
        return min(500, self.page_size * 5)

    def _listing(self, body: Any, where: str) -> tuple[list[Any], str | None]:
        try:
            return listing(body)
        except ItemError as exc:
            raise BadPayload(f"{self.name}: reddit answered {where} with something else "
                             f"({exc})", account=self.name) from None

    async def _tree(self, article: str) -> tuple[dict[str, Any] | None, list[Any]]:
        """The post's data and every ``t1`` under it, ``more`` stubs expanded."""
        where = f"GET /comments/{article}"
        body, _ = await self._call("GET", f"/comments/{article}",
                                   params={"limit": str(self._tree_limit()), "raw_json": "1",
                                           "sort": "new"})
        if not (isinstance(body, list) and len(body) == 2):
            raise BadPayload(f"{self.name}: reddit answered {where} with something else "
                             "(not a post and its comments)", account=self.name)
        heads, _ = self._listing(body[0], where)
        top, _ = self._listing(body[1], where)
        head = heads[0].get("data") if heads and isinstance(heads[0], dict) else None
        things: list[Any] = []
        stubs: list[str] = []
        flatten(top, things, stubs)
        asked: set[str] = set()
        while stubs:
            chunk = [s for s in dict.fromkeys(stubs[:MORE_CHUNK]) if s not in asked]
            stubs = stubs[MORE_CHUNK:]
            if not chunk:
                continue
            asked.update(chunk)
            body, _ = await self._call("GET", "/api/morechildren", params={
                "api_type": "json", "link_id": f"t3_{article}", "children": ",".join(chunk),
                "raw_json": "1", "sort": "new"})
            data = body.get("json") if isinstance(body, dict) else None
            data = data.get("data") if isinstance(data, dict) else None
            found = data.get("things") if isinstance(data, dict) else None
            flatten(found if isinstance(found, list) else [], things, stubs)
        return (head if isinstance(head, dict) else None), things

    def _post_or_none(self, doc: dict[str, Any] | None, article: str) -> Post | None:
        if doc is None:
            return None
        try:
            return self._post(doc)
        except ItemError as exc:
            logger.warning("%s: the reddit post %s is unreadable (%s)", self.name, article, exc)
            return None

    async def _inbox(self, since: float | None, counts: dict[str, int]) -> AsyncIterator[Page]:
        newest, after = since, None
        while True:
            params = {"limit": str(min(self.page_size, self.max_page_size)), "raw_json": "1",
                      **({"after": after} if after else {})}
            body, _ = await self._call("GET", "/message/inbox", params=params)
            children, after = self._listing(body, "GET /message/inbox")
            fresh, reached = [], False
            for child in children:
                data = child.get("data") if isinstance(child, dict) else None
                stamp = data.get("created_utc") if isinstance(data, dict) else None
                if isinstance(stamp, int | float) and not isinstance(stamp, bool):
                    if since is not None and stamp < since:
                        reached = True
                        continue
                    newest = stamp if newest is None else max(newest, stamp)
                if isinstance(child, dict) and child.get("kind") not in ("t1", None):
                    continue  # private messages (t4) are not comments
                fresh.append(child)
            comments, problems = self._read(fresh, None)
            if reached or after is None or not children:
                yield Page(tuple(comments), (), {"inbox": newest, "posts": counts},
                           tuple(problems))
                return
            yield Page(tuple(comments), (), {"inbox": since, "posts": counts}, tuple(problems))

    def _read(self, things: list[Any], post: str | None, *, own: bool = False,
              sync: bool = True) -> tuple[list[Comment], list[str]]:
        """Comments from ``t1`` things (others' only, unless ``own``), problems named;
        in a ``sync``, each comment is given once a run (a tree and the inbox share some)."""
        comments: list[Comment] = []
        problems: list[str] = []
        me = self.account.username.casefold()
        for index, thing in enumerate(things):
            label = f"item {index + 1}"
            try:
                data = thing.get("data") if isinstance(thing, dict) else None
                if not isinstance(data, dict):
                    raise ItemError("the item is not an object with data")
                label = f"comment {id_field(data, 'name')}"
                comment = self._comment(data, post)
            except ItemError as exc:
                problems.append(f"{self.name}: skipped reddit {label}: {exc}")
                continue
            if comment is None or (comment.author.name.casefold() == me) != own:
                continue
            if sync:
                if comment.native_id in self._given:
                    continue
                self._given.add(comment.native_id)
            comments.append(comment)
        return comments, problems

    def _comment(self, data: dict[str, Any], post: str | None) -> Comment | None:
        """A ``t1`` as a comment placed under its post and parent (None: deleted)."""
        native = id_field(data, "name")
        if not native.startswith("t1_"):
            raise ItemError(f"name {native!r} is not a comment's fullname")
        author = text_field(data, "author", required=True)
        text = text_field(data, "body", required=True)
        if author in _GONE:
            return None  # deleted by its author or removed: nothing to answer
        post = post or post_of(data)
        parent = id_field(data, "parent_id", required=False)
        ours = post is not None and (post in self._ours
                                     or self.known.has_post(self.comment_id(post))
                                     or data.get("type") == "post_reply")
        author_id = text_field(data, "author_fullname") or author
        return checked(Comment(
            id=self.comment_id(native), platform=self.platform, account=self.name, text=text,
            created_at=created(data),
            author=Author(id=author_id, name=author, handle=f"u/{author}"),
            post_id=self.comment_id(post) if ours and post else None,
            parent_id=self.comment_id(parent) if parent and (
                parent.startswith("t1_") or not ours) else None,
            permalink=web_link(data), native_id=native, captured_at=self.clock()))

    def _post(self, doc: dict[str, Any]) -> Post:
        native = id_field(doc, "name")
        title, body = text_field(doc, "title"), text_field(doc, "selftext")
        return Post(id=self.comment_id(native), platform=self.platform, account=self.name,
                    text=f"{title}\n\n{body}".strip() if body and body != title else title,
                    created_at=created(doc), permalink=web_link(doc))

    # -- the thread ------------------------------------------------------------------

    async def thread(self, comment: Comment) -> Thread:
        article = self._article(comment)
        head, things = await self._tree(article)
        post = self._post_or_none(head, article)
        others, _ = self._read(things, f"t3_{article}", sync=False)
        own, _ = self._read(things, f"t3_{article}", own=True, sync=False)
        return Thread(post, tuple(others), tuple(own))

    def _article(self, comment: Comment) -> str:
        if comment.post_id:
            return comment.post_id.rsplit(":", 1)[-1].removeprefix("t3_")
        found = post_of({"permalink": comment.permalink.removeprefix("https://www.reddit.com")})
        if found is None:
            raise ActionRefused(f"{self.name}: the reddit post of comment {comment.native_id} "
                                "is not known (no post id and no permalink)")
        return found[3:]

    # -- writing ---------------------------------------------------------------------

    async def reply(self, comment: Comment, text: str, *, idempotency_key: str) -> str:
        body, _ = await self._call("POST", "/api/comment", data={
            "api_type": "json", "thing_id": comment.native_id, "text": text, "raw_json": "1"})
        errors = api_errors(body)
        if errors:
            code, message = errors[0]
            raise ActionRefused(f"{self.name}: reddit refused the reply to {comment.native_id} "
                                f"({code}: {message})")
        things = body.get("json", {}).get("data", {}).get("things") if isinstance(
            body, dict) else None
        try:
            data = things[0]["data"] if isinstance(things, list) and things else {}
            return id_field(data if isinstance(data, dict) else {}, "name")
        except (ItemError, KeyError, TypeError) as exc:
            raise BadPayload(f"{self.name}: reddit accepted the reply but its answer is "
                             f"unreadable ({exc}); find it before posting again",
                             account=self.name) from None

    async def find_reply(self, comment: Comment, text: str, *,
                         idempotency_key: str) -> str | None:
        return await self.reply_in_thread(comment, text, plain)

    async def delete_reply(self, reply_id: str) -> None:
        await self._call("POST", "/api/del", data={"id": reply_id}, idempotent=True,
                         allow=(404,))  # 404: already gone

    async def hide(self, comment: Comment, hidden: bool = True) -> None:
        if self.why_not(Capability.HIDE):
            raise self.refuse(Capability.HIDE)
        path = "/api/remove" if hidden else "/api/approve"
        data = {"id": comment.native_id, **({"spam": "false"} if hidden else {})}
        _, response = await self._call("POST", path, data=data, idempotent=True, allow=(403,))
        if response.status_code == 403:
            verb = "remove" if hidden else "approve"
            raise ActionRefused(f"{self.name}: reddit refused to {verb} comment "
                                f"{comment.native_id}: the account is not a moderator of its "
                                "subreddit (moderates = true in config.toml says it is)")

    # -- errors and limits -----------------------------------------------------------

    def auth_headers(self, token: str) -> dict[str, str]:
        headers = {"User-Agent": self.agent}
        if self._access:
            headers["Authorization"] = f"bearer {self._access}"
        return headers

    def pause_until(self, response: httpx.Response, now: datetime) -> datetime | None:
        return rate_limit_reset(response, now)

    def classify(self, response: httpx.Response, now: datetime) -> ConnectorError | None:
        if response.request.method != "POST" or response.status_code != 200:
            return None
        for code, message in body_errors(response):
            if code == "RATELIMIT":
                return RateLimited(f"{self.name}: reddit rate limit reached ({message})",
                                   until=retry_in(message, now), account=self.name)
        return None

    def error_text(self, response: httpx.Response) -> str:
        errors = body_errors(response)
        if errors:
            return "; ".join(f"{code}: {message}" for code, message in errors)
        return super().error_text(response)
