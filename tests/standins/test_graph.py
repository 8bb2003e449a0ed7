"""Graph API fields: expansion, nested edges, summaries and the errors for bad fields."""

from __future__ import annotations

import httpx
import pytest

from tests.standins.helpers import POSTS, comment_id
from triage.standins import StandinServer


def _get(server: StandinServer, client: httpx.Client, platform: str, path: str,
         **params: str) -> dict:
    response = client.get(server.base_url(platform) + path,
                          params={**params, "access_token": server.token(platform)})
    return dict(response.json())


def test_facebook_reply_carries_its_parent_and_counts(
    server: StandinServer, client: httpx.Client
) -> None:
    reply = _get(server, client, "facebook", f"/{comment_id('facebook', 60)}",
                 fields="id,parent{id,from{name}},comment_count")
    assert reply["parent"] == {"id": comment_id("facebook", 0), "from": {"name": "Person 0"}}
    parent = _get(server, client, "facebook", f"/{comment_id('facebook', 0)}",
                  fields="comment_count,can_hide,permalink_url")
    assert parent["comment_count"] == 1 and parent["can_hide"] is True
    assert parent["permalink_url"].endswith("?comment_id=9000")


def test_nested_edges_and_summary(server: StandinServer, client: httpx.Client) -> None:
    post = _get(server, client, "facebook", f"/{POSTS['facebook']}",
                fields="id,comments.limit(2).summary(true){id,message}")
    assert len(post["comments"]["data"]) == 2
    assert post["comments"]["summary"]["total_count"] == 60
    following = client.get(post["comments"]["paging"]["next"]).json()
    assert [c["id"] for c in following["data"]] == [comment_id("facebook", k) for k in (2, 3)]
    media = _get(server, client, "instagram", f"/{POSTS['instagram']}",
                 fields="comments_count,comments.limit(100){id,replies{id,text}}")
    assert media["comments_count"] == 66
    with_reply = [c for c in media["comments"]["data"] if "data" in c["replies"]
                  and c["replies"]["data"]]
    assert len(with_reply) == 6


@pytest.mark.parametrize(
    ("platform", "fields", "code", "message"),
    [
        ("facebook", "id,colour", 100, "(#100) Tried accessing nonexisting field (colour) on "
                                       "node type (Comment)"),
        ("instagram", "id,messag", 100, "(#100) Tried accessing nonexisting field (messag) on "
                                        "node type (IGComment)"),
        ("facebook", "id,from{name", 2500, "Syntax error"),
    ],
)
def test_bad_fields_are_refused(
    platform: str, fields: str, code: int, message: str, server: StandinServer,
    client: httpx.Client,
) -> None:
    error = _get(server, client, platform, f"/{comment_id(platform, 1)}", fields=fields)["error"]
    assert error["code"] == code
    assert error["message"].startswith(message)


def test_known_fields_without_a_value_are_left_out(
    server: StandinServer, client: httpx.Client
) -> None:
    comment = _get(server, client, "facebook", f"/{comment_id('facebook', 1)}",
                   fields="id,attachment,message_tags")
    assert comment == {"id": comment_id("facebook", 1)}


def test_graph_usage_headers_appear_once_there_is_usage(
    server: StandinServer, client: httpx.Client
) -> None:
    quiet = client.get(server.base_url("facebook") + "/me",
                       params={"access_token": server.token("facebook")})
    assert "X-App-Usage" not in quiet.headers
    server.rate_limit("facebook", 10)
    busy = client.get(server.base_url("facebook") + "/me",
                      params={"access_token": server.token("facebook")})
    assert busy.headers["X-App-Usage"] == '{"call_count":10,"total_time":10,"total_cputime":10}'


def test_a_nested_edge_starts_at_its_own_beginning_on_every_page(
    server: StandinServer, client: httpx.Client
) -> None:
    first = _get(server, client, "facebook", f"/{POSTS['facebook']}/comments", limit="3",
                 fields="id,comments{id}")
    second = client.get(first["paging"]["next"]).json()
    assert [c["id"] for c in second["data"]] == [comment_id("facebook", k) for k in (3, 4, 5)]
    assert second["data"][0]["comments"]["data"] == [{"id": comment_id("facebook", 63)}]
