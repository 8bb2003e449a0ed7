"""Serving speed of the platform stand-ins: 10,000 comments per platform, paged with httpx.

Run by hand:

    python benchmarks/bench_standins.py [--size 10000]

Seeds one post with ``--size`` comments on each platform, then walks each listing the
way its connector does (largest page each platform allows, following its own paging)
and prints the seconds, pages and comments per platform, plus the cost of one small
request (a Mastodon thread) over a kept-alive connection.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from triage.standins import StandinServer

T0 = datetime(2026, 11, 1, tzinfo=UTC)
POSTS = {"facebook": "104_1", "instagram": "17900000000000001", "youtube": "vid00000001",
         "x": "1800000000000000000", "mastodon": "113000000000000000"}


def seed(size: int) -> dict[str, Any]:
    posts, comments = [], []
    for platform, post in POSTS.items():
        posts.append({"platform": platform, "id": post, "text": "Flu shots",
                      "created_at": T0.isoformat()})
        for k in range(size):
            comments.append({
                "platform": platform, "post": post, "author_id": str(5000 + k % 300),
                "author_name": f"Person {k % 300}", "author_handle": f"person{k % 300}",
                "text": f"Comment {k}: is the flu shot safe during pregnancy?",
                "created_at": (T0 + timedelta(seconds=k + 1)).isoformat(),
            })
    return {"posts": posts, "comments": comments}


def walk(client: httpx.Client, first: str, params: dict[str, Any] | None,
         headers: dict[str, str], step: Callable[[httpx.Response], tuple[int, Any]]
         ) -> tuple[int, int]:
    """Follow a listing to its end; ``step`` returns (items, next request or None)."""
    count = pages = 0
    request: Any = (first, params)
    while request is not None:
        response = client.get(request[0], params=request[1], headers=headers)
        response.raise_for_status()
        found, request = step(response)
        count += found
        pages += 1
    return count, pages


def graph_step(response: httpx.Response) -> tuple[int, Any]:
    body = response.json()
    following = body.get("paging", {}).get("next")
    return len(body["data"]), (following, None) if following else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    size = parser.parse_args().size
    started = time.perf_counter()
    server = StandinServer(seed(size)).start()
    print(f"seeded {size * len(POSTS):,} comments in {time.perf_counter() - started:.2f} s")
    bearer = {p: {"Authorization": f"Bearer {server.token(p)}"} for p in POSTS}

    def youtube_step(base: dict[str, Any]) -> Callable[[httpx.Response], tuple[int, Any]]:
        def step(response: httpx.Response) -> tuple[int, Any]:
            body = response.json()
            token = body.get("nextPageToken")
            url = server.base_url("youtube") + "/commentThreads"
            return len(body["items"]), (url, {**base, "pageToken": token}) if token else None
        return step

    def x_step(base: dict[str, Any], url: str) -> Callable[[httpx.Response], tuple[int, Any]]:
        def step(response: httpx.Response) -> tuple[int, Any]:
            body = response.json()
            token = body["meta"].get("next_token")
            return (len(body.get("data", [])),
                    (url, {**base, "pagination_token": token}) if token else None)
        return step

    def mastodon_step(response: httpx.Response) -> tuple[int, Any]:
        body = response.json()
        following = response.links.get("next", {}).get("url") if body else None
        return len(body), (following, None) if following else None

    yt = {"part": "snippet,replies", "maxResults": 100, "order": "time",
          "textFormat": "plainText",
          "allThreadsRelatedToChannelId": server.world.account("youtube").id}
    x_url = server.base_url("x") + f"/users/{server.world.account('x').id}/mentions"
    x = {"max_results": 100, "expansions": "author_id", "user.fields": "username,name",
         "tweet.fields": "created_at,author_id,conversation_id,in_reply_to_user_id,"
                         "referenced_tweets"}
    plans = {
        "facebook": (server.base_url("facebook") + f"/{POSTS['facebook']}/comments",
                     {"access_token": server.token("facebook"), "limit": 100,
                      "filter": "stream", "order": "chronological",
                      "fields": "id,message,created_time,from,parent,permalink_url,like_count,"
                                "comment_count,is_hidden,can_hide"}, {}, graph_step),
        "instagram": (server.base_url("instagram") + f"/{POSTS['instagram']}/comments",
                      {"access_token": server.token("instagram"), "limit": 100,
                       "fields": "id,text,timestamp,username,from{id,username},like_count,"
                                 "hidden,parent_id"}, {}, graph_step),
        "youtube": (server.base_url("youtube") + "/commentThreads", yt, bearer["youtube"],
                    youtube_step(yt)),
        "x": (x_url, x, bearer["x"], x_step(x, x_url)),
        "mastodon": (server.base_url("mastodon") + "/api/v1/notifications",
                     {"types[]": "mention", "limit": 80}, bearer["mastodon"], mastodon_step),
    }
    with httpx.Client(timeout=30) as client:
        total = 0.0
        for platform, (url, params, headers, step) in plans.items():
            began = time.perf_counter()
            count, pages = walk(client, url, params, headers, step)
            spent = time.perf_counter() - began
            total += spent
            print(f"{platform:10} {count:>7,} comments {pages:>4} pages {spent:6.2f} s")
        print(f"{'all':10} {size * len(POSTS):>7,} comments            {total:6.2f} s")
        thread = server.base_url("mastodon") + f"/api/v1/statuses/{POSTS['mastodon']}"
        for _ in range(50):
            client.get(thread, headers=bearer["mastodon"])
        began = time.perf_counter()
        for _ in range(1000):
            client.get(thread, headers=bearer["mastodon"])
        each = (time.perf_counter() - began) / 1000
        print(f"one small request: {each * 1000:.2f} ms on average")
    server.stop()


if __name__ == "__main__":
    main()
