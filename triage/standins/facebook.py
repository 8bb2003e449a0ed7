"""The Facebook Pages stand-in: a Page's feed, comments and replies, hide and delete."""

from __future__ import annotations

from typing import Any

from triage.standins.core import Reject, Request, Response
from triage.standins.graph import (
    OMIT,
    FieldFn,
    Fields,
    GraphApi,
    graph_time,
    parse_fields,
    unparse_fields,
)
from triage.standins.records import SeedAccount
from triage.standins.world import Node

__all__ = ["FacebookApi"]

PAGE_KNOWN = frozenset({"about", "category", "fan_count", "picture", "followers_count",
                        "access_token", "website", "cover"})
POST_KNOWN = frozenset({"story", "full_picture", "attachments", "shares", "reactions", "likes",
                        "picture", "privacy", "place", "message_tags", "icon", "object_id",
                        "link", "is_expired", "promotable_id", "insights"})
COMMENT_KNOWN = frozenset({"attachment", "message_tags", "reactions", "likes",
                           "private_reply_conversation", "can_reply_privately", "application"})
DEFAULT_COMMENT = "created_time,from,message,id"
DEFAULT_POST = "created_time,message,id"
EDGES = ("feed", "posts", "published_posts", "comments")


class FacebookApi(GraphApi):
    name = "facebook"
    buc_type = "pages"
    throttle_code = 80001

    def setup(self) -> None:
        self.route("GET", r"/(?P<native>[^/]+)", self.read)
        self.route("GET", r"/(?P<native>[^/]+)/(?P<edge>[a-z_]+)", self.edge)
        self.route("POST", r"/(?P<native>[^/]+)/comments", self.comment)
        self.route("POST", r"/(?P<native>[^/]+)", self.update)
        self.route("DELETE", r"/(?P<native>[^/]+)", self.delete)
        self.post_table = self._post_fields()
        self.comment_table = self._comment_fields()

    # -- lookups ------------------------------------------------------------------
    def read(self, req: Request, account: SeedAccount, native: str) -> Response:
        found = self.resolve(req, account, native)
        if isinstance(found, SeedAccount):
            return Response(body=self._page(req, found))
        with self.world.lock:
            return Response(body=self._render(req, found, self.fields_of(
                req, DEFAULT_POST if found.is_post else DEFAULT_COMMENT)))

    def _page(self, req: Request, account: SeedAccount) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.fields_of(req, "name,id"):
            value = {"id": account.id, "name": account.name, "username": account.handle,
                     "link": f"https://www.facebook.com/{account.handle}"}.get(name)
            if value is None and name not in PAGE_KNOWN:
                raise self.reject(400, f"(#100) Tried accessing nonexisting field ({name}) "
                                  "on node type (Page)", code=100)
            if value is not None:
                out[name] = value
        return out

    def edge(self, req: Request, account: SeedAccount, native: str, edge: str) -> Response:
        found = self.resolve(req, account, native)
        if edge not in EDGES or (isinstance(found, SeedAccount)) == (edge == "comments"):
            raise self.reject(400, f"(#100) Tried accessing nonexisting field ({edge})", code=100)
        if isinstance(found, SeedAccount):
            fields = self.fields_of(req, DEFAULT_POST)
            body, items = self.page(
                req, self.world.posts(self.name, found.key), path=f"/{native}/{edge}",
                render=lambda n: self._render(req, n, fields), newest_first=True,
                keep=lambda n: not n.deleted)
            return Response(body=body, items=items)
        fields = self.fields_of(req, DEFAULT_COMMENT)
        body, items = self._comments(req, found, fields, req.arg("filter"), req.arg("order"),
                                     req.arg("summary"), None)
        return Response(body=body, items=items)

    def _comments(self, req: Request, node: Node, fields: Fields, filter_: str | None,
                  order: str | None, summary: str | None, limit: str | None,
                  nested: bool = False) -> tuple[dict[str, Any], list[Any]]:
        if filter_ not in (None, "toplevel", "stream"):
            raise self.reject(400, "(#100) filter must be one of the following values: "
                              "toplevel, stream", code=100)
        if order not in (None, "chronological", "reverse_chronological", "ranked"):
            raise self.reject(400, "(#100) order must be one of the following values: "
                              "chronological, reverse_chronological", code=100)
        stream = filter_ == "stream" and node.is_post
        items = (self.world.stream if stream else self.world.children)(self.name, node.id)
        wanted = summary in ("true", "1", "total_count")
        info = {"order": order or "chronological", "can_comment": True} if wanted else None
        params = None
        if nested:
            params = {"fields": unparse_fields(fields), "limit": limit or "25"}
            params.update({k: v for k, v in (("filter", filter_), ("order", order)) if v})
        return self.page(
            req, items, path=f"/{node.id}/comments",
            render=lambda n: self._render(req, n, fields),
            newest_first=order == "reverse_chronological", keep=lambda n: not n.deleted,
            limit=int(limit) if limit is not None and limit.isdigit() else None,
            params=params, summary=info)

    def _render(self, req: Request, node: Node, fields: Fields) -> dict[str, Any]:
        if node.is_post:
            return self.render(req, node, fields, self.post_table, POST_KNOWN, "Post")
        return self.render(req, node, fields, self.comment_table, COMMENT_KNOWN, "Comment")

    # -- field tables ---------------------------------------------------------------
    def _from(self, node: Node, sub: Fields | None) -> Any:
        if not node.author_id:
            return OMIT
        whole = {"name": node.author_name, "id": node.author_id}
        return whole if sub is None else {k: v for k, v in whole.items() if k in sub}

    def _nested_comments(self, req: Request, node: Node, sub: Fields | None,
                         mods: dict[str, str]) -> Any:
        fields = sub or parse_fields(DEFAULT_COMMENT)
        body, _ = self._comments(req, node, fields, mods.get("filter"), mods.get("order"),
                                 mods.get("summary"), mods.get("limit"), nested=True)
        return body

    def _link(self, node: Node) -> str:
        owner = self.world.account(self.name, node.account)
        post = node.post.rsplit("_", 1)[-1]
        link = f"https://www.facebook.com/{owner.handle}/posts/{post}"
        return link if node.is_post else f"{link}?comment_id={node.id.rsplit('_', 1)[-1]}"

    def _post_fields(self) -> dict[str, FieldFn]:
        return {
            "id": lambda r, n, s, m: n.id,
            "message": lambda r, n, s, m: n.text or OMIT,
            "created_time": lambda r, n, s, m: graph_time(n.created),
            "updated_time": lambda r, n, s, m: graph_time(n.created),
            "permalink_url": lambda r, n, s, m: self._link(n),
            "from": lambda r, n, s, m: self._from(n, s),
            "is_hidden": lambda r, n, s, m: n.hidden,
            "is_published": lambda r, n, s, m: True,
            "status_type": lambda r, n, s, m: "mobile_status_update",
            "comments": self._nested_comments,
        }

    def _comment_fields(self) -> dict[str, FieldFn]:
        return {
            "id": lambda r, n, s, m: n.id,
            "message": lambda r, n, s, m: n.text,
            "created_time": lambda r, n, s, m: graph_time(n.created),
            "from": lambda r, n, s, m: self._from(n, s),
            "parent": self._parent,
            "permalink_url": lambda r, n, s, m: self._link(n),
            "like_count": lambda r, n, s, m: n.like_count,
            "comment_count": lambda r, n, s, m: self.world.answer_count(self.name, n.id),
            "is_hidden": lambda r, n, s, m: n.hidden,
            "can_hide": lambda r, n, s, m: not n.by_org,
            "can_remove": lambda r, n, s, m: True,
            "can_comment": lambda r, n, s, m: True,
            "can_like": lambda r, n, s, m: True,
            "user_likes": lambda r, n, s, m: False,
            "is_private": lambda r, n, s, m: False,
            "object": lambda r, n, s, m: {"id": n.post},
            "comments": self._nested_comments,
        }

    def _parent(self, req: Request, node: Node, sub: Fields | None, mods: dict[str, str]) -> Any:
        parent = self.world.get(self.name, node.parent) if node.parent else None
        if parent is None:
            return OMIT
        return self._render(req, parent, sub or parse_fields(DEFAULT_COMMENT))

    # -- writes -------------------------------------------------------------------
    def comment(self, req: Request, account: SeedAccount, native: str) -> Response:
        target = self.resolve(req, account, native)
        if isinstance(target, SeedAccount):
            raise self.reject(400, "(#200) Publishing to the feed is not part of the "
                              "stand-in", code=200)
        message = self.post_param(req, "message")
        if not message:
            raise self.reject(400, "(#100) Missing message or attachment", code=100)
        node, _ = self.world.reply(self.name, account.key, target, message)
        return Response(body={"id": node.id})

    def update(self, req: Request, account: SeedAccount, native: str) -> Response:
        target = self.resolve(req, account, native)
        if isinstance(target, SeedAccount) or target.is_post:
            raise self.missing(req, native)
        hidden = self.flag(req, "is_hidden")
        message = self.post_param(req, "message")
        if hidden is None and message is None:
            raise self.reject(400, "(#100) Nothing to update: give is_hidden or message",
                              code=100)
        if hidden is not None:
            if target.by_org:
                raise self.reject(400, "(#100) This comment cannot be hidden", code=100)
            self.world.set_hidden(self.name, account.key, target, hidden)
        if message is not None:
            if not target.by_org:
                raise Reject(self.error(403, "(#200) Only the Page's own comments can be "
                                        "edited", code=200))
            with self.world.lock:
                target.text = message
        return Response(body={"success": True})

    def delete(self, req: Request, account: SeedAccount, native: str) -> Response:
        target = self.resolve(req, account, native)
        if isinstance(target, SeedAccount):
            raise self.missing(req, native)
        self.world.delete(self.name, account.key, target, thread=True)
        return Response(body={"success": True})

