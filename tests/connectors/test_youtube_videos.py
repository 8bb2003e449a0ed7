"""The YouTube connector fetches the videos its comments sit under (the stand-in over HTTP)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.connectors.conftest import FAST, RequestLog, standin_account, sync
from tests.connectors.test_youtube import T0, person
from triage.config import AccountConfig
from triage.connectors.youtube import YouTubeConnector
from triage.connectors.youtube_videos import POST_TEXT, post_text
from triage.model import Post
from triage.standins import StandinServer
from triage.store import Store
from triage.sync_sink import cursor_key
from triage.timefmt import local

VIDEOS = "/youtube/v3/videos"
LONG = "Walk-in clinics, every Saturday, all ages welcome. " * 40  # 2,040 characters


@pytest.fixture
def youtube(standins: StandinServer) -> tuple[AccountConfig, dict[str, str]]:
    return standin_account(standins, "youtube")


def videos(server: StandinServer, count: int, *, comments: int = 1, start: int = 0,
           first: int = 0) -> list[str]:
    """``count`` videos (vid{n}) a day apart, ``comments`` comments on each, a minute apart
    (the newest video's comments newest); returns the video ids."""
    ids = [f"vid{n:08d}" for n in range(start, start + count)]
    server.seed(posts=[{"platform": "youtube", "id": video, "title": f"Video {n}",
                        "text": f"About video {n}.", "created_at": T0 - timedelta(days=30 - n)}
                       for n, video in enumerate(ids, start)],
                comments=[{"platform": "youtube", "post": video, "id": f"Ugz{video}_{k}",
                           "text": f"Question {k} on {video}?", **person(k),
                           "created_at": T0 + timedelta(minutes=first + n * comments + k)}
                          for n, video in enumerate(ids) for k in range(comments)])
    return ids


def asked(log: RequestLog) -> list[list[str]]:
    """The ids named by each ``GET /videos``, in order."""
    return [r.url.params["id"].split(",") for r in log.to(VIDEOS)]


def test_the_videos_of_new_comments_come_as_posts_once_each(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    standins.seed(posts=[
        {"platform": "youtube", "id": "vidLong0001", "title": "Flu shots  Saturday ",
         "text": LONG, "created_at": T0 - timedelta(days=2)},
        {"platform": "youtube", "id": "vidNoTitle1", "text": "Clinic tour\nInside the new wing.",
         "created_at": T0 - timedelta(days=1)}])
    standins.seed(comments=[
        {"platform": "youtube", "post": video, "id": f"Ugz{video}{k}", "text": f"Hi {k}",
         **person(k), "created_at": T0 + timedelta(minutes=k)}
        for k, video in enumerate(["vidLong0001", "vidNoTitle1"] * 3)])
    account, environ = youtube
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log, page_size=2)

    assert result.summary() == "youtube: 6 new, 0 updated, 0 errors"
    assert asked(log) == [["vidNoTitle1", "vidLong0001"]]  # both met on page 1, one call
    assert [r.url.params["part"] for r in log.to(VIDEOS)] == ["snippet"]
    long = store.posts["youtube:youtube:vidLong0001"]
    whole, kept = "Flu shots  Saturday\n\n" + LONG, long.text.removesuffix("…")
    assert len(long.text) <= POST_TEXT and kept != long.text  # cut, and said so
    assert whole.startswith(kept) and whole[len(kept)] == " "  # at a word
    assert (long.created_at, long.permalink, long.account, long.platform) == (
        T0 - timedelta(days=2), "https://www.youtube.com/watch?v=vidLong0001", "youtube",
        "youtube")
    assert store.posts["youtube:youtube:vidNoTitle1"].text == (
        "Clinic tour\n\nInside the new wing.")
    assert all(c.post_id in store.posts for c in store)


def test_stored_videos_are_not_asked_for_again_and_new_ones_are(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    old = videos(standins, 2, comments=2)
    account, environ = youtube
    sync([account], store, environ=environ)
    videos(standins, 1, start=5, first=60)
    standins.seed(comments=[{"platform": "youtube", "post": old[0], "text": "Still open?",
                             **person(1), "created_at": T0 + timedelta(minutes=70)}])
    log = RequestLog()

    [again] = sync([account], store, environ=environ, log=log)

    assert again.new == 2
    assert asked(log) == [["vid00000005"]]
    assert sorted(store.posts) == [f"youtube:youtube:{v}" for v in [*old, "vid00000005"]]


def test_up_to_fifty_videos_a_call(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    ids = videos(standins, 60)
    account, environ = youtube
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log)

    assert result.summary() == "youtube: 60 new, 0 updated, 0 errors"
    assert [len(names) for names in asked(log)] == [50, 10]
    assert sorted(v for names in asked(log) for v in names) == ids
    assert len(store.posts) == 60


def test_a_failed_video_call_keeps_the_comments_and_asks_again_next_sync(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    [video] = videos(standins, 1, comments=3)
    standins.fault("youtube", "status", path="/videos", status=500, times=None)
    account, environ = youtube

    [result] = sync([account], store, environ=environ)

    assert (result.new, result.status.state if result.status else None) == (3, "ok")
    assert result.problems == [
        f"youtube: the details of youtube video {video} could not be read, so their comments "
        "are kept without them (youtube is unavailable (500: Backend Error) for GET "
        "/youtube/v3/videos)"]
    assert store.posts == {}
    assert store.state(cursor_key("youtube"))["cursor"]["videos"] == [video]
    standins.clear_faults()
    log = RequestLog()

    [later] = sync([account], store, environ=environ, log=log)

    assert later.summary() == "youtube: 0 new, 0 updated, 0 errors"
    assert asked(log) == [[video]]
    assert store.posts[f"youtube:youtube:{video}"].text == "Video 0\n\nAbout video 0."
    assert store.state(cursor_key("youtube"))["cursor"]["videos"] == []


def test_quota_used_up_on_the_videos_keeps_the_comments_and_says_so(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    [video] = videos(standins, 1, comments=2)
    standins.fault("youtube", "throttle", path="/videos")
    account, environ = youtube

    [result] = sync([account], store, environ=environ)

    status = result.status
    assert status is not None and status.state == "rate_limited" and status.until is not None
    assert status.message == ("youtube: youtube's daily quota is used up (it resets at "
                              f"midnight Pacific time); paused until {local(status.until)}")
    assert result.new == 2 and len(result.problems) == 1
    kept = store.state(cursor_key("youtube"))["cursor"]
    assert kept["videos"] == [video] and kept["after"] is not None


def test_an_unreadable_video_is_skipped_and_named(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    videos(standins, 2)
    standins.fault("youtube", "malformed_item", path="/videos", index=0)
    account, environ = youtube

    [result] = sync([account], store, environ=environ)

    broken = standins.fault_log()[0]["item_id"]
    assert result.new == 2
    assert result.problems == [
        f"youtube: skipped youtube video {broken}: publishedAt is a number, not a time"]
    assert list(store.posts) == [f"youtube:youtube:{v}" for v in ("vid00000000", "vid00000001")
                                 if v != broken]


@pytest.mark.parametrize(("title", "description", "text"), [
    ("Flu shots", "", "Flu shots"),
    ("", "Only a description", "Only a description"),
    (" Flu shots ", "\nSaturday 9 to 3\n", "Flu shots\n\nSaturday 9 to 3"),
    ("T", "x" * 2000, "T\n\n" + "x" * (POST_TEXT - 4) + "…"),  # no word to cut at
    ("T", ("word " * 400).strip(), "T\n\n" + ("word " * 199).strip() + "…"),
])
def test_post_text_is_title_and_description_cut_at_a_word(title: str, description: str,
                                                          text: str) -> None:
    assert post_text(title, description) == text
    assert len(post_text(title, description)) <= POST_TEXT


# -- the thread --------------------------------------------------------------------------


@pytest.fixture
async def channel(
    standins: StandinServer, youtube: tuple[AccountConfig, dict[str, str]]
) -> AsyncIterator[YouTubeConnector]:
    account, environ = youtube
    async with httpx.AsyncClient() as client:
        yield YouTubeConnector(account, environ["YOUTUBE_TOKEN"], client, policy=FAST)


async def first_comment(connector: YouTubeConnector) -> Any:
    async for page in connector.pages(None):
        return page.comments[0]
    raise AssertionError("no comments")


async def test_the_thread_gives_its_video(standins: StandinServer,
                                          channel: YouTubeConnector) -> None:
    [video] = videos(standins, 1)
    comment = await first_comment(channel)

    thread = await channel.thread(comment)

    assert thread.post == Post(id=f"youtube:youtube:{video}", platform="youtube",
                               account="youtube", text="Video 0\n\nAbout video 0.",
                               created_at=T0 - timedelta(days=30),
                               permalink=f"https://www.youtube.com/watch?v={video}")
    assert [c.native_id for c in thread.comments] == [comment.native_id]


async def test_a_thread_whose_video_cannot_be_read_still_shows_its_comments(
    standins: StandinServer, channel: YouTubeConnector
) -> None:
    videos(standins, 1, comments=1)
    comment = await first_comment(channel)
    standins.fault("youtube", "status", path="/videos", status=503, times=None)

    thread = await channel.thread(comment)

    assert thread.post is None and [c.id for c in thread.comments] == [comment.id]
