"""The Reddit stand-in: script-app tokens, listings, comment trees with ``more``, the inbox,
replies, moderator remove / approve, and deleting the account's own comments.

Ids are fullnames (``t3_…`` posts, ``t1_…`` comments). The account's token is its
script app's secret and also its password; its id (``t2_…``)
is the app's client id and its handle the user name. The account moderates the subreddit
it posts in, which the stand-in names after its handle.
"""

from __future__ import annotations

import base64
import math
import re
import secrets
import time
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from triage.standins.core import PlatformApi, Reject, Request, Response
from triage.standins.faults import Fault
from triage.standins.ordering import SortedItems, walk
from triage.standins.records import SeedAccount
from triage.standins.world import Node

__all__ = ["RedditApi"]

#: Most comments a ``/comments/{article}`` answer holds; the rest come as ``more``.
TREE_LIMIT = 500
#: Most ids one ``/api/morechildren`` call takes.
MORE_LIMIT = 100
TOKEN_SECONDS = 3600
_FULLNAME = re.compile(r"t[13]_[0-9a-z]{1,13}\Z")


class RedditApi(PlatformApi):
    name = "reddit"

    def setup(self) -> None:
        self._issued: dict[str, tuple[str, float]] = {}
        self.route("POST", r"/api/v1/access_token", self.access_token, cost=0, public=True)
        self.route("GET", r"/api/v1/me", self.me)
        self.route("GET", r"/user/(?P<user>[^/]+)/submitted", self.submitted)
        self.route("GET", r"/comments/(?P<article>[0-9a-z]+)", self.tree)
        self.route("GET", r"/api/morechildren", self.more_children)
        self.route("GET", r"/message/(?P<box>inbox|comments|selfreply|mentions)", self.inbox)
        self.route("POST", r"/api/comment", self.comment)
        self.route("POST", r"/api/remove", self.remove)
        self.route("POST", r"/api/approve", self.approve)
        self.route("POST", r"/api/del", self.delete)

    # -- signals ------------------------------------------------------------------
    def error(self, status: int, message: str, *, code: int | None = None) -> Response:
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        text = phrase if message in ("", "stand-in fault") else message
        return Response(status=status, body={"message": text, "error": status})

    def auth_failure(self, req: Request, *, expired: bool) -> Response:
        response = self.error(401, "Unauthorized")
        response.headers["www-authenticate"] = 'Bearer realm="reddit", error="invalid_token"'
        return response

    def throttled(self, fault: Fault | None, reset: float) -> Response:
        seconds = max(0, math.ceil(reset - time.time()))
        if fault is not None and fault.variant == "json":
            minutes = max(1, math.ceil(seconds / 60))
            return Response(body={"json": {"errors": [[
                "RATELIMIT", "Looks like you've been doing that a lot. Take a break for "
                f"{minutes} minute{'' if minutes == 1 else 's'} before trying again.",
                "ratelimit"]]}})
        response = self.error(429, "Too Many Requests")
        response.headers.update(self._limits(0, reset))
        return response

    def usage_headers(self, remaining: int, reset: float, account: SeedAccount) -> dict[str, str]:
        return self._limits(remaining, reset)

    def _limits(self, remaining: int, reset: float) -> dict[str, str]:
        return {"x-ratelimit-used": str(max(self.budget.capacity - remaining, 0)),
                "x-ratelimit-remaining": f"{float(remaining):.1f}",
                "x-ratelimit-reset": str(max(0, math.ceil(reset - time.time())))}

    def wrong_shape(self) -> Any:
        return {"kind": "Listing", "data": "unavailable"}

    def api_error(self, code: str, message: str, field: str = "") -> Reject:
        """An /api write refused the way Reddit does it: status 200, errors in ``json``."""
        return Reject(Response(body={"json": {"errors": [[code, message, field]]}}))

    def authenticate(self, req: Request) -> SeedAccount:
        token = req.bearer() or ""
        key, expires = self._issued.get(token, ("", 0.0))
        if not key or expires < time.time():
            raise Reject(self.auth_failure(req, expired=bool(key)))
        return self.world.account(self.name, key)

    # -- the token ----------------------------------------------------------------
    def access_token(self, req: Request, account: SeedAccount) -> Response:
        client, secret = _basic(req.header("Authorization") or "")
        app = next((a for a in self.world.accounts(self.name)
                    if a.id == client and a.token == secret), None)
        if app is None:
            return self.error(401, "Unauthorized")
        form = req.form()
        if form.get("grant_type") != "password":
            return Response(body={"error": "unsupported_grant_type"})
        user = str(form.get("username") or "")
        if user.casefold() != app.handle.casefold() or form.get("password") != app.token:
            return Response(body={"error": "invalid_grant"})
        token = "standin-bearer-" + secrets.token_urlsafe(18)
        self._issued[token] = (app.key, time.time() + TOKEN_SECONDS)
        return Response(body={"access_token": token, "token_type": "bearer",
                              "expires_in": TOKEN_SECONDS, "scope": "*"})

    def me(self, req: Request, account: SeedAccount) -> Response:
        return Response(body={"name": account.handle, "id": account.id.removeprefix("t2_")})

    # -- rendering ----------------------------------------------------------------
    def _sub(self, node: Node) -> str:
        return self.world.account(self.name, node.account).handle

    def _author(self, node: Node) -> tuple[str, str]:
        if node.by_org:
            owner = self.world.account(self.name, node.account)
            return owner.handle, owner.id
        name = node.author_handle or node.author_name
        return name, node.author_id if node.author_id.startswith("t2_") else ""

    def _link(self, post: Node) -> str:
        slug = re.sub(r"[^0-9a-z]+", "_", (post.title or post.text).lower())[:40].strip("_")
        return f"/r/{self._sub(post)}/comments/{post.id[3:]}/{slug or 'post'}/"

    def thing(self, node: Node, depth: int = 0, replies: Any = "") -> dict[str, Any]:
        post = self.world.get(self.name, node.post) or node
        if node.is_post:
            author, author_id = self._author(node)
            return {"kind": "t3", "data": {
                "id": node.id[3:], "name": node.id, "author": author,
                "author_fullname": author_id, "title": node.title or node.text[:80],
                "selftext": node.text, "created_utc": node.created.timestamp(),
                "num_comments": self.world.comment_count(self.name, node.id),
                "permalink": self._link(node), "subreddit": self._sub(node),
                "is_self": True, "score": node.like_count}}
        author, author_id = ("[deleted]", "") if node.deleted else self._author(node)
        data = {
            "id": node.id[3:], "name": node.id, "author": author,
            "body": "[deleted]" if node.deleted else node.text,
            "created_utc": node.created.timestamp(), "link_id": node.post,
            "parent_id": node.parent or node.post,
            "permalink": f"{self._link(post)}{node.id[3:]}/", "subreddit": self._sub(node),
            "score": node.like_count, "depth": depth, "replies": replies,
            "removed": node.hidden, "approved": not node.hidden,
        }
        if author_id:
            data["author_fullname"] = author_id
        return {"kind": "t1", "data": data}

    @staticmethod
    def listing(children: list[Any], after: str | None = None) -> dict[str, Any]:
        return {"kind": "Listing", "data": {"after": after, "before": None,
                                            "dist": len(children), "children": children}}

    def _limit(self, req: Request, default: int, most: int) -> int:
        value = req.arg("limit", str(default)) or str(default)
        return min(max(int(value), 1), most) if value.isdigit() else default

    def _page(self, req: Request, items: SortedItems[Node], keep: Any,
              kind: str = "") -> Response:
        after = req.arg("after")
        start = None
        if after:
            node = self.world.get(self.name, after) if _FULLNAME.match(after) else None
            if node is None:
                return Response(body=self.listing([]))
            start = items.key_of(node)
        if req.empty_page:
            return Response(body=self.listing([], after))
        with self.world.lock:
            found, more = walk(items, newest_first=True, start=start,
                               limit=self._limit(req, 25, 100), keep=keep)
            children = [self.thing(n) for n in found]
        if kind == "message":
            children = [self._message(child, node) for child, node in zip(children, found,
                                                                           strict=True)]
        body = self.listing(children, found[-1].id if more else None)
        return Response(body=body, items=children)

    def _message(self, thing: dict[str, Any], node: Node) -> dict[str, Any]:
        """A comment as the inbox shows it: context, subject and type, no link_id."""
        data = dict(thing["data"])
        target = self.world.get(self.name, node.replies_to or "")
        reply_to_post = target is not None and target.is_post
        post = self.world.get(self.name, node.post) or node
        data.pop("link_id", None)
        data.pop("replies", None)
        data.update({"context": f"{data['permalink']}?context=3", "was_comment": True,
                     "type": "post_reply" if reply_to_post else "comment_reply",
                     "subject": "post reply" if reply_to_post else "comment reply",
                     "link_title": post.title or post.text[:80], "new": True,
                     "dest": self.world.account(self.name, node.account).handle})
        return {"kind": "t1", "data": data}

    # -- reads --------------------------------------------------------------------
    def _owner(self, user: str) -> SeedAccount:
        for account in self.world.accounts(self.name):
            if account.handle.casefold() == user.casefold():
                return account
        raise self.reject(404, "Not Found")

    def submitted(self, req: Request, account: SeedAccount, user: str) -> Response:
        owner = self._owner(user)
        return self._page(req, self.world.posts(self.name, owner.key),
                          lambda n: not n.deleted, "post")

    def inbox(self, req: Request, account: SeedAccount, box: str) -> Response:
        def keep(node: Node) -> bool:
            target = self.world.get(self.name, node.replies_to or "")
            if node.deleted or target is None or not target.by_org:
                return False
            return (box == "inbox" or (box == "selfreply" and target.is_post)
                    or (box == "comments" and not target.is_post))

        return self._page(req, self.world.inbox(self.name, account.key), keep, "message")

    def _children(self, native: str, oldest_first: bool) -> list[Node]:
        items = self.world.children(self.name, native)
        return list(items.ascending() if oldest_first else items.descending())

    def tree(self, req: Request, account: SeedAccount, article: str) -> Response:
        with self.world.lock:
            post = self.world.get(self.name, "t3_" + article)
            if post is None or not post.is_post or post.deleted:
                raise self.reject(404, "Not Found")
            oldest = req.arg("sort") == "old"
            budget = [self._limit(req, 200, TREE_LIMIT)]
            top = self._level(post, 0, budget, oldest)
            if req.empty_page:
                top = []
            body = [self.listing([self.thing(post)]), self.listing(top)]
        return Response(body=body, items=top)

    def _level(self, parent: Node, depth: int, budget: list[int], oldest: bool) -> list[Any]:
        """The rendered answers to ``parent``; past the budget, one ``more`` of the rest."""
        out: list[Any] = []
        kids = [k for k in self._children(parent.id, oldest) if self._shown(k)]
        for index, kid in enumerate(kids):
            if budget[0] <= 0:
                rest = kids[index:]
                out.append(self._more(parent, depth, rest))
                break
            budget[0] -= 1
            below = self._level(kid, depth + 1, budget, oldest)
            out.append(self.thing(kid, depth, self.listing(below) if below else ""))
        return out

    def _shown(self, node: Node) -> bool:
        """Deleted comments show as [deleted] while answers to them remain."""
        return not node.deleted or any(self._shown(k) for k in self._children(node.id, True))

    def _more(self, parent: Node, depth: int, rest: list[Node]) -> dict[str, Any]:
        count = sum(1 + self._descendants(n) for n in rest)
        return {"kind": "more", "data": {"count": count, "name": rest[0].id,
                                         "id": rest[0].id[3:], "parent_id": parent.id,
                                         "depth": depth, "children": [n.id[3:] for n in rest]}}

    def _descendants(self, node: Node) -> int:
        return sum(1 + self._descendants(k) for k in self._children(node.id, True))

    def more_children(self, req: Request, account: SeedAccount) -> Response:
        link = req.arg("link_id") or ""
        wanted = [c for c in (req.arg("children") or "").split(",") if c]
        if req.arg("api_type") != "json":
            raise self.reject(400, "api_type=json is required")
        if not _FULLNAME.match(link) or not link.startswith("t3_"):
            raise self.api_error("BAD_LINK", "that link is not valid", "link_id")
        if not wanted or len(wanted) > MORE_LIMIT:
            raise self.api_error("BAD_NUMBER", f"1 to {MORE_LIMIT} children", "children")
        things: list[Any] = []
        with self.world.lock:
            for native in wanted:
                node = self.world.get(self.name, "t1_" + native)
                if node is not None and node.post == link and self._shown(node):
                    things.extend(self._flat(node, node_depth(self.world, self.name, node)))
        return Response(body={"json": {"errors": [], "data": {"things": things}}}, items=things)

    def _flat(self, node: Node, depth: int) -> Iterator[dict[str, Any]]:
        yield self.thing(node, depth)
        for kid in self._children(node.id, True):
            if self._shown(kid):
                yield from self._flat(kid, depth + 1)

    # -- writes -------------------------------------------------------------------
    def _target(self, req: Request, name: str, account: SeedAccount) -> Node:
        fullname = str(req.form().get(name) or "")
        node = self.world.get(self.name, fullname) if _FULLNAME.match(fullname) else None
        if node is None or node.account != account.key:
            raise self.reject(404, "Not Found")
        return node

    def comment(self, req: Request, account: SeedAccount) -> Response:
        form = req.form()
        text = form.get("text")
        fullname = str(form.get("thing_id") or "")
        if not isinstance(text, str) or not text.strip():
            raise self.api_error("NO_TEXT", "we need something here", "text")
        node = self.world.get(self.name, fullname) if _FULLNAME.match(fullname) else None
        if node is None or node.deleted or node.account != account.key:
            raise self.api_error("DELETED_COMMENT", "that comment has been deleted", "parent")
        with self.world.lock:
            made, _ = self.world.reply(self.name, account.key, node, text)
            depth = node_depth(self.world, self.name, made)
            thing = self.thing(made, depth)
        return Response(body={"json": {"errors": [], "data": {"things": [thing]}}})

    def remove(self, req: Request, account: SeedAccount) -> Response:
        node = self._target(req, "id", account)
        if not node.deleted:
            self.world.set_hidden(self.name, account.key, node, True)
        return Response(body={})

    def approve(self, req: Request, account: SeedAccount) -> Response:
        node = self._target(req, "id", account)
        if not node.deleted:
            self.world.set_hidden(self.name, account.key, node, False)
        return Response(body={})

    def delete(self, req: Request, account: SeedAccount) -> Response:
        node = self._target(req, "id", account)
        if not node.by_org:
            raise self.reject(403, "Forbidden")
        self.world.delete(self.name, account.key, node)
        return Response(body={})


def node_depth(world: Any, platform: str, node: Node) -> int:
    """How many comments lie between ``node`` and its post (0: a top-level comment)."""
    depth = 0
    while node.parent:
        depth += 1
        found = world.get(platform, node.parent)
        if found is None:
            break
        node = found
    return depth


def _basic(header: str) -> tuple[str, str]:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        client, _, secret = base64.b64decode(value.strip()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return "", ""
    return client, secret
