"""The outbox against mastodon-mock: replies land once, whatever fails, and only when allowed."""

from __future__ import annotations

import pytest

from tests.connectors.conftest import Masto
from tests.outbox.conftest import CDC, Desk, native, own_replies
from triage.errors import ActionRefused, StoreError, TemplateError
from triage.legal import escalate
from triage.outbox import (
    CANCELLED,
    FAILED,
    FAILED_PERMANENTLY,
    QUEUED,
    SENDING,
    WAITING,
    Links,
    all_items,
    approve,
    find_item,
    reject,
    set_hidden,
    window_cancel,
)
from triage.store import Store

World = tuple[Desk, dict[str, str]]


def kinds(store: Store) -> list[tuple[str, str]]:
    return [(doc["kind"], doc["user"]) for _, doc in store.journal.read(0)
            if str(doc["kind"]).startswith("reply_")]


async def test_a_reply_lands_under_its_comment_with_the_resource_link(
        masto: Masto, masto_desk: World) -> None:
    desk, ids = masto_desk
    item = desk.submit(ids["myth"], "myth-any")
    assert item.state == QUEUED and desk.store.get(ids["myth"]).status == "replied"
    assert await desk.send() == []  # the undo window is still open: nothing leaves
    assert own_replies(masto, native(ids["myth"])) == []
    desk.clock.advance(10)
    (outcome,) = await desk.send()
    assert outcome.sent and outcome.item.reply_id
    (reply,) = own_replies(masto, native(ids["myth"]))
    assert reply["id"] == outcome.item.reply_id
    assert CDC in reply["content"] and "Flu vaccine facts (CDC)" in reply["content"]
    assert kinds(desk.store) == [("reply_queued", "ben"), ("reply_sending", "ben"),
                                 ("reply_sent", "ben")]


async def test_a_second_send_of_the_same_reply_posts_nothing(
        masto: Masto, masto_desk: World) -> None:
    desk, ids = masto_desk
    desk.submit(ids["myth"], "myth-any", window=0)
    with pytest.raises(ActionRefused, match="already queued"):
        desk.submit(ids["myth"], "myth-any", window=0)  # a second key press
    await desk.send()
    with pytest.raises(ActionRefused, match="already sent"):
        desk.submit(ids["myth"], "myth-any", user="ana")
    with pytest.raises(ActionRefused, match="already sent"):  # the same words as free text
        desk.submit(ids["myth"], text=find_item(desk.store, all_items(desk.store)[0].id).text)
    assert await desk.send() == []
    assert len(own_replies(masto, native(ids["myth"]))) == 1


async def test_a_crash_after_journaling_sending_never_posts_twice(
        masto: Masto, masto_desk: World, monkeypatch: pytest.MonkeyPatch) -> None:
    desk, ids = masto_desk
    desk.submit(ids["question"], "question-any", window=0)
    record = desk.store.record

    def crash_before_the_result(entries: list[dict[str, object]]) -> object:
        if entries[0]["kind"] == "reply_sent":
            raise StoreError("the process died here")  # posted, but never journaled
        return record(entries)

    monkeypatch.setattr(desk.store, "record", crash_before_the_result)
    with pytest.raises(StoreError):
        await desk.send()
    assert len(own_replies(masto, native(ids["question"]))) == 1
    monkeypatch.undo()
    desk.store.close()
    desk.store = Store(desk.store.data_dir, clock=desk.clock)  # the restart
    (item,) = all_items(desk.store)
    assert item.state == SENDING  # found mid-attempt
    (outcome,) = await desk.send()
    assert outcome.sent and outcome.item.found  # found on the platform, not posted again
    (reply,) = own_replies(masto, native(ids["question"]))
    assert outcome.item.reply_id == reply["id"]


async def test_a_timeout_then_a_retry_posts_once(masto: Masto, masto_desk: World) -> None:
    desk, ids = masto_desk
    masto.fault(match={"path": "/api/v1/statuses", "method": "POST"},
                effect={"type": "latency", "delay_ms": 900}, count=1)
    desk.submit(ids["question"], "question-any", window=0)
    outcomes = await desk.send()
    if outcomes[0].item.state == FAILED:  # the client gave up on the slow answer
        desk.clock.advance(60)
        outcomes = await desk.send()
    assert outcomes[0].sent
    assert len(own_replies(masto, native(ids["question"]))) == 1


async def test_a_server_error_is_retried_with_backoff_and_checked_first(
        masto: Masto, masto_desk: World) -> None:
    desk, ids = masto_desk
    masto.fault(match={"path": "/api/v1/statuses", "method": "POST"},
                effect={"type": "status", "status": 503}, count=3)
    desk.submit(ids["question"], "question-any", window=0)
    (failed,) = await desk.send()
    item = failed.item
    assert item.state == FAILED and item.uncertain and item.attempts == 1
    assert item.retry_at is not None and (item.retry_at - desk.clock()).total_seconds() == 2.5
    assert "503" in item.last_error
    assert await desk.send() == []  # not due before its retry time
    desk.clock.advance(3)
    (outcome,) = await desk.send()
    assert outcome.sent and not outcome.item.found and outcome.item.attempts == 2
    assert len(own_replies(masto, native(ids["question"]))) == 1


async def test_a_rate_limit_waits_for_its_end(masto: Masto, masto_desk: World) -> None:
    desk, ids = masto_desk
    masto.fault(match={"path": "/api/v1/statuses", "method": "POST"},
                effect={"type": "ratelimit", "headers": {"Retry-After": "120"}}, count=1)
    desk.submit(ids["question"], "question-any", window=0)
    (outcome,) = await desk.send()
    assert outcome.item.state == FAILED and not outcome.item.uncertain
    assert outcome.item.retry_at is not None and outcome.item.retry_at > desk.clock()


async def test_giving_up_after_max_attempts_says_so(masto: Masto, masto_desk: World) -> None:
    desk, ids = masto_desk
    masto.fault(match={"path": "/api/v1/statuses", "method": "POST"},
                effect={"type": "status", "status": 500}, count=None)
    desk.submit(ids["question"], "question-any", window=0)
    for _ in range(2):
        (outcome,) = await desk.send(max_attempts=2)
        desk.clock.advance(3600)
    assert outcome.item.state == FAILED_PERMANENTLY
    assert outcome.item.last_error.startswith("gave up after 2 attempts, the last: ")
    assert "may have posted it: look on the platform" in outcome.item.last_error
    assert desk.store.get(ids["question"]).status == "new"  # back in the queue


async def test_a_deleted_comment_fails_permanently_with_the_reason(
        masto: Masto, masto_desk: World) -> None:
    desk, ids = masto_desk
    desk.submit(ids["question"], "question-any", window=0)
    masto.http.delete(f"/api/v1/statuses/{native(ids['question'])}",
                      headers={"Authorization": "Bearer carol_token"}).raise_for_status()
    (outcome,) = await desk.send()
    assert outcome.permanent
    assert "is no longer there (deleted" in outcome.item.last_error
    assert desk.store.get(ids["question"]).status == "new"


async def test_a_privacy_risk_gets_only_phi_safe_templates(masto_desk: World) -> None:
    desk, ids = masto_desk
    with pytest.raises(TemplateError, match="not PHI-safe"):
        desk.submit(ids["privacy"], "thanks")
    assert all_items(desk.store) == []
    assert desk.submit(ids["privacy"], "privacy-safe").state == QUEUED


async def test_a_lapsed_template_is_refused_when_queued_and_when_sent(
        masto: Masto, masto_desk: World) -> None:
    desk, ids = masto_desk
    desk.submit(ids["question"], "question-old")  # review_by is tomorrow
    desk.clock.advance(2 * 86400)
    (outcome,) = await desk.send()
    assert outcome.permanent and "lapsed" in outcome.item.last_error
    assert own_replies(masto, native(ids["question"])) == []
    with pytest.raises(TemplateError, match="lapsed"):
        desk.submit(ids["question"], "question-old")


async def test_free_text_waits_for_an_approver(masto: Masto, masto_desk: World) -> None:
    desk, ids = masto_desk
    item = desk.submit(ids["question"], text="We open at 9, see you there!")
    assert item.state == WAITING and "free text" in item.reason
    assert desk.store.get(ids["question"]).status == "new"
    assert await desk.send() == []
    library = desk.library()
    refusal = r"only the approver role can approve .*\(ben has the role agent; ask ana\)"
    with pytest.raises(ActionRefused, match=refusal):
        approve(desk.store, desk.config, "ben", item.id, library=library, now=desk.clock())
    approved = approve(desk.store, desk.config, "ana", item.short_id, library=library,
                       now=desk.clock())
    assert approved.state == QUEUED and approved.approved
    (outcome,) = await desk.send()
    assert outcome.sent
    (reply,) = own_replies(masto, native(ids["question"]))
    assert "We open at 9, see you there!" in reply["content"]
    assert ("reply_approved", "ana") in kinds(desk.store)


async def test_an_edited_template_needs_approval_and_a_rejection_sends_nothing(
        masto: Masto, masto_desk: World) -> None:
    desk, ids = masto_desk
    library = desk.library()
    text = "Hi carol, good question: call us any time."
    item = desk.submit(ids["question"], "question-any", text=text)
    assert item.state == WAITING and "treated as free text" in item.reason
    with pytest.raises(ActionRefused, match="say why"):
        reject(desk.store, desk.config, "ana", item.id, note=" ", now=desk.clock())
    rejected = reject(desk.store, desk.config, "ana", item.id, note="give the number",
                      now=desk.clock())
    assert rejected.state == "rejected" and rejected.decision is not None
    with pytest.raises(ActionRefused, match="not waiting for approval"):
        approve(desk.store, desk.config, "ana", item.id, library=library, now=desk.clock())
    desk.clock.advance(60)
    assert await desk.send() == []
    assert own_replies(masto, native(ids["question"])) == []


async def test_the_undo_window_cancels(masto: Masto, masto_desk: World) -> None:
    desk, ids = masto_desk
    desk.submit(ids["myth"], "myth-any")
    desk.clock.advance(9)
    assert window_cancel(desk.store, "ana", now=desk.clock()) is None  # not hers
    cancelled = window_cancel(desk.store, "ben", now=desk.clock())
    assert cancelled is not None and cancelled.state == CANCELLED
    assert desk.store.get(ids["myth"]).status == "new"
    desk.clock.advance(60)
    assert await desk.send() == []
    assert own_replies(masto, native(ids["myth"])) == []
    assert desk.submit(ids["myth"], "myth-any").state == QUEUED  # may be sent again


async def test_a_legal_hold_refuses_when_queued_and_when_sent(
        masto: Masto, masto_desk: World) -> None:
    desk, ids = masto_desk
    desk.submit(ids["myth"], "myth-any")
    escalate(desk.store, desk.config, "ana", ids["myth"], "privacy_breach", "high", "")
    desk.clock.advance(11)
    (outcome,) = await desk.send()
    assert outcome.permanent and outcome.item.last_error.startswith(
        "cannot reply: the comment is on legal hold (privacy_breach, escalated by ana)")
    assert own_replies(masto, native(ids["myth"])) == []
    assert desk.store.get(ids["myth"]).status == "escalated"  # legal's, left alone
    escalate(desk.store, desk.config, "ana", ids["question"], "other", "low", "")
    with pytest.raises(ActionRefused, match="cannot reply: the comment is on legal hold"):
        desk.submit(ids["question"], "question-any")
    assert [i.comment_id for i in all_items(desk.store)] == [ids["myth"]]


async def test_hide_is_refused_on_mastodon_with_its_reason(masto_desk: World) -> None:
    import httpx

    desk, ids = masto_desk
    async with httpx.AsyncClient() as client:
        with pytest.raises(ActionRefused, match="cannot hide: Mastodon has no per-reply hide"):
            await set_hidden(desk.store, desk.config, "ben", ids["myth"], hidden=True,
                             links=Links(desk.config, client, environ=desk.environ))
    assert desk.store.get(ids["myth"]).status == "new"


async def test_the_outbox_is_the_same_after_a_restart(masto_desk: World) -> None:
    desk, ids = masto_desk
    queued = desk.submit(ids["myth"], "myth-any")
    waiting = desk.submit(ids["question"], text="We open at nine.")
    desk.store.close()
    desk.store = Store(desk.store.data_dir, clock=desk.clock)
    assert find_item(desk.store, queued.id[:6]) == queued
    assert all_items(desk.store) == [queued, waiting]
    assert desk.store.get(ids["myth"]).status == "replied"


async def test_the_mention_mastodon_puts_in_front_counts_against_the_limit(
        masto: Masto, masto_desk: World) -> None:
    desk, ids = masto_desk
    comment = desk.store.get(ids["question"])
    assert comment.author.handle == "@carol"  # so the reply opens with "@carol "
    with pytest.raises(TemplateError, match="the reply is 501 characters with the @carol put "
                                            "in front of it and mastodon allows 500"):
        desk.submit(ids["question"], text="a" * 494)
    assert all_items(desk.store) == []  # refused before anything was queued

    item = desk.submit(ids["question"], text="b" * 493)  # 500 with the mention
    approve(desk.store, desk.config, "ana", item.id, library=desk.library(), now=desk.clock())
    (outcome,) = await desk.send()
    assert outcome.sent, outcome.error  # the platform counts what Triage counted
    (reply,) = own_replies(masto, native(ids["question"]))
    assert "@carol " + "b" * 493 in reply["content"]
