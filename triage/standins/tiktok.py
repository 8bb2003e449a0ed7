"""The TikTok stand-in (API for Business v1.3): the business account's videos, their comments
and replies, reply, hide / unhide, and deleting the account's own comments.

Every answer is the envelope ``{code, message, request_id, data}``; an error is a non-zero
``code``, sent with HTTP 200 as TikTok does (40100 too many requests, 40105 a wrong token,
40102 an expired one, 40002 a bad parameter). The token comes in the ``Access-Token``
header; ``business_id`` must be the account's id. Lists page by an integer ``cursor``
with ``has_more``. Comments are two levels deep: an answer to a reply hangs under its
top-level comment. ``create_time`` is epoch seconds, a string in lists.
"""

from __future__ import annotations

import secrets
from typing import Any

import orjson

from triage.standins.core import PlatformApi, Reject, Request, Response
from triage.standins.faults import Fault
from triage.standins.records import SeedAccount
from triage.standins.world import Node

__all__ = ["TikTokApi"]

#: Most items a page holds (videos, comments).
MAX_VIDEOS = 20
MAX_COMMENTS = 30
#: The longest comment TikTok takes.
MAX_TEXT = 150
RATE_LIMITED = 40100
EXPIRED = 40102
BAD_TOKEN = 40105
BAD_PARAM = 40002
NO_PERMISSION = 40001


class TikTokApi(PlatformApi):
    name = "tiktok"

    def setup(self) -> None:
        self.route("GET", r"/business/video/list/", self.videos)
        self.route("GET", r"/business/comment/list/", self.comments)
        self.route("GET", r"/business/comment/reply/list/", self.replies)
        self.route("POST", r"/business/comment/reply/create/", self.reply)
        self.route("POST", r"/business/comment/hide/", self.hide)
        self.route("POST", r"/business/comment/delete/", self.delete)

    # -- signals ------------------------------------------------------------------
    def envelope(self, data: Any = None, code: int = 0, message: str = "OK",
                 status: int = 200) -> Response:
        return Response(status=status, body={"code": code, "message": message,
                                             "request_id": secrets.token_hex(10),
                                             "data": {} if data is None else data})

    def error(self, status: int, message: str, *, code: int | None = None) -> Response:
        text = message if message not in ("", "stand-in fault") else "Internal error"
        return self.envelope(code=code or (50000 if status >= 500 else 40000 + status % 100),
                             message=text, status=status)

    def auth_failure(self, req: Request, *, expired: bool) -> Response:
        if expired:
            return self.envelope(code=EXPIRED, message="Access token has expired.")
        return self.envelope(code=BAD_TOKEN,
                             message="Access token is incorrect or has been revoked.")

    def throttled(self, fault: Fault | None, reset: float) -> Response:
        return self.envelope(code=RATE_LIMITED,
                             message="Too many requests. Please retry after a while.")

    def wrong_shape(self) -> Any:
        return {"code": 0, "message": "OK", "request_id": "0", "data": "unavailable"}

    def no_route(self, req: Request) -> Response:
        return self.envelope(code=40400, message=f"no such endpoint: {req.method} {req.path}",
                             status=404)

    def token(self, req: Request) -> str | None:
        return req.header("Access-Token")

    def bad(self, message: str, code: int = BAD_PARAM) -> Reject:
        return Reject(self.envelope(code=code, message=message))

    # -- helpers ------------------------------------------------------------------
    def _business(self, req: Request, account: SeedAccount) -> None:
        business = req.param("business_id")
        if business != account.id:
            raise self.bad(f"business_id {business!r} is not the authorised account")

    def _count(self, req: Request, most: int, default: int) -> int:
        value = str(req.param("max_count") or default)
        if not value.isdigit() or not 1 <= int(value) <= most:
            raise self.bad(f"max_count must be between 1 and {most}")
        return int(value)

    def _offset(self, req: Request) -> int:
        value = str(req.param("cursor") or 0)
        if not value.isdigit():
            raise self.bad("cursor must be a number")
        return int(value)

    def _video(self, req: Request, account: SeedAccount) -> Node:
        self._business(req, account)
        native = str(req.param("video_id") or "")
        node = self.world.get(self.name, native)
        if node is None or not node.is_post or node.deleted or node.account != account.key:
            raise self.bad(f"video_id {native!r} is not a video of this account")
        return node

    def _comment(self, native: str, account: SeedAccount) -> Node:
        node = self.world.get(self.name, native)
        if node is None or node.is_post or node.deleted or node.account != account.key:
            raise self.bad(f"comment_id {native!r} is not a comment on this account's videos")
        return node

    def render(self, node: Node, account: SeedAccount) -> dict[str, Any]:
        """A comment or reply as the comment lists show it."""
        user = account.id if node.by_org else node.author_id
        return {
            "comment_id": node.id, "video_id": node.post, "user_id": user,
            "unique_identifier": user, "create_time": str(int(node.created.timestamp())),
            "text": node.text, "likes": node.like_count,
            "replies": self.world.answer_count(self.name, node.id) if node.parent is None else 0,
            "owner": node.by_org, "liked": False, "pinned": False,
            "status": "HIDDEN" if node.hidden else "PUBLIC",
            "username": account.handle if node.by_org else node.author_handle or node.author_name,
            "display_name": account.name if node.by_org else node.author_name,
            "parent_comment_id": node.parent or node.post,
        }

    def _page(self, req: Request, nodes: list[Node], key: str, per_page: int,
              render: Any) -> Response:
        start = self._offset(req)
        if req.empty_page:
            return self.envelope({key: [], "cursor": start, "has_more": True})
        chosen = nodes[start:start + per_page]
        items = [render(node) for node in chosen]
        response = self.envelope({key: items, "cursor": start + len(chosen),
                                  "has_more": start + len(chosen) < len(nodes)})
        response.items = items
        return response

    def _listed(self, req: Request, nodes: list[Node]) -> list[Node]:
        if req.param("status") not in (None, "ALL"):
            nodes = [n for n in nodes if not n.hidden]
        field = req.param("sort_field") or "create_time"
        if field != "create_time":
            raise self.bad("this stand-in sorts by create_time only")
        order = req.param("sort_order") or "desc"
        if order not in ("asc", "desc"):
            raise self.bad("sort_order must be asc or desc")
        return nodes if order == "asc" else nodes[::-1]

    # -- reads --------------------------------------------------------------------
    def videos(self, req: Request, account: SeedAccount) -> Response:
        self._business(req, account)
        fields = req.param("fields")
        try:
            wanted = set(orjson.loads(fields)) if fields else {"item_id"}
        except orjson.JSONDecodeError:
            raise self.bad("fields must be a JSON list of field names") from None
        with self.world.lock:
            nodes = [n for n in self.world.posts(self.name, account.key).descending()
                     if not n.deleted]

            def render(node: Node) -> dict[str, Any]:
                whole = {"item_id": node.id, "create_time": str(int(node.created.timestamp())),
                         "caption": node.text,
                         "share_url": f"https://www.tiktok.com/@{account.handle}/video/{node.id}",
                         "comments": self.world.comment_count(self.name, node.id),
                         "likes": node.like_count}
                return {k: v for k, v in whole.items() if k in wanted or k == "item_id"}

            return self._page(req, nodes, "videos", self._count(req, MAX_VIDEOS, 20), render)

    def comments(self, req: Request, account: SeedAccount) -> Response:
        with self.world.lock:
            video = self._video(req, account)
            nodes = [n for n in self.world.children(self.name, video.id).ascending()
                     if not n.deleted]
            return self._page(req, self._listed(req, nodes), "comments",
                              self._count(req, MAX_COMMENTS, 20),
                              lambda n: self.render(n, account))

    def replies(self, req: Request, account: SeedAccount) -> Response:
        with self.world.lock:
            video = self._video(req, account)
            top = self._comment(str(req.param("comment_id") or ""), account)
            if top.post != video.id or top.parent is not None:
                raise self.bad("comment_id is not a top-level comment of this video")
            nodes = [n for n in self.world.children(self.name, top.id).ascending()
                     if not n.deleted]
            return self._page(req, self._listed(req, nodes), "comments",
                              self._count(req, MAX_COMMENTS, 20),
                              lambda n: self.render(n, account))

    # -- writes -------------------------------------------------------------------
    def reply(self, req: Request, account: SeedAccount) -> Response:
        form = req.form()
        text = form.get("text")
        if not isinstance(text, str) or not text.strip():
            raise self.bad("text is required")
        if len(text) > MAX_TEXT:
            raise self.bad(f"text is longer than {MAX_TEXT} characters")
        with self.world.lock:
            video = self._video(req, account)
            target = self._comment(str(form.get("comment_id") or ""), account)
            if target.post != video.id:
                raise self.bad("comment_id is not a comment of this video")
            if target.parent is not None:  # two levels: the answer goes under the top comment
                target = self.world.get(self.name, target.parent) or target
            made, _ = self.world.reply(self.name, account.key, target, text)
            return self.envelope(self.render(made, account))

    def hide(self, req: Request, account: SeedAccount) -> Response:
        action = req.form().get("action")
        if action not in ("HIDE", "UNHIDE"):
            raise self.bad("action must be HIDE or UNHIDE")
        with self.world.lock:
            self._video(req, account)
            node = self._comment(str(req.form().get("comment_id") or ""), account)
            self.world.set_hidden(self.name, account.key, node, action == "HIDE")
        return self.envelope()

    def delete(self, req: Request, account: SeedAccount) -> Response:
        self._business(req, account)
        with self.world.lock:
            node = self._comment(str(req.form().get("comment_id") or ""), account)
            if not node.by_org:
                raise self.bad("only the business account's own comments can be deleted",
                               NO_PERMISSION)
            self.world.delete(self.name, account.key, node, thread=True)
        return self.envelope()
