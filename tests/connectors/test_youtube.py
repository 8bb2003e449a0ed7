"""The YouTube connector against the project's YouTube stand-in over HTTP on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.connectors.conftest import FAST, RequestLog, standin_account, sync
from triage.config import AccountConfig
from triage.connectors import Capability
from triage.connectors.youtube import YouTubeConnector, next_quota_reset
from triage.connectors.youtube_walk import Walk
from triage.errors import ActionRefused, ConfigError, ConnectorError, Unavailable
from triage.model import Comment, utcnow
from triage.standins import StandinServer
from triage.store import Store
from triage.sync_sink import cursor_key
from triage.timefmt import local

T0 = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
VIDEO = "vidFlu00001"
THREADS = "/youtube/v3/commentThreads"
REPLIES = "/youtube/v3/comments"


def person(k: int) -> dict[str, str]:
    return {"author_id": f"UCperson{k % 3}", "author_name": f"Person {k % 3}",
            "author_handle": f"person{k % 3}"}


def seed(server: StandinServer, threads: int, *, start: int = 0, at: datetime = T0,
         replies: dict[int, int] | None = None, video: str = VIDEO) -> None:
    """``threads`` top-level comments (ids Ugz{k}) a minute apart, with replies under some."""
    comments: list[dict[str, Any]] = []
    for k in range(start, start + threads):
        comments.append({"platform": "youtube", "post": video, "id": f"Ugz{k:04d}",
                         "text": f"Comment {k}?", "created_at": at + timedelta(minutes=k),
                         **person(k)})
        for r in range((replies or {}).get(k, 0)):
            comments.append({"platform": "youtube", "post": video, "parent": f"Ugz{k:04d}",
                             "text": f"Reply {r} to {k}", **person(k + r + 1),
                             "created_at": at + timedelta(minutes=k, seconds=r + 1)})
    server.seed(posts=[{"platform": "youtube", "id": video, "text": "Flu shots Saturday",
                        "created_at": T0 - timedelta(days=1)}]
                if server.world.get("youtube", video) is None else [], comments=comments)


@pytest.fixture
def youtube(standins: StandinServer) -> tuple[AccountConfig, dict[str, str]]:
    return standin_account(standins, "youtube")


def test_paging_walks_three_pages_and_sends_the_filters_again(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 12)
    account, environ = youtube
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log, page_size=5)

    assert result.summary() == "youtube: 12 new, 0 updated, 0 errors"
    pages = log.to(THREADS)
    assert len(pages) == 3
    for request in pages:
        params = request.url.params
        assert (params["allThreadsRelatedToChannelId"], params["order"], params["textFormat"],
                params["maxResults"], params["part"]) == (
            account.channel_id, "time", "plainText", "5", "snippet,replies")
    assert [r.url.params.get("pageToken") is None for r in pages] == [True, False, False]
    assert sorted(c.text for c in store) == sorted(f"Comment {k}?" for k in range(12))
    assert store.state(cursor_key("youtube"))["cursor"]["after"] == (
        T0 + timedelta(minutes=11)).isoformat()


def test_comments_are_placed_under_their_video_and_thread(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    channel = standins.world.account("youtube").id
    seed(standins, 2, replies={1: 7})  # 7 replies: more than a thread embeds
    standins.seed(comments=[
        {"platform": "youtube", "post": VIDEO, "id": "UgzOwn", "author_id": channel,
         "text": "Our clinic opens at 9.", "created_at": T0 + timedelta(minutes=5)},
        {"platform": "youtube", "post": VIDEO, "parent": "UgzOwn", "id": "UgzOwn.a1",
         "text": "Thanks! <b>&</b> see you", "created_at": T0 + timedelta(minutes=6),
         **person(1)},
        {"platform": "youtube", "post": VIDEO, "parent": "Ugz0000", "id": "Ugz0000.us",
         "author_id": channel, "text": "We answered.", "created_at": T0 + timedelta(minutes=7)},
    ])
    account, environ = youtube
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log)

    assert result.summary() == "youtube: 10 new, 0 updated, 0 errors"  # 2 + 7 + 1 others'
    assert [r.url.params["parentId"] for r in log.to(REPLIES)] == ["Ugz0001"]
    top = store.get("youtube:youtube:Ugz0001")
    reply = next(c for c in store if c.parent_id == top.id)
    assert (top.post_id, top.parent_id) == (f"youtube:youtube:{VIDEO}", None)
    assert reply.post_id == top.post_id and reply.native_id.startswith("Ugz0001.")
    assert top.permalink == f"https://www.youtube.com/watch?v={VIDEO}&lc=Ugz0001"
    assert (top.author.handle, top.author.name, top.author.id) == (
        "@person1", "person1", "UCperson1")
    under_ours = store.get("youtube:youtube:UgzOwn.a1")
    assert under_ours.text == "Thanks! <b>&</b> see you"  # textOriginal, not escaped HTML
    assert under_ours.parent_id == "youtube:youtube:UgzOwn"
    assert all(c.author.id != channel for c in store)  # the channel's own are not queued
    assert top.created_at == T0 + timedelta(minutes=1) and top.created_at.tzinfo is not None


def test_a_resync_takes_only_what_is_new_and_never_duplicates(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 6, replies={5: 1})
    account, environ = youtube
    assert sync([account], store, environ=environ)[0].new == 7
    # New threads (one in the same second as the newest known), and a late reply to a
    # recent thread: replies do not move a thread up the listing.
    seed(standins, 2, start=6)
    standins.seed(comments=[
        {"platform": "youtube", "post": VIDEO, "id": "UgzSameSecond", "text": "Same second",
         "created_at": T0 + timedelta(minutes=5), **person(0)},
        {"platform": "youtube", "post": VIDEO, "parent": "Ugz0002", "id": "Ugz0002.late",
         "text": "A late reply", "created_at": T0 + timedelta(hours=2), **person(1)}])
    log = RequestLog()

    [again] = sync([account], store, environ=environ, log=log, page_size=3)

    assert (again.new, again.updated) == (4, 0)
    assert store.get("youtube:youtube:Ugz0002.late").parent_id == "youtube:youtube:Ugz0002"
    # Page 2 passes the boundary; page 3 the last of the threads whose replies are watched.
    assert len(log.to(THREADS)) == 3
    assert [r.url.params["parentId"] for r in log.to(REPLIES)] == []  # embedded were enough
    assert sync([account], store, environ=environ)[0].summary() == (
        "youtube: 0 new, 0 updated, 0 errors")
    store.set_state(cursor_key("youtube"), {})  # a lost cursor: everything comes again
    [full] = sync([account], store, environ=environ)
    assert (full.new, full.updated, len(store)) == (0, 0, 11)


def test_quota_exceeded_pauses_until_midnight_pacific_and_resumes(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 3)
    standins.fault("youtube", "throttle", path="/commentThreads")
    account, environ = youtube
    now = datetime(2026, 11, 19, 20, 30, tzinfo=UTC)  # 12:30 in Los Angeles (PST)

    [first] = sync([account], store, environ=environ, clock=lambda: now)

    assert first.status is not None and first.status.state == "rate_limited"
    assert first.status.until == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert first.status.message == (  # YouTube's own wording survives, with the local time
        "youtube: youtube's daily quota is used up (it resets at midnight Pacific time); "
        f"paused until {local(first.status.until)}")
    assert not first.failed
    log = RequestLog()
    paused = sync([account], store, environ=environ, clock=lambda: now + timedelta(hours=3),
                  log=log)
    assert paused[0].status is not None and paused[0].status.state == "rate_limited"
    assert paused[0].status.message == first.status.message
    assert log.requests == []  # nothing is sent until the quota resets
    resumed = sync([account], store, environ=environ,
                   clock=lambda: datetime(2026, 11, 20, 8, 1, tzinfo=UTC))
    assert resumed[0].summary() == "youtube: 3 new, 0 updated, 0 errors"


def test_a_rate_limit_pauses_a_minute(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 3)
    standins.fault("youtube", "throttle", path="/commentThreads", variant="rate")
    account, environ = youtube
    now = utcnow()

    [first] = sync([account], store, environ=environ, clock=lambda: now)

    assert first.status is not None and first.status.until == now + timedelta(seconds=60)
    assert sync([account], store, environ=environ,
                clock=lambda: now + timedelta(seconds=61))[0].new == 3


def test_an_interrupted_walk_resumes_at_its_page_token(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 9)
    account, environ = youtube
    standins.fault("youtube", "delay", path="/commentThreads", delay=0)  # page 1 answers
    standins.fault("youtube", "malformed", path="/commentThreads", times=None)

    [broken] = sync([account], store, environ=environ, page_size=3)

    assert broken.status is not None and broken.status.state == "error"
    assert "not JSON" in broken.status.message and broken.new == 3
    kept = store.state(cursor_key("youtube"))["cursor"]
    assert kept["page_token"] and kept["after"] is None
    standins.clear_faults()
    log = RequestLog()

    [resumed] = sync([account], store, environ=environ, page_size=3, log=log)

    assert resumed.summary() == "youtube: 6 new, 0 updated, 0 errors"
    assert log.to(THREADS)[0].url.params["pageToken"] == kept["page_token"]
    assert store.state(cursor_key("youtube"))["cursor"].keys() == {
        "after", "ids", "watch", "checked", "videos", "deep_at"}


def test_a_page_token_no_longer_accepted_restarts_from_the_newest(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 4)
    account, environ = youtube
    store.set_state(cursor_key("youtube"), {"platform": "youtube", "base_url": account.base_url,
                                            "cursor": {"page_token": "%%stale%%"}})
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log)

    assert result.summary() == "youtube: 4 new, 0 updated, 0 errors"
    assert [r.url.params.get("pageToken") for r in log.to(THREADS)] == ["%%stale%%", None]


def test_a_malformed_thread_is_skipped_and_the_good_ones_are_stored(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 5)
    account, environ = youtube
    standins.fault("youtube", "malformed_item", path="/commentThreads", index=1)

    [result] = sync([account], store, environ=environ)

    broken = standins.fault_log()[0]["item_id"]
    assert (result.new, result.errors) == (4, 1)
    assert result.problems == [
        f"youtube: skipped youtube thread {broken}: textOriginal is an object, not text"]
    assert f"youtube:youtube:{broken}" not in {c.id for c in store}
    assert result.status is not None and result.status.state == "ok"


@pytest.mark.parametrize(
    ("kind", "options", "state", "words"),
    [
        ("status", {"status": 503}, "ok", ""),
        ("status", {"status": 503, "times": None}, "error", "is unavailable (503"),
        ("delay", {"delay": 1.0}, "ok", ""),
        ("delay", {"delay": 1.0, "times": None}, "error", "did not answer"),
        ("disconnect", {}, "ok", ""),
        ("malformed", {"variant": "wrong_shape", "times": None}, "error", "not a list"),
        ("empty_page", {}, "ok", ""),
        ("empty_page", {"times": None}, "error", "with the same page token"),
    ],
)
def test_faults_are_retried_when_safe_and_reported_when_they_last(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store,
    kind: str, options: dict[str, Any], state: str, words: str,
) -> None:
    seed(standins, 2)
    standins.fault("youtube", kind, path="/commentThreads", **options)
    account, environ = youtube

    [result] = sync([account], store, environ=environ)

    assert result.status is not None and result.status.state == state
    assert words in result.status.message
    assert result.new == (2 if state == "ok" else 0)
    kept = store.state(cursor_key("youtube"))
    if state != "ok" and kind == "empty_page":  # the walk stays where the pages stopped
        assert kept is not None and kept["cursor"]["page_token"]
    elif state != "ok":
        assert kept is None  # the cursor did not move


def test_an_expired_token_and_a_missing_variable_name_account_and_variable(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 2)
    account, environ = youtube
    standins.fault("youtube", "expired_token", path="/commentThreads")

    [expired] = sync([account], store, environ=environ)
    [unset] = sync([account], store, environ={})

    assert expired.status is not None and expired.status.state == "auth_error"
    assert expired.status.message.startswith("youtube: youtube refused the token in "
                                             "YOUTUBE_TOKEN (401: Request had invalid")
    assert environ["YOUTUBE_TOKEN"] not in expired.status.message
    assert unset.status is not None and unset.status.message == (
        "youtube: the environment variable YOUTUBE_TOKEN is not set (it must hold the "
        "account's youtube token)")


@pytest.mark.parametrize(
    ("now", "reset"),
    [
        ("2026-11-19T20:30:00+00:00", "2026-11-20T08:00:00+00:00"),  # PST (UTC-8)
        ("2026-07-01T06:59:59+00:00", "2026-07-01T07:00:00+00:00"),  # PDT, a second before
        ("2026-07-01T07:00:00+00:00", "2026-07-02T07:00:00+00:00"),  # PDT, at midnight
        ("2026-03-08T07:00:00+00:00", "2026-03-08T08:00:00+00:00"),  # the eve, still PST
        ("2026-03-08T12:00:00+00:00", "2026-03-09T07:00:00+00:00"),  # the day clocks go on
        ("2026-11-01T12:00:00+00:00", "2026-11-02T08:00:00+00:00"),  # the day they go back
    ],
)
def test_the_quota_resets_at_midnight_pacific(now: str, reset: str) -> None:
    assert next_quota_reset(datetime.fromisoformat(now)) == datetime.fromisoformat(reset)


@pytest.mark.parametrize(
    ("cursor", "expected"),
    [
        (None, Walk()),
        ({"after": "yesterday", "ids": "Ugz1", "watch": [], "page_token": 5}, Walk()),
        ({"after": "2026-11-19T09:00:00Z", "ids": ["Ugz1", 7, ""],
          "watch": {"Ugz1": 2, "Ugz2": -1, "Ugz3": True}, "page_token": "tok"},
         Walk(after=T0, ids=["Ugz1"], watch={"Ugz1": 2}, token="tok")),
    ],
)
def test_a_cursor_read_back_keeps_only_what_is_valid(
    cursor: dict[str, Any] | None, expected: Walk
) -> None:
    assert Walk.load(cursor) == expected


# -- the write side ------------------------------------------------------------------


@pytest.fixture
async def channel(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]]
) -> AsyncIterator[YouTubeConnector]:
    account, environ = youtube
    async with httpx.AsyncClient() as client:
        yield YouTubeConnector(account, environ["YOUTUBE_TOKEN"], client, policy=FAST)


async def read_all(connector: YouTubeConnector) -> dict[str, Comment]:
    return {c.native_id: c async for page in connector.pages(None) for c in page.comments}


async def test_a_reply_goes_under_the_thread_and_is_found_before_posting_again(
    standins: StandinServer, channel: YouTubeConnector
) -> None:
    seed(standins, 1, replies={0: 1})
    comments = await read_all(channel)
    top, reply = comments["Ugz0000"], next(c for c in comments.values() if c.parent_id)
    assert await channel.find_reply(reply, "Yes, walk-ins welcome.", idempotency_key="k") is None

    first = await channel.reply(top, "Saturday 9 to 3.", idempotency_key="k1")
    second = await channel.reply(reply, "Yes, walk-ins welcome.", idempotency_key="k2")

    posted = standins.posted("youtube")
    assert [(p["target"], p["text"]) for p in posted] == [
        ("Ugz0000", "Saturday 9 to 3."),
        ("Ugz0000", f"{reply.author.handle} Yes, walk-ins welcome.")]  # under the top level
    assert await channel.find_reply(reply, "Yes,  walk-ins welcome.",
                                    idempotency_key="k2") == second
    assert await channel.find_reply(top, "Saturday 9 to 3.", idempotency_key="k1") == first
    await channel.delete_reply(first)
    await channel.delete_reply(first)  # already gone: still done
    assert await channel.find_reply(top, "Saturday 9 to 3.", idempotency_key="k1") is None
    # 6 reads (the listing, its video, four finds), 2 replies and 2 deletes
    assert channel.quota_used == 6 * 1 + 4 * 50


async def test_a_reply_that_timed_out_is_found_instead_of_posted_again(
    standins: StandinServer, channel: YouTubeConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(channel))["Ugz0000"]
    standins.fault("youtube", "commit_then_delay", path="/comments", method="POST", delay=1.0)

    with pytest.raises(Unavailable, match="it may have taken effect: check before sending"):
        await channel.reply(comment, "We will call you.", idempotency_key="k")
    found = await channel.find_reply(comment, "We will call you.", idempotency_key="k")

    [posted] = standins.posted("youtube")
    assert found == posted["id"]


async def test_hiding_holds_for_review_and_showing_publishes_again(
    standins: StandinServer, channel: YouTubeConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(channel))["Ugz0000"]

    await channel.hide(comment)
    held = standins.world.get("youtube", "Ugz0000")
    assert held is not None and held.moderation == "heldForReview"
    assert await read_all(channel) == {}  # held comments leave the listing
    await channel.hide(comment, hidden=False)

    assert [p["moderation"] for p in standins.posted("youtube")] == ["heldForReview",
                                                                      "published"]
    assert set(await read_all(channel)) == {"Ugz0000"}


async def test_a_held_comment_cannot_be_answered_and_says_why(
    standins: StandinServer, channel: YouTubeConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(channel))["Ugz0000"]
    await channel.hide(comment)

    with pytest.raises(ConnectorError, match="youtube: youtube refused POST /youtube/v3/"
                       "comments \\(parentCommentIsPrivate: the comment is held for review"):
        await channel.reply(comment, "Hello", idempotency_key="k")


async def test_the_thread_holds_others_and_our_own_replies(
    standins: StandinServer, channel: YouTubeConnector
) -> None:
    seed(standins, 1, replies={0: 6})
    comment = (await read_all(channel))["Ugz0000"]
    ours = await channel.reply(comment, "Thanks for asking.", idempotency_key="k")

    thread = await channel.thread(comment)

    assert len(thread.comments) == 7 and thread.comments[0].native_id == "Ugz0000"
    assert [c.native_id for c in thread.own] == [ours]
    assert thread.own[0].parent_id == comment.id


async def test_what_youtube_cannot_do_is_refused_with_the_reason(
    standins: StandinServer, channel: YouTubeConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(channel))["Ugz0000"]

    assert channel.why_not(Capability.HIDE) == ""
    with pytest.raises(ActionRefused, match="youtube: YouTube lets a channel delete only its "
                       "own comments; hide the comment instead"):
        await channel.delete(comment)
    assert standins.posted("youtube") == []


async def test_an_account_without_a_channel_is_a_config_error() -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(ConfigError, match="account tube: channel_id is needed for youtube"):
            YouTubeConnector(AccountConfig("tube", "youtube", "T"), "token", client)
