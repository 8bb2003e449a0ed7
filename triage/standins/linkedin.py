"""The LinkedIn stand-in (Community Management API, ``/rest``): the organisation's posts, the
comments on them and their replies through ``socialActions``, commenting as the
organisation, and deleting the organisation's own comments.

Every request needs ``LinkedIn-Version`` (``YYYYMM``) and ``X-Restli-Protocol-Version:
2.0.0``; URNs in paths are percent-encoded. Lists page by ``start`` and ``count`` with
``paging.total``. Errors are ``{status, serviceErrorCode, code, message}``; a rate limit
is a 429 with no header saying until when. Times are epoch milliseconds. Comments are
two levels deep: a reply names its ``parentComment``. There is no way to hide a comment.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

from triage.standins.core import PlatformApi, Request, Response
from triage.standins.faults import Fault
from triage.standins.records import SeedAccount
from triage.standins.world import Node

__all__ = ["LinkedInApi"]

MAX_COUNT = 100
MAX_TEXT = 1250
_VERSION = re.compile(r"20\d{4}(?:\.\d{2})?\Z")
_ORG = "urn:li:organization:"
_CODES = {400: ("ILLEGAL_ARGUMENT", 100), 401: ("INVALID_ACCESS_TOKEN", 65600),
          403: ("ACCESS_DENIED", 100), 404: ("NOT_FOUND", 100), 429: ("TOO_MANY_REQUESTS", 101),
          500: ("INTERNAL_SERVER_ERROR", 0), 503: ("SERVICE_UNAVAILABLE", 0)}


class LinkedInApi(PlatformApi):
    name = "linkedin"

    def setup(self) -> None:
        self.route("GET", r"/posts", self.posts)
        self.route("GET", r"/socialActions/(?P<target>[^/]+)/comments", self.comments)
        self.route("POST", r"/socialActions/(?P<target>[^/]+)/comments", self.create)
        self.route("DELETE", r"/socialActions/(?P<target>[^/]+)/comments/(?P<comment>[^/]+)",
                   self.delete)

    # -- signals ------------------------------------------------------------------
    def error(self, status: int, message: str, *, code: int | None = None) -> Response:
        name, service = _CODES.get(status, ("ERROR", 0))
        text = message if message not in ("", "stand-in fault") else name.replace("_", " ")
        return Response(status=status, body={"status": status, "serviceErrorCode":
                                             code if code is not None else service,
                                             "code": name, "message": text})

    def auth_failure(self, req: Request, *, expired: bool) -> Response:
        if expired:
            return Response(status=401, body={
                "status": 401, "serviceErrorCode": 65601, "code": "EXPIRED_ACCESS_TOKEN",
                "message": "The token used in the request has expired"})
        return self.error(401, "Invalid access token")

    def throttled(self, fault: Fault | None, reset: float) -> Response:
        return self.error(429, "Resource level throttle APPLICATION DAY limit for calls to "
                               "this resource is reached.")

    def wrong_shape(self) -> Any:
        return {"paging": {"start": 0, "count": 10}, "elements": "unavailable"}

    def dispatch(self, req: Request) -> Response:
        version = req.header("LinkedIn-Version") or ""
        if not _VERSION.match(version):
            return Response(status=400 if not version else 426, body={
                "status": 400 if not version else 426,
                "code": "VERSION_MISSING" if not version else "NONEXISTENT_VERSION",
                "message": "A version must be present. Please specify a version by adding the "
                           "LinkedIn-Version header." if not version
                           else f"Requested version {version} is not active"})
        if req.header("X-Restli-Protocol-Version") != "2.0.0":
            return self.error(400, "X-Restli-Protocol-Version: 2.0.0 is required")
        return super().dispatch(req)

    # -- rendering ----------------------------------------------------------------
    def _org(self, account: SeedAccount) -> str:
        return _ORG + account.id

    def post(self, node: Node, account: SeedAccount) -> dict[str, Any]:
        millis = int(node.created.timestamp() * 1000)
        return {"id": node.id, "author": self._org(account), "commentary": node.text,
                "createdAt": millis, "lastModifiedAt": millis, "publishedAt": millis,
                "lifecycleState": "PUBLISHED", "visibility": "PUBLIC",
                "distribution": {"feedDistribution": "MAIN_FEED"}}

    def comment(self, node: Node, account: SeedAccount) -> dict[str, Any]:
        actor = self._org(account) if node.by_org else node.author_id
        millis = int(node.created.timestamp() * 1000)
        short = node.id.rsplit(",", 1)[-1].rstrip(")")
        doc: dict[str, Any] = {
            "actor": actor, "commentUrn": node.id, "id": short,
            "created": {"actor": actor, "time": millis},
            "lastModified": {"actor": actor, "time": millis},
            "message": {"text": node.text, "attributes": []}, "object": node.post,
            "commentsSummary": {"aggregatedTotalComments":
                                self.world.answer_count(self.name, node.id),
                                "totalFirstLevelComments":
                                self.world.answer_count(self.name, node.id)},
            "likesSummary": {"totalLikes": node.like_count, "likedByCurrentUser": False},
        }
        if node.by_org:
            doc["agent"] = "urn:li:person:standinadmin"
        if node.parent:
            doc["parentComment"] = node.parent
        return doc

    def _paged(self, req: Request, nodes: list[Node], render: Any) -> Response:
        start, count = req.arg("start", "0") or "0", req.arg("count", "10") or "10"
        if not (start.isdigit() and count.isdigit()) or not 0 < int(count) <= MAX_COUNT:
            raise self.reject(400, f"start and count: numbers, count 1 to {MAX_COUNT}")
        first, size = int(start), int(count)
        chosen = [] if req.empty_page else nodes[first:first + size]
        items = [render(node) for node in chosen]
        response = Response(body={"paging": {"start": first, "count": size, "total": len(nodes),
                                             "links": []}, "elements": items})
        response.items = items
        return response

    # -- reads --------------------------------------------------------------------
    def posts(self, req: Request, account: SeedAccount) -> Response:
        if req.arg("q") != "author":
            raise self.reject(400, "q=author is required")
        if req.arg("author") != self._org(account):
            raise self.reject(403, f"Not enough permissions to access posts of "
                                   f"{req.arg('author')}")
        with self.world.lock:
            nodes = [n for n in self.world.posts(self.name, account.key).descending()
                     if not n.deleted]
            return self._paged(req, nodes, lambda n: self.post(n, account))

    def _target(self, target: str, account: SeedAccount) -> Node:
        urn = unquote(target)
        node = self.world.get(self.name, urn)
        if node is None or node.deleted or node.account != account.key:
            raise self.reject(404, f"{urn} does not exist")
        return node

    def comments(self, req: Request, account: SeedAccount, target: str) -> Response:
        with self.world.lock:
            node = self._target(target, account)
            nodes = [n for n in self.world.children(self.name, node.id).ascending()
                     if not n.deleted]
            return self._paged(req, nodes, lambda n: self.comment(n, account))

    # -- writes -------------------------------------------------------------------
    def create(self, req: Request, account: SeedAccount, target: str) -> Response:
        form = req.form()
        message = form.get("message")
        text = message.get("text") if isinstance(message, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise self.reject(400, "message.text is required")
        if len(text) > MAX_TEXT:
            raise self.reject(400, f"message.text is longer than {MAX_TEXT} characters")
        if form.get("actor") != self._org(account):
            raise self.reject(403, f"Not enough permissions to comment as {form.get('actor')}")
        with self.world.lock:
            node = self._target(target, account)
            parent = form.get("parentComment")
            if not node.is_post and parent != node.id:
                raise self.reject(400, "parentComment must name the comment commented on")
            if node.parent is not None:  # two levels: the answer goes under the top comment
                node = self.world.get(self.name, node.parent) or node
            if form.get("object") not in (node.post, None):
                raise self.reject(400, f"object {form.get('object')} is not {node.post}")
            made, _ = self.world.reply(self.name, account.key, node, text)
            body = self.comment(made, account)
        return Response(status=201, body=body,
                        headers={"x-restli-id": quote(body["id"], safe="")})

    def delete(self, req: Request, account: SeedAccount, target: str, comment: str) -> Response:
        if req.arg("actor") != self._org(account):
            raise self.reject(403, "actor must be the organization")
        with self.world.lock:
            parent = self._target(target, account)
            short = unquote(comment)
            found = next((n for n in self.world.stream(self.name, parent.post).ascending()
                          if n.id == short or n.id.endswith(f",{short})")), None)
            if found is None or found.deleted:
                raise self.reject(404, f"comment {short} does not exist")
            if not found.by_org:
                raise self.reject(403, f"Not enough permissions to delete comment {short}: "
                                       "only its author may")
            self.world.delete(self.name, account.key, found, thread=True)
        return Response(status=204)
