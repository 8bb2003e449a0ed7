"""The Bluesky stand-in: a PDS and its AppView in one, for app-password sessions,
notifications, threads, posts, the account's repository and threadgates.

Ids are at:// URIs of posts; the account's id is its DID and its token is its app
password. Sessions: ``createSession`` gives an access token (two hours) and a refresh
token, which ``refreshSession`` trades for a new pair (the old refresh token ends).
Notifications are the replies others left under the account's posts (``mention`` when
the text names the account's handle and does not answer the account), newest first by
``indexedAt`` (the comment's time here), hidden replies left out as the AppView does.
Known differences from the real servers: only replies to posts the stand-in knows can be
written (the real PDS takes any), threads do not leave hidden replies out, and every
reply notifies the account however deep it is (the AppView stops a few levels down).
"""

from __future__ import annotations

import base64
import hashlib
import math
import secrets
import time
from http import HTTPStatus
from typing import Any

import orjson

from triage.standins.bluesky_repo import BlueskyRepo
from triage.standins.core import PlatformApi, Reject, Request, Response, rfc3339
from triage.standins.faults import Fault
from triage.standins.ordering import decode_cursor, encode_cursor, walk
from triage.standins.records import SeedAccount, bluesky_did
from triage.standins.world import Node

__all__ = ["BlueskyApi"]

ACCESS_SECONDS = 7200
#: XRPC's error names for HTTP statuses.
NAMES = {400: "InvalidRequest", 401: "AuthenticationRequired", 403: "Forbidden",
         404: "XRPCNotSupported", 413: "PayloadTooLarge", 429: "RateLimitExceeded",
         500: "InternalServerError", 501: "MethodNotImplemented", 502: "UpstreamFailure",
         503: "NotEnoughResources", 504: "UpstreamTimeout"}
POST = "app.bsky.feed.post"


def cid_of(*parts: Any) -> str:
    """A content id (CIDv1, base32) made from ``parts``."""
    digest = hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).digest()
    return "bafyrei" + base64.b32encode(digest).decode().lower().rstrip("=")[:52]


class BlueskyApi(PlatformApi):
    name = "bluesky"

    def setup(self) -> None:
        self._access: dict[str, tuple[str, float]] = {}
        self._refresh: dict[str, str] = {}
        self._gates: dict[str, tuple[Node, dict[str, Any]]] = {}
        self.repo = repo = BlueskyRepo(self)
        x = r"/xrpc/"
        self.route("POST", x + r"com\.atproto\.server\.createSession", self.create_session,
                   public=True)
        self.route("POST", x + r"com\.atproto\.server\.refreshSession", self.refresh_session,
                   public=True)
        self.route("GET", x + r"com\.atproto\.server\.getSession", self.get_session)
        self.route("GET", x + r"app\.bsky\.notification\.listNotifications", self.notifications)
        self.route("GET", x + r"app\.bsky\.feed\.getPostThread", self.thread)
        self.route("GET", x + r"app\.bsky\.feed\.getPosts", self.posts)
        self.route("GET", x + r"com\.atproto\.repo\.listRecords", repo.list_records)
        self.route("GET", x + r"com\.atproto\.repo\.getRecord", repo.get_record)
        self.route("POST", x + r"com\.atproto\.repo\.createRecord", repo.create_record)
        self.route("POST", x + r"com\.atproto\.repo\.putRecord", repo.put_record)
        self.route("POST", x + r"com\.atproto\.repo\.deleteRecord", repo.delete_record)

    # -- signals ------------------------------------------------------------------
    def error(self, status: int, message: str, *, code: int | None = None) -> Response:
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        text = phrase if message in ("", "stand-in fault") else message
        return Response(status=status, body={"error": NAMES.get(status, "InternalServerError"),
                                             "message": text})

    def xrpc(self, status: int, name: str, message: str) -> Reject:
        return Reject(Response(status=status, body={"error": name, "message": message}))

    def auth_failure(self, req: Request, *, expired: bool) -> Response:
        if expired:
            return Response(status=400, body={"error": "ExpiredToken",
                                              "message": "Token has expired"})
        if not req.bearer():
            return Response(status=401, body={"error": "AuthMissing",
                                              "message": "Authentication Required"})
        return Response(status=400, body={"error": "InvalidToken",
                                          "message": "Token could not be verified"})

    def throttled(self, fault: Fault | None, reset: float) -> Response:
        response = self.error(429, "Rate Limit Exceeded")
        response.headers.update(self._limits(0, reset))
        return response

    def usage_headers(self, remaining: int, reset: float, account: SeedAccount) -> dict[str, str]:
        return self._limits(remaining, reset)

    def _limits(self, remaining: int, reset: float) -> dict[str, str]:
        window = max(1, round(self.budget.window))
        return {"RateLimit-Limit": str(self.budget.capacity),
                "RateLimit-Remaining": str(remaining),
                "RateLimit-Reset": str(math.ceil(reset)),
                "RateLimit-Policy": f"{self.budget.capacity};w={window}"}

    def wrong_shape(self) -> Any:
        return {"notifications": "unavailable", "cursor": None}

    def no_route(self, req: Request) -> Response:
        return self.error(501, "Method Not Implemented")

    def authenticate(self, req: Request) -> SeedAccount:
        token = req.bearer() or ""
        key, expires = self._access.get(token, ("", 0.0))
        if not key:
            raise Reject(self.auth_failure(req, expired=False))
        if expires < time.time():
            raise Reject(self.auth_failure(req, expired=True))
        return self.world.account(self.name, key)

    # -- sessions -----------------------------------------------------------------
    def _issue(self, account: SeedAccount) -> Response:
        access = "standin-access-" + secrets.token_urlsafe(18)
        refresh = "standin-refresh-" + secrets.token_urlsafe(18)
        self._access[access] = (account.key, time.time() + ACCESS_SECONDS)
        self._refresh[refresh] = account.key
        return Response(body={"did": account.id, "handle": account.handle,
                              "accessJwt": access, "refreshJwt": refresh, "active": True})

    def create_session(self, req: Request, account: SeedAccount) -> Response:
        form = req.form()
        who, password = str(form.get("identifier") or ""), form.get("password")
        found = next((a for a in self.world.accounts(self.name)
                      if who.casefold() in (a.handle.casefold(), a.id) and a.token == password),
                     None)
        if found is None:
            raise self.xrpc(401, "AuthenticationRequired", "Invalid identifier or password")
        return self._issue(found)

    def refresh_session(self, req: Request, account: SeedAccount) -> Response:
        key = self._refresh.pop(req.bearer() or "", "")
        if not key:
            raise self.xrpc(400, "ExpiredToken", "Token has been revoked")
        return self._issue(self.world.account(self.name, key))

    def get_session(self, req: Request, account: SeedAccount) -> Response:
        return Response(body={"did": account.id, "handle": account.handle, "active": True})

    # -- rendering ----------------------------------------------------------------
    def author(self, node: Node) -> dict[str, Any]:
        if node.by_org:
            owner = self.world.account(self.name, node.account)
            return {"did": owner.id, "handle": owner.handle, "displayName": owner.name,
                    "labels": []}
        did = bluesky_did(node.author_id or node.author_handle or node.author_name)
        handle = node.author_handle.lstrip("@") or "handle.invalid"
        return {"did": did, "handle": handle, "displayName": node.author_name, "labels": []}

    def ref(self, node: Node) -> dict[str, str]:
        return {"uri": node.id, "cid": cid_of(node.id, node.text)}

    def record(self, node: Node) -> dict[str, Any]:
        out: dict[str, Any] = {"$type": POST, "text": node.text,
                               "createdAt": rfc3339(node.created), "langs": ["en"]}
        if not node.is_post:
            post = self.world.get(self.name, node.post)
            parent = self.world.get(self.name, node.parent) if node.parent else post
            if post is not None and parent is not None:
                out["reply"] = {"root": self.ref(post), "parent": self.ref(parent)}
        return out

    def view(self, node: Node) -> dict[str, Any]:
        return {**self.ref(node), "author": self.author(node), "record": self.record(node),
                "replyCount": self.world.answer_count(self.name, node.id), "repostCount": 0,
                "likeCount": node.like_count, "quoteCount": 0,
                "indexedAt": rfc3339(node.created), "labels": [], "viewer": {}}

    def _reason(self, node: Node, handle: str) -> str:
        target = self.world.get(self.name, node.replies_to or "")
        mentioned = f"@{handle.casefold()}" in node.text.casefold()
        return "mention" if mentioned and not (target and target.by_org) else "reply"

    # -- reads --------------------------------------------------------------------
    def notifications(self, req: Request, account: SeedAccount) -> Response:
        reasons = set(req.args("reasons")) or {"reply", "mention"}
        cursor = req.arg("cursor")
        start = decode_cursor(cursor) if cursor else None
        if cursor and start is None:
            raise self.xrpc(400, "InvalidRequest", "Malformed cursor")
        value = req.arg("limit", "50") or "50"
        if not value.isdigit() or not 1 <= int(value) <= 100:
            raise self.xrpc(400, "InvalidRequest", "Error: limit must be 1 to 100")
        items = self.world.inbox(self.name, account.key)
        if req.empty_page:
            return Response(body={"notifications": [], "cursor": cursor}, items=[])

        def keep(node: Node) -> bool:
            return (not node.deleted and not node.hidden
                    and self._reason(node, account.handle) in reasons)

        with self.world.lock:
            found, more = walk(items, newest_first=True, start=start, limit=int(value),
                               keep=keep)
            out = [{**self.view(n), "reason": self._reason(n, account.handle),
                    "reasonSubject": n.replies_to and self.ref(
                        self.world.get(self.name, n.replies_to) or n)["uri"],
                    "isRead": False} for n in found]
        for item in out:
            for key in ("replyCount", "repostCount", "likeCount", "quoteCount", "viewer"):
                item.pop(key)
        body: dict[str, Any] = {"notifications": out, "priority": False}
        if more:
            body["cursor"] = encode_cursor(items.key_of(found[-1]))
        return Response(body=body, items=out)

    def _post(self, uri: str) -> Node | None:
        node = self.world.get(self.name, uri)
        return None if node is None or node.deleted else node

    def thread(self, req: Request, account: SeedAccount) -> Response:
        uri = req.arg("uri") or ""
        depth = int(req.arg("depth", "6") or 6)
        height = int(req.arg("parentHeight", "80") or 80)
        with self.world.lock:
            node = self._post(uri)
            if node is None:
                raise self.xrpc(400, "NotFound", f"Post not found: {uri}")
            view = self._below(node, depth)
            current, target = view, node
            for _ in range(height):
                above = target.parent or (None if target.is_post else target.post)
                if above is None:
                    break
                found = self._post(above)
                if found is None:
                    current["parent"] = {"$type": "app.bsky.feed.defs#notFoundPost",
                                         "uri": above, "notFound": True}
                    break
                current["parent"] = {"$type": "app.bsky.feed.defs#threadViewPost",
                                     "post": self.view(found)}
                current, target = current["parent"], found
        return Response(body={"thread": view})

    def _below(self, node: Node, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost",
                               "post": self.view(node)}
        if depth > 0:
            kids = [k for k in self.world.children(self.name, node.id).ascending()
                    if not k.deleted]
            out["replies"] = [self._below(k, depth - 1) for k in kids]
        return out

    def posts(self, req: Request, account: SeedAccount) -> Response:
        uris = req.args("uris")
        if len(uris) > 25:
            raise self.xrpc(400, "InvalidRequest", "Error: uris must not have more than 25 "
                            "elements")
        with self.world.lock:
            found = [self.view(n) for n in (self._post(u) for u in uris) if n is not None]
        return Response(body={"posts": found}, items=found)
