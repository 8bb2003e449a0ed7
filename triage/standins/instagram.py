"""The Instagram Graph API stand-in: a business account's media, comments, replies, hide, delete."""

from __future__ import annotations

from typing import Any

from triage.standins.core import Request, Response
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

__all__ = ["InstagramApi"]

USER_KNOWN = frozenset({"profile_picture_url", "followers_count", "follows_count", "biography",
                        "website", "ig_id"})
MEDIA_KNOWN = frozenset({"media_url", "thumbnail_url", "children", "is_shared_to_feed",
                         "alt_text", "boost_ads_list", "copyright_check_information",
                         "insights"})
COMMENT_KNOWN = frozenset({"legacy_instagram_comment_id"})
DEFAULT_COMMENT = "timestamp,text,id"


class InstagramApi(GraphApi):
    name = "instagram"
    buc_type = "instagram"
    throttle_code = 80002

    def setup(self) -> None:
        self.route("GET", r"/(?P<native>[^/]+)", self.read)
        self.route("GET", r"/(?P<native>[^/]+)/(?P<edge>[a-z_]+)", self.edge)
        self.route("POST", r"/(?P<native>[^/]+)/(?P<edge>replies|comments)", self.answer)
        self.route("POST", r"/(?P<native>[^/]+)", self.hide)
        self.route("DELETE", r"/(?P<native>[^/]+)", self.delete)
        self.media_table: dict[str, FieldFn] = {
            "id": lambda r, n, s, m: n.id,
            "caption": lambda r, n, s, m: n.text or OMIT,
            "timestamp": lambda r, n, s, m: graph_time(n.created),
            "permalink": lambda r, n, s, m: f"https://www.instagram.com/p/{_shortcode(n)}/",
            "shortcode": lambda r, n, s, m: _shortcode(n),
            "media_type": lambda r, n, s, m: "IMAGE",
            "media_product_type": lambda r, n, s, m: "FEED",
            "comments_count": lambda r, n, s, m: self.world.comment_count(self.name, n.id),
            "like_count": lambda r, n, s, m: n.like_count,
            "username": lambda r, n, s, m: self.world.account(self.name, n.account).handle,
            "owner": lambda r, n, s, m: {"id": self.world.account(self.name, n.account).id},
            "is_comment_enabled": lambda r, n, s, m: True,
            "comments": self._nested,
        }
        self.comment_table: dict[str, FieldFn] = {
            "id": lambda r, n, s, m: n.id,
            "text": lambda r, n, s, m: n.text,
            "timestamp": lambda r, n, s, m: graph_time(n.created),
            "username": lambda r, n, s, m: n.author_handle or n.author_name,
            "from": self._from,
            "like_count": lambda r, n, s, m: n.like_count,
            "hidden": lambda r, n, s, m: n.hidden,
            "parent_id": lambda r, n, s, m: n.parent or OMIT,
            "media": lambda r, n, s, m: {"id": n.post, "media_product_type": "FEED"},
            "user": lambda r, n, s, m: {"id": n.author_id} if n.by_org else OMIT,
            "replies": self._nested,
        }

    # -- lookups ------------------------------------------------------------------
    def read(self, req: Request, account: SeedAccount, native: str) -> Response:
        found = self.resolve(req, account, native)
        if isinstance(found, SeedAccount):
            return Response(body=self._user(req, found))
        with self.world.lock:
            return Response(body=self._render(req, found, self.fields_of(
                req, "id" if found.is_post else DEFAULT_COMMENT)))

    def _user(self, req: Request, account: SeedAccount) -> dict[str, Any]:
        with self.world.lock:
            count = self.world.live_count(self.world.posts(self.name, account.key))
        table = {"id": account.id, "username": account.handle, "name": account.name,
                 "media_count": count}
        out: dict[str, Any] = {}
        for name in self.fields_of(req, "id"):
            if name not in table and name not in USER_KNOWN:
                raise self.reject(400, f"(#100) Tried accessing nonexisting field ({name}) "
                                  "on node type (IGUser)", code=100)
            if name in table:
                out[name] = table[name]
        return out

    def edge(self, req: Request, account: SeedAccount, native: str, edge: str) -> Response:
        found = self.resolve(req, account, native)
        if isinstance(found, SeedAccount):
            if edge != "media":
                raise self._no_edge(edge, "IGUser")
            fields = self.fields_of(req, "id")
            body, items = self.page(
                req, self.world.posts(self.name, found.key), path=f"/{native}/media",
                render=lambda n: self._render(req, n, fields), newest_first=True,
                keep=lambda n: not n.deleted)
            return Response(body=body, items=items)
        if edge != ("comments" if found.is_post else "replies"):
            raise self._no_edge(edge, "IGMedia" if found.is_post else "IGComment")
        fields = self.fields_of(req, DEFAULT_COMMENT)
        body, items = self._listing(req, found, fields, None, nested=False)
        return Response(body=body, items=items)

    def _no_edge(self, edge: str, node_type: str) -> Exception:
        return self.reject(400, f"(#100) Tried accessing nonexisting field ({edge}) on node "
                           f"type ({node_type})", code=100)

    def _listing(self, req: Request, node: Node, fields: Fields, limit: str | None,
                 nested: bool) -> tuple[dict[str, Any], list[Any]]:
        edge = "comments" if node.is_post else "replies"
        params = {"fields": unparse_fields(fields), "limit": limit or "25"} if nested else None
        return self.page(
            req, self.world.children(self.name, node.id), path=f"/{node.id}/{edge}",
            render=lambda n: self._render(req, n, fields), newest_first=node.is_post,
            keep=lambda n: not n.deleted,
            limit=int(limit) if limit is not None and limit.isdigit() else None, params=params)

    def _nested(self, req: Request, node: Node, sub: Fields | None, mods: dict[str, str]) -> Any:
        body, _ = self._listing(req, node, sub or parse_fields(DEFAULT_COMMENT),
                                mods.get("limit"), nested=True)
        return body

    def _from(self, req: Request, node: Node, sub: Fields | None, mods: dict[str, str]) -> Any:
        whole = {"id": node.author_id, "username": node.author_handle or node.author_name}
        return whole if sub is None else {k: v for k, v in whole.items() if k in sub}

    def _render(self, req: Request, node: Node, fields: Fields) -> dict[str, Any]:
        if node.is_post:
            return self.render(req, node, fields, self.media_table, MEDIA_KNOWN, "IGMedia")
        return self.render(req, node, fields, self.comment_table, COMMENT_KNOWN, "IGComment")

    # -- writes -------------------------------------------------------------------
    def answer(self, req: Request, account: SeedAccount, native: str, edge: str) -> Response:
        target = self.resolve(req, account, native)
        if isinstance(target, SeedAccount) or edge != ("comments" if target.is_post else "replies"):
            raise self.reject(400, f"(#100) Unsupported post request to edge {edge}", code=100)
        if not target.is_post and (target.parent is not None or target.hidden):
            raise self.reject(400, "(#100) Replies can only be made to top-level comments "
                              "that are not hidden", code=100)
        message = self.post_param(req, "message")
        if not message:
            raise self.reject(400, "(#100) The parameter message is required", code=100)
        node, _ = self.world.reply(self.name, account.key, target, message)
        return Response(body={"id": node.id})

    def hide(self, req: Request, account: SeedAccount, native: str) -> Response:
        target = self.resolve(req, account, native)
        if isinstance(target, SeedAccount) or target.is_post:
            raise self.missing(req, native)
        hidden = self.flag(req, "hide")
        if hidden is None:
            raise self.reject(400, "(#100) The parameter hide is required", code=100)
        if target.by_org:
            raise self.reject(400, "(#100) The account's own comments cannot be hidden",
                              code=100)
        self.world.set_hidden(self.name, account.key, target, hidden)
        return Response(body={"success": True})

    def delete(self, req: Request, account: SeedAccount, native: str) -> Response:
        target = self.resolve(req, account, native)
        if isinstance(target, SeedAccount) or target.is_post:
            raise self.missing(req, native)
        self.world.delete(self.name, account.key, target, thread=True)
        return Response(body={"success": True})


def _shortcode(node: Node) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    number = int(node.id) if node.id.isdigit() else sum(map(ord, node.id))
    code = ""
    while number:
        number, digit = divmod(number, 64)
        code = alphabet[digit] + code
    return code[-11:] or "A"
