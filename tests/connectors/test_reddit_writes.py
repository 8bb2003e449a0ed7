"""Replying, removing and deleting through the Reddit connector, against its stand-in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from tests.connectors.conftest import FAST, standin_account
from tests.connectors.test_reddit import POST, ours, seed
from tests.outbox.conftest import config_text
from triage.config import AccountConfig, parse_config
from triage.connectors import Capability
from triage.connectors.reddit import RedditConnector
from triage.errors import ActionRefused, RateLimited, Unavailable
from triage.model import Comment
from triage.outbox.links import capability_gap
from triage.standins import StandinServer


@pytest.fixture
def reddit_account(standins: StandinServer) -> tuple[AccountConfig, dict[str, str]]:
    return standin_account(standins, "reddit", token_env="REDDIT_SECRET")


@pytest.fixture
async def reddit(reddit_account: tuple[AccountConfig, dict[str, str]]
                 ) -> AsyncIterator[RedditConnector]:
    account, environ = reddit_account
    async with httpx.AsyncClient() as client:
        yield RedditConnector(account, environ["REDDIT_SECRET"], client, policy=FAST,
                              environ=environ)


async def read_all(connector: RedditConnector) -> dict[str, Comment]:
    return {c.native_id: c async for page in connector.pages(None) for c in page.comments}


async def test_a_reply_is_posted_once_and_found_before_posting_again(
    standins: StandinServer, reddit: RedditConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(reddit))["t1_c0"]
    assert await reddit.find_reply(comment, "Walk-ins welcome.", idempotency_key="k") is None

    first = await reddit.reply(comment, "Walk-ins welcome.", idempotency_key="k")

    assert first.startswith("t1_")
    assert [(p["action"], p["target"], p["text"]) for p in standins.posted("reddit")] == [
        ("reply", "t1_c0", "Walk-ins welcome.")]
    assert await reddit.find_reply(comment, " Walk-ins  welcome.", idempotency_key="k") == first
    await reddit.delete_reply(first)
    await reddit.delete_reply(first)  # already gone: still done
    assert [p["action"] for p in standins.posted("reddit")] == ["reply", "delete"]
    assert await reddit.find_reply(comment, "Walk-ins welcome.", idempotency_key="k") is None


async def test_a_reply_that_timed_out_is_found_instead_of_posted_again(
    standins: StandinServer, reddit: RedditConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(reddit))["t1_c0"]
    standins.fault("reddit", "commit_then_delay", path="/api/comment", method="POST", delay=1.0)

    with pytest.raises(Unavailable, match="it may have taken effect: check before sending"):
        await reddit.reply(comment, "We will call you.", idempotency_key="k")
    found = await reddit.find_reply(comment, "We will call you.", idempotency_key="k")

    [posted] = standins.posted("reddit")
    assert found == posted["id"]


async def test_a_reply_refused_for_the_rate_limit_says_until_when(
    standins: StandinServer, reddit: RedditConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(reddit))["t1_c0"]
    standins.fault("reddit", "throttle", path="/api/comment", variant="json", reset_after=360)

    with pytest.raises(RateLimited, match=r"reddit: reddit rate limit reached \(Looks like "
                       r"you've been doing that a lot. Take a break for 6 minutes"):
        await reddit.reply(comment, "Thanks!", idempotency_key="k")
    assert standins.posted("reddit") == []


async def test_a_reply_to_a_deleted_comment_is_refused_with_reddits_reason(
    standins: StandinServer, reddit: RedditConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(reddit))["t1_c0"]

    with pytest.raises(ActionRefused, match=r"reddit: reddit refused the reply to t1_gone "
                       r"\(DELETED_COMMENT: that comment has been deleted\)"):
        await reddit.reply(replace(comment, native_id="t1_gone"), "Hi", idempotency_key="k")


async def test_a_moderator_removes_and_approves(
    standins: StandinServer, reddit: RedditConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(reddit))["t1_c0"]

    await reddit.hide(comment)
    assert standins.world.get("reddit", "t1_c0").hidden
    await reddit.hide(comment, hidden=False)

    assert [(p["action"], p["target"]) for p in standins.posted("reddit")] == [
        ("hide", "t1_c0"), ("unhide", "t1_c0")]
    standins.fault("reddit", "status", path="/api/remove", status=403)
    with pytest.raises(ActionRefused, match="reddit: reddit refused to remove comment t1_c0: "
                       "the account is not a moderator of its subreddit"):
        await reddit.hide(comment)


async def test_without_moderation_hide_is_not_offered_and_says_why(
    standins: StandinServer, reddit_account: tuple[AccountConfig, dict[str, str]]
) -> None:
    seed(standins, 1)
    account, environ = reddit_account
    account = replace(account, moderates=False)
    async with httpx.AsyncClient() as client:
        connector = RedditConnector(account, environ["REDDIT_SECRET"], client, policy=FAST,
                                    environ=environ)
        comment = (await read_all(connector))["t1_c0"]
        why = ("Reddit lets only a subreddit's moderators remove comments, and account reddit "
               "is not marked as one (moderates = true in config.toml)")
        assert not connector.supports(Capability.HIDE)
        with pytest.raises(ActionRefused, match=re.escape(f"reddit: {why}")):
            await connector.hide(comment)
        config = parse_config(config_text(Path("."), [{
            "name": "reddit", "platform": "reddit", "token_env": "REDDIT_SECRET",
            "username": "RiversideHealth", "client_id_env": "REDDIT_CLIENT_ID",
            "password_env": "REDDIT_PASSWORD"}]))
        assert capability_gap(config, comment, Capability.HIDE) == why
        assert capability_gap(config, comment, Capability.REPLY) == ""
        assert capability_gap(config, comment, Capability.DELETE) == (
            "Reddit lets an account delete only its own comments; a moderator removes other "
            "people's instead (hide)")
    assert standins.posted("reddit") == []


async def test_the_thread_holds_the_post_the_comments_and_our_replies(
    standins: StandinServer, reddit: RedditConnector
) -> None:
    seed(standins, 2, extra=[ours(standins, "o1", "c0", "Saturday 9 to 3.")])
    comment = (await read_all(reddit))["t1_c0"]

    thread = await reddit.thread(replace(comment, post_id=None))  # found from the permalink

    assert thread.post is not None and thread.post.id == f"reddit:reddit:{POST}"
    assert sorted(c.native_id for c in thread.comments) == ["t1_c0", "t1_c1"]
    assert [(c.native_id, c.parent_id) for c in thread.own] == [("t1_o1", comment.id)]
