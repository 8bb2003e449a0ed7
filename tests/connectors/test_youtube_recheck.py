"""New replies to older YouTube threads: the hourly re-check of the last two weeks, its bounds."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.connectors.conftest import FAST, RequestLog, standin_account, sync
from tests.connectors.test_youtube import T0, THREADS, VIDEO, person, seed
from triage.config import AccountConfig
from triage.connectors.youtube import YouTubeConnector
from triage.connectors.youtube_walk import DEEP_EVERY, KEEP, RECHECK_EVERY, WATCH, Walk
from triage.model import Comment
from triage.standins import StandinServer
from triage.store import Store
from triage.sync_sink import cursor_key

NOW = T0 + timedelta(hours=24)


@pytest.fixture
def youtube(standins: StandinServer) -> tuple[AccountConfig, dict[str, str]]:
    return standin_account(standins, "youtube")


def late_reply(server: StandinServer, thread: int, at: datetime) -> str:
    return server.add_comment({"platform": "youtube", "post": VIDEO,
                               "parent": f"Ugz{thread:04d}", "text": "Is it still on?",
                               **person(thread + 1), "created_at": at})


def run(account: AccountConfig, store: Store, environ: dict[str, str], at: datetime,
        **options: Any) -> tuple[Any, RequestLog]:
    log = RequestLog()
    [result] = sync([account], store, environ=environ, log=log, clock=lambda: at, **options)
    return result, log


def test_a_reply_to_a_thread_beyond_the_newest_hundred_is_found_by_the_hourly_recheck(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, WATCH + 30)  # thread 5 is far below the newest hundred
    account, environ = youtube
    first, _ = run(account, store, environ, NOW)
    assert first.new == WATCH + 30
    native = late_reply(standins, 5, NOW + timedelta(minutes=5))

    ordinary, log = run(account, store, environ, NOW + timedelta(minutes=10))

    assert ordinary.new == 0 and len(log.to(THREADS)) == 1  # one page: the newest hundred

    recheck, log = run(account, store, environ, NOW + RECHECK_EVERY + timedelta(minutes=1))

    assert recheck.summary() == "youtube: 1 new, 0 updated, 0 errors"
    assert len(log.to(THREADS)) == 2  # one more page, one more quota unit
    reply = store.get(f"youtube:youtube:{native}")
    assert reply.parent_id == "youtube:youtube:Ugz0005" and reply.text == "Is it still on?"
    kept = store.state(cursor_key("youtube"))["cursor"]
    assert kept["checked"] == (NOW + RECHECK_EVERY + timedelta(minutes=1)).isoformat()
    after, log = run(account, store, environ, NOW + RECHECK_EVERY + timedelta(minutes=20))
    assert after.new == 0 and len(log.to(THREADS)) == 1  # ordinary again until the next hour


def test_threads_older_than_two_weeks_are_not_rechecked_but_the_thread_shows_them(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, WATCH)
    seed(standins, 3, start=200, at=NOW - timedelta(days=20))
    account, environ = youtube
    run(account, store, environ, NOW)
    native = late_reply(standins, 200, NOW + timedelta(minutes=5))

    recheck, log = run(account, store, environ, NOW + 2 * RECHECK_EVERY)

    assert recheck.new == 0 and len(log.to(THREADS)) == 2  # reached, but not watched
    assert "Ugz0200" not in store.state(cursor_key("youtube"))["cursor"]["watch"]

    async def thread() -> list[str]:
        async with httpx.AsyncClient() as client:
            connector = YouTubeConnector(account, environ["YOUTUBE_TOKEN"], client,
                                         policy=FAST)
            comment: Comment = store.get("youtube:youtube:Ugz0200")
            return [c.native_id for c in (await connector.thread(comment)).comments]

    assert asyncio.run(thread()) == ["Ugz0200", native]


def test_the_recheck_watches_at_most_a_thousand_threads(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, KEEP + 50)
    account, environ = youtube
    run(account, store, environ, NOW)
    watched = store.state(cursor_key("youtube"))["cursor"]["watch"]
    assert len(watched) == KEEP and "Ugz0050" in watched and "Ugz0049" not in watched
    late_reply(standins, 49, NOW + timedelta(minutes=1))  # the 1,001st newest thread
    late_reply(standins, 50, NOW + timedelta(minutes=1))  # the 1,000th

    recheck, log = run(account, store, environ, NOW + 2 * RECHECK_EVERY)

    assert recheck.new == 1  # the reply in the watched window; the other is past it
    assert store.get("youtube:youtube:Ugz0050").id in {c.parent_id for c in store}
    assert len(log.to(THREADS)) == (KEEP + 50 + 99) // 100  # every page once: 11 units


def test_an_interrupted_recheck_resumes_as_a_recheck(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, WATCH + 30)
    account, environ = youtube
    run(account, store, environ, NOW)
    late_reply(standins, 5, NOW + timedelta(minutes=5))
    standins.fault("youtube", "delay", path="/commentThreads", delay=0)  # page 1 answers
    standins.fault("youtube", "malformed", path="/commentThreads", times=None)
    due = NOW + RECHECK_EVERY

    broken, _ = run(account, store, environ, due)

    assert broken.status is not None and broken.status.state == "error"
    kept = store.state(cursor_key("youtube"))["cursor"]
    assert kept["recheck"] is True and kept["page_token"]
    assert kept["checked"] == NOW.isoformat()  # not done: the old time holds
    standins.clear_faults()

    resumed, log = run(account, store, environ, due + timedelta(minutes=1))

    assert resumed.new == 1
    assert log.to(THREADS)[0].url.params["pageToken"] == kept["page_token"]
    assert store.state(cursor_key("youtube"))["cursor"]["checked"] == (
        due + timedelta(minutes=1)).isoformat()


@pytest.mark.parametrize(("cursor", "now", "recheck"), [
    (None, NOW, True),  # the first walk
    ({"checked": NOW.isoformat()}, NOW + timedelta(minutes=59), False),
    ({"checked": NOW.isoformat()}, NOW + timedelta(minutes=60), True),
    ({"checked": (NOW + timedelta(hours=3)).isoformat()}, NOW, True),  # the clock went back
    ({"checked": "never"}, NOW, True),
    ({"checked": NOW.isoformat(), "page_token": "t", "recheck": True}, NOW, True),  # resumed
    ({"page_token": "t", "recheck": False}, NOW, False),
    ({"page_token": "t", "recheck": "yes"}, NOW, False),
])
def test_whether_a_walk_is_a_recheck(cursor: dict[str, Any] | None, now: datetime,
                                     recheck: bool) -> None:
    walk = Walk.load(cursor)
    walk.start(now)
    assert walk.recheck is recheck


def test_a_reply_to_a_thread_older_than_two_weeks_is_found_by_the_daily_deep_recheck(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, WATCH)
    seed(standins, 3, start=200, at=NOW - timedelta(days=20), replies={201: 1})
    account, environ = youtube
    run(account, store, environ, NOW)
    native = late_reply(standins, 200, NOW + timedelta(minutes=5))
    hourly, _ = run(account, store, environ, NOW + 2 * RECHECK_EVERY)
    assert hourly.new == 0  # older than the watched two weeks: not yet

    deep, log = run(account, store, environ, NOW + DEEP_EVERY + timedelta(minutes=1))

    assert deep.summary() == "youtube: 1 new, 0 updated, 0 errors"
    assert store.get(f"youtube:youtube:{native}").parent_id == "youtube:youtube:Ugz0200"
    assert len(log.to(THREADS)) == 2  # the whole listing, once
    kept = store.state(cursor_key("youtube"))["cursor"]
    assert kept["deep_at"] == (NOW + DEEP_EVERY + timedelta(minutes=1)).isoformat()
    again, _ = run(account, store, environ, NOW + DEEP_EVERY + 2 * RECHECK_EVERY)
    assert again.new == 0
