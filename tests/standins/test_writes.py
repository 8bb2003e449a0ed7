"""Replies, hides and deletes change the stand-ins' state the way they change a platform's."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.standins.helpers import POSTS, auth, comment_id
from triage.standins import StandinServer

Reply = Callable[[StandinServer, httpx.Client, str, str], str]
Under = Callable[[StandinServer, httpx.Client, str], dict[str, str]]


def _graph(server: StandinServer, platform: str) -> dict[str, str]:
    return {"access_token": server.token(platform)}


def reply_facebook(server: StandinServer, client: httpx.Client, target: str, text: str,
                   timeout: float = 5.0) -> str:
    response = client.post(server.base_url("facebook") + f"/{target}/comments",
                           params=_graph(server, "facebook"), data={"message": text},
                           timeout=timeout)
    return str(response.json()["id"])


def under_facebook(server: StandinServer, client: httpx.Client, target: str) -> dict[str, str]:
    body = client.get(server.base_url("facebook") + f"/{target}/comments",
                      params={**_graph(server, "facebook"),
                              "fields": "id,message,parent{id},from"}).json()
    return {c["id"]: c["parent"]["id"] for c in body["data"]}


def reply_instagram(server: StandinServer, client: httpx.Client, target: str, text: str) -> str:
    response = client.post(server.base_url("instagram") + f"/{target}/replies",
                           params={**_graph(server, "instagram"), "message": text})
    return str(response.json()["id"])


def under_instagram(server: StandinServer, client: httpx.Client, target: str) -> dict[str, str]:
    body = client.get(server.base_url("instagram") + f"/{target}/replies",
                      params={**_graph(server, "instagram"),
                              "fields": "id,text,parent_id,username"}).json()
    return {c["id"]: c["parent_id"] for c in body["data"]}


def reply_youtube(server: StandinServer, client: httpx.Client, target: str, text: str) -> str:
    response = client.post(server.base_url("youtube") + "/comments", params={"part": "snippet"},
                           json={"snippet": {"parentId": target, "textOriginal": text}},
                           headers=auth(server, "youtube"))
    return str(response.json()["id"])


def under_youtube(server: StandinServer, client: httpx.Client, target: str) -> dict[str, str]:
    body = client.get(server.base_url("youtube") + "/comments",
                      params={"part": "snippet", "parentId": target},
                      headers=auth(server, "youtube")).json()
    return {c["id"]: c["snippet"]["parentId"] for c in body["items"]}


def reply_x(server: StandinServer, client: httpx.Client, target: str, text: str) -> str:
    response = client.post(server.base_url("x") + "/tweets", headers=auth(server, "x"),
                           json={"text": text, "reply": {"in_reply_to_tweet_id": target}})
    assert response.status_code == 201
    return str(response.json()["data"]["id"])


def under_x(server: StandinServer, client: httpx.Client, target: str) -> dict[str, str]:
    body = client.get(server.base_url("x") + "/tweets/search/recent",
                      params={"query": f"conversation_id:{POSTS['x']}", "max_results": 100,
                              "tweet.fields": "referenced_tweets"},
                      headers=auth(server, "x")).json()
    return {t["id"]: t["referenced_tweets"][0]["id"] for t in body["data"]
            if t["referenced_tweets"][0]["id"] == target}


def reply_mastodon(server: StandinServer, client: httpx.Client, target: str, text: str) -> str:
    response = client.post(server.base_url("mastodon") + "/api/v1/statuses",
                           data={"status": text, "in_reply_to_id": target},
                           headers=auth(server, "mastodon"))
    return str(response.json()["id"])


def under_mastodon(server: StandinServer, client: httpx.Client, target: str) -> dict[str, str]:
    body = client.get(server.base_url("mastodon") + f"/api/v1/statuses/{target}/context",
                      headers=auth(server, "mastodon")).json()
    return {s["id"]: s["in_reply_to_id"] for s in body["descendants"]}


REPLIES: dict[str, tuple[Reply, Under]] = {
    "facebook": (reply_facebook, under_facebook),
    "instagram": (reply_instagram, under_instagram),
    "youtube": (reply_youtube, under_youtube),
    "x": (reply_x, under_x),
    "mastodon": (reply_mastodon, under_mastodon),
}


@pytest.mark.parametrize("platform", list(REPLIES))
def test_a_reply_lands_under_its_parent(
    platform: str, server: StandinServer, client: httpx.Client
) -> None:
    reply, under = REPLIES[platform]
    target = comment_id(platform, 3)
    before = under(server, client, target)
    new = reply(server, client, target, "Thanks for asking: the clinic opens at 9.")
    after = under(server, client, target)
    assert set(after) - set(before) == {new}
    assert after[new] == target
    (entry,) = server.posted(platform)
    assert (entry["action"], entry["target"], entry["id"]) == ("reply", target, new)
    assert server.world.get(platform, new).by_org


def test_facebook_org_replies_show_in_the_stream_as_the_page(
    server: StandinServer, client: httpx.Client
) -> None:
    new = reply_facebook(server, client, comment_id("facebook", 3), "We are open at 9.")
    body = client.get(server.base_url("facebook") + f"/{POSTS['facebook']}/comments",
                      params={**_graph(server, "facebook"), "filter": "stream", "limit": 100,
                              "fields": "id,from,can_hide"}).json()
    (mine,) = [c for c in body["data"] if c["id"] == new]
    assert mine["from"]["id"] == server.world.account("facebook").id
    assert mine["can_hide"] is False


def test_org_replies_are_not_notifications_or_mentions(
    server: StandinServer, client: httpx.Client
) -> None:
    mastodon = reply_mastodon(server, client, comment_id("mastodon", 3), "We are open at 9.")
    x = reply_x(server, client, comment_id("x", 3), "We are open at 9.")
    notes = client.get(server.base_url("mastodon") + "/api/v1/notifications",
                       params={"limit": 80}, headers=auth(server, "mastodon")).json()
    assert mastodon not in {n["status"]["id"] for n in notes}
    mentions = client.get(server.base_url("x") + f"/users/{server.world.account('x').id}"
                          "/mentions", params={"max_results": 100},
                          headers=auth(server, "x")).json()
    assert x not in {t["id"] for t in mentions["data"]}


# -- hide / unhide -----------------------------------------------------------------
def _fb_hidden(server: StandinServer, client: httpx.Client, platform: str, target: str) -> Any:
    field = "is_hidden" if platform == "facebook" else "hidden"
    return client.get(server.base_url(platform) + f"/{target}",
                      params={**_graph(server, platform), "fields": f"id,{field}"}).json()[field]


@pytest.mark.parametrize(("platform", "param"), [("facebook", "is_hidden"),
                                                 ("instagram", "hide")])
def test_graph_hide_and_unhide(
    platform: str, param: str, server: StandinServer, client: httpx.Client
) -> None:
    target = comment_id(platform, 4)
    url = server.base_url(platform) + f"/{target}"
    for value, seen in (("true", True), ("false", False)):
        response = client.post(url, params={**_graph(server, platform), param: value})
        assert response.json() == {"success": True}
        assert _fb_hidden(server, client, platform, target) is seen
    assert [e["action"] for e in server.posted(platform)] == ["hide", "unhide"]


def _threads(server: StandinServer, client: httpx.Client, **params: str) -> set[str]:
    body = client.get(server.base_url("youtube") + "/commentThreads",
                      params={"part": "id", "videoId": POSTS["youtube"], "maxResults": 100,
                              **params}, headers=auth(server, "youtube")).json()
    return {t["id"] for t in body["items"]}


def test_youtube_moderation_status_hides_and_publishes(
    server: StandinServer, client: httpx.Client
) -> None:
    target = comment_id("youtube", 4)
    url = server.base_url("youtube") + "/comments/setModerationStatus"

    def moderate(status: str) -> httpx.Response:
        return client.post(url, params={"id": target, "moderationStatus": status},
                           headers=auth(server, "youtube"))

    assert moderate("heldForReview").status_code == 204
    assert target not in _threads(server, client)
    assert target in _threads(server, client, moderationStatus="heldForReview")
    assert moderate("published").status_code == 204
    assert target in _threads(server, client)
    assert moderate("rejected").status_code == 204
    again = moderate("published")
    assert again.status_code == 400
    assert again.json()["error"]["errors"][0]["reason"] == "operationNotSupported"


def test_x_hides_replies_in_its_own_conversations(
    server: StandinServer, client: httpx.Client
) -> None:
    target = comment_id("x", 4)
    url = server.base_url("x") + f"/tweets/{target}/hidden"
    response = client.put(url, json={"hidden": True}, headers=auth(server, "x"))
    assert response.json() == {"data": {"hidden": True}}
    assert server.world.get("x", target).hidden
    client.put(url, json={"hidden": False}, headers=auth(server, "x"))
    assert not server.world.get("x", target).hidden
    refused = client.put(server.base_url("x") + f"/tweets/{POSTS['x']}/hidden",
                         json={"hidden": True}, headers=auth(server, "x"))
    assert refused.status_code == 403


# -- delete -------------------------------------------------------------------------
@pytest.mark.parametrize("platform", ["facebook", "instagram"])
def test_graph_delete_removes_the_comment(
    platform: str, server: StandinServer, client: httpx.Client
) -> None:
    target, its_reply = comment_id(platform, 2), comment_id(platform, 62)
    url = server.base_url(platform) + f"/{target}"
    assert client.delete(url, params=_graph(server, platform)).json() == {"success": True}
    for gone in (target, its_reply):
        error = client.get(server.base_url(platform) + f"/{gone}",
                           params=_graph(server, platform)).json()["error"]
        assert (error["code"], error["error_subcode"]) == (100, 33)
    listing = client.get(server.base_url(platform) + f"/{POSTS[platform]}/comments",
                         params={**_graph(server, platform), "limit": 100}).json()
    assert target not in {c["id"] for c in listing["data"]}


DELETES: dict[str, Callable[[StandinServer, httpx.Client, str], httpx.Response]] = {
    "youtube": lambda s, c, i: c.delete(s.base_url("youtube") + "/comments",
                                        params={"id": i}, headers=auth(s, "youtube")),
    "x": lambda s, c, i: c.delete(s.base_url("x") + f"/tweets/{i}", headers=auth(s, "x")),
    "mastodon": lambda s, c, i: c.delete(s.base_url("mastodon") + f"/api/v1/statuses/{i}",
                                         headers=auth(s, "mastodon")),
}


@pytest.mark.parametrize(("platform", "refused"), [("youtube", 403), ("x", 403),
                                                   ("mastodon", 404)])
def test_only_the_organisations_own_replies_can_be_deleted(
    platform: str, refused: int, server: StandinServer, client: httpx.Client
) -> None:
    reply, under = REPLIES[platform]
    target = comment_id(platform, 3)
    own = reply(server, client, target, "A reply to take back.")
    assert DELETES[platform](server, client, comment_id(platform, 5)).status_code == refused
    assert DELETES[platform](server, client, own).status_code in (200, 204)
    assert own not in under(server, client, target)
    assert [e["action"] for e in server.posted(platform)] == ["reply", "delete"]


# -- refusals the platforms make ------------------------------------------------------
def test_instagram_replies_only_to_top_level_visible_comments(
    server: StandinServer, client: httpx.Client
) -> None:
    reply_to_reply = client.post(
        server.base_url("instagram") + f"/{comment_id('instagram', 60)}/replies",
        params={**_graph(server, "instagram"), "message": "hello"})
    assert reply_to_reply.json()["error"]["code"] == 100
    server.world.set_hidden("instagram", "instagram",
                            server.world.get("instagram", comment_id("instagram", 1)), True)
    to_hidden = client.post(
        server.base_url("instagram") + f"/{comment_id('instagram', 1)}/replies",
        params={**_graph(server, "instagram"), "message": "hello"})
    assert to_hidden.status_code == 400


def test_youtube_replies_only_to_top_level_comments(
    server: StandinServer, client: httpx.Client
) -> None:
    response = client.post(server.base_url("youtube") + "/comments", params={"part": "snippet"},
                           json={"snippet": {"parentId": comment_id("youtube", 60),
                                             "textOriginal": "hello"}},
                           headers=auth(server, "youtube"))
    assert response.json()["error"]["errors"][0]["reason"] == "operationNotSupported"


def test_x_refuses_the_same_reply_twice(server: StandinServer, client: httpx.Client) -> None:
    reply_x(server, client, comment_id("x", 3), "We are open at 9.")
    again = client.post(server.base_url("x") + "/tweets", headers=auth(server, "x"),
                        json={"text": "We are open at 9.",
                              "reply": {"in_reply_to_tweet_id": comment_id("x", 3)}})
    assert again.status_code == 403
    assert "duplicate" in again.json()["detail"]


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        ({"status": "  ", "in_reply_to_id": "113000000000001003"}, 422,
         "Validation failed: Text can't be blank"),
        ({"status": "x" * 501, "in_reply_to_id": "113000000000001003"}, 422,
         "Validation failed: Text character limit of 500 exceeded"),
        ({"status": "hello", "in_reply_to_id": "999"}, 404, "Record not found"),
    ],
)
def test_mastodon_refusals(
    data: dict[str, str], status: int, error: str, server: StandinServer, client: httpx.Client
) -> None:
    response = client.post(server.base_url("mastodon") + "/api/v1/statuses", data=data,
                           headers=auth(server, "mastodon"))
    assert (response.status_code, response.json()) == (status, {"error": error})
    assert server.posted("mastodon") == []


# -- idempotency and the double send ----------------------------------------------------
def _post_status(server: StandinServer, client: httpx.Client, key: str | None,
                 timeout: float = 5.0) -> httpx.Response:
    headers = auth(server, "mastodon") | ({"Idempotency-Key": key} if key else {})
    return client.post(server.base_url("mastodon") + "/api/v1/statuses",
                       data={"status": "See our clinic page.",
                             "in_reply_to_id": comment_id("mastodon", 3)}, headers=headers,
                       timeout=timeout)


def test_mastodon_idempotency_key_posts_once(
    server: StandinServer, client: httpx.Client
) -> None:
    first = _post_status(server, client, "reply-7f3a")
    second = _post_status(server, client, "reply-7f3a")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert len(server.posted("mastodon")) == 1
    _post_status(server, client, "reply-other")
    assert len(server.posted("mastodon")) == 2


def test_mastodon_idempotency_key_holds_for_concurrent_sends(
    server: StandinServer, client: httpx.Client
) -> None:
    ids: list[str] = []

    def send() -> None:
        ids.append(_post_status(server, client, "reply-race").json()["id"])

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 1 and len(ids) == 6
    assert len(server.posted("mastodon")) == 1


def test_timeout_then_retry_with_the_same_key_posts_once(
    server: StandinServer, client: httpx.Client
) -> None:
    server.fault("mastodon", "commit_then_delay", path="/api/v1/statuses", method="POST",
                 delay=2.0)
    with pytest.raises(httpx.ReadTimeout):
        _post_status(server, client, "reply-slow", timeout=0.3)
    assert len(server.posted("mastodon")) == 1
    retry = _post_status(server, client, "reply-slow", timeout=0.3)
    assert retry.json()["id"] == server.posted("mastodon")[0]["id"]
    assert len(server.posted("mastodon")) == 1


def test_timeout_then_blind_retry_posts_twice(
    server: StandinServer, client: httpx.Client
) -> None:
    server.fault("facebook", "commit_then_delay", path="/*/comments", method="POST", delay=2.0)
    with pytest.raises(httpx.ReadTimeout):
        reply_facebook(server, client, comment_id("facebook", 3), "Open at 9.", timeout=0.3)
    reply_facebook(server, client, comment_id("facebook", 3), "Open at 9.", timeout=0.3)
    assert [e["action"] for e in server.posted("facebook")] == ["reply", "reply"]


def test_reply_counts_follow_replies_and_deletes(
    server: StandinServer, client: httpx.Client
) -> None:
    target = comment_id("facebook", 3)

    def count() -> int:
        return int(client.get(server.base_url("facebook") + f"/{target}",
                              params={**_graph(server, "facebook"),
                                      "fields": "comment_count"}).json()["comment_count"])

    assert count() == 1
    new = reply_facebook(server, client, target, "Open at 9.")
    assert count() == 2
    client.delete(server.base_url("facebook") + f"/{new}", params=_graph(server, "facebook"))
    assert count() == 1
    status = client.get(server.base_url("mastodon") + f"/api/v1/statuses/{POSTS['mastodon']}",
                        headers=auth(server, "mastodon")).json()
    assert status["replies_count"] == 60
