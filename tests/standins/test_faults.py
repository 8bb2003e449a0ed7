"""Each injected fault answers in the platform's own documented shape."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest
from dateutil import parser as dateparser

from tests.standins.helpers import POSTS
from triage.standins import StandinServer

PLATFORMS = list(POSTS)


def read(server: StandinServer, client: httpx.Client, platform: str,
         token: str | None = None, **extra: Any) -> httpx.Response:
    """One listing request, as each platform's connector makes it."""
    base = server.base_url(platform)
    token = token or server.token(platform)
    headers = {"Authorization": f"Bearer {token}"}
    if platform in ("facebook", "instagram"):
        return client.get(f"{base}/{POSTS[platform]}/comments",
                          params={"access_token": token}, **extra)
    if platform == "youtube":
        return client.get(f"{base}/commentThreads", params={"part": "snippet",
                          "videoId": POSTS["youtube"]}, headers=headers, **extra)
    if platform == "x":
        return client.get(f"{base}/users/{server.world.account('x').id}/mentions",
                          headers=headers, **extra)
    return client.get(f"{base}/api/v1/notifications", headers=headers, **extra)


def items(platform: str, body: Any) -> list[Any]:
    if platform in ("facebook", "instagram", "x"):
        return list(body["data"])
    if platform == "youtube":
        return list(body["items"])
    return list(body)


Check = Callable[[httpx.Response], Any]

EXPIRED: dict[str, tuple[int, Check, Any]] = {
    "facebook": (400, lambda r: (r.json()["error"]["type"], r.json()["error"]["code"],
                                 r.json()["error"]["error_subcode"]),
                 ("OAuthException", 190, 463)),
    "instagram": (400, lambda r: (r.json()["error"]["code"], r.json()["error"]["error_subcode"]),
                  (190, 463)),
    "youtube": (401, lambda r: r.json()["error"]["errors"][0]["reason"], "authError"),
    "x": (401, lambda r: (r.json()["title"], r.json()["status"]), ("Unauthorized", 401)),
    "mastodon": (401, lambda r: r.json(), {"error": "The access token expired"}),
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_expired_token(platform: str, server: StandinServer, client: httpx.Client) -> None:
    server.fault(platform, "expired_token")
    status, check, expected = EXPIRED[platform]
    response = read(server, client, platform)
    assert response.status_code == status
    assert check(response) == expected
    assert read(server, client, platform).status_code == 200


WRONG_TOKEN: dict[str, tuple[int, Check, Any]] = {
    "facebook": (400, lambda r: r.json()["error"]["code"], 190),
    "instagram": (400, lambda r: r.json()["error"]["code"], 190),
    "youtube": (401, lambda r: r.json()["error"]["code"], 401),
    "x": (401, lambda r: r.json()["detail"], "Unauthorized"),
    "mastodon": (401, lambda r: r.json(), {"error": "The access token is invalid"}),
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_wrong_token_is_refused(
    platform: str, server: StandinServer, client: httpx.Client
) -> None:
    status, check, expected = WRONG_TOKEN[platform]
    response = read(server, client, platform, token="stale")
    assert response.status_code == status
    assert check(response) == expected


def test_graph_without_a_token_names_code_104(
    server: StandinServer, client: httpx.Client
) -> None:
    response = client.get(server.base_url("facebook") + f"/{POSTS['facebook']}/comments")
    assert response.json()["error"]["code"] == 104


def _buc(response: httpx.Response) -> Any:
    usage = orjson.loads(response.headers["X-Business-Use-Case-Usage"])
    (entries,) = usage.values()
    return entries[0]["type"], entries[0]["estimated_time_to_regain_access"]


THROTTLE: dict[str, tuple[dict[str, Any], int, Check, Any]] = {
    "facebook": ({"reset_after": 150}, 400,
                 lambda r: (r.json()["error"]["code"], r.json()["error"]["is_transient"],
                            orjson.loads(r.headers["X-App-Usage"])["call_count"], _buc(r)),
                 (80001, True, 100, ("pages", 2))),
    "facebook code 4": ({"code": 4}, 400, lambda r: r.json()["error"]["message"][:4], "(#4)"),
    "facebook code 613": ({"code": 613}, 400, lambda r: r.json()["error"]["code"], 613),
    "instagram": ({}, 400, lambda r: (r.json()["error"]["code"], _buc(r)[0]),
                  (80002, "instagram")),
    "youtube": ({}, 403, lambda r: (r.json()["error"]["errors"][0]["reason"],
                                    r.json()["error"]["errors"][0]["domain"]),
                ("quotaExceeded", "youtube.quota")),
    "x": ({"reset_after": 30}, 429,
          lambda r: (r.json()["title"], r.headers["x-rate-limit-remaining"],
                     0 < int(r.headers["x-rate-limit-reset"]) - time.time() <= 31),
          ("Too Many Requests", "0", True)),
    "x legacy": ({"variant": "legacy"}, 429, lambda r: r.json()["errors"][0]["code"], 88),
    "mastodon": ({"reset_after": 5}, 429,
                 lambda r: (r.json(), r.headers["Retry-After"],
                            r.headers["X-RateLimit-Remaining"],
                            dateparser.isoparse(r.headers["X-RateLimit-Reset"]).tzinfo
                            is not None),
                 ({"error": "Too many requests"}, "5", "0", True)),
}


@pytest.mark.parametrize("case", list(THROTTLE))
def test_throttle_signal(case: str, server: StandinServer, client: httpx.Client) -> None:
    platform = case.split()[0]
    options, status, check, expected = THROTTLE[case]
    server.fault(platform, "throttle", **options)
    response = read(server, client, platform)
    assert response.status_code == status
    assert check(response) == expected


STATUS: dict[str, Check] = {
    "facebook": lambda r: (r.json()["error"]["code"], r.json()["error"]["message"]),
    "instagram": lambda r: (r.json()["error"]["code"], r.json()["error"]["message"]),
    "youtube": lambda r: (r.json()["error"]["code"], r.json()["error"]["errors"][0]["reason"]),
    "x": lambda r: (r.json()["status"], r.json()["title"]),
    "mastodon": lambda r: r.json(),
}
STATUS_EXPECTED = {
    "facebook": (2, "Service temporarily unavailable"),
    "instagram": (2, "Service temporarily unavailable"),
    "youtube": (503, "backendError"),
    "x": (503, "Service Unavailable"),
    "mastodon": {"error": "Service Unavailable"},
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_status_fault(platform: str, server: StandinServer, client: httpx.Client) -> None:
    server.fault(platform, "status", status=503)
    response = read(server, client, platform)
    assert response.status_code == 503
    assert STATUS[platform](response) == STATUS_EXPECTED[platform]


def test_status_fault_takes_a_message_and_code(
    server: StandinServer, client: httpx.Client
) -> None:
    server.fault("facebook", "status", status=500, code=1, message="An unknown error occurred")
    error = read(server, client, "facebook").json()["error"]
    assert (error["code"], error["message"]) == (1, "An unknown error occurred")


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("variant", ["not_json", "truncated"])
def test_malformed_body_is_not_json(
    platform: str, variant: str, server: StandinServer, client: httpx.Client
) -> None:
    server.fault(platform, "malformed", variant=variant)
    response = read(server, client, platform)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_malformed_body_of_the_wrong_shape(
    platform: str, server: StandinServer, client: httpx.Client
) -> None:
    server.fault(platform, "malformed", variant="wrong_shape")
    body = read(server, client, platform).json()
    with pytest.raises((TypeError, KeyError)):
        list_items = items(platform, body)
        if not all(isinstance(item, dict) for item in list_items) or not list_items:
            raise TypeError("not a list of objects")


TIME_OF = {
    "facebook": lambda i: i.get("created_time"),
    "instagram": lambda i: i.get("timestamp"),
    "youtube": lambda i: i["snippet"]["topLevelComment"]["snippet"].get("publishedAt"),
    "x": lambda i: i.get("created_at"),
    "mastodon": lambda i: i["status"].get("created_at"),
}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("variant", ["wrong_type", "missing_fields", "not_object"])
def test_one_malformed_item_among_good_ones(
    platform: str, variant: str, server: StandinServer, client: httpx.Client
) -> None:
    server.fault(platform, "malformed_item", variant=variant)
    params = {"x": {"tweet.fields": "created_at"}}.get(platform)
    response = read(server, client, platform, **({"params": params} if params else {}))
    page = items(platform, response.json())

    def readable(item: Any) -> bool:
        try:
            return isinstance(TIME_OF[platform](item), str)
        except (TypeError, KeyError, AttributeError):
            return False

    good = [item for item in page if readable(item)]
    assert len(page) > 2 and len(good) == len(page) - 1
    broken_id = server.fault_log()[0]["item_id"]
    assert broken_id not in {item["id"] for item in good}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_delay_makes_the_client_time_out_then_serving_resumes(
    platform: str, server: StandinServer, client: httpx.Client
) -> None:
    server.fault(platform, "delay", delay=2.0)
    with pytest.raises(httpx.ReadTimeout):
        read(server, client, platform, timeout=0.2)
    assert read(server, client, platform, timeout=0.2).status_code == 200


def test_disconnect_closes_without_an_answer(
    server: StandinServer, client: httpx.Client
) -> None:
    server.fault("x", "disconnect")
    with pytest.raises(httpx.RemoteProtocolError):
        read(server, client, "x")
    assert read(server, client, "x").status_code == 200


def test_a_fault_hits_only_its_path_and_method(
    server: StandinServer, client: httpx.Client
) -> None:
    server.fault("x", "status", status=500, path="/tweets/search/*")
    server.fault("x", "status", status=502, method="POST")
    assert read(server, client, "x").status_code == 200
    search = client.get(server.base_url("x") + "/tweets/search/recent",
                        params={"query": f"conversation_id:{POSTS['x']}"},
                        headers={"Authorization": f"Bearer {server.token('x')}"})
    assert search.status_code == 500
    assert [entry["path"] for entry in server.fault_log()] == ["/tweets/search/recent"]


def test_times_counts_requests_and_none_lasts_until_cleared(
    server: StandinServer, client: httpx.Client
) -> None:
    server.fault("mastodon", "status", status=502, times=2)
    codes = [read(server, client, "mastodon").status_code for _ in range(3)]
    assert codes == [502, 502, 200]
    server.fault("mastodon", "expired_token", times=None)
    assert {read(server, client, "mastodon").status_code for _ in range(4)} == {401}
    server.clear_faults("mastodon")
    assert read(server, client, "mastodon").status_code == 200


BUDGET: dict[str, tuple[Check, list[Any], int]] = {
    "facebook": (lambda r: orjson.loads(r.headers["X-App-Usage"])["call_count"],
                 [33, 67, 100], 400),
    "x": (lambda r: r.headers["x-rate-limit-remaining"], ["2", "1", "0"], 429),
    "mastodon": (lambda r: r.headers["X-RateLimit-Remaining"], ["2", "1", "0"], 429),
}


@pytest.mark.parametrize("platform", list(BUDGET))
def test_rate_budget_counts_down_in_headers_then_refuses(
    platform: str, server: StandinServer, client: httpx.Client
) -> None:
    server.rate_limit(platform, 3, window=60)
    check, seen, refused = BUDGET[platform]
    responses = [read(server, client, platform) for _ in range(4)]
    assert [check(r) for r in responses[:3]] == seen
    assert responses[3].status_code == refused


def test_rate_budget_opens_again_after_its_window(
    server: StandinServer, client: httpx.Client
) -> None:
    server.rate_limit("x", 1, window=0.2)
    assert read(server, client, "x").status_code == 200
    assert read(server, client, "x").status_code == 429
    time.sleep(0.25)
    assert read(server, client, "x").status_code == 200


def test_youtube_budget_is_quota_units(server: StandinServer, client: httpx.Client) -> None:
    server.rate_limit("youtube", 52, window=60)
    reply = {"snippet": {"parentId": "UgzTest00001", "textOriginal": "See our clinic page."}}
    headers = {"Authorization": f"Bearer {server.token('youtube')}"}
    url = server.base_url("youtube") + "/comments"
    assert read(server, client, "youtube").status_code == 200
    assert client.post(url, params={"part": "snippet"}, json=reply,
                       headers=headers).status_code == 200
    refused = client.post(url, params={"part": "snippet"}, json=reply, headers=headers)
    assert refused.json()["error"]["errors"][0]["reason"] == "quotaExceeded"
    assert read(server, client, "youtube").status_code == 200


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"platform": "myspace", "kind": "status", "status": 500}, "fault platform 'myspace'"),
        ({"platform": "x", "kind": "explode"}, "fault kind 'explode'"),
        ({"platform": "x", "kind": "status", "status": 200}, "fault status"),
        ({"platform": "x", "kind": "malformed", "variant": "odd"}, "fault variant 'odd'"),
        ({"platform": "x", "kind": "delay", "times": 0}, "fault times"),
        ({"platform": "mastodon", "kind": "empty_page"}, "Mastodon ends paging"),
    ],
)
def test_bad_fault_specs_are_named(
    options: dict[str, Any], message: str, server: StandinServer, client: httpx.Client
) -> None:
    with pytest.raises(ValueError, match=message):
        server.fault(**options)
    response = client.post(server.origin + "/_standin/faults", json={**options, "extra": 1})
    assert response.status_code == 400
    assert "unknown field 'extra'" in response.json()["error"]
