"""Replying, hiding and deleting through the Bluesky connector, against its stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from tests.connectors.conftest import FAST, standin_account
from tests.connectors.test_bluesky import did_of, person, post_uri, seed, uri
from tests.outbox.conftest import config_text
from triage.config import AccountConfig, parse_config
from triage.connectors import Capability
from triage.connectors.bluesky import BlueskyConnector
from triage.connectors.bluesky_auth import forget_sessions
from triage.errors import ActionRefused, Unavailable
from triage.model import Comment
from triage.outbox.links import capability_gap
from triage.standins import StandinServer

GATE = "app.bsky.feed.threadgate"


@pytest.fixture
def bluesky_account(standins: StandinServer) -> tuple[AccountConfig, dict[str, str]]:
    forget_sessions()
    return standin_account(standins, "bluesky", token_env="BSKY_APP_PASSWORD")


@pytest.fixture
async def bluesky(bluesky_account: tuple[AccountConfig, dict[str, str]]
                  ) -> AsyncIterator[BlueskyConnector]:
    account, environ = bluesky_account
    async with httpx.AsyncClient() as client:
        yield BlueskyConnector(account, environ["BSKY_APP_PASSWORD"], client, policy=FAST)


async def read_all(connector: BlueskyConnector) -> dict[str, Comment]:
    return {c.native_id: c async for page in connector.pages(None) for c in page.comments}


async def test_a_reply_carries_root_parent_and_link_and_is_found_before_posting_again(
    standins: StandinServer, bluesky: BlueskyConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(bluesky))[uri(0, "3kc0000000000")]
    text = "Walk-ins welcome. Hours: https://example.org/flu."
    assert await bluesky.find_reply(comment, text, idempotency_key="k") is None

    first = await bluesky.reply(comment, text, idempotency_key="k")

    assert first.startswith(f"at://{did_of(standins)}/app.bsky.feed.post/")
    [posted] = standins.posted("bluesky")
    assert (posted["action"], posted["target"], posted["text"]) == (
        "reply", comment.native_id, text)
    made = standins.world.get("bluesky", first)
    assert made.parent == comment.native_id and made.post == post_uri(standins)
    record = standins.apis["bluesky"].record(made)
    assert record["reply"]["root"]["uri"] == post_uri(standins)
    assert await bluesky.find_reply(comment, f" {text} ", idempotency_key="k") == first
    thread = await bluesky.thread(comment)
    assert [c.native_id for c in thread.own] == [first]
    assert thread.post is not None and thread.post.text == "Flu shots this weekend"
    await bluesky.delete_reply(first)
    await bluesky.delete_reply(first)  # already gone: still done
    assert [p["action"] for p in standins.posted("bluesky")] == ["reply", "delete"]
    assert await bluesky.find_reply(comment, text, idempotency_key="k") is None


async def test_a_reply_that_timed_out_is_found_instead_of_posted_again(
    standins: StandinServer, bluesky: BlueskyConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(bluesky))[uri(0, "3kc0000000000")]
    standins.fault("bluesky", "commit_then_delay", path="/xrpc/com.atproto.repo.createRecord",
                   method="POST", delay=1.0)

    with pytest.raises(Unavailable, match="it may have taken effect: check before sending"):
        await bluesky.reply(comment, "We will call you.", idempotency_key="k")
    found = await bluesky.find_reply(comment, "We will call you.", idempotency_key="k")

    [posted] = standins.posted("bluesky")
    assert found == posted["id"]


async def test_a_reply_to_a_deleted_post_is_refused_saying_so(
    standins: StandinServer, bluesky: BlueskyConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(bluesky))[uri(0, "3kc0000000000")]
    gone = replace(comment, native_id=uri(0, "3kgone0000000"))

    with pytest.raises(ActionRefused, match="bluesky: bluesky has no post at://did:plc:"
                       ".* any more \\(deleted by its author\\?\\): nothing to reply to"):
        await bluesky.reply(gone, "Hi", idempotency_key="k")
    assert standins.posted("bluesky") == []


async def test_hiding_writes_the_threadgate_of_the_post_and_keeps_who_may_reply(
    standins: StandinServer, bluesky: BlueskyConnector
) -> None:
    seed(standins, 2)
    comments = await read_all(bluesky)
    first, second = comments[uri(0, "3kc0000000000")], comments[uri(1, "3kc0000000001")]
    api = standins.apis["bluesky"]
    account = standins.world.account("bluesky")
    rkey = post_uri(standins).rsplit("/", 1)[-1]
    allow = [{"$type": "app.bsky.feed.threadgate#followingRule"}]
    api.repo._put(account, rkey, {"$type": GATE, "post": post_uri(standins), "allow": allow,
                             "createdAt": "2026-11-19T09:00:00.000Z"}, swap=None, swapped=False)

    await bluesky.hide(first)
    await bluesky.hide(second)
    await bluesky.hide(second)  # hidden already: nothing written
    await bluesky.hide(first, hidden=False)

    gate = api.repo.gate(account, rkey)
    assert gate is not None and gate["hiddenReplies"] == [second.native_id]
    assert gate["allow"] == allow
    assert [(p["action"], p["target"]) for p in standins.posted("bluesky")] == [
        ("hide", first.native_id), ("hide", second.native_id), ("unhide", first.native_id)]
    assert standins.world.get("bluesky", second.native_id).hidden


async def test_a_threadgate_changed_meanwhile_is_read_again_not_overwritten(
    standins: StandinServer, bluesky: BlueskyConnector
) -> None:
    seed(standins, 2)
    comments = await read_all(bluesky)
    first, second = comments[uri(0, "3kc0000000000")], comments[uri(1, "3kc0000000001")]
    api = standins.apis["bluesky"]
    account = standins.world.account("bluesky")
    rkey = post_uri(standins).rsplit("/", 1)[-1]
    real_read = api.repo.get_record

    def read_then_change(req, acc):  # type: ignore[no-untyped-def]
        try:
            return real_read(req, acc)  # no threadgate yet: RecordNotFound
        finally:
            if not api.repo.gate(account, rkey):  # someone hides another reply in the app
                api.repo._put(account, rkey, {"$type": GATE, "post": post_uri(standins),
                                         "createdAt": "2026-11-19T09:00:00.000Z",
                                         "hiddenReplies": [second.native_id]},
                         swap=None, swapped=False)

    for index, route in enumerate(api.routes):
        if route.handler == real_read:
            api.routes[index] = replace(route, handler=read_then_change)

    await bluesky.hide(first)

    gate = api.repo.gate(account, rkey)
    assert gate is not None and gate["hiddenReplies"] == [second.native_id, first.native_id]


async def test_hiding_is_not_offered_outside_the_accounts_own_threads(
    standins: StandinServer, bluesky: BlueskyConnector,
    bluesky_account: tuple[AccountConfig, dict[str, str]]
) -> None:
    seed(standins, 1)
    comment = (await read_all(bluesky))[uri(0, "3kc0000000000")]
    mention = replace(comment, post_id=None, native_id=uri(1, "3kmention0000"))
    account, _ = bluesky_account
    config = parse_config(config_text(Path("."), [
        {"name": account.name, "platform": "bluesky", "token_env": account.token_env,
         "base_url": account.base_url, "handle": account.handle}]))

    assert capability_gap(config, comment, Capability.HIDE) == ""
    assert capability_gap(config, mention, Capability.HIDE) == (
        "Bluesky lets only the author of a thread's first post hide replies in it, and this "
        "one is not under a post of account bluesky (a mention, or a reply in someone else's "
        "thread)")
    assert capability_gap(config, comment, Capability.DELETE) == (
        "Bluesky lets an account delete only its own posts; on the account's own posts, hide "
        "the reply instead (a threadgate)")
    with pytest.raises(ActionRefused, match="bluesky: Bluesky lets only the author"):
        await bluesky.hide(mention)
    assert standins.posted("bluesky") == []


async def test_a_mention_of_the_account_arrives_placed_in_its_thread(
    standins: StandinServer, bluesky: BlueskyConnector
) -> None:
    seed(standins, 1, extra=[{
        "platform": "bluesky", "post": post_uri(standins), "id": uri(2, "3kmention0000"),
        "parent": uri(0, "3kc0000000000"),
        "text": "@riversidehealth.bsky.social can you confirm?", **person(2)}])

    comments = await read_all(bluesky)

    mention = comments[uri(2, "3kmention0000")]
    assert mention.parent_id == f"bluesky:bluesky:{uri(0, '3kc0000000000')}"
    assert mention.post_id == f"bluesky:bluesky:{post_uri(standins)}"
