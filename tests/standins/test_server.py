"""Starting and stopping an in-process stand-in server, and where each platform lives."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.standins.helpers import POSTS, auth, build_seed, comment_id
from triage.standins import StandinServer


def test_stop_closes_the_port_and_open_connections() -> None:
    server = StandinServer().start()
    origin = server.origin
    with httpx.Client() as kept_alive:
        assert kept_alive.get(origin + "/_standin/health").status_code == 200
        server.stop()
        with pytest.raises(httpx.TransportError):
            kept_alive.get(origin + "/_standin/health")
    with pytest.raises(httpx.ConnectError):
        httpx.get(origin + "/_standin/health")
    server.stop()


def test_stop_releases_a_request_waiting_on_a_delay() -> None:
    server = StandinServer(build_seed()).start()
    server.fault("x", "delay", delay=60)
    outcome: list[object] = []

    def wait_for_answer() -> None:
        try:
            outcome.append(httpx.get(server.base_url("x") + "/users/me", timeout=90,
                                     headers=auth(server, "x")).status_code)
        except httpx.TransportError as exc:
            outcome.append(type(exc))

    waiting = threading.Thread(target=wait_for_answer)
    waiting.start()
    while not server.fault_log():
        threading.Event().wait(0.01)
    server.stop()
    waiting.join(timeout=10)
    assert not waiting.is_alive()
    assert outcome


def test_a_server_can_start_again_after_stopping() -> None:
    server = StandinServer()
    with server:
        first = server.port
    with server:
        assert httpx.get(server.origin + "/_standin/health").json()["ok"] is True
    assert first > 0


@pytest.mark.parametrize(
    ("path", "platform"),
    [
        ("/facebook/v19.0/me", "facebook"),
        ("/facebook/me", "facebook"),
        ("/instagram/v21.0/me", "instagram"),
        ("/mastodon/api/v1/accounts/verify_credentials", "mastodon"),
        ("/api/v1/accounts/verify_credentials", "mastodon"),
        ("/x/2/users/me", "x"),
        ("/2/users/me", "x"),
    ],
)
def test_roots(path: str, platform: str, server: StandinServer, client: httpx.Client) -> None:
    response = client.get(server.origin + path, params={"access_token": server.token(platform)}
                          if platform in ("facebook", "instagram") else None,
                          headers=auth(server, platform))
    assert response.status_code == 200
    body = response.json()
    assert server.world.account(platform).id in (body.get("id"), body.get("data", {}).get("id"))


def test_unknown_paths_name_the_roots(server: StandinServer, client: httpx.Client) -> None:
    response = client.get(server.origin + "/tiktok/v1/comments")
    assert response.status_code == 404
    assert "/youtube/v3" in response.json()["error"]
    assert client.get(server.origin + "/_standin/nothing").status_code == 404


def test_youtube_unknown_path_is_its_own_404(server: StandinServer, client: httpx.Client) -> None:
    response = client.get(server.base_url("youtube") + "/playlists",
                          headers=auth(server, "youtube"))
    assert response.json()["error"]["code"] == 404


def test_reset_returns_to_the_seed(server: StandinServer, client: httpx.Client) -> None:
    server.add_comment({"platform": "x", "post": POSTS["x"], "author_id": "9",
                        "text": "one more"})
    server.fault("x", "expired_token", times=None)
    server.rate_limit("x", 1)
    server.reset()
    assert len(server.items("x")) == 67
    response = client.get(server.base_url("x") + f"/tweets/{comment_id('x', 0)}",
                          headers=auth(server, "x"))
    assert response.status_code == 200
    assert client.get(server.base_url("x") + "/users/me",
                      headers=auth(server, "x")).status_code == 200
