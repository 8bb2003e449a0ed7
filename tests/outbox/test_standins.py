"""The outbox against the platform stand-ins: replies land once, hides go through the connector."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.outbox.conftest import CDC, Clock, Desk, config_text, standin_accounts, standin_comment
from triage.config import parse_config
from triage.errors import ActionRefused
from triage.outbox import FAILED, Links, set_hidden
from triage.standins import StandinServer
from triage.store import Store

PLATFORMS = ("facebook", "instagram", "youtube", "x")
#: The path (below the platform's base URL) a reply is posted to.
REPLY_PATHS = {"facebook": "/*/comments", "instagram": "/*/replies", "youtube": "/comments",
               "x": "/tweets"}
MYTH = "The flu shot gives you the flu, everyone knows it"


@pytest.fixture
def server() -> Iterator[StandinServer]:
    with StandinServer() as running:
        yield running


@pytest.fixture
def desk(server: StandinServer, tmp_path: Path, templates_dir: Path,
         clock: Clock) -> Iterator[Desk]:
    accounts, environ = standin_accounts(server)
    config = parse_config(config_text(templates_dir, accounts))
    store = Store(tmp_path / "data", clock=clock)
    made = Desk(store, config, clock, environ)
    yield made
    made.store.close()


def replies(server: StandinServer, platform: str) -> list[dict[str, object]]:
    return [p for p in server.posted(platform) if p["action"] == "reply"]


def add(server: StandinServer, desk: Desk, platform: str) -> str:
    account = next(a for a in desk.config.accounts if a.platform == platform).name
    comment = standin_comment(server, platform, MYTH, account)
    desk.store.ingest([comment], user="test")
    return comment.id


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_reply_lands_under_its_comment_with_the_resource_link(
        server: StandinServer, desk: Desk, platform: str) -> None:
    comment_id = add(server, desk, platform)
    desk.submit(comment_id, "myth-any", window=0)
    (outcome,) = await desk.send()
    assert outcome.sent, outcome.error
    (posted,) = replies(server, platform)
    assert posted["target"] == desk.store.get(comment_id).native_id
    assert posted["id"] == outcome.item.reply_id
    assert CDC in str(posted["text"])
    assert desk.store.get(comment_id).status == "replied"


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_timeout_after_the_platform_committed_then_a_retry_posts_once(
        server: StandinServer, desk: Desk, platform: str) -> None:
    comment_id = add(server, desk, platform)
    server.fault(platform, "commit_then_delay", path=REPLY_PATHS[platform], method="POST",
                 delay=3)
    desk.submit(comment_id, "myth-any", window=0)
    (first,) = await desk.send()
    assert first.item.state == FAILED and first.item.uncertain, first
    assert len(replies(server, platform)) == 1  # it did land, the answer did not
    desk.clock.advance(60)
    (second,) = await desk.send()
    assert second.sent and second.item.found
    (posted,) = replies(server, platform)
    assert second.item.reply_id == posted["id"]


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_hide_and_unhide_go_through_the_connector(
        server: StandinServer, desk: Desk, platform: str) -> None:
    comment_id = add(server, desk, platform)
    async with httpx.AsyncClient() as client:
        links = Links(desk.config, client, environ=desk.environ)
        await set_hidden(desk.store, desk.config, "ben", comment_id, hidden=True, links=links)
        assert desk.store.get(comment_id).status == "hidden"
        await set_hidden(desk.store, desk.config, "ben", comment_id, hidden=False, links=links)
    assert desk.store.get(comment_id).status == "new"
    actions = [(p["action"], p["target"]) for p in server.posted(platform)]
    native = desk.store.get(comment_id).native_id
    assert actions == [("hide", native), ("unhide", native)]
    kinds = [d["kind"] for _, d in desk.store.journal.read(0) if d["kind"] in ("hide", "unhide")]
    assert kinds == ["hide", "unhide"]


async def test_a_refused_hide_changes_nothing_and_is_journaled(
        server: StandinServer, desk: Desk) -> None:
    comment_id = add(server, desk, "facebook")
    server.fault("facebook", "status", path="/*", method="POST", status=400,
                 message="(#200) Permissions error")
    async with httpx.AsyncClient() as client:
        with pytest.raises(ActionRefused, match="Permissions error"):
            await set_hidden(desk.store, desk.config, "ben", comment_id, hidden=True,
                             links=Links(desk.config, client, environ=desk.environ))
    assert desk.store.get(comment_id).status == "new"
    (failed,) = [d for _, d in desk.store.journal.read(0) if d["kind"] == "hide_failed"]
    assert failed["user"] == "ben" and "Permissions error" in failed["data"]["error"]
