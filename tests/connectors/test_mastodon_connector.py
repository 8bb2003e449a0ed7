"""The Mastodon connector's thread, replies and refusals, against mastodon-mock."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.connectors.conftest import FAST, Masto, account
from triage.connectors import Capability
from triage.connectors.mastodon import MastodonConnector
from triage.errors import ActionRefused
from triage.model import Comment


@pytest.fixture
async def alice(masto: Masto) -> AsyncIterator[MastodonConnector]:
    async with httpx.AsyncClient() as client:
        yield MastodonConnector(account("riverside", masto.base_url), "alice_token", client,
                                policy=FAST)


async def first_comment(connector: MastodonConnector) -> Comment:
    async for page in connector.pages(None):
        return page.comments[-1]
    raise AssertionError("no page")


async def test_a_reply_with_the_same_key_is_posted_once(
    masto: Masto, alice: MastodonConnector
) -> None:
    post = masto.post("alice", "Flu shots Saturday.")
    masto.post("carol", "@alice do I need an appointment?", reply_to=post["id"])
    comment = await first_comment(alice)

    first = await alice.reply(comment, "No appointment needed.", idempotency_key="outbox-1")
    again = await alice.reply(comment, "No appointment needed.", idempotency_key="outbox-1")

    assert first == again
    replies = [s for s in masto.get("alice", f"/api/v1/statuses/{comment.native_id}/context")
               ["descendants"] if s["account"]["acct"] == "alice"]
    assert [r["id"] for r in replies] == [first]
    assert "@carol No appointment needed." in replies[0]["content"]
    assert replies[0]["visibility"] == "public"


async def test_a_posted_reply_is_found_and_can_be_deleted(
    masto: Masto, alice: MastodonConnector
) -> None:
    post = masto.post("alice", "Flu shots Saturday.")
    masto.post("carol", "@alice where?", reply_to=post["id"])
    comment = await first_comment(alice)
    assert await alice.find_reply(comment, "At the Riverside clinic.",
                                  idempotency_key="k") is None
    reply_id = await alice.reply(comment, "At the Riverside clinic.", idempotency_key="k")

    found = await alice.find_reply(comment, "At the  Riverside clinic.", idempotency_key="k")
    await alice.delete_reply(reply_id)
    await alice.delete_reply(reply_id)  # already gone: still done

    assert found == reply_id
    assert await alice.find_reply(comment, "At the Riverside clinic.", idempotency_key="k") is None


async def test_a_direct_message_is_answered_directly(
    masto: Masto, alice: MastodonConnector
) -> None:
    masto.post("carol", "@alice my test results came back, can someone call me?",
               visibility="direct")
    comment = await first_comment(alice)

    reply_id = await alice.reply(comment, "We will call you today.", idempotency_key="dm-1")

    assert masto.get("alice", f"/api/v1/statuses/{reply_id}")["visibility"] == "direct"


async def test_the_thread_holds_the_post_the_comments_and_our_replies(
    masto: Masto, alice: MastodonConnector
) -> None:
    post = masto.post("alice", "Flu shots Saturday.")
    question = masto.post("carol", "@alice is it free?", reply_to=post["id"])
    masto.post("alice", "@carol yes, free for everyone.", reply_to=question["id"])
    masto.post("bob", "@carol @alice thanks!", reply_to=question["id"])
    comment = await first_comment(alice)

    thread = await alice.thread(comment)

    assert thread.post is not None and thread.post.text == "Flu shots Saturday."
    assert {c.text for c in thread.comments} == {"@alice is it free?", "@carol @alice thanks!"}
    assert [c.text for c in thread.own] == ["@carol yes, free for everyone."]
    top = next(c for c in thread.comments if c.native_id == question["id"])
    assert (top.post_id, top.parent_id) == (thread.post.id, None)


async def test_what_mastodon_cannot_do_is_refused_with_the_reason(
    masto: Masto, alice: MastodonConnector
) -> None:
    masto.post("carol", "@alice spam spam")
    comment = await first_comment(alice)

    assert alice.why_not(Capability.HIDE) == (
        "Mastodon has no per-reply hide for ordinary accounts "
        "(mute or block the author on Mastodon instead)")
    assert alice.why_not(Capability.REPLY) == ""
    with pytest.raises(ActionRefused, match="riverside: Mastodon has no per-reply hide"):
        await alice.hide(comment)
    with pytest.raises(ActionRefused, match="only its own posts"):
        await alice.delete(comment)


async def test_status_html_arrives_as_plain_text(masto: Masto, alice: MastodonConnector) -> None:
    masto.post("carol", "@alice <script>alert(1)</script> & [bold]hi[/] \x1b[31m ok?")

    comment = await first_comment(alice)

    assert comment.text == "@alice <script>alert(1)</script> & [bold]hi[/] \x1b[31m ok?"


async def test_an_account_without_an_instance_is_a_config_error(masto: Masto) -> None:
    from triage.config import AccountConfig
    from triage.errors import ConfigError

    async with httpx.AsyncClient() as client:
        with pytest.raises(ConfigError, match="account riverside: base_url is needed"):
            MastodonConnector(AccountConfig("riverside", "mastodon", "T"), "x", client)
