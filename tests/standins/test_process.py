"""The stand-ins as a child process, driven through the admin HTTP API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from tests.standins.helpers import POSTS, build_seed, comment_id
from triage.errors import ImportError_, Unavailable
from triage.standins import StandinProcess


@pytest.fixture(scope="module")
def child(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandinProcess]:
    folder = tmp_path_factory.mktemp("standins")
    seed_file = folder / "seed.json"
    seed_file.write_bytes(orjson.dumps(build_seed()))
    with StandinProcess(seed_file, log=folder / "standins.log") as process:
        yield process


@pytest.fixture(autouse=True)
def fresh(child: StandinProcess) -> None:
    child.admin.reset()


def _token(child: StandinProcess, platform: str) -> str:
    return next(a["token"] for a in child.admin.settings() if a["platform"] == platform)


def _notifications(child: StandinProcess, client: httpx.Client) -> httpx.Response:
    return client.get(child.base_url("mastodon") + "/api/v1/notifications",
                     params={"limit": 80},
                     headers={"Authorization": f"Bearer {_token(child, 'mastodon')}"})


def test_health_names_the_base_urls(child: StandinProcess) -> None:
    health = child.admin.health()
    assert health["ok"] is True
    assert health["base_urls"]["youtube"] == child.origin + "/youtube/v3"


def test_settings_give_connectors_what_they_need(child: StandinProcess) -> None:
    settings = {a["platform"]: a for a in child.admin.settings()}
    assert settings["facebook"]["base_url"] == child.origin + "/facebook/v19.0"
    assert settings["instagram"]["media_ids"] == [POSTS["instagram"]]
    assert settings["youtube"]["channel_id"].startswith("UC")
    assert settings["x"]["user_id"].isdigit()
    assert all(a["token"] for a in settings.values())


def test_the_seed_file_is_served(child: StandinProcess, client: httpx.Client) -> None:
    assert len(_notifications(child, client).json()) == 66


def test_added_comments_are_served(child: StandinProcess, client: httpx.Client) -> None:
    new = child.admin.add_comment({"platform": "mastodon", "post": POSTS["mastodon"],
                                   "author_handle": "dana@health.social", "author_name": "Dana",
                                   "text": "Is the clinic open on Sunday?"})
    newest = _notifications(child, client).json()[0]
    assert newest["status"]["id"] == new
    assert newest["account"]["acct"] == "dana@health.social"
    assert "Is the clinic open on Sunday?</p>" in newest["status"]["content"]


def test_faults_and_their_log(child: StandinProcess, client: httpx.Client) -> None:
    child.admin.fault("mastodon", "throttle", reset_after=3)
    refused = _notifications(child, client)
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "3")
    assert _notifications(child, client).status_code == 200
    assert [e["kind"] for e in child.admin.fault_log()] == ["throttle"]


def test_rate_limit(child: StandinProcess, client: httpx.Client) -> None:
    child.admin.rate_limit("mastodon", 1, window=60)
    assert _notifications(child, client).status_code == 200
    assert _notifications(child, client).status_code == 429


def test_posted_and_reset(child: StandinProcess, client: httpx.Client) -> None:
    response = client.post(child.base_url("mastodon") + "/api/v1/statuses",
                          data={"status": "Open at 9.",
                                "in_reply_to_id": comment_id("mastodon", 1)},
                          headers={"Authorization": f"Bearer {_token(child, 'mastodon')}"})
    (entry,) = child.admin.posted("mastodon")
    assert entry["id"] == response.json()["id"]
    child.admin.reset()
    assert child.admin.posted() == []
    assert len(child.admin.items("mastodon")) == 67


def test_bad_seed_records_are_named(child: StandinProcess) -> None:
    with pytest.raises(ImportError_, match="seed comment 1: post '42' is not a x post"):
        child.admin.seed(comments=[{"platform": "x", "post": "42", "author_id": "1",
                                    "text": "hi"}])


def test_a_broken_seed_file_stops_the_start(tmp_path: Path) -> None:
    seed_file = tmp_path / "seed.json"
    seed_file.write_text('{"posts": [{"platform": "myspace", "text": "hi"}]}')
    log = tmp_path / "standins.log"
    with pytest.raises(Unavailable, match="did not start"):
        StandinProcess(seed_file, log=log).start()
    assert "seed post 1: platform 'myspace' has no stand-in" in log.read_text()


def test_stop_frees_the_port(client: httpx.Client) -> None:
    process = StandinProcess().start()
    origin = process.origin
    assert client.get(origin + "/_standin/health").status_code == 200
    process.stop()
    with pytest.raises(httpx.ConnectError):
        client.get(origin + "/_standin/health")
