"""The Instagram connector against the project's Instagram stand-in over HTTP on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.connectors.conftest import FAST, RequestLog, standin_account, sync
from triage.config import AccountConfig
from triage.connectors.instagram import COMMENT_FIELDS, InstagramConnector
from triage.errors import ActionRefused, ConfigError, Unavailable
from triage.model import Comment
from triage.standins import StandinServer
from triage.store import Store
from triage.sync_sink import cursor_key

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
ROOT = "/instagram/v19.0"
MEDIA = "17900000000000001"
OTHER = "17900000000000002"


def clock() -> datetime:
    return NOW


def cid(k: int) -> str:
    return str(17950000000000000 + k)


def seed(server: StandinServer, media: str = MEDIA, count: int = 0, *, start: int = 0,
         age: timedelta = timedelta(days=1), at: datetime | None = None,
         replies: dict[int, int] | None = None) -> None:
    """A media (made once) with ``count`` top-level comments a minute apart, and replies."""
    at = at or NOW - timedelta(hours=20)
    comments: list[dict[str, Any]] = []
    for k in range(start, start + count):
        comments.append({"platform": "instagram", "post": media, "id": cid(k),
                         "author_id": f"9{k % 3}", "author_name": f"Person {k % 3}",
                         "author_handle": f"person{k % 3}", "text": f"Comment {k}?",
                         "created_at": at + timedelta(minutes=k)})
        for r in range((replies or {}).get(k, 0)):
            comments.append({"platform": "instagram", "post": media, "parent": cid(k),
                             "id": f"{cid(k)}{r:03d}", "author_id": "95",
                             "author_name": "Eli", "author_handle": "eli",
                             "text": f"Reply {r} to {k}",
                             "created_at": at + timedelta(minutes=k, seconds=r + 1)})
    posts = [] if server.world.get("instagram", media) else [
        {"platform": "instagram", "id": media, "text": f"Caption {media}",
         "created_at": NOW - age}]
    server.seed(posts=posts, comments=comments)


@pytest.fixture
def instagram(standins: StandinServer) -> tuple[AccountConfig, dict[str, str]]:
    account, environ = standin_account(standins, "instagram")
    return replace(account, media_ids=[]), environ  # read the account's media listing


def test_paging_crosses_pages_an_empty_page_and_long_reply_lists(
    standins: StandinServer, instagram: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = instagram
    seed(standins, MEDIA, 60, replies={0: 2, 59: 60})
    standins.fault("instagram", "empty_page", path=f"/{MEDIA}/comments")
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log, page_size=25, clock=clock)

    assert result.summary() == "instagram: 122 new, 0 updated, 0 errors"
    pages = log.to(f"{ROOT}/{MEDIA}/comments")
    assert len(pages) == 4  # the empty page, then 25 + 25 + 10 top-level comments
    for request in pages:
        assert request.url.params["fields"].startswith(COMMENT_FIELDS + ",replies.limit(50){")
        assert request.url.params["limit"] == "25" and "access_token" not in request.url.params
    [rest] = log.to(f"{ROOT}/{cid(59)}/replies")  # 50 given inline, 10 from the edge
    assert rest.url.params["after"] and rest.url.params["fields"] == COMMENT_FIELDS
    [listing] = log.to(f"{ROOT}/{account.user_id}/media")
    assert listing.url.params["since"] == str(int((NOW - timedelta(days=30)).timestamp()))
    post_id = f"instagram:instagram:{MEDIA}"
    top, reply = store.get(f"instagram:instagram:{cid(0)}"), store.get(
        f"instagram:instagram:{cid(0)}001")
    assert (top.post_id, top.parent_id, top.author.handle) == (post_id, None, "@person0")
    assert (reply.post_id, reply.parent_id, reply.text) == (post_id, top.id, "Reply 1 to 0")
    assert top.permalink == store.posts[post_id].permalink != ""
    assert store.posts[post_id].text == f"Caption {MEDIA}"


def test_a_resync_reads_only_media_whose_count_moved_and_duplicates_nothing(
    standins: StandinServer, instagram: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = instagram
    seed(standins, MEDIA, 3)
    seed(standins, OTHER, 2, start=10, age=timedelta(days=3))
    first = sync([account], store, environ=environ, clock=clock)[0]
    quiet = RequestLog()
    second = sync([account], store, environ=environ, log=quiet, clock=clock)[0]
    standins.add_comment({"platform": "instagram", "post": OTHER, "parent": cid(10),
                          "id": "17950000000000999", "author_id": "97", "author_name": "Kim",
                          "author_handle": "kim", "text": "Same question here",
                          "created_at": NOW - timedelta(minutes=5)})
    later = RequestLog()
    third = sync([account], store, environ=environ, log=later, clock=clock)[0]
    stale = RequestLog()
    hour_later = sync([account], store, environ=environ, log=stale,
                      clock=lambda: NOW + timedelta(hours=1))[0]

    assert (first.new, second.new, third.new, third.updated, hour_later.new) == (5, 0, 1, 0, 0)
    assert not [r for r in quiet.requests if r.url.path.endswith("/comments")]
    assert [r.url.path for r in later.requests if r.url.path.endswith("/comments")] == [
        f"{ROOT}/{OTHER}/comments"]
    assert len([r for r in stale.requests if r.url.path.endswith("/comments")]) == 2
    new = store.get("instagram:instagram:17950000000000999")
    assert new.parent_id == f"instagram:instagram:{cid(10)}"
    assert len(store) == 6


def test_media_ids_in_the_config_are_read_and_a_gone_one_is_named(
    standins: StandinServer, instagram: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = instagram
    seed(standins, MEDIA, 2)
    seed(standins, OTHER, 2, start=10)
    listed = replace(account, media_ids=[OTHER, "17900000000000404"])

    [result] = sync([listed], store, environ=environ, clock=clock)

    assert (result.new, len(result.problems)) == (2, 1)
    assert result.problems[0] == (
        "instagram: instagram media 17900000000000404 is no longer there (deleted, or not "
        "visible to the account) (it is listed in media_ids)")
    assert {c.post_id for c in store} == {f"instagram:instagram:{OTHER}"}


def test_the_accounts_own_replies_are_not_queue_items(
    standins: StandinServer, instagram: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = instagram
    seed(standins, MEDIA, 1)
    standins.add_comment({"platform": "instagram", "post": MEDIA, "parent": cid(0),
                          "author_id": account.user_id, "author_name": "Riverside Health",
                          "author_handle": "riversidehealth", "text": "@person0 Yes, free.",
                          "created_at": NOW - timedelta(hours=2)})

    [result] = sync([account], store, environ=environ, clock=clock)

    assert result.new == 1 and [c.native_id for c in store] == [cid(0)]


def test_a_malformed_comment_is_named_skipped_and_read_again_by_id(
    standins: StandinServer, instagram: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = instagram
    seed(standins, MEDIA, 5)
    standins.fault("instagram", "malformed_item", path=f"/{MEDIA}/comments", index=2,
                   variant="missing_fields")

    first = sync([account], store, environ=environ, clock=clock)[0]
    second = sync([account], store, environ=environ, clock=clock)[0]

    assert first.summary() == "instagram: 4 new, 0 updated, 1 error"
    assert first.problems == [f"instagram: skipped instagram comment {cid(2)} on media {MEDIA}: "
                              "text is missing, not text"]
    assert second.summary() == "instagram: 1 new, 0 updated, 0 errors"
    assert store.get(f"instagram:instagram:{cid(2)}").text == "Comment 2?"


def test_an_interrupted_read_goes_on_from_where_it_stopped(
    standins: StandinServer, instagram: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = instagram
    seed(standins, MEDIA, 60)
    standins.rate_limit("instagram", 3, window=600)  # the listing and two pages, then 100 %

    first = sync([account], store, environ=environ, page_size=25, clock=clock)[0]
    kept = (store.state(cursor_key("instagram")) or {})["cursor"]["posts"][MEDIA]
    standins.rate_limit("instagram", None)
    log = RequestLog()
    later = sync([account], store, environ=environ, log=log, page_size=25,
                 clock=lambda: NOW + timedelta(minutes=11))[0]

    assert first.status is not None and first.status.state == "rate_limited"
    assert first.new == 50 and kept["walk"]["n"] == 60
    [asked] = log.to(f"{ROOT}/{MEDIA}/comments")
    assert asked.url.params["after"] == kept["walk"]["follow"]["after"]
    assert later.summary() == "instagram: 10 new, 0 updated, 0 errors" and len(store) == 60


@pytest.mark.parametrize(("kind", "state", "message"), [
    ("throttle", "rate_limited", "instagram: instagram rate limit (code 80002); paused until"),
    ("expired_token", "auth_error",
     "instagram: instagram refused the token in INSTAGRAM_TOKEN: it has expired ("),
])
def test_throttles_and_expired_tokens(
    standins: StandinServer, instagram: tuple[AccountConfig, dict[str, str]], store: Store,
    kind: str, state: str, message: str
) -> None:
    account, environ = instagram
    seed(standins, MEDIA, 2)
    standins.fault("instagram", kind, path=f"/{MEDIA}/comments", reset_after=150)

    [result] = sync([account], store, environ=environ, clock=clock)

    assert result.status is not None and result.status.state == state
    assert result.status.message.startswith(message)
    assert environ["INSTAGRAM_TOKEN"] not in result.status.message
    if kind == "throttle":  # code 80002, with the business use case's estimate
        assert result.status.until == NOW + timedelta(minutes=2)


def test_a_timeout_is_retried_and_the_replies_come_too(
    standins: StandinServer, instagram: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    account, environ = instagram
    seed(standins, MEDIA, 1, replies={0: 3})
    standins.fault("instagram", "delay", path=f"/{MEDIA}/comments", delay=FAST.timeout * 2)

    [result] = sync([account], store, environ=environ, clock=clock)

    assert result.summary() == "instagram: 4 new, 0 updated, 0 errors"


# -- the thread and the write side ---------------------------------------------------------


@pytest.fixture
async def account_(instagram: tuple[AccountConfig, dict[str, str]]
                   ) -> AsyncIterator[tuple[InstagramConnector, RequestLog]]:
    account, environ = instagram
    log = RequestLog()
    async with httpx.AsyncClient(event_hooks={"request": [log]}) as client:
        yield InstagramConnector(account, environ["INSTAGRAM_TOKEN"], client, policy=FAST,
                                 clock=clock), log


async def comments(connector: InstagramConnector) -> dict[str, Comment]:
    found: dict[str, Comment] = {}
    async for one in connector.pages(None):
        found.update((c.native_id, c) for c in one.comments)
    return found


async def test_replies_go_to_top_level_comments_and_are_found_again(
    standins: StandinServer, account_: tuple[InstagramConnector, RequestLog]
) -> None:
    connector, _ = account_
    seed(standins, MEDIA, 1)
    comment = (await comments(connector))[cid(0)]

    reply_id = await connector.reply(comment, "Yes, it is free.", idempotency_key="k")
    found = await connector.find_reply(comment, "Yes,  it is free.", idempotency_key="k")
    await connector.delete_reply(reply_id)
    await connector.delete_reply(reply_id)

    assert found == reply_id
    assert [(p["action"], p["target"]) for p in standins.posted("instagram")] == [
        ("reply", cid(0)), ("delete", reply_id)]


async def test_replies_instagram_does_not_take_are_refused_with_the_reason(
    standins: StandinServer, account_: tuple[InstagramConnector, RequestLog]
) -> None:
    connector, log = account_
    seed(standins, MEDIA, 2, replies={0: 1})
    found = await comments(connector)
    await connector.hide(found[cid(1)])
    sent = len(log.requests)

    with pytest.raises(ActionRefused, match="Instagram takes replies only to top-level "
                                            "comments, and this one answers another comment"):
        await connector.reply(found[f"{cid(0)}000"], "Thanks", idempotency_key="k")
    assert len(log.requests) == sent  # known from the comment itself: nothing sent
    with pytest.raises(ActionRefused, match="Instagram takes no replies to a hidden comment: "
                                            "unhide it first"):
        await connector.reply(found[cid(1)], "Thanks", idempotency_key="k")

    assert [r.method for r in log.requests[sent:]] == ["GET"]
    assert [p["action"] for p in standins.posted("instagram")] == ["hide"]


async def test_hide_unhide_delete_and_a_reply_that_timed_out(
    standins: StandinServer, account_: tuple[InstagramConnector, RequestLog]
) -> None:
    connector, log = account_
    seed(standins, MEDIA, 2)
    found = await comments(connector)
    standins.fault("instagram", "commit_then_delay", method="POST",
                   path=f"/{cid(0)}/replies", delay=FAST.timeout * 2)

    await connector.hide(found[cid(1)])
    await connector.hide(found[cid(1)], hidden=False)
    await connector.delete(found[cid(1)])
    await connector.delete(found[cid(1)])
    with pytest.raises(Unavailable, match="may have taken effect"):
        await connector.reply(found[cid(0)], "Open until 6.", idempotency_key="k")
    again = await connector.find_reply(found[cid(0)], "Open until 6.", idempotency_key="k")

    hides = [r for r in log.requests if r.method == "POST" and r.url.path.endswith(cid(1))]
    assert [r.content for r in hides] == [b"hide=true", b"hide=false"]
    assert [p["action"] for p in standins.posted("instagram")] == [
        "hide", "unhide", "delete", "reply"]
    assert again == standins.posted("instagram")[-1]["id"]


async def test_the_thread_holds_the_media_the_comments_and_our_replies(
    standins: StandinServer, account_: tuple[InstagramConnector, RequestLog]
) -> None:
    connector, _ = account_
    seed(standins, MEDIA, 1, replies={0: 2})
    found = await comments(connector)
    ours = await connector.reply(found[cid(0)], "We will call you.", idempotency_key="k")

    thread = await connector.thread(found[f"{cid(0)}001"])

    assert thread.post is not None and thread.post.text == f"Caption {MEDIA}"
    assert [c.native_id for c in thread.comments] == [cid(0), f"{cid(0)}000", f"{cid(0)}001"]
    assert [(c.native_id, c.parent_id) for c in thread.own] == [
        (ours, f"instagram:instagram:{cid(0)}")]
    assert thread.comments[0].parent_id is None


async def test_an_account_without_user_id_or_media_ids_is_a_config_error() -> None:
    account = AccountConfig(name="ig", platform="instagram", token_env="IG_TOKEN")
    async with httpx.AsyncClient() as client:
        with pytest.raises(ConfigError, match="account ig: user_id .* or media_ids is needed"):
            InstagramConnector(account, "token", client)
