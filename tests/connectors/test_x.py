"""The X connector against the project's X stand-in over HTTP on loopback."""

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
from triage.connectors.x import XConnector
from triage.connectors.x_payload import permalink, plain
from triage.errors import ActionRefused, ConfigError, Unavailable
from triage.model import Comment, utcnow
from triage.standins import StandinServer
from triage.store import Store
from triage.sync_sink import cursor_key

T0 = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
POST = "1800000000000000000"
OTHER = "1800000000000000500"  # somebody else's post the account is mentioned under
MENTIONS = "/x/2/users/{}/mentions"


def tweet_id(k: int) -> str:
    return str(int(POST) + 1000 + k)


def person(k: int) -> dict[str, str]:
    return {"author_id": f"70{k % 3}", "author_name": f"Person {k % 3}",
            "author_handle": f"person{k % 3}"}


def seed(server: StandinServer, count: int, *, start: int = 0,
         extra: list[dict[str, Any]] | None = None) -> None:
    """The account's post and ``count`` replies to it, a minute apart (ids tweet_id(k))."""
    posts = [{"platform": "x", "id": POST, "text": "Flu shots Saturday &amp; Sunday",
              "created_at": T0}] if server.world.get("x", POST) is None else []
    comments = [{"platform": "x", "post": POST, "id": tweet_id(k), "text": f"Comment {k}?",
                 "created_at": T0 + timedelta(minutes=k + 1), **person(k)}
                for k in range(start, start + count)]
    server.seed(posts=posts, comments=comments + (extra or []))


@pytest.fixture
def x_account(standins: StandinServer) -> tuple[AccountConfig, dict[str, str]]:
    return standin_account(standins, "x")


def mentions(account: AccountConfig) -> str:
    return MENTIONS.format(account.user_id)


def test_paging_walks_three_pages_and_sends_the_filters_again(
    standins: StandinServer, x_account: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 12)
    account, environ = x_account
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log, page_size=5)

    assert result.summary() == "x: 12 new, 0 updated, 0 errors"
    pages = log.to(mentions(account))
    assert len(pages) == 3
    for request in pages:
        params = request.url.params
        assert params["tweet.fields"] == ("created_at,author_id,conversation_id,"
                                          "in_reply_to_user_id,referenced_tweets")
        assert (params["expansions"], params["user.fields"], params["max_results"]) == (
            "author_id", "username,name", "5")
        assert "since_id" not in params
    assert [r.url.params.get("pagination_token") is None for r in pages] == [True, False, False]
    assert len(log.to("/x/2/tweets")) == 1  # the post is looked up once
    assert sorted(c.text for c in store) == sorted(
        f"@riverside_health Comment {k}?" for k in range(12))
    assert store.state(cursor_key("x"))["cursor"] == {"since_id": tweet_id(11)}


def test_mentions_are_placed_under_the_post_and_their_parent(
    standins: StandinServer, x_account: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = x_account
    org = standins.world.account("x")
    seed(standins, 1, extra=[
        {"platform": "x", "post": POST, "parent": tweet_id(0), "id": tweet_id(1),
         "text": "me too &amp; my kids &lt;3", "created_at": T0 + timedelta(minutes=5),
         **person(1)},
        {"platform": "x", "post": POST, "parent": tweet_id(0), "id": tweet_id(2),
         "text": "Yes, walk in.", "created_at": T0 + timedelta(minutes=6),
         "author_id": org.id},
    ])
    standins.seed(posts=[{"platform": "x", "id": OTHER, "account": "x", "text": "x"}])
    standins.world.get("x", OTHER).author_id = "999"  # a post the account did not write
    standins.seed(comments=[{"platform": "x", "post": OTHER, "id": tweet_id(3),
                             "text": "ask them", "created_at": T0 + timedelta(minutes=7),
                             **person(2)}])

    [result] = sync([account], store, environ=environ)

    assert result.summary() == "x: 3 new, 0 updated, 0 errors"  # the account's own is not
    post_id = f"x:x:{POST}"
    top, deeper = store.get(f"x:x:{tweet_id(0)}"), store.get(f"x:x:{tweet_id(1)}")
    aside = store.get(f"x:x:{tweet_id(3)}")
    assert (top.post_id, top.parent_id) == (post_id, None)
    assert (deeper.post_id, deeper.parent_id) == (post_id, top.id)
    assert (aside.post_id, aside.parent_id) == (None, f"x:x:{OTHER}")
    assert deeper.text == "@person0 @riverside_health me too & my kids <3"  # unescaped
    assert (top.author.name, top.author.handle, top.author.id) == ("Person 0", "@person0", "700")
    assert top.permalink == f"https://x.com/person0/status/{tweet_id(0)}"
    post = store.posts[post_id]
    assert post.text == "Flu shots Saturday & Sunday"
    assert post.permalink == f"https://x.com/{org.handle}/status/{POST}"
    assert post.created_at == T0


def test_a_resync_asks_since_the_newest_and_never_duplicates(
    standins: StandinServer, x_account: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 4)
    account, environ = x_account
    assert sync([account], store, environ=environ)[0].new == 4
    seed(standins, 3, start=4)
    log = RequestLog()

    [again] = sync([account], store, environ=environ, log=log)

    assert (again.new, again.updated) == (3, 0)
    assert [r.url.params["since_id"] for r in log.to(mentions(account))] == [tweet_id(3)]
    assert log.to("/x/2/tweets") == []  # the post is in the store: no lookup
    assert sync([account], store, environ=environ)[0].summary() == (
        "x: 0 new, 0 updated, 0 errors")
    store.set_state(cursor_key("x"), {})  # a lost cursor: everything comes again
    [full] = sync([account], store, environ=environ)
    assert (full.new, full.updated, len(store)) == (0, 0, 7)


@pytest.mark.parametrize("variant", ["", "legacy"])
def test_a_rate_limit_pauses_until_the_reset_and_resumes(
    standins: StandinServer, x_account: tuple[AccountConfig, dict[str, str]], store: Store,
    variant: str,
) -> None:
    seed(standins, 3)
    standins.fault("x", "throttle", path="/users/*/mentions", reset_after=600, variant=variant)
    account, environ = x_account
    now = utcnow()

    [first] = sync([account], store, environ=environ, clock=lambda: now)

    assert first.status is not None and first.status.state == "rate_limited"
    until = first.status.until
    assert until is not None and timedelta(seconds=590) < until - now <= timedelta(seconds=602)
    assert not first.failed and first.new == 0
    log = RequestLog()
    paused = sync([account], store, environ=environ, clock=lambda: now + timedelta(minutes=5),
                  log=log)
    assert paused[0].status is not None and paused[0].status.state == "rate_limited"
    assert log.requests == []
    resumed = sync([account], store, environ=environ, clock=lambda: until + timedelta(seconds=1))
    assert resumed[0].summary() == "x: 3 new, 0 updated, 0 errors"


def test_no_requests_left_pauses_before_the_next_one_and_keeps_the_page(
    standins: StandinServer, x_account: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 12)
    account, environ = x_account
    standins.rate_limit("x", 2, window=600)  # page 1 and the post's lookup, then none left
    log = RequestLog()

    [first] = sync([account], store, environ=environ, page_size=5, log=log)

    assert first.status is not None and first.status.state == "rate_limited"
    assert first.new == 5 and len(log.requests) == 2  # page 2 was not asked for
    kept = store.state(cursor_key("x"))["cursor"]
    assert kept["pagination_token"] and kept["newest_id"] == tweet_id(11)
    standins.rate_limit("x", None)
    assert first.status.until is not None
    [resumed] = sync([account], store, environ=environ, page_size=5,
                     clock=lambda: first.status.until + timedelta(seconds=1))  # type: ignore
    assert resumed.summary() == "x: 7 new, 0 updated, 0 errors"
    assert store.state(cursor_key("x"))["cursor"] == {"since_id": tweet_id(11)}


def test_an_interrupted_walk_resumes_at_its_token(
    standins: StandinServer, x_account: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 9)
    account, environ = x_account
    standins.fault("x", "delay", path="/users/*/mentions", delay=0)  # page 1 answers
    standins.fault("x", "malformed", path="/users/*/mentions", times=None)

    [broken] = sync([account], store, environ=environ, page_size=5)

    assert broken.status is not None and broken.status.state == "error" and broken.new == 5
    kept = store.state(cursor_key("x"))["cursor"]
    standins.clear_faults()
    log = RequestLog()

    [resumed] = sync([account], store, environ=environ, page_size=5, log=log)

    assert resumed.summary() == "x: 4 new, 0 updated, 0 errors"
    assert log.to(mentions(account))[0].url.params["pagination_token"] == kept[
        "pagination_token"]
    assert store.state(cursor_key("x"))["cursor"] == {"since_id": tweet_id(8)}


def test_a_pagination_token_no_longer_accepted_restarts_above_the_same_floor(
    standins: StandinServer, x_account: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 6)
    account, environ = x_account
    store.set_state(cursor_key("x"), {"platform": "x", "base_url": account.base_url, "cursor": {
        "since_id": tweet_id(1), "pagination_token": "%%stale%%", "newest_id": tweet_id(3)}})
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log)

    assert result.summary() == "x: 4 new, 0 updated, 0 errors"  # 2 to 5, above the floor
    sent = [(r.url.params.get("pagination_token"), r.url.params["since_id"])
            for r in log.to(mentions(account))]
    assert sent == [("%%stale%%", tweet_id(1)), (None, tweet_id(1))]
    assert store.state(cursor_key("x"))["cursor"] == {"since_id": tweet_id(5)}


def test_a_malformed_item_is_skipped_and_still_counts_for_the_cursor(
    standins: StandinServer, x_account: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 5)
    account, environ = x_account
    standins.fault("x", "malformed_item", path="/users/*/mentions", index=0,
                   variant="missing_fields")

    [result] = sync([account], store, environ=environ)

    assert (result.new, result.errors) == (4, 1)
    assert result.problems == [f"x: skipped x tweet {tweet_id(4)}: author_id is missing, "
                               "not an id"]
    assert store.state(cursor_key("x"))["cursor"] == {"since_id": tweet_id(4)}
    assert sync([account], store, environ=environ)[0].summary() == (
        "x: 0 new, 0 updated, 0 errors")


@pytest.mark.parametrize(
    ("kind", "options", "state", "words"),
    [
        ("status", {"status": 503}, "ok", ""),
        ("status", {"status": 500, "times": None}, "error", "is unavailable (500"),
        ("delay", {"delay": 1.0}, "ok", ""),
        ("delay", {"delay": 1.0, "times": None}, "error", "did not answer"),
        ("malformed", {"variant": "wrong_shape", "times": None}, "error", "not a list"),
        ("malformed", {"variant": "truncated", "times": None}, "error", "not JSON"),
        ("empty_page", {}, "ok", ""),
        ("empty_page", {"times": None}, "error", "with the same next_token"),
    ],
)
def test_faults_are_retried_when_safe_and_reported_when_they_last(
    standins: StandinServer, x_account: tuple[AccountConfig, dict[str, str]], store: Store,
    kind: str, options: dict[str, Any], state: str, words: str,
) -> None:
    seed(standins, 2)
    standins.fault("x", kind, path="/users/*/mentions", **options)
    account, environ = x_account

    [result] = sync([account], store, environ=environ)

    assert result.status is not None and result.status.state == state
    assert words in result.status.message
    assert result.new == (2 if state == "ok" else 0)
    kept = store.state(cursor_key("x"))
    if state != "ok" and kind == "empty_page":  # the walk stays where the pages stopped
        assert kept is not None and kept["cursor"]["pagination_token"]
    elif state != "ok":
        assert kept is None  # the cursor did not move


def test_an_expired_token_and_a_wrong_user_id_are_named(
    standins: StandinServer, x_account: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 2)
    account, environ = x_account
    # Only the real account's path: both accounts sync at once.
    standins.fault("x", "expired_token", path=f"/users/{account.user_id}/mentions")
    stranger = replace(account, name="elsewhere", user_id="42")

    expired, wrong = sync([account, stranger], store, environ=environ)

    assert expired.status is not None and expired.status.state == "auth_error"
    assert expired.status.message == "x: x refused the token in X_TOKEN (401: Unauthorized)"
    assert wrong.status is not None and wrong.status.message == (
        "elsewhere: x has no user 42 (check user_id in the account's config)")


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("@dana @riverside_health  Walk-ins welcome. ", "Walk-ins welcome."),
        ("Walk-ins\nwelcome.", "Walk-ins welcome."),
        ("Email @dana about it", "Email @dana about it"),  # only leading mentions go
    ],
)
def test_replies_are_compared_without_leading_mentions_and_spacing(
    text: str, same_as: str
) -> None:
    assert plain(text) == same_as


@pytest.mark.parametrize(
    ("username", "link"),
    [
        ("dana_k", "https://x.com/dana_k/status/123"),
        ("", "https://x.com/i/web/status/123"),
        ("../evil", "https://x.com/i/web/status/123"),
    ],
)
def test_permalinks_are_in_x_style(username: str, link: str) -> None:
    assert permalink(username, "123") == link


# -- the write side ------------------------------------------------------------------


@pytest.fixture
async def x(standins: StandinServer,
            x_account: tuple[AccountConfig, dict[str, str]]) -> AsyncIterator[XConnector]:
    account, environ = x_account
    async with httpx.AsyncClient() as client:
        yield XConnector(account, environ["X_TOKEN"], client, policy=FAST)


async def read_all(connector: XConnector) -> dict[str, Comment]:
    return {c.native_id: c async for page in connector.pages(None) for c in page.comments}


async def test_a_reply_is_posted_once_and_found_before_posting_again(
    standins: StandinServer, x: XConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(x))[tweet_id(0)]
    assert await x.find_reply(comment, "Walk-ins welcome.", idempotency_key="k") is None

    first = await x.reply(comment, "Walk-ins welcome.", idempotency_key="k")
    again = await x.reply(comment, "Walk-ins welcome.", idempotency_key="k")  # X: duplicate

    assert first == again
    assert [(p["action"], p["target"], p["text"]) for p in standins.posted("x")] == [
        ("reply", tweet_id(0), "Walk-ins welcome.")]
    assert await x.find_reply(comment, " Walk-ins  welcome.", idempotency_key="k") == first
    await x.delete_reply(first)
    await x.delete_reply(first)  # already gone: still done
    assert await x.find_reply(comment, "Walk-ins welcome.", idempotency_key="k") is None


async def test_a_reply_that_timed_out_is_found_instead_of_posted_again(
    standins: StandinServer, x: XConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(x))[tweet_id(0)]
    standins.fault("x", "commit_then_delay", path="/tweets", method="POST", delay=1.0)

    with pytest.raises(Unavailable, match="it may have taken effect: check before sending"):
        await x.reply(comment, "We will call you.", idempotency_key="k")
    found = await x.find_reply(comment, "We will call you.", idempotency_key="k")

    [posted] = standins.posted("x")
    assert found == posted["id"]


async def test_a_reply_can_be_hidden_and_shown_again(
    standins: StandinServer, x: XConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(x))[tweet_id(0)]

    await x.hide(comment)
    await x.hide(comment, hidden=False)

    assert [(p["action"], p["target"]) for p in standins.posted("x")] == [
        ("hide", tweet_id(0)), ("unhide", tweet_id(0))]
    ours = await x.reply(comment, "Thanks!", idempotency_key="k")
    with pytest.raises(ActionRefused, match="x: x refused to hide post .*: X hides only replies "
                       "in conversations the account started, and the token in X_TOKEN"):
        await x.hide(replace(comment, native_id=ours))


async def test_the_thread_holds_the_post_the_comments_and_our_replies(
    standins: StandinServer, x: XConnector
) -> None:
    seed(standins, 2)
    comment = (await read_all(x))[tweet_id(0)]
    ours = await x.reply(comment, "Saturday 9 to 3.", idempotency_key="k")
    unplaced = replace(comment, post_id=None)  # the conversation is looked up

    thread = await x.thread(unplaced)

    assert thread.post is not None and thread.post.text == "Flu shots Saturday & Sunday"
    assert sorted(c.native_id for c in thread.comments) == [tweet_id(0), tweet_id(1)]
    assert [(c.native_id, c.parent_id) for c in thread.own] == [(ours, comment.id)]
    assert all(c.post_id == thread.post.id for c in thread.comments)


async def test_what_x_cannot_do_is_refused_with_the_reason(
    standins: StandinServer, x: XConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(x))[tweet_id(0)]

    assert x.why_not(Capability.REPLY) == ""
    with pytest.raises(ActionRefused, match="x: X lets an account delete only its own posts; "
                       "hide the reply instead"):
        await x.delete(comment)
    assert standins.posted("x") == []


@pytest.mark.parametrize("user_id", ["", "riverside"])
async def test_an_account_without_a_numeric_user_id_is_a_config_error(user_id: str) -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(ConfigError, match="account bird: user_id is needed for x"):
            XConnector(AccountConfig("bird", "x", "T", user_id=user_id), "token", client)
