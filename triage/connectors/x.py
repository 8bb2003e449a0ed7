"""The X connector: mentions in, replies and hidden replies out (X API v2).

Reading: ``GET /users/:id/mentions`` (``user_id`` from the account's config) newest first
with ``tweet.fields``, ``expansions=author_id`` and ``user.fields`` (authors come only in
``includes.users``), paged by ``meta.next_token`` sent back as ``pagination_token`` with
our filters and ``since_id`` again. Cursor: ``{"since_id"}`` between syncs; during a walk
``{"since_id": the old floor, "pagination_token", "newest_id"}``, so an interrupted sync
resumes where it stopped (from the newest again, above the same floor, if X no longer
accepts the token); the floor only rises once the whole walk is stored. Skipped
(malformed) items still count for it.

Placing: the post is the conversation's root (``conversation_id``) when the account wrote
it (looked up in batches with ``GET /tweets?ids=``, once per run, unless stored); the
parent is the tweet replied to, none when that is the post. The account's own tweets are
not queued. Text arrives HTML-escaped (``&amp;``) and is unescaped.
Rate limits: 429 and ``x-rate-limit-remaining: 0`` with ``x-rate-limit-reset`` (epoch);
errors are problem JSON or the legacy ``{"errors": [{"code": 88}]}``.
Writing: ``POST /tweets`` with ``reply.in_reply_to_tweet_id``; no idempotency key, so
``find_reply`` searches the conversation (``search/recent``: the last seven days); hide
with ``PUT /tweets/:id/hidden``; own replies can be deleted, others' posts cannot.
"""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from triage.account_settings import Setting
from triage.connectors.base import Capability, Connector, Page, Thread
from triage.connectors.payload import ItemError, checked, id_field, id_order, text_field, time_field
from triage.connectors.x_payload import (
    DIGITS,
    FIELDS,
    cursor_id,
    envelope,
    first_error,
    legacy_codes,
    permalink,
    plain,
    rate_limit_reset,
    replied_to,
    text_of,
    users_of,
)
from triage.errors import (
    ActionRefused,
    AuthError,
    BadPayload,
    ConnectorError,
    RateLimited,
    Unavailable,
)
from triage.model import Author, Comment, Post

if TYPE_CHECKING:
    import httpx

__all__ = ["XConnector"]

logger = logging.getLogger("triage.connectors")

SEARCH = "/tweets/search/recent"
#: Repeats of the same next_token (an empty page pointing at itself) before giving up.
STUCK = 3
_AUTH_CODES = frozenset({32, 89, 215})
_BUSY_CODES = frozenset({130, 131})


class XConnector(Connector):
    """One X account (``user_id`` in the account's config: its numeric user id)."""

    platform = "x"
    SETTINGS = (Setting("user_id", str, "the account's numeric user id, as GET /2/users/me "
                        "gives it", required=True, pattern=r"\d{1,20}", shape="digits only",
                        example="1500000000000000000"),)
    capabilities = frozenset({Capability.READ, Capability.THREAD, Capability.REPLY,
                              Capability.HIDE})
    missing = {
        Capability.DELETE: "X lets an account delete only its own posts; hide the reply "
                           "instead (X then shows it only behind 'hidden replies')",
    }
    default_base_url = "https://api.x.com/2"
    page_size = 100
    max_page_size = 100
    min_page_size = 5

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ours: dict[str, bool] = {}  # conversation id -> whether the account started it
        self._roots: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}  # id -> doc, author
        self._posts_given: set[str] = set()


    # -- reading ---------------------------------------------------------------------

    async def pages(self, cursor: Mapping[str, Any] | None) -> AsyncIterator[Page]:
        since, top = cursor_id(cursor, "since_id"), cursor_id(cursor, "newest_id")
        token = cursor.get("pagination_token") if isinstance(cursor, Mapping) else None
        token = token if isinstance(token, str) and 0 < len(token) < 1000 else None
        path = f"/users/{self.account.user_id}/mentions"
        resumed, stuck = token is not None, 0
        while True:
            params = [*FIELDS, ("max_results", str(self._per_page()))]
            params += [(k, v) for k, v in (("since_id", since), ("pagination_token", token)) if v]
            body, response = await self.http.get_json(path, params=params,
                                                      allow=(400,) if resumed else ())
            if resumed and response.status_code == 400:
                logger.warning("%s: x no longer accepts the pagination token of the "
                               "interrupted walk; starting again from the newest", self.name)
                token, resumed = None, False
                continue
            resumed = False
            data, users, meta = envelope(body, f"GET {path}", self.name, self.account.user_id)
            comments, posts, problems, ids = await self._read_page(data, users)
            top = max((i for i in (*ids, text_of(meta, "newest_id"), top or "") if DIGITS.match(i)),
                      key=id_order, default=None)
            following = text_of(meta, "next_token") or None
            stuck = stuck + 1 if following and following == token else 0
            if stuck >= STUCK:
                raise BadPayload(f"{self.name}: x keeps answering GET {path} with the same "
                                 "next_token", account=self.name)
            if following is None:
                floor = top or since
                yield Page(tuple(comments), tuple(posts), {"since_id": floor} if floor else {},
                           tuple(problems))
                return
            walk = {"since_id": since, "pagination_token": following, "newest_id": top}
            yield Page(tuple(comments), tuple(posts), {k: v for k, v in walk.items() if v},
                       tuple(problems))
            token = following

    async def _read_page(
        self, data: list[Any], users: dict[str, dict[str, Any]]
    ) -> tuple[list[Comment], list[Post], list[str], list[str]]:
        rows: list[tuple[Comment, str]] = []
        problems: list[str] = []
        ids: list[str] = []
        for index, item in enumerate(data):
            label = f"item {index + 1}"
            try:
                doc = item if isinstance(item, dict) else {}
                native = id_field(doc, "id")
                ids.append(native)
                label = f"tweet {native}"
                comment, conversation = self._comment(doc, users)
            except ItemError as exc:
                problems.append(f"{self.name}: skipped x {label}: {exc}")
                continue
            if comment.author.id != self.account.user_id:
                rows.append((comment, conversation))
        await self._learn_roots({conversation for _, conversation in rows})
        comments = [self._placed(comment, conversation) for comment, conversation in rows]
        posts = [p for p in (self._post_once(c) for _, c in rows) if p is not None]
        return comments, posts, problems, ids

    def _comment(self, doc: dict[str, Any],
                 users: Mapping[str, dict[str, Any]]) -> tuple[Comment, str]:
        """A tweet as a comment (parent = the tweet it replies to) and its conversation id."""
        native = id_field(doc, "id")
        author_id = id_field(doc, "author_id")
        user = users.get(author_id, {})
        username, name = text_of(user, "username"), text_of(user, "name")
        parent = replied_to(doc)
        comment = checked(Comment(
            id=self.comment_id(native), platform=self.platform, account=self.name,
            text=html.unescape(text_field(doc, "text", required=True)),
            created_at=time_field(doc, "created_at"),
            author=Author(id=author_id, name=(name or username or author_id).strip(),
                          handle=f"@{username}" if username else ""),
            parent_id=self.comment_id(parent) if parent else None,
            permalink=permalink(username, native), native_id=native, captured_at=self.clock()))
        return comment, id_field(doc, "conversation_id", required=False) or native

    def _placed(self, comment: Comment, conversation: str) -> Comment:
        """``comment`` under its post when the account started the conversation."""
        if conversation == comment.native_id or not self._ours.get(conversation):
            return comment
        post_id = self.comment_id(conversation)
        parent = None if comment.parent_id in (None, post_id) else comment.parent_id
        return replace(comment, post_id=post_id, parent_id=parent)

    async def _learn_roots(self, conversations: set[str]) -> None:
        unknown = []
        for conversation in sorted(conversations):
            if conversation in self._ours:
                continue
            if self.known.has_post(self.comment_id(conversation)):
                self._ours[conversation] = True
            else:
                unknown.append(conversation)
        for start in range(0, len(unknown), 100):
            chunk = unknown[start:start + 100]
            body, _ = await self.http.get_json("/tweets", params=[*FIELDS,
                                                                  ("ids", ",".join(chunk))])
            docs = body.get("data") if isinstance(body, dict) else None
            users = users_of(body)
            for doc in docs if isinstance(docs, list) else ():
                if isinstance(doc, dict) and doc.get("id") in chunk:
                    ours = doc.get("author_id") == self.account.user_id
                    self._ours[doc["id"]] = ours
                    if ours:
                        self._roots[doc["id"]] = (doc, users.get(self.account.user_id, {}))
            for conversation in chunk:  # deleted or not visible: placed under no post
                self._ours.setdefault(conversation, False)

    def _post_once(self, conversation: str) -> Post | None:
        post_id = self.comment_id(conversation)
        found = self._roots.get(conversation)
        if found is None or post_id in self._posts_given or self.known.has_post(post_id):
            return None
        self._posts_given.add(post_id)
        try:
            return self._post(*found)
        except ItemError as exc:
            logger.warning("%s: the x post %s is unreadable (%s)", self.name, conversation, exc)
            return None

    def _post(self, doc: dict[str, Any], user: Mapping[str, Any]) -> Post:
        native = id_field(doc, "id")
        return Post(id=self.comment_id(native), platform=self.platform, account=self.name,
                    text=html.unescape(text_field(doc, "text")),
                    created_at=time_field(doc, "created_at"),
                    permalink=permalink(text_of(user, "username"), native))

    def _per_page(self) -> int:
        return max(self.min_page_size, min(self.page_size, self.max_page_size))

    # -- the thread ------------------------------------------------------------------

    async def thread(self, comment: Comment) -> Thread:
        conversation = await self._conversation(comment)
        body, _ = await self.http.get_json(f"/tweets/{conversation}", params=FIELDS)
        root = body.get("data") if isinstance(body, dict) else None
        root_users = users_of(body)
        docs, users = await self._search(conversation)
        users = {**root_users, **users}
        ours = isinstance(root, dict) and root.get("author_id") == self.account.user_id
        self._ours[conversation] = ours
        post = None
        if ours and isinstance(root, dict):
            try:
                post = self._post(root, users.get(self.account.user_id, {}))
            except ItemError as exc:
                logger.warning("%s: the x post is unreadable (%s)", self.name, exc)
        elif isinstance(root, dict):
            docs = [root, *docs]
        others: list[Comment] = []
        own: list[Comment] = []
        for doc in docs:
            try:
                found, _ = self._comment(doc if isinstance(doc, dict) else {}, users)
            except ItemError as exc:
                logger.warning("%s: skipped an x post in a thread: %s", self.name, exc)
                continue
            placed = self._placed(found, conversation)
            (own if found.author.id == self.account.user_id else others).append(placed)
        return Thread(post, tuple(others), tuple(own))

    async def _conversation(self, comment: Comment) -> str:
        if comment.post_id:
            return comment.post_id.split(":", 2)[-1]
        body, _ = await self.http.get_json(f"/tweets/{comment.native_id}",
                                           params=[("tweet.fields", "conversation_id")])
        data = body.get("data") if isinstance(body, dict) else None
        found = data.get("conversation_id") if isinstance(data, dict) else None
        if not isinstance(found, str) or not DIGITS.match(found):
            raise ActionRefused(f"{self.name}: x post {comment.native_id} is no longer there "
                                "(deleted, or not visible to the account)")
        return found

    async def _search(self, conversation: str) -> tuple[list[Any], dict[str, dict[str, Any]]]:
        """Every reply in a conversation (X's recent search: the last seven days)."""
        docs: list[Any] = []
        users: dict[str, dict[str, Any]] = {}
        token: str | None = None
        stuck = 0
        while True:
            params = [*FIELDS, ("query", f"conversation_id:{conversation}"),
                      ("max_results", "100")]
            if token:
                params.append(("next_token", token))
            body, _ = await self.http.get_json(SEARCH, params=params)
            data, found, meta = envelope(body, f"GET {SEARCH}", self.name,
                                         self.account.user_id)
            docs.extend(data)
            users.update(found)
            following = text_of(meta, "next_token")
            stuck = stuck + 1 if following and following == token else 0
            if not following or stuck >= STUCK:
                return docs, users
            token = following

    # -- writing ---------------------------------------------------------------------

    async def reply(self, comment: Comment, text: str, *, idempotency_key: str) -> str:
        payload = {"text": text, "reply": {"in_reply_to_tweet_id": comment.native_id}}
        try:
            body, _ = await self.http.send_json("POST", "/tweets", json=payload)
        except AuthError as exc:
            if "duplicate content" not in exc.message:
                raise
            found = await self.find_reply(comment, text, idempotency_key=idempotency_key)
            if found is not None:
                return found  # posted before: X refuses the same text twice
            raise ActionRefused(f"{self.name}: x refused the reply as a duplicate of a recent "
                                "post of the account; change its wording") from None
        data = body.get("data") if isinstance(body, dict) else None
        try:
            return id_field(data if isinstance(data, dict) else {}, "id")
        except ItemError as exc:
            raise BadPayload(f"{self.name}: x accepted the reply but its answer is unreadable "
                             f"({exc}); find it before posting again", account=self.name) from None

    async def find_reply(self, comment: Comment, text: str, *,
                         idempotency_key: str) -> str | None:
        wanted = plain(text)
        docs, _ = await self._search(await self._conversation(comment))
        for doc in docs:
            if not isinstance(doc, dict) or doc.get("author_id") != self.account.user_id:
                continue
            try:
                parent = replied_to(doc)
                if parent == comment.native_id and plain(
                        html.unescape(text_field(doc, "text"))) == wanted:
                    return id_field(doc, "id")
            except ItemError:
                continue
        return None

    async def delete_reply(self, reply_id: str) -> None:
        body, _ = await self.http.send_json("DELETE", f"/tweets/{reply_id}", idempotent=True,
                                            allow=(404,))  # 404: already gone
        data = body.get("data") if isinstance(body, dict) else None
        if isinstance(data, dict) and data.get("deleted") is False:
            raise ConnectorError(f"{self.name}: x did not delete post {reply_id}",
                                 account=self.name)

    async def hide(self, comment: Comment, hidden: bool = True) -> None:
        body, response = await self.http.send_json(
            "PUT", f"/tweets/{comment.native_id}/hidden", json={"hidden": hidden},
            idempotent=True, allow=(403,))
        if response.status_code == 403:
            raise ActionRefused(
                f"{self.name}: x refused to {'hide' if hidden else 'unhide'} post "
                f"{comment.native_id}: X hides only replies in conversations the account "
                f"started, and the token in {self.account.token_env} needs the "
                "tweet.moderate.write scope")
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or data.get("hidden") is not hidden:
            raise BadPayload(f"{self.name}: x answered the hide of post {comment.native_id} "
                             "without saying it is done; check it on X", account=self.name)

    # -- errors and limits -----------------------------------------------------------

    def pause_until(self, response: httpx.Response, now: datetime) -> datetime | None:
        return rate_limit_reset(response)

    def classify(self, response: httpx.Response, now: datetime) -> ConnectorError | None:
        codes = legacy_codes(response)
        if 88 in codes:
            until = self.pause_until(response, now) or now + timedelta(minutes=15)
            return RateLimited(f"{self.name}: x rate limit reached (error 88)", until=until,
                               account=self.name)
        if codes & _AUTH_CODES:
            return AuthError(f"{self.name}: x refused the token in {self.account.token_env} "
                             f"(error {min(codes & _AUTH_CODES)})", account=self.name)
        if codes & _BUSY_CODES:
            return Unavailable(f"{self.name}: x is over capacity (error "
                               f"{min(codes & _BUSY_CODES)})", account=self.name)
        return None

    def error_text(self, response: httpx.Response) -> str:
        return first_error(response) or super().error_text(response)
