"""The TikTok connector against the project's TikTok stand-in, over HTTP on loopback."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.connectors.conftest import FAST, RequestLog, standin_account, sync
from tests.outbox.conftest import config_text
from triage.config import AccountConfig, parse_config
from triage.connectors import Capability
from triage.connectors.tiktok import TikTokConnector
from triage.errors import ActionRefused, Unavailable
from triage.model import Comment
from triage.outbox.links import capability_gap
from triage.standins import StandinServer
from triage.store import Store

T0 = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
VIDEO = "7300000000000000001"
ROOT = "/tiktok/open_api/v1.3"


def person(k: int) -> dict[str, Any]:
    return {"author": {"id": f"u{k % 3}", "name": f"Nurse Fan {k % 3}",
                       "handle": f"nursefan{k % 3}"}}


def seed(server: StandinServer, count: int, *, start: int = 0, video: str = VIDEO,
         extra: list[dict[str, Any]] | None = None) -> None:
    """A video of the account's and ``count`` comments on it, a minute apart (ids c{k})."""
    posts = [{"platform": "tiktok", "id": video, "text": "Flu shot myths, busted #health",
              "created_at": T0}] if server.world.get("tiktok", video) is None else []
    comments = [{"platform": "tiktok", "post": video, "id": f"c{k}", "text": f"Comment {k}?",
                 "created_at": T0 + timedelta(minutes=k + 1), **person(k)}
                for k in range(start, start + count)]
    server.seed(posts=posts, comments=comments + (extra or []))


def reply_of(native: str, parent: str, k: int, video: str = VIDEO) -> dict[str, Any]:
    return {"platform": "tiktok", "post": video, "id": native, "parent": parent,
            "text": f"Reply {k}", "created_at": T0 + timedelta(hours=1, minutes=k), **person(k)}


@pytest.fixture
def tiktok(standins: StandinServer) -> tuple[AccountConfig, dict[str, str]]:
    return standin_account(standins, "tiktok")


@pytest.fixture
async def connector(tiktok: tuple[AccountConfig, dict[str, str]]
                    ) -> AsyncIterator[TikTokConnector]:
    account, environ = tiktok
    async with httpx.AsyncClient() as client:
        yield TikTokConnector(account, environ["TIKTOK_TOKEN"], client, policy=FAST)


async def read_all(connector: TikTokConnector) -> dict[str, Comment]:
    return {c.native_id: c async for page in connector.pages(None) for c in page.comments}


def test_comments_and_replies_arrive_paged_placed_and_timed(
    standins: StandinServer, tiktok: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 65, extra=[reply_of("r1", "c0", 1), reply_of("r2", "r1", 2)])
    account, environ = tiktok
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log)

    assert result.summary() == "tiktok: 67 new, 0 updated, 0 errors"
    listed = log.to(f"{ROOT}/business/comment/list/")
    assert [r.url.params["cursor"] for r in listed] == ["0", "30", "60"]
    assert all(r.headers["Access-Token"] == environ["TIKTOK_TOKEN"] for r in log.requests)
    assert all(r.url.params["business_id"] == account.setting("business_id")
               for r in log.requests)
    [replies] = log.to(f"{ROOT}/business/comment/reply/list/")  # only c0 has replies
    assert replies.url.params["comment_id"] == "c0"
    c0, r2 = store.get("tiktok:tiktok:c0"), store.get("tiktok:tiktok:r2")
    assert c0.created_at == T0 + timedelta(minutes=1)
    assert c0.post_id == f"tiktok:tiktok:{VIDEO}" and c0.parent_id is None
    assert (c0.author.name, c0.author.handle) == ("Nurse Fan 0", "@nursefan0")
    assert r2.parent_id == "tiktok:tiktok:c0"  # two levels: under the top-level comment
    assert r2.text == "@nursefan1 Reply 2"
    assert c0.permalink == f"https://www.tiktok.com/@riversidehealth/video/{VIDEO}"
    assert store.posts[f"tiktok:tiktok:{VIDEO}"].text == "Flu shot myths, busted #health"


def test_the_next_sync_reads_only_videos_and_threads_whose_counts_changed(
    standins: StandinServer, tiktok: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 3, extra=[reply_of("r1", "c0", 1)])
    seed(standins, 2, start=10, video="7300000000000000002")
    account, environ = tiktok
    sync([account], store, environ=environ)
    standins.seed(comments=[reply_of("r9", "c0", 9)])  # a new reply under an old comment
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log)

    assert result.summary() == "tiktok: 1 new, 0 updated, 0 errors"
    assert [r.url.params["video_id"] for r in log.to(f"{ROOT}/business/comment/list/")] == [
        VIDEO]
    assert store.get("tiktok:tiktok:r9").parent_id == "tiktok:tiktok:c0"


def test_the_rate_limit_code_sent_with_200_pauses_the_account(
    standins: StandinServer, tiktok: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 40)
    account, environ = tiktok
    standins.fault("tiktok", "throttle", path="/business/comment/list/", times=None)

    [result] = sync([account], store, environ=environ)

    assert result.status is not None and result.status.state == "rate_limited"
    assert re.search(r"tiktok rate limit reached \(40100: Too many requests\. Please retry "
                     r"after a while\.\); paused until", result.status.message)
    assert result.status.until is not None
    wait = (result.status.until - datetime.now(UTC)).total_seconds()
    assert 50 < wait < 70  # TikTok says nothing of when: a minute


@pytest.mark.parametrize(("expired", "code"), [(False, "40105"), (True, "40102")])
def test_a_refused_token_is_an_auth_error_naming_the_variable(
    standins: StandinServer, tiktok: tuple[AccountConfig, dict[str, str]], store: Store,
    expired: bool, code: str,
) -> None:
    seed(standins, 1)
    account, environ = tiktok
    if expired:
        standins.fault("tiktok", "expired_token", times=None)
    else:
        environ = {"TIKTOK_TOKEN": "wrong"}

    [result] = sync([account], store, environ=environ)

    assert result.status is not None and result.status.state == "auth_error"
    assert result.status.message.startswith(
        f"tiktok: tiktok refused the token in TIKTOK_TOKEN ({code}: Access token")


def test_a_malformed_comment_is_skipped_and_named_the_rest_arrive(
    standins: StandinServer, tiktok: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 5)
    account, environ = tiktok
    standins.fault("tiktok", "malformed_item", path="/business/comment/list/",
                   variant="wrong_type", index=2)

    [result] = sync([account], store, environ=environ)

    assert result.summary() == "tiktok: 4 new, 0 updated, 1 error"
    assert result.problems == ["tiktok: skipped tiktok comment c2: text is an object, "
                               "not text"]


def test_a_body_that_is_not_the_envelope_fails_the_sync_and_keeps_nothing_half_read(
    standins: StandinServer, tiktok: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 5)
    account, environ = tiktok
    standins.fault("tiktok", "malformed", path="/business/video/list/", variant="wrong_shape",
                   times=None)

    [result] = sync([account], store, environ=environ)

    assert result.status is not None and result.status.state == "error"
    assert "tiktok answered GET /business/video/list/ with something else" in (
        result.status.message)
    assert list(store) == []


async def test_a_reply_is_posted_once_found_after_a_timeout_and_deleted(
    standins: StandinServer, connector: TikTokConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(connector))["c0"]
    standins.fault("tiktok", "commit_then_delay", path="/business/comment/reply/create/",
                   delay=1.0)

    with pytest.raises(Unavailable, match="it may have taken effect: check before sending"):
        await connector.reply(comment, "Flu shots are safe.", idempotency_key="k")
    found = await connector.find_reply(comment, "Flu shots  are safe.", idempotency_key="k")

    [posted] = standins.posted("tiktok")
    assert (found, posted["target"], posted["text"]) == (posted["id"], "c0",
                                                          "Flu shots are safe.")
    await connector.delete_reply(found)
    assert [p["action"] for p in standins.posted("tiktok")] == ["reply", "delete"]
    assert await connector.find_reply(comment, "Flu shots are safe.", idempotency_key="k") \
        is None


async def test_an_answer_to_a_reply_goes_under_its_top_comment_with_a_mention(
    standins: StandinServer, connector: TikTokConnector
) -> None:
    seed(standins, 1, extra=[reply_of("r1", "c0", 1)])
    reply = (await read_all(connector))["r1"]

    made = await connector.reply(reply, "Thanks!", idempotency_key="k")

    [posted] = standins.posted("tiktok")
    assert (posted["target"], posted["text"]) == ("c0", "@nursefan1 Thanks!")
    assert await connector.find_reply(reply, "Thanks!", idempotency_key="k") == made


async def test_hide_and_unhide_reach_tiktok_and_delete_is_not_offered(
    standins: StandinServer, connector: TikTokConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(connector))["c0"]

    await connector.hide(comment)
    assert standins.world.get("tiktok", "c0").hidden
    await connector.hide(comment, hidden=False)

    assert [(p["action"], p["target"]) for p in standins.posted("tiktok")] == [
        ("hide", "c0"), ("unhide", "c0")]
    why = "TikTok lets a business account delete only its own comments; hide other people's"
    assert not connector.supports(Capability.DELETE)
    with pytest.raises(ActionRefused, match=re.escape(f"tiktok: {why}")):
        await connector.delete(comment)
    config = parse_config(config_text(Path("."), [{
        "name": "tiktok", "platform": "tiktok", "token_env": "TIKTOK_TOKEN",
        "business_id": "-000abc"}]))
    assert capability_gap(config, comment, Capability.DELETE).startswith(why)
    assert capability_gap(config, comment, Capability.HIDE) == ""


async def test_a_refusal_sent_with_200_names_tiktoks_reason(
    standins: StandinServer, connector: TikTokConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(connector))["c0"]

    with pytest.raises(Exception, match=r"tiktok: tiktok refused POST .*/business/comment/"
                       r"reply/create/ \(40002: text is longer than 150 characters\)"):
        await connector.reply(comment, "x" * 151, idempotency_key="k")
    with pytest.raises(Exception, match="40002: comment_id 'gone' is not a comment"):
        await connector.hide(replace(comment, native_id="gone"))
    assert standins.posted("tiktok") == []


def test_an_empty_page_that_still_has_more_is_followed_and_one_that_never_moves_is_refused(
    standins: StandinServer, tiktok: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 35)
    account, environ = tiktok
    standins.fault("tiktok", "empty_page", path="/business/comment/list/")

    [result] = sync([account], store, environ=environ)

    assert result.summary() == "tiktok: 35 new, 0 updated, 0 errors"
    seed(standins, 1, start=40)
    standins.fault("tiktok", "empty_page", path="/business/comment/list/", times=None)
    [stuck] = sync([account], store, environ=environ)
    assert stuck.status is not None and stuck.status.message == (
        "tiktok: tiktok keeps answering GET /business/comment/list/ with a next page that "
        "does not move on")
