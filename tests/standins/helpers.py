"""The small world seeded on every platform, and walkers that page through a listing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from triage.standins import StandinServer

T0 = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
#: Called once, after the first page of a walk.
Hook = Callable[[], object] | None
TOP = 60
REPLIES = 6

#: The seeded post on each platform.
POSTS = {
    "facebook": "104_1",
    "instagram": "17900000000000001",
    "youtube": "vid00000001",
    "x": "1800000000000000000",
    "mastodon": "113000000000000000",
}


def comment_id(platform: str, k: int) -> str:
    """The native id of seeded comment ``k`` (0..59 top-level, 60.. replies)."""
    if platform == "facebook":
        return f"1_{9000 + k}"
    if platform == "instagram":
        return str(17950000000000000 + k)
    if platform == "youtube":
        if k >= TOP:
            return f"{comment_id(platform, k - TOP)}.reply{k:05d}"
        return f"UgzTest{k:05d}"
    return str(int(POSTS[platform]) + 1000 + k)


def parent_of(k: int) -> int | None:
    """Seeded replies 60..65 answer top-level comments 0..5."""
    return k - TOP if k >= TOP else None


def build_seed() -> dict[str, Any]:
    posts, comments = [], []
    for platform, post in POSTS.items():
        posts.append({"platform": platform, "id": post, "text": "Free flu shots on Saturday.",
                      "created_at": T0.isoformat()})
        for k in range(TOP + REPLIES):
            parent = parent_of(k)
            comments.append({
                "platform": platform, "id": comment_id(platform, k), "post": post,
                "parent": None if parent is None else comment_id(platform, parent),
                "author_id": str(700 + k % 7), "author_name": f"Person {k % 7}",
                "author_handle": f"person{k % 7}", "text": f"Comment {k} about the clinic",
                "created_at": (T0 + timedelta(minutes=k + 1)).isoformat(),
            })
    return {"posts": posts, "comments": comments}


def auth(server: StandinServer, platform: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token(platform)}"}


def graph_walk(client: httpx.Client, server: StandinServer, platform: str, path: str,
               after_first: Hook = None, **params: Any) -> tuple[list[str], int]:
    """Every item id of a Graph edge, following ``paging.next`` until it is absent."""
    url: str | None = server.base_url(platform) + path
    query: dict[str, Any] | None = {**params, "access_token": server.token(platform)}
    ids: list[str] = []
    pages = 0
    while url:
        response = client.get(url, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        ids += [item["id"] for item in body["data"]]
        pages += 1
        if pages == 1 and after_first is not None:
            after_first()
        url, query = body.get("paging", {}).get("next"), None
    return ids, pages


def youtube_walk(client: httpx.Client, server: StandinServer, path: str,
                 after_first: Hook = None, **params: Any) -> tuple[list[str], int]:
    """Every item id of a YouTube listing, following ``nextPageToken``."""
    ids: list[str] = []
    pages = 0
    token = None
    while True:
        query = {**params, **({"pageToken": token} if token else {})}
        response = client.get(server.base_url("youtube") + path, params=query,
                              headers=auth(server, "youtube"))
        assert response.status_code == 200, response.text
        body = response.json()
        ids += [item["id"] for item in body["items"]]
        pages += 1
        if pages == 1 and after_first is not None:
            after_first()
        token = body.get("nextPageToken")
        if not token:
            return ids, pages


def x_walk(client: httpx.Client, server: StandinServer, path: str, token_name: str,
           after_first: Hook = None, **params: Any) -> tuple[list[str], int]:
    """Every tweet id of an X listing, following ``meta.next_token``."""
    ids: list[str] = []
    pages = 0
    token = None
    while True:
        query = {**params, **({token_name: token} if token else {})}
        response = client.get(server.base_url("x") + path, params=query,
                              headers=auth(server, "x"))
        assert response.status_code == 200, response.text
        body = response.json()
        ids += [item["id"] for item in body.get("data", [])]
        pages += 1
        if pages == 1 and after_first is not None:
            after_first()
        token = body["meta"].get("next_token")
        if not token:
            return ids, pages


def mastodon_walk(client: httpx.Client, server: StandinServer, after_first: Hook = None,
                  **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every notification, following the ``Link`` header until a page comes back empty."""
    found: list[dict[str, Any]] = []
    pages = 0
    url: str | None = server.base_url("mastodon") + "/api/v1/notifications"
    query: dict[str, Any] | None = params
    while url:
        response = client.get(url, params=query, headers=auth(server, "mastodon"))
        assert response.status_code == 200, response.text
        page = response.json()
        pages += 1
        if pages == 1 and after_first is not None:
            after_first()
        if not page:
            break
        found += page
        url, query = response.links.get("next", {}).get("url"), None
    return found, pages
