"""Paging on every stand-in walks each item exactly once, the way each platform pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from dateutil import parser as dateparser

from tests.standins.helpers import (
    POSTS,
    REPLIES,
    T0,
    TOP,
    Hook,
    auth,
    comment_id,
    graph_walk,
    mastodon_walk,
    x_walk,
    youtube_walk,
)
from triage.standins import StandinServer

ALL = TOP + REPLIES
Walker = Callable[[httpx.Client, StandinServer, Hook], tuple[list[str], int]]


def _mastodon_status_ids(
    client: httpx.Client, server: StandinServer, hook: Hook
) -> tuple[list[str], int]:
    found, pages = mastodon_walk(client, server, hook, **{"types[]": "mention", "limit": 25})
    return [n["status"]["id"] for n in found], pages


WALKS: dict[str, tuple[str, Walker, int]] = {
    "facebook stream": ("facebook", lambda c, s, h: graph_walk(
        c, s, "facebook", f"/{POSTS['facebook']}/comments", h, filter="stream", limit=25,
        order="chronological"), ALL),
    "facebook top level": ("facebook", lambda c, s, h: graph_walk(
        c, s, "facebook", f"/{POSTS['facebook']}/comments", h, limit=25), TOP),
    "facebook newest first": ("facebook", lambda c, s, h: graph_walk(
        c, s, "facebook", f"/{POSTS['facebook']}/comments", h, limit=25, filter="stream",
        order="reverse_chronological"), ALL),
    "instagram comments": ("instagram", lambda c, s, h: graph_walk(
        c, s, "instagram", f"/{POSTS['instagram']}/comments", h, limit=25,
        fields="id,text,timestamp"), TOP),
    "youtube threads": ("youtube", lambda c, s, h: youtube_walk(
        c, s, "/commentThreads", h, part="snippet,replies", maxResults=25,
        allThreadsRelatedToChannelId=s.world.account("youtube").id), TOP),
    "youtube threads of a video": ("youtube", lambda c, s, h: youtube_walk(
        c, s, "/commentThreads", h, part="snippet", maxResults=25,
        videoId=POSTS["youtube"]), TOP),
    "x mentions": ("x", lambda c, s, h: x_walk(
        c, s, f"/users/{s.world.account('x').id}/mentions", "pagination_token", h,
        max_results=25), ALL),
    "x conversation": ("x", lambda c, s, h: x_walk(
        c, s, "/tweets/search/recent", "next_token", h, max_results=25,
        query=f"conversation_id:{POSTS['x']}"), ALL),
    "mastodon notifications": ("mastodon", _mastodon_status_ids, ALL),
}


OLDEST_FIRST = ("facebook stream", "facebook top level")


def _expected(platform: str, count: int) -> set[str]:
    return {comment_id(platform, k) for k in range(count)}


@pytest.mark.parametrize("name", list(WALKS))
def test_walk_visits_every_item_once_across_pages(
    name: str, server: StandinServer, client: httpx.Client
) -> None:
    platform, walk, count = WALKS[name]
    ids, pages = walk(client, server, None)
    assert pages >= 3
    assert len(ids) == len(set(ids)) == count
    assert set(ids) == _expected(platform, count)


@pytest.mark.parametrize("name", list(WALKS))
def test_a_comment_added_between_pages_shifts_nothing(
    name: str, server: StandinServer, client: httpx.Client
) -> None:
    platform, walk, count = WALKS[name]
    added: list[str] = []

    def add_late_comment() -> None:
        added.append(server.add_comment({
            "platform": platform, "post": POSTS[platform], "author_id": "800",
            "author_name": "Late Person", "author_handle": "late", "text": "Arrived late",
        }))

    ids, _ = walk(client, server, add_late_comment)
    assert len(ids) == len(set(ids))
    assert _expected(platform, count) <= set(ids)
    # Oldest-first listings reach the new comment at their end; newest-first ones
    # (as on the platforms) leave it to the next sync, without repeating or skipping.
    assert (added[0] in ids) == (name in OLDEST_FIRST)


@pytest.mark.parametrize("name", ["facebook stream", "instagram comments", "youtube threads",
                                  "x mentions"])
def test_an_empty_page_that_still_points_on_does_not_end_the_walk(
    name: str, server: StandinServer, client: httpx.Client
) -> None:
    platform, walk, count = WALKS[name]
    server.fault(platform, "empty_page", times=1)
    ids, pages = walk(client, server, None)
    assert set(ids) == _expected(platform, count)
    assert server.fault_log()[0]["kind"] == "empty_page"


def test_graph_empty_page_keeps_next(server: StandinServer, client: httpx.Client) -> None:
    server.fault("facebook", "empty_page")
    response = client.get(server.base_url("facebook") + f"/{POSTS['facebook']}/comments",
                          params={"access_token": server.token("facebook")})
    body = response.json()
    assert body["data"] == []
    assert "next" in body["paging"]


def test_graph_previous_link_returns_the_page_before(
    server: StandinServer, client: httpx.Client
) -> None:
    base = server.base_url("facebook") + f"/{POSTS['facebook']}/comments"
    first = client.get(base, params={"access_token": server.token("facebook"),
                                     "limit": 10}).json()
    second = client.get(first["paging"]["next"]).json()
    back = client.get(second["paging"]["previous"]).json()
    assert [c["id"] for c in back["data"]] == [c["id"] for c in first["data"]]
    assert "previous" not in first["paging"]


def test_graph_since_keeps_comments_from_that_time(
    server: StandinServer, client: httpx.Client
) -> None:
    since = int(T0.timestamp()) + 50 * 60
    ids, _ = graph_walk(client, server, "facebook", f"/{POSTS['facebook']}/comments",
                        filter="stream", since=str(since))
    assert set(ids) == {comment_id("facebook", k) for k in range(49, ALL)}


def test_x_since_id_returns_only_newer_mentions(
    server: StandinServer, client: httpx.Client
) -> None:
    since = comment_id("x", 39)
    ids, _ = x_walk(client, server, f"/users/{server.world.account('x').id}/mentions",
                    "pagination_token", max_results=5, since_id=since)
    assert set(ids) == {comment_id("x", k) for k in range(40, ALL)}


def test_x_authors_come_only_in_includes(server: StandinServer, client: httpx.Client) -> None:
    response = client.get(
        server.base_url("x") + f"/users/{server.world.account('x').id}/mentions",
        params={"max_results": 5, "expansions": "author_id", "user.fields": "username,name",
                "tweet.fields": "created_at,author_id,conversation_id,referenced_tweets"},
        headers=auth(server, "x"))
    body = response.json()
    users = {u["id"]: u for u in body["includes"]["users"]}
    for tweet in body["data"]:
        assert "username" not in tweet
        assert users[tweet["author_id"]]["username"].startswith("person")
        assert tweet["conversation_id"] == POSTS["x"]
    newest = body["data"][0]
    assert newest["referenced_tweets"] == [{"type": "replied_to", "id": comment_id("x", 5)}]
    assert newest["text"] == "@person5 @riverside_health Comment 65 about the clinic"


def _notification_ids(client: httpx.Client, server: StandinServer, **params: Any) -> list[int]:
    response = client.get(server.base_url("mastodon") + "/api/v1/notifications",
                          params=params, headers=auth(server, "mastodon"))
    return [int(n["id"]) for n in response.json()]


def test_mastodon_since_id_and_min_id_differ_as_documented(
    server: StandinServer, client: httpx.Client
) -> None:
    every = _notification_ids(client, server, limit=80)
    assert every == sorted(every, reverse=True) and len(every) == ALL
    pivot = every[40]
    since = _notification_ids(client, server, limit=5, since_id=pivot)
    assert since == every[:5]
    after = _notification_ids(client, server, limit=5, min_id=pivot)
    assert after == every[35:40]
    older = _notification_ids(client, server, limit=5, max_id=pivot)
    assert older == every[41:46]


def test_mastodon_link_keeps_the_filters(server: StandinServer, client: httpx.Client) -> None:
    response = client.get(server.base_url("mastodon") + "/api/v1/notifications",
                          params={"types[]": "mention", "limit": 5},
                          headers=auth(server, "mastodon"))
    following = httpx.URL(response.links["next"]["url"])
    assert following.params.get_list("types[]") == ["mention"]
    assert following.params["limit"] == "5"
    assert int(following.params["max_id"]) == int(response.json()[-1]["id"])
    assert "prev" in response.links


def test_youtube_threads_carry_a_few_replies_and_the_count(
    server: StandinServer, client: httpx.Client
) -> None:
    for k in range(7):
        server.add_comment({"platform": "youtube", "post": POSTS["youtube"],
                            "parent": comment_id("youtube", 0), "author_id": "UCfan",
                            "author_name": "Fan", "text": f"more {k}"})
    thread = client.get(server.base_url("youtube") + "/commentThreads",
                        params={"part": "snippet,replies", "id": comment_id("youtube", 0)},
                        headers=auth(server, "youtube")).json()["items"][0]
    assert thread["snippet"]["totalReplyCount"] == 8
    assert len(thread["replies"]["comments"]) == 5
    ids, pages = youtube_walk(client, server, "/comments", part="snippet", maxResults=3,
                              parentId=comment_id("youtube", 0))
    assert len(set(ids)) == 8 and pages == 3


TIME_OF_FIRST = {
    "facebook": ("/104_1/comments", {}, lambda b: b["data"][0]["created_time"]),
    "instagram": ("/17900000000000001/comments", {"fields": "timestamp", "limit": 100},
                  lambda b: b["data"][-1]["timestamp"]),
}


@pytest.mark.parametrize("platform", list(TIME_OF_FIRST))
def test_graph_times_use_plus_0000(
    platform: str, server: StandinServer, client: httpx.Client
) -> None:
    path, params, pick = TIME_OF_FIRST[platform]
    body = client.get(server.base_url(platform) + path,
                      params={**params, "access_token": server.token(platform)}).json()
    assert pick(body) == "2026-11-19T09:01:00+0000"


def test_rfc3339_times(server: StandinServer, client: httpx.Client) -> None:
    yt = client.get(server.base_url("youtube") + "/comments",
                    params={"part": "snippet", "id": comment_id("youtube", 0)},
                    headers=auth(server, "youtube")).json()
    assert yt["items"][0]["snippet"]["publishedAt"] == "2026-11-19T09:01:00Z"
    tweet = client.get(server.base_url("x") + f"/tweets/{comment_id('x', 0)}",
                       params={"tweet.fields": "created_at"}, headers=auth(server, "x")).json()
    assert tweet["data"]["created_at"] == "2026-11-19T09:01:00.000Z"
    path = f"/api/v1/statuses/{comment_id('mastodon', 0)}"
    status = client.get(server.base_url("mastodon") + path,
                        headers=auth(server, "mastodon")).json()
    assert status["created_at"] == "2026-11-19T09:01:00.000Z"
    assert dateparser.isoparse(status["created_at"]) == dateparser.isoparse(
        "2026-11-19T09:01:00+00:00")
