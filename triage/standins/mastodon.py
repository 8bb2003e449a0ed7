"""The Mastodon stand-in: mention notifications, threads, replies with ``Idempotency-Key``."""

from __future__ import annotations

import html
import math
import time
from datetime import UTC, datetime
from typing import Any

from triage.standins.core import PlatformApi, Request, Response, rfc3339
from triage.standins.faults import Fault
from triage.standins.ordering import walk
from triage.standins.records import SeedAccount
from triage.standins.world import Node

__all__ = ["MastodonApi"]

DOMAIN = "mastodon.example"
MAX_CHARS = 500
ACCOUNT_SINCE = "2022-01-01T00:00:00.000Z"


class MastodonApi(PlatformApi):
    name = "mastodon"

    def setup(self) -> None:
        self.route("GET", r"/api/v1/accounts/verify_credentials", self.me)
        self.route("GET", r"/api/v1/notifications", self.notifications)
        self.route("GET", r"/api/v1/notifications/(?P<native>\d+)", self.notification)
        self.route("GET", r"/api/v1/statuses/(?P<native>\d+)", self.status)
        self.route("GET", r"/api/v1/statuses/(?P<native>\d+)/context", self.context)
        self.route("POST", r"/api/v1/statuses", self.post)
        self.route("DELETE", r"/api/v1/statuses/(?P<native>\d+)", self.delete)
        self.route("GET", r"/api/v(?P<version>[12])/instance", self.instance, public=True)

    # -- signals ------------------------------------------------------------------
    def error(self, status: int, message: str, *, code: int | None = None) -> Response:
        if message == "stand-in fault":
            message = {404: "Record not found", 422: "Validation failed",
                       503: "Service Unavailable"}.get(status, "Internal Server Error")
        return Response(status=status, body={"error": message})

    def auth_failure(self, req: Request, *, expired: bool) -> Response:
        text = "The access token expired" if expired else "The access token is invalid"
        return self.error(401, text)

    def throttled(self, fault: Fault | None, reset: float) -> Response:
        response = self.error(429, "Too many requests")
        response.headers.update(self._limits(0, reset))
        response.headers["Retry-After"] = str(max(0, math.ceil(reset - time.time())))
        return response

    def usage_headers(self, remaining: int, reset: float, account: SeedAccount) -> dict[str, str]:
        return self._limits(remaining, reset)

    def _limits(self, remaining: int, reset: float) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.budget.capacity),
                "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": rfc3339(datetime.fromtimestamp(reset, UTC), 6)}

    def wrong_shape(self) -> Any:
        return {"data": [], "error": None}

    def no_route(self, req: Request) -> Response:
        return self.error(404, "Record not found")

    # -- rendering ----------------------------------------------------------------
    def account_json(self, native: str, handle: str, name: str) -> dict[str, Any]:
        username, _, host = handle.partition("@")
        username = username or native
        return {
            "id": native, "username": username, "acct": handle or username,
            "display_name": name, "locked": False, "bot": False, "discoverable": True,
            "group": False, "created_at": ACCOUNT_SINCE, "note": "",
            "url": f"https://{host or DOMAIN}/@{username}",
            "uri": f"https://{host or DOMAIN}/users/{username}",
            "avatar": f"https://{DOMAIN}/avatars/original/missing.png",
            "avatar_static": f"https://{DOMAIN}/avatars/original/missing.png",
            "header": f"https://{DOMAIN}/headers/original/missing.png",
            "header_static": f"https://{DOMAIN}/headers/original/missing.png",
            "followers_count": 0, "following_count": 0, "statuses_count": 1,
            "last_status_at": None, "emojis": [], "fields": [],
        }

    def _mentions(self, node: Node) -> list[dict[str, str]]:
        """Who a reply opens with (its parent's author, then the account), as clients write."""
        if node.by_org or node.is_post:
            return []
        owner = self.world.account(self.name, node.account)
        target = self.world.get(self.name, node.replies_to or "")
        people = []
        if target is not None and not target.by_org:
            people.append((target.author_id, target.author_handle or target.author_name))
        people.append((owner.id, owner.handle))
        out = []
        for native, handle in people:
            username, _, host = handle.partition("@")
            out.append({"id": native, "username": username, "acct": handle,
                        "url": f"https://{host or DOMAIN}/@{username}"})
        return out

    def status_json(self, node: Node) -> dict[str, Any]:
        mentions = self._mentions(node)
        opening = "".join(
            f'<span class="h-card" translate="no"><a href="{html.escape(m["url"])}" '
            f'class="u-url mention">@<span>{html.escape(m["username"])}</span></a></span> '
            for m in mentions)
        paragraphs = [html.escape(part).replace("\n", "<br />")
                      for part in node.text.split("\n\n")] or [""]
        paragraphs[0] = opening + paragraphs[0]
        content = "".join(f"<p>{part}</p>" for part in paragraphs)
        target = self.world.get(self.name, node.replies_to or "")
        author = self.account_json(node.author_id, node.author_handle, node.author_name)
        return {
            "id": node.id, "created_at": rfc3339(node.created, 3),
            "in_reply_to_id": target.id if target else None,
            "in_reply_to_account_id": target.author_id if target else None,
            "sensitive": False, "spoiler_text": "", "visibility": "public", "language": "en",
            "uri": f"{author['uri']}/statuses/{node.id}", "url": f"{author['url']}/{node.id}",
            "replies_count": self.world.answer_count(self.name, node.id),
            "reblogs_count": 0, "favourites_count": node.like_count, "edited_at": None,
            "favourited": False, "reblogged": False, "muted": False, "bookmarked": False,
            "content": content, "reblog": None, "application": None, "account": author,
            "media_attachments": [], "mentions": mentions, "tags": [], "emojis": [],
            "card": None, "poll": None,
        }

    def notification_json(self, node: Node) -> dict[str, Any]:
        return {"id": str(node.notice), "type": "mention",
                "created_at": rfc3339(node.created, 3),
                "account": self.account_json(node.author_id, node.author_handle,
                                             node.author_name),
                "status": self.status_json(node), "group_key": f"ungrouped-{node.notice}"}

    # -- reads --------------------------------------------------------------------
    def me(self, req: Request, account: SeedAccount) -> Response:
        return Response(body=self.account_json(account.id, account.handle, account.name))

    def instance(self, req: Request, account: SeedAccount, version: str) -> Response:
        body: dict[str, Any] = {"title": "Triage stand-in", "version": "4.3.0",
                                "description": "A local stand-in of a Mastodon server."}
        body["domain" if version == "2" else "uri"] = DOMAIN
        return Response(body=body)

    def _number(self, req: Request, name: str) -> int | None:
        value = req.arg(name)
        return int(value) if value is not None and value.isdigit() else None

    def notifications(self, req: Request, account: SeedAccount) -> Response:
        types = set(req.args("types[]") + req.args("types"))
        excluded = set(req.args("exclude_types[]") + req.args("exclude_types"))
        wanted = (not types or "mention" in types) and "mention" not in excluded
        limit_text = req.arg("limit")
        limit = 40
        if limit_text is not None and limit_text.isdigit():
            limit = max(1, min(int(limit_text), 80))
        max_id, since_id = self._number(req, "max_id"), self._number(req, "since_id")
        min_id = self._number(req, "min_id")
        items = self.world.inbox(self.name, account.key)

        def keep(node: Node) -> bool:
            return (wanted and not node.deleted
                    and (since_id is None or node.notice > since_id)
                    and (max_id is None or node.notice < max_id))

        with self.world.lock:
            if min_id is not None:
                found, _ = walk(items, newest_first=False, start=(min_id,), limit=limit,
                                keep=keep)
                found.reverse()
            else:
                start = (max_id,) if max_id is not None else None
                found, _ = walk(items, newest_first=True, start=start, limit=limit, keep=keep)
            data = [self.notification_json(node) for node in found]
        response = Response(body=data, items=data)
        if found:
            keep_params = [(k, v) for k, values in req.query.items() for v in values
                           if k not in ("max_id", "min_id", "since_id")]
            path = "/api/v1/notifications"
            after = req.url(path, [*keep_params, ("max_id", str(found[-1].notice))])
            before = req.url(path, [*keep_params, ("min_id", str(found[0].notice))])
            response.headers["Link"] = f'<{after}>; rel="next", <{before}>; rel="prev"'
        return response

    def _visible(self, account: SeedAccount, native: str) -> Node:
        node = self.world.get(self.name, native)
        if node is None or node.deleted or node.account != account.key:
            raise self.reject(404, "Record not found")
        return node

    def notification(self, req: Request, account: SeedAccount, native: str) -> Response:
        with self.world.lock:
            for node in self.world.inbox(self.name, account.key).ascending((int(native) - 1,)):
                if node.notice == int(native) and not node.deleted:
                    return Response(body=self.notification_json(node))
                break
        raise self.reject(404, "Record not found")

    def status(self, req: Request, account: SeedAccount, native: str) -> Response:
        with self.world.lock:
            return Response(body=self.status_json(self._visible(account, native)))

    def context(self, req: Request, account: SeedAccount, native: str) -> Response:
        with self.world.lock:
            node = self._visible(account, native)
            ancestors: list[Node] = []
            above = self.world.get(self.name, node.replies_to or "")
            while above is not None:
                if not above.deleted:
                    ancestors.append(above)
                above = self.world.get(self.name, above.replies_to or "")
            ancestors.reverse()
            descendants: list[Node] = []
            stack = [node]
            while stack:
                current = stack.pop()
                if current is not node:
                    descendants.append(current)
                replies = [n for n in self.world.children(self.name, current.id).ascending()
                           if not n.deleted]
                stack.extend(reversed(replies))
            body = {"ancestors": [self.status_json(n) for n in ancestors],
                    "descendants": [self.status_json(n) for n in descendants]}
        return Response(body=body, items=body["descendants"])

    # -- writes -------------------------------------------------------------------
    def post(self, req: Request, account: SeedAccount) -> Response:
        text = req.param("status")
        target_id = req.param("in_reply_to_id")
        if not isinstance(text, str) or not text.strip():
            raise self.reject(422, "Validation failed: Text can't be blank")
        if len(text) > MAX_CHARS:
            raise self.reject(422, f"Validation failed: Text character limit of {MAX_CHARS} "
                              "exceeded")
        if not target_id:
            raise self.reject(422, "Validation failed: the stand-in posts replies only "
                              "(in_reply_to_id is required)")
        key = req.header("Idempotency-Key") or None
        with self.world.lock:
            target = self._visible(account, str(target_id))
            node, _ = self.world.reply(self.name, account.key, target, text,
                                       idempotency_key=key)
            return Response(body=self.status_json(node))

    def delete(self, req: Request, account: SeedAccount, native: str) -> Response:
        with self.world.lock:
            node = self._visible(account, native)
            if not node.by_org:
                raise self.reject(404, "Record not found")
            body = self.status_json(node)
            body["text"] = node.text
            self.world.delete(self.name, account.key, node)
        return Response(body=body)
