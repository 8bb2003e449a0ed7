"""The YouTube Data API v3 stand-in: comment threads, replies, videos, moderation, quota."""

from __future__ import annotations

import base64
import hashlib
import html
from typing import Any

from triage.standins.core import PlatformApi, Reject, Request, Response, rfc3339
from triage.standins.faults import Fault
from triage.standins.ordering import decode_cursor, encode_cursor, walk
from triage.standins.records import SeedAccount
from triage.standins.world import Node

__all__ = ["YouTubeApi"]

REASONS = {400: "badRequest", 401: "authError", 403: "forbidden", 404: "notFound",
           409: "conflict", 429: "rateLimitExceeded", 500: "backendError", 503: "backendError"}
STATUSES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
            404: "NOT_FOUND", 409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
            503: "UNAVAILABLE"}
MODERATION = ("heldForReview", "published", "rejected")
THREAD_REPLIES = 5
WRITE_COST = 50
#: Video ids one ``GET /videos?id=`` may name.
MAX_VIDEO_IDS = 50
#: The longest video title YouTube accepts.
TITLE_LENGTH = 100


class YouTubeApi(PlatformApi):
    name = "youtube"

    def setup(self) -> None:
        self.route("GET", r"/commentThreads", self.threads)
        self.route("GET", r"/comments", self.comments)
        self.route("GET", r"/videos", self.videos)
        self.route("POST", r"/comments", self.insert, cost=WRITE_COST)
        self.route("POST", r"/comments/setModerationStatus", self.moderate, cost=WRITE_COST)
        self.route("DELETE", r"/comments", self.delete, cost=WRITE_COST)

    # -- signals ------------------------------------------------------------------
    def error(self, status: int, message: str, *, code: int | None = None,
              reason: str | None = None, domain: str = "global") -> Response:
        if message == "stand-in fault":
            message = {500: "Backend Error", 503: "The service is currently unavailable."}.get(
                status, "The request could not be completed.")
        entry = {"message": message, "domain": domain,
                 "reason": reason or REASONS.get(status, "badRequest")}
        body = {"code": status, "message": message, "errors": [entry],
                "status": STATUSES.get(status, "UNKNOWN")}
        return Response(status=status, body={"error": body})

    def auth_failure(self, req: Request, *, expired: bool) -> Response:
        if not expired and self.token(req) is None:
            return self.error(403, "The request is missing a valid API key.", reason="forbidden")
        response = self.error(
            401, "Request had invalid authentication credentials. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential.", reason="authError")
        response.body["error"]["errors"][0].update(location="Authorization",
                                                   locationType="header")
        return response

    def throttled(self, fault: Fault | None, reset: float) -> Response:
        if fault is not None and fault.variant == "rate":
            return self.error(403, "The request cannot be completed because you have exceeded "
                              "the rate limit.", reason="rateLimitExceeded", domain="usageLimits")
        return self.error(403, "The request cannot be completed because you have exceeded your "
                          '<a href="/youtube/v3/getting-started#quota">quota</a>.',
                          reason="quotaExceeded", domain="youtube.quota")

    def wrong_shape(self) -> Any:
        return {"kind": "youtube#commentThreadListResponse", "items": {"unavailable": True}}

    def no_route(self, req: Request) -> Response:
        return self.error(404, "Not Found", reason="notFound")

    def bad(self, message: str, reason: str, status: int = 400) -> Reject:
        return Reject(self.error(status, message, reason=reason))

    # -- parameters -----------------------------------------------------------------
    def _parts(self, req: Request, allowed: tuple[str, ...]) -> set[str]:
        part = req.arg("part")
        if not part:
            raise self.bad("Required parameter: part", "required")
        parts = {p.strip() for p in part.split(",")}
        for name in parts:
            if name not in allowed:
                raise self.bad(f"'{name}'", "unknownPart")
        return parts

    def _max_results(self, req: Request) -> int:
        value = req.arg("maxResults", "20") or "20"
        if not value.isdigit() or not 1 <= int(value) <= 100:
            raise self.bad(f"Invalid value '{value}'. Values must be within the range: "
                           "[1, 100]", "invalidParameter")
        return int(value)

    def _start(self, req: Request) -> tuple[int, ...] | None:
        token = req.arg("pageToken")
        if not token:
            return None
        key = decode_cursor(token)
        if key is None:
            raise self.bad("The request specifies an invalid page token.", "invalidPageToken")
        return key

    def _one_filter(self, req: Request, names: tuple[str, ...]) -> str:
        given = [name for name in names if req.arg(name)]
        if len(given) != 1:
            raise self.bad(f"Exactly one of these filters is required: {', '.join(names)}",
                           "missingRequiredParameter" if not given else "incompatibleParameters")
        return given[0]

    # -- resources ----------------------------------------------------------------
    def comment(self, req: Request, node: Node, parts: set[str] | None = None) -> dict[str, Any]:
        account = self.world.account(self.name, node.account)
        plain = req.arg("textFormat") == "plainText"
        display = node.text if plain else html.escape(node.text).replace("\n", "<br>")
        out: dict[str, Any] = {"kind": "youtube#comment", "etag": _etag(node), "id": node.id}
        if parts is None or "snippet" in parts:
            handle = node.author_handle or node.author_name
            snippet: dict[str, Any] = {
                "channelId": account.id, "videoId": node.post, "textDisplay": display,
                "textOriginal": node.text,
                "authorDisplayName": handle if handle.startswith("@") else f"@{handle}",
                "authorProfileImageUrl": f"https://yt3.ggpht.com/standin/{node.author_id}",
                "authorChannelUrl": f"http://www.youtube.com/@{handle.lstrip('@')}",
                "authorChannelId": {"value": node.author_id},
                "canRate": True, "viewerRating": "none", "likeCount": node.like_count,
                "publishedAt": rfc3339(node.created, 0), "updatedAt": rfc3339(node.created, 0),
            }
            if node.parent:
                snippet["parentId"] = node.parent
            if node.moderation != "published" or req.arg("moderationStatus"):
                snippet["moderationStatus"] = node.moderation
            out["snippet"] = snippet
        return out

    def thread(self, req: Request, top: Node, parts: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "youtube#commentThread", "etag": _etag(top), "id": top.id}
        replies = [n for n in self.world.children(self.name, top.id).ascending() if _shown(n)]
        if "snippet" in parts:
            out["snippet"] = {
                "channelId": self.world.account(self.name, top.account).id,
                "videoId": top.post, "topLevelComment": self.comment(req, top),
                "canReply": True, "totalReplyCount": len(replies), "isPublic": True,
            }
        if "replies" in parts and replies:
            out["replies"] = {"comments": [self.comment(req, n) for n in
                                           replies[:THREAD_REPLIES]]}
        return out

    def video(self, node: Node, parts: set[str]) -> dict[str, Any]:
        """A video resource; a post seeded without a title takes its text's first line."""
        out: dict[str, Any] = {"kind": "youtube#video", "etag": _etag(node), "id": node.id}
        if "snippet" in parts:
            account = self.world.account(self.name, node.account)
            title, description = node.title, node.text
            if not title:
                first, _, rest = node.text.strip().partition("\n")
                title, description = first.strip()[:TITLE_LENGTH], rest.strip()
            out["snippet"] = {
                "publishedAt": rfc3339(node.created, 0), "channelId": account.id,
                "title": title, "description": description,
                "thumbnails": {"default": {"url": f"https://i.ytimg.com/vi/{node.id}/default.jpg",
                                           "width": 120, "height": 90}},
                "channelTitle": account.name, "categoryId": "27",
                "liveBroadcastContent": "none",
                "localized": {"title": title, "description": description},
            }
        return out

    def _listing(self, kind: str, items: list[dict[str, Any]], per_page: int,
                 next_token: str | None) -> Response:
        body: dict[str, Any] = {"kind": f"youtube#{kind}ListResponse", "etag": _etag(None)}
        if next_token:
            body["nextPageToken"] = next_token
        body["pageInfo"] = {"totalResults": len(items), "resultsPerPage": per_page}
        body["items"] = items
        return Response(body=body, items=items)

    # -- reads --------------------------------------------------------------------
    def threads(self, req: Request, account: SeedAccount) -> Response:
        parts = self._parts(req, ("id", "snippet", "replies"))
        which = self._one_filter(req, ("allThreadsRelatedToChannelId", "videoId", "id"))
        value = req.arg(which) or ""
        if which == "id":
            with self.world.lock:
                nodes = [self.world.get(self.name, i.strip()) for i in value.split(",")]
                items = [self.thread(req, n, parts) for n in nodes
                         if n is not None and not n.deleted and n.parent is None
                         and n.account == account.key]
            return self._listing("commentThread", items, len(items), None)
        if which == "videoId":
            video = self.world.get(self.name, value)
            if video is None or not video.is_post or video.deleted:
                raise self.bad("The video identified by the videoId parameter could not be "
                               "found.", "videoNotFound", 404)
            source = self.world.children(self.name, video.id)
        else:
            if value != account.id:
                raise self.bad("The channel identified by the allThreadsRelatedToChannelId "
                               "parameter could not be found.", "channelNotFound", 404)
            source = self.world.toplevel(self.name, account.key)
        status = req.arg("moderationStatus") or "published"
        if status not in ("published", "heldForReview", "likelySpam"):
            raise self.bad(f"Invalid value '{status}' for moderationStatus",
                           "invalidParameter")
        if (req.arg("order") or "time") not in ("time", "relevance"):
            raise self.bad("Invalid value for order", "invalidParameter")
        terms = (req.arg("searchTerms") or "").lower()
        per_page, start = self._max_results(req), self._start(req)
        if req.empty_page:
            return self._listing("commentThread", [], per_page,
                                 encode_cursor(start or (2**62,)))

        def keep(node: Node) -> bool:
            return (not node.deleted and node.moderation == status
                    and (not terms or terms in node.text.lower()))

        with self.world.lock:
            found, more = walk(source, newest_first=True, start=start, limit=per_page,
                               keep=keep)
            items = [self.thread(req, n, parts) for n in found]
            token = encode_cursor(source.key_of(found[-1])) if more else None
        return self._listing("commentThread", items, per_page, token)

    def comments(self, req: Request, account: SeedAccount) -> Response:
        parts = self._parts(req, ("id", "snippet"))
        which = self._one_filter(req, ("id", "parentId"))
        if which == "id":
            with self.world.lock:
                nodes = [self.world.get(self.name, i.strip()) for i in
                         (req.arg("id") or "").split(",")]
                items = [self.comment(req, n, parts) for n in nodes
                         if n is not None and not n.deleted and not n.is_post
                         and n.account == account.key]
            return self._listing("comment", items, len(items), None)
        parent = self.world.get(self.name, req.arg("parentId") or "")
        if parent is None or parent.is_post or parent.deleted:
            raise self.bad("The comment identified by the parentId parameter could not be "
                           "found.", "commentNotFound", 404)
        per_page, start = self._max_results(req), self._start(req)
        if req.empty_page:
            return self._listing("comment", [], per_page, encode_cursor(start or (-1,)))
        replies = self.world.children(self.name, parent.id)
        with self.world.lock:
            found, more = walk(replies, newest_first=False, start=start, limit=per_page,
                               keep=_shown)
            items = [self.comment(req, n, parts) for n in found]
            token = encode_cursor(replies.key_of(found[-1])) if more else None
        return self._listing("comment", items, per_page, token)

    def videos(self, req: Request, account: SeedAccount) -> Response:
        parts = self._parts(req, ("id", "snippet"))
        which = self._one_filter(req, ("chart", "id", "myRating"))
        if which != "id":
            raise self.bad(f"The stand-in lists videos by id only, not by {which}.",
                           "invalidFilters")
        ids = [i.strip() for i in (req.arg("id") or "").split(",") if i.strip()]
        if len(ids) > MAX_VIDEO_IDS:
            raise self.bad(f"The request specifies {len(ids)} video ids; at most "
                           f"{MAX_VIDEO_IDS} are allowed.", "invalidParameter")
        if req.empty_page:
            return self._listing("video", [], len(ids), None)
        with self.world.lock:
            nodes = [self.world.get(self.name, i) for i in ids]
            items = [self.video(n, parts) for n in nodes
                     if n is not None and n.is_post and not n.deleted
                     and n.account == account.key]
        return self._listing("video", items, len(items), None)

    # -- writes -------------------------------------------------------------------
    def insert(self, req: Request, account: SeedAccount) -> Response:
        parts = self._parts(req, ("id", "snippet"))
        snippet = req.form().get("snippet")
        if not isinstance(snippet, dict) or not snippet.get("parentId"):
            raise self.bad("The request metadata is invalid: snippet.parentId is required.",
                           "invalidCommentMetadata")
        text = snippet.get("textOriginal")
        if not isinstance(text, str) or not text.strip():
            raise self.bad("The comment text is required.", "commentTextRequired")
        parent = self.world.get(self.name, str(snippet["parentId"]))
        if parent is None or parent.is_post or parent.deleted or parent.account != account.key:
            raise self.bad("The specified parent comment could not be found.",
                           "parentCommentNotFound", 404)
        if parent.parent is not None:
            raise self.bad("Replies can only be made to top-level comments.",
                           "operationNotSupported")
        if parent.moderation != "published":
            raise self.bad("The specified parent comment is private.",
                           "parentCommentIsPrivate", 403)
        node, _ = self.world.reply(self.name, account.key, parent, text)
        return Response(body=self.comment(req, node, parts))

    def moderate(self, req: Request, account: SeedAccount) -> Response:
        ids = [i.strip() for i in (req.param("id") or "").split(",") if i.strip()]
        status = req.param("moderationStatus")
        if not ids:
            raise self.bad("Required parameter: id", "required")
        if status not in MODERATION:
            raise self.bad("Invalid moderation status.", "invalidModerationStatus")
        if str(req.param("banAuthor") or "false").lower() == "true" and status != "rejected":
            raise self.bad("banAuthor can only be used with rejected.", "banWithoutReject")
        with self.world.lock:
            nodes = [self.world.get(self.name, i) for i in ids]
            for native, node in zip(ids, nodes, strict=True):
                if node is None or node.is_post or node.deleted or node.account != account.key:
                    raise self.bad(f"Comment not found: {native}", "commentNotFound", 404)
                if node.moderation == "rejected" and status != "rejected":
                    raise self.bad("A rejected comment cannot be published again.",
                                   "operationNotSupported")
            for node in nodes:
                assert node is not None
                self.world.set_hidden(self.name, account.key, node, status != "published",
                                      moderation=str(status))
        return Response(status=204)

    def delete(self, req: Request, account: SeedAccount) -> Response:
        node = self.world.get(self.name, req.arg("id") or "")
        if node is None or node.is_post or node.deleted or node.account != account.key:
            raise self.bad("The comment could not be found.", "commentNotFound", 404)
        if not node.by_org:
            raise self.bad("Only the comment's author can delete it.", "forbidden", 403)
        self.world.delete(self.name, account.key, node, thread=True)
        return Response(status=204)


def _shown(node: Node) -> bool:
    return not node.deleted and node.moderation == "published"


def _etag(node: Node | None) -> str:
    seed = "list" if node is None else f"{node.id}|{node.text}|{node.moderation}|{node.deleted}"
    return base64.urlsafe_b64encode(hashlib.sha1(seed.encode()).digest()).decode()[:27]
