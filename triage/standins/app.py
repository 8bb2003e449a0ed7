"""All nine stand-ins behind one set of path roots, and the Python API that controls them."""

from __future__ import annotations

import copy
import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from triage.model import utcnow
from triage.standins.bluesky import BlueskyApi
from triage.standins.core import PlatformApi, Request, Response
from triage.standins.facebook import FacebookApi
from triage.standins.faults import Budget, Fault, FaultBook, fault_from_dict
from triage.standins.instagram import InstagramApi
from triage.standins.linkedin import LinkedInApi
from triage.standins.mastodon import MastodonApi
from triage.standins.records import STANDIN_PLATFORMS
from triage.standins.reddit import RedditApi
from triage.standins.tiktok import TikTokApi
from triage.standins.world import World
from triage.standins.xapi import XApi
from triage.standins.youtube import YouTubeApi

__all__ = ["BASE_PATHS", "Standins"]

log = logging.getLogger("triage.standins")

#: Where each platform's API lives on a stand-in server (append to ``http://127.0.0.1:PORT``).
BASE_PATHS: dict[str, str] = {
    "facebook": "/facebook/v19.0",
    "instagram": "/instagram/v19.0",
    "youtube": "/youtube/v3",
    "x": "/x/2",
    "mastodon": "/mastodon",
    "reddit": "/reddit",
    "tiktok": "/tiktok/open_api/v1.3",
    "linkedin": "/linkedin/rest",
    "bluesky": "/bluesky",
}
APIS: dict[str, type[PlatformApi]] = {
    "facebook": FacebookApi, "instagram": InstagramApi, "youtube": YouTubeApi, "x": XApi,
    "mastodon": MastodonApi, "reddit": RedditApi, "tiktok": TikTokApi,
    "linkedin": LinkedInApi, "bluesky": BlueskyApi,
}
#: path prefix -> (platform, root as the client used it, rest of the path)
_ROOTS = re.compile(
    r"(?P<root>/(?P<graph>facebook|instagram)(?:/v\d+(?:\.\d+)?)?|/youtube/v3|/x/2|/2(?=/)"
    r"|/mastodon|/reddit|/tiktok/open_api/v1\.3|/linkedin/rest|/bluesky|(?=/api/v[12]/))"
    r"(?P<rest>/.*)?\Z"
)
ADMIN = "/_standin"


class Standins:
    """The stand-ins' state, faults and budgets, answering requests for every platform.

    ``seed`` (accounts / posts / comments records) is applied now and again on ``reset``.
    """

    def __init__(self, seed: Mapping[str, Any] | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.world = World(clock)
        self.faults = FaultBook()
        self.budgets = {platform: Budget() for platform in STANDIN_PLATFORMS}
        self.stopping = threading.Event()
        self.apis = {name: api(self.world, self.faults, self.budgets[name], self.stopping)
                     for name, api in APIS.items()}
        self._initial = copy.deepcopy(dict(seed or {}))
        self.admin_handler: Callable[[Request], Response] | None = None
        self.reset()

    # -- control ------------------------------------------------------------------
    def seed(self, accounts: Iterable[Any] = (), posts: Iterable[Any] = (),
             comments: Iterable[Any] = ()) -> dict[str, list[str]]:
        """Add accounts, posts and comments (generic records); returns the new native ids."""
        return self.world.seed(accounts, posts, comments)

    def add_comment(self, record: Mapping[str, Any]) -> str:
        """Add one comment (``created_at`` defaults to now); returns its native id."""
        return self.world.add_comment(record).id

    def fault(self, platform: str, kind: str, **options: Any) -> Fault:
        """Inject a fault for the next requests that match (see ``FAULT_KINDS``)."""
        return self.faults.add(fault_from_dict({"platform": platform, "kind": kind, **options}))

    def clear_faults(self, platform: str | None = None) -> None:
        self.faults.clear(platform)

    def fault_log(self) -> list[dict[str, Any]]:
        """The faults that were used, in order, with what they did."""
        return self.faults.log()

    def rate_limit(self, platform: str, limit: int | None, window: float = 60.0) -> None:
        """Allow ``limit`` requests (YouTube: quota units) per ``window`` seconds (None: all)."""
        if platform not in self.budgets:
            raise ValueError(f"rate limit platform {platform!r}: one of "
                             f"{', '.join(STANDIN_PLATFORMS)}")
        self.budgets[platform].set(limit, window)

    def posted(self, platform: str | None = None) -> list[dict[str, Any]]:
        """What was done through the APIs: replies, hides, unhides, deletes, in order."""
        return self.world.posted(platform)

    def items(self, platform: str | None = None) -> list[dict[str, Any]]:
        return self.world.items(platform)

    def token(self, platform: str, account: str | None = None) -> str:
        return self.world.account(platform, account).token

    def reset(self) -> None:
        """Back to the state at the start: the initial seed, no faults, no limits."""
        with self.world.lock:
            self.world.clear()
            self.faults.clear()
            for budget in self.budgets.values():
                budget.set(None, 900.0)
            seed = self._initial
            self.world.seed(seed.get("accounts", ()), seed.get("posts", ()),
                            seed.get("comments", ()))
            for platform in STANDIN_PLATFORMS:
                self.world.account(platform)

    def account_settings(self, origin: str) -> list[dict[str, Any]]:
        """Each account as a connector's config needs it: base_url, ids and the token."""
        out = []
        for account in self.world.accounts():
            entry: dict[str, Any] = {
                "name": account.key, "platform": account.platform,
                "base_url": origin + BASE_PATHS[account.platform], "token": account.token,
                "id": account.id, "handle": account.handle,
            }
            if account.platform == "facebook":
                entry["page_id"] = account.id
            elif account.platform == "youtube":
                entry["channel_id"] = account.id
            elif account.platform == "reddit":
                entry["username"] = account.handle
                entry["client_id"] = account.id  # the script app's; its secret is the token
            elif account.platform == "tiktok":
                entry["business_id"] = account.id
            elif account.platform == "linkedin":
                entry["organization_id"] = account.id
            elif account.platform == "bluesky":
                entry["did"] = account.id  # the token is the account's app password
            else:
                entry["user_id"] = account.id
            if account.platform == "instagram":
                with self.world.lock:
                    posts = self.world.posts("instagram", account.key).ascending()
                    entry["media_ids"] = [node.id for node in posts if not node.deleted]
            out.append(entry)
        return out

    # -- serving ------------------------------------------------------------------
    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes,
               origin: str) -> Response:
        """Answer one HTTP request; never raises."""
        path, _, query = target.partition("?")
        try:
            if path == ADMIN or path.startswith(ADMIN + "/"):
                if self.admin_handler is None:
                    return Response(status=404, body={"error": "no admin API here"})
                return self.admin_handler(Request.build(method, path[len(ADMIN):] or "/",
                                                        query, headers, body, origin, ADMIN))
            found = _ROOTS.match(path)
            if found is None:
                return Response(status=404, body={"error": f"no stand-in serves {path}; "
                                                  f"roots: {', '.join(BASE_PATHS.values())}"})
            root, rest = found.group("root"), found.group("rest") or "/"
            platform = found.group("graph") or _platform_of(root)
            request = Request.build(method, rest, query, headers, body, origin, root)
            return self.apis[platform].dispatch(request)
        except Exception as exc:  # a stand-in bug must not take the server down
            log.exception("stand-in failed on %s %s", method, path)
            return Response(status=500, body={"error": f"stand-in failure: {exc!r}"})


def _platform_of(root: str) -> str:
    if root.startswith("/youtube"):
        return "youtube"
    if root in ("/x/2", "/2"):
        return "x"
    if root == "/reddit":
        return "reddit"
    if root.startswith("/tiktok"):
        return "tiktok"
    if root == "/linkedin/rest":
        return "linkedin"
    if root == "/bluesky":
        return "bluesky"
    return "mastodon"
