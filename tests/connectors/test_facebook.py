"""The Facebook Pages connector against the project's Facebook stand-in over HTTP on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.connectors.conftest import FAST, RequestLog, standin_account, sync
from triage.config import AccountConfig
from triage.connectors import Capability
from triage.connectors.facebook import COMMENT_FIELDS, FacebookConnector
from triage.errors import ActionRefused, ConfigError, Unavailable
from triage.model import Comment
from triage.standins import StandinServer
from triage.store import Store
from triage.sync_sink import cursor_key

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
ROOT = "/facebook/v19.0"
POST = "104_1"


def clock() -> datetime:
    return NOW


def person(k: int) -> dict[str, str]:
    return {"author_id": f"70{k % 3}", "author_name": f"Person {k % 3}"}


def seed(server: StandinServer, post: str = POST, count: int = 0, *, age: timedelta =
         timedelta(days=1), start: int = 0, at: datetime | None = None,
         replies: dict[int, int] | None = None) -> list[str]:
    """A post (made once) with ``count`` comments a minute apart and replies under some."""
    at = at or NOW - timedelta(hours=20)
    number = post.split("_")[-1]
    comments: list[dict[str, Any]] = []
    for k in range(start, start + count):
        cid = f"{number}_{9000 + k}"
        comments.append({"platform": "facebook", "post": post, "id": cid, **person(k),
                         "text": f"Comment {k}?", "created_at": at + timedelta(minutes=k)})
        for r in range((replies or {}).get(k, 0)):
            comments.append({"platform": "facebook", "post": post, "parent": cid,
                             "id": f"{cid}_{r}", **person(k + r + 1), "text": f"Reply {r} to {k}",
                             "created_at": at + timedelta(minutes=k, seconds=r + 1)})
    posts = [] if server.world.get("facebook", post) else [
        {"platform": "facebook", "id": post, "text": f"Post {post}", "created_at": NOW - age}]
    return server.seed(posts=posts, comments=comments)["comments"]


@pytest.fixture
def facebook(standins: StandinServer) -> tuple[AccountConfig, dict[str, str]]:
    return standin_account(standins, "facebook")


def test_paging_crosses_pages_and_an_empty_page_that_still_has_next(
    standins: StandinServer, facebook: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = facebook
    seed(standins, POST, 60, replies={0: 2, 30: 1})
    standins.add_comment({"platform": "facebook", "post": POST, "parent": "1_9005",
                          "author_id": account.page_id, "author_name": "Riverside Health",
                          "text": "Thanks, we will call you.",
                          "created_at": NOW - timedelta(hours=1)})
    standins.fault("facebook", "empty_page", path=f"/{POST}/comments")
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log, page_size=25, clock=clock)

    assert result.summary() == "facebook: 63 new, 0 updated, 0 errors"
    pages = log.to(f"{ROOT}/{POST}/comments")
    assert len(pages) == 4  # the empty page, then 25 + 25 + 14 (the Page's reply is read too)
    assert [r.url.params.get("after") is None for r in pages] == [True] + [False] * (
        len(pages) - 1)
    for request in pages:  # our filters are sent again on every page; the token never in a URL
        assert (request.url.params["filter"], request.url.params["order"]) == (
            "stream", "chronological")
        assert request.url.params["fields"] == COMMENT_FIELDS
        assert request.url.params["limit"] == "25"
        assert "access_token" not in request.url.params
    assert [f["kind"] for f in standins.fault_log()] == ["empty_page"]
    post_id = f"facebook:facebook:{POST}"
    top, reply = store.get("facebook:facebook:1_9000"), store.get("facebook:facebook:1_9000_1")
    assert (top.post_id, top.parent_id, top.native_id) == (post_id, None, "1_9000")
    assert (reply.post_id, reply.parent_id) == (post_id, top.id)
    assert top.created_at == NOW - timedelta(hours=20) and top.author.name == "Person 0"
    assert top.permalink == "https://www.facebook.com/riversidehealth/posts/1?comment_id=9000"
    assert store.posts[post_id].text == f"Post {POST}"
    assert not [c for c in store if c.author.id == account.page_id]  # the Page's own reply


def test_a_resync_duplicates_nothing_and_finds_new_comments_on_older_posts(
    standins: StandinServer, facebook: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = facebook
    seed(standins, "104_1", 3, age=timedelta(days=1))
    seed(standins, "104_2", 3, age=timedelta(days=5))
    seed(standins, "104_3", 3, age=timedelta(days=40))  # outside the 30 days looked at
    log = RequestLog()

    first = sync([account], store, environ=environ, log=log, clock=clock)[0]
    [feed] = log.to(f"{ROOT}/{account.page_id}/feed")
    quiet = RequestLog()
    second = sync([account], store, environ=environ, log=quiet, clock=clock)[0]
    seed(standins, "104_2", 1, start=3, at=NOW - timedelta(hours=1), replies={3: 1})
    later = RequestLog()
    third = sync([account], store, environ=environ, log=later, clock=clock)[0]

    assert (first.new, second.new, third.new, third.updated) == (6, 0, 2, 0)
    assert feed.url.params["since"] == str(int((NOW - timedelta(days=30)).timestamp()))
    assert not log.to(f"{ROOT}/104_3/comments")
    assert not [r for r in quiet.requests if r.url.path.endswith("/comments")]
    [asked] = [r for r in later.requests if r.url.path.endswith("/comments")]
    assert asked.url.path == f"{ROOT}/104_2/comments"
    assert asked.url.params["since"] == str(int((NOW - timedelta(hours=20, minutes=-2))
                                                .timestamp()))
    store.set_state(cursor_key("facebook"), {})  # a lost cursor: everything comes again
    again = sync([account], store, environ=environ, clock=clock)[0]
    assert (again.new, again.updated, len(store)) == (0, 0, 8)


def test_only_the_newest_posts_are_looked_at(
    standins: StandinServer, facebook: tuple[AccountConfig, dict[str, str]], store: Store,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    account, environ = facebook
    for n in range(1, 4):
        seed(standins, f"104_{n}", 1, age=timedelta(days=n))
    monkeypatch.setattr(FacebookConnector, "recent_posts", 2)

    sync([account], store, environ=environ, clock=clock)

    assert sorted(c.post_id or "" for c in store) == ["facebook:facebook:104_1",
                                                       "facebook:facebook:104_2"]


def test_a_usage_near_the_limit_pauses_and_the_sync_resumes_later(
    standins: StandinServer, facebook: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = facebook
    seed(standins, POST, 60)
    standins.rate_limit("facebook", 3, window=600)  # the feed and two pages, then 100 %

    first = sync([account], store, environ=environ, page_size=25, clock=clock)[0]
    assert first.status is not None and first.status.state == "rate_limited"
    # estimated_time_to_regain_access: what is left of the stand-in's window, in minutes
    assert first.status.until == NOW + timedelta(minutes=9)
    assert first.new == 50
    skipped = RequestLog()
    meanwhile = sync([account], store, environ=environ, log=skipped,
                     clock=lambda: NOW + timedelta(minutes=5))[0]
    standins.rate_limit("facebook", None)
    resumed = RequestLog()
    later = sync([account], store, environ=environ, log=resumed, page_size=25,
                 clock=lambda: NOW + timedelta(minutes=11))[0]

    assert meanwhile.new == 0 and not skipped.requests  # paused: nothing sent
    assert later.summary() == "facebook: 10 new, 0 updated, 0 errors"
    [asked] = resumed.to(f"{ROOT}/{POST}/comments")
    assert asked.url.params["since"] == str(int((NOW - timedelta(hours=20, minutes=-49))
                                                .timestamp()))
    assert len(store) == 60


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_throttle_codes_pause_until_the_platform_says(
    standins: StandinServer, facebook: tuple[AccountConfig, dict[str, str]], store: Store,
    code: int
) -> None:
    account, environ = facebook
    seed(standins, POST, 2)
    standins.fault("facebook", "throttle", path=f"/{account.page_id}/feed", code=code,
                   reset_after=150)

    [result] = sync([account], store, environ=environ, clock=clock)

    assert result.status is not None and result.status.state == "rate_limited"
    assert result.status.until == NOW + timedelta(minutes=2)  # estimated_time_to_regain_access
    assert not result.failed and len(store) == 0


def test_a_429_without_retry_after_pauses_for_the_default_time(
    standins: StandinServer, facebook: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = facebook
    seed(standins, POST, 2)
    standins.fault("facebook", "status", status=429)

    [result] = sync([account], store, environ=environ, clock=clock)

    assert result.status is not None and result.status.state == "rate_limited"
    assert result.status.until == NOW + timedelta(seconds=FAST.default_pause)


def test_a_malformed_comment_is_named_skipped_and_read_again_by_id(
    standins: StandinServer, facebook: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = facebook
    seed(standins, POST, 5)
    standins.fault("facebook", "malformed_item", path=f"/{POST}/comments", index=1)

    first = sync([account], store, environ=environ, clock=clock)[0]
    log = RequestLog()
    second = sync([account], store, environ=environ, log=log, clock=clock)[0]

    assert first.summary() == "facebook: 4 new, 0 updated, 1 error"
    [problem] = first.problems
    assert problem.startswith("facebook: skipped facebook comment 1_9001 on post 104_1: ")
    assert "Comment 1" not in problem and environ["FACEBOOK_TOKEN"] not in problem
    assert second.summary() == "facebook: 1 new, 0 updated, 0 errors"
    assert log.to(f"{ROOT}/1_9001") and not log.to(f"{ROOT}/{POST}/comments")
    assert store.get("facebook:facebook:1_9001").text == "Comment 1?"
    assert "retry" not in (store.state(cursor_key("facebook")) or {})["cursor"]["posts"][POST]


def test_a_comment_that_stays_broken_is_given_up_after_three_tries(
    standins: StandinServer, facebook: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = facebook
    seed(standins, POST, 3)
    standins.fault("facebook", "malformed_item", path=f"/{POST}/comments", index=0)
    standins.fault("facebook", "malformed", path="/1_9000", variant="wrong_shape", times=None)

    results = [sync([account], store, environ=environ, clock=clock)[0] for _ in range(4)]

    assert [len(r.problems) for r in results] == [1, 0, 1, 0]
    assert results[2].problems[0].startswith(
        "facebook: gave up on facebook comment 1_9000 after 3 tries: ")
    assert len(store) == 2 and not results[3].failed


def test_a_page_that_cannot_be_read_keeps_what_came_before(
    standins: StandinServer, facebook: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = facebook
    seed(standins, "104_1", 3, age=timedelta(hours=5))
    seed(standins, "104_2", 3, age=timedelta(days=2))
    standins.fault("facebook", "malformed", path="/104_2/comments", times=FAST.attempts)

    broken = sync([account], store, environ=environ, clock=clock)[0]
    log = RequestLog()
    fixed = sync([account], store, environ=environ, log=log, clock=clock)[0]

    assert broken.status is not None and broken.status.state == "error"
    assert "not JSON" in broken.status.message and broken.new == 3
    assert fixed.summary() == "facebook: 3 new, 0 updated, 0 errors"
    assert not log.to(f"{ROOT}/104_1/comments")  # read whole before: not again
    assert len(store) == 6


def test_an_expired_token_names_the_account_and_the_variable(
    standins: StandinServer, facebook: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = facebook
    seed(standins, POST, 2)
    standins.fault("facebook", "expired_token")

    [expired] = sync([account], store, environ=environ, clock=clock)
    [unset] = sync([account], store, environ={}, clock=clock)

    assert expired.status is not None and expired.status.state == "auth_error"
    assert expired.status.message.startswith(
        "facebook: facebook refused the token in FACEBOOK_TOKEN: it has expired (")
    assert environ["FACEBOOK_TOKEN"] not in expired.status.message
    assert unset.status is not None and unset.status.message == (
        "facebook: the environment variable FACEBOOK_TOKEN is not set (it must hold the "
        "account's facebook token)")


def test_a_timeout_and_a_server_error_are_retried(
    standins: StandinServer, facebook: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = facebook
    seed(standins, POST, 4)
    standins.fault("facebook", "delay", path=f"/{POST}/comments", delay=FAST.timeout * 2)
    standins.fault("facebook", "status", path=f"/{account.page_id}/feed", status=500)
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log, clock=clock)

    assert result.summary() == "facebook: 4 new, 0 updated, 0 errors"
    assert len(log.to(f"{ROOT}/{POST}/comments")) == 2
    assert len(log.to(f"{ROOT}/{account.page_id}/feed")) == 2


def test_a_platform_that_never_answers_is_unavailable(
    standins: StandinServer, facebook: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = facebook
    seed(standins, POST, 1)
    impatient = replace(FAST, attempts=2, timeout=0.2)
    standins.fault("facebook", "delay", delay=0.4, times=2)

    [result] = sync([account], store, environ=environ, clock=clock, policy=impatient)

    assert result.status is not None and result.status.state == "error"
    assert result.status.message == (f"facebook: facebook did not answer GET {ROOT}/"
                                      f"{account.page_id}/feed within 0.2 s")


# -- the thread and the write side ---------------------------------------------------------


@pytest.fixture
async def page(facebook: tuple[AccountConfig, dict[str, str]]
               ) -> AsyncIterator[FacebookConnector]:
    account, environ = facebook
    async with httpx.AsyncClient() as client:
        yield FacebookConnector(account, environ["FACEBOOK_TOKEN"], client, policy=FAST,
                                clock=clock)


async def comments(connector: FacebookConnector) -> dict[str, Comment]:
    found: dict[str, Comment] = {}
    async for one in connector.pages(None):
        found.update((c.native_id, c) for c in one.comments)
    return found


async def test_a_reply_is_posted_found_and_deleted(
    standins: StandinServer, page: FacebookConnector
) -> None:
    seed(standins, POST, 2)
    comment = (await comments(page))["1_9000"]
    assert await page.find_reply(comment, "Yes, walk in any time.", idempotency_key="k") is None

    reply_id = await page.reply(comment, "Yes, walk in any time.", idempotency_key="k")
    found = await page.find_reply(comment, "Yes,  walk in any time. ", idempotency_key="k")
    await page.delete_reply(reply_id)
    await page.delete_reply(reply_id)  # already gone: still done

    assert found == reply_id
    assert [(p["action"], p["target"]) for p in standins.posted("facebook")] == [
        ("reply", "1_9000"), ("delete", reply_id)]
    assert standins.posted("facebook")[0]["text"] == "Yes, walk in any time."


async def test_a_reply_that_timed_out_is_found_instead_of_posted_twice(
    standins: StandinServer, page: FacebookConnector
) -> None:
    seed(standins, POST, 1)
    comment = (await comments(page))["1_9000"]
    standins.fault("facebook", "commit_then_delay", method="POST", path="/1_9000/comments",
                   delay=FAST.timeout * 2)

    with pytest.raises(Unavailable, match="may have taken effect"):
        await page.reply(comment, "We are open until 6.", idempotency_key="k")
    found = await page.find_reply(comment, "We are open until 6.", idempotency_key="k")

    [posted] = standins.posted("facebook")
    assert found == posted["id"]


async def test_hide_unhide_and_delete_and_what_facebook_refuses(
    standins: StandinServer, page: FacebookConnector
) -> None:
    seed(standins, POST, 2)
    found = await comments(page)
    own = await page.reply(found["1_9000"], "Thanks!", idempotency_key="k")
    ours = Comment(id=page.comment_id(own), platform="facebook", account="facebook", text="",
                   created_at=NOW, author=found["1_9000"].author, native_id=own)

    await page.hide(found["1_9000"])
    await page.hide(found["1_9000"], hidden=False)
    await page.delete(found["1_9001"])
    await page.delete(found["1_9001"])  # already gone: done
    with pytest.raises(ActionRefused, match=r"facebook: facebook refused to hide \(\(#100\) "
                                            r"This comment cannot be hidden"):
        await page.hide(ours)
    with pytest.raises(ActionRefused, match="cannot reply: the facebook comment is no longer"):
        await page.reply(found["1_9001"], "Hello", idempotency_key="k2")

    assert [p["action"] for p in standins.posted("facebook")] == [
        "reply", "hide", "unhide", "delete"]
    assert page.why_not(Capability.HIDE) == "" and page.supports(Capability.DELETE)


async def test_the_thread_holds_the_post_the_comments_and_the_pages_replies(
    standins: StandinServer, page: FacebookConnector
) -> None:
    seed(standins, POST, 2, replies={0: 2})
    found = await comments(page)
    ours = await page.reply(found["1_9000"], "We will call you.", idempotency_key="k")

    thread = await page.thread(found["1_9000_1"])

    assert thread.post is not None and thread.post.text == f"Post {POST}"
    assert [c.native_id for c in thread.comments] == ["1_9000", "1_9000_0", "1_9000_1"]
    assert [(c.native_id, c.text, c.parent_id) for c in thread.own] == [
        (ours, "We will call you.", "facebook:facebook:1_9000")]
    assert {c.post_id for c in (*thread.comments, *thread.own)} == {thread.post.id}


async def test_an_account_without_a_page_id_is_a_config_error() -> None:
    account = AccountConfig(name="fb", platform="facebook", token_env="FB_TOKEN")
    async with httpx.AsyncClient() as client:
        with pytest.raises(ConfigError, match="account fb: page_id is needed for facebook"):
            FacebookConnector(account, "token", client)


def test_a_comment_approved_late_with_an_old_time_is_still_found(
    standins: StandinServer, facebook: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = facebook
    seed(standins, "104_1", 5)
    sync([account], store, environ=environ, clock=clock)
    # The Page's filter held this comment for review; approved now, it keeps the time it
    # was written, before the newest comment already read.
    standins.seed(comments=[{"platform": "facebook", "post": "104_1", "id": "1_7777",
                             **person(1), "text": "Held, then approved?",
                             "created_at": NOW - timedelta(hours=20, minutes=-2, seconds=30)}])
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log, clock=clock)

    assert result.summary() == "facebook: 1 new, 0 updated, 0 errors"
    assert store.get("facebook:facebook:1_7777").text == "Held, then approved?"
    forward, back = log.to(f"{ROOT}/104_1/comments")
    assert "since" in forward.url.params
    assert back.url.params["order"] == "reverse_chronological"
    quiet = RequestLog()
    [again] = sync([account], store, environ=environ, log=quiet, clock=clock)
    assert again.summary() == "facebook: 0 new, 0 updated, 0 errors"
    assert not quiet.to(f"{ROOT}/104_1/comments")  # the count is caught up: no look-back
