"""Live sync in the queue: comments from a platform stand-in arrive while a person works.

The app syncs a Mastodon account served by the stand-ins on 127.0.0.1 (real HTTP, the
real connector). Arrivals must not move the cursor off the comment it is on; the account
bar says how the account stands; ctrl+r syncs now; a new crisis rings the bell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.text import Text
from textual.pilot import Pilot

from triage.config import AccountConfig, Config, parse_config
from triage.model import Tag, utcnow
from triage.standins import StandinServer
from triage.store import Store
from triage.sync_sink import AccountStatus, status_key
from tui.account_bar import AccountBar, AccountLine, bar_text
from tui.app import TriageApp
from tui.queue_list import QueueList
from tui.sync_runner import NO_ACCOUNTS

VARIABLE = "TRIAGE_TEST_MASTODON_TOKEN"
ACCOUNT = "riverside-masto"
START = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)


def crisis_tagger(text: str) -> tuple[Tag, ...]:
    """Stands in for the tagger: what it tags is not under test here."""
    return (Tag("crisis", 0.97, ((0, len(text)),), "test"),) if "end it" in text else ()


def _comment(post: str, k: int, text: str = "", **extra: object) -> dict[str, object]:
    return {"platform": "mastodon", "post": post, "author_id": f"9{k:03d}",
            "author_name": f"Person {k}", "author_handle": f"person{k}@health.social",
            "text": text or f"When does the Saturday clinic open? (question {k})",
            "created_at": (START + timedelta(minutes=k)).isoformat(), **extra}


@pytest.fixture
def standins() -> Iterator[tuple[StandinServer, str]]:
    with StandinServer() as server:
        post = server.seed(posts=[{"platform": "mastodon", "text": "Flu shots Saturday",
                                   "created_at": START.isoformat()}])["posts"][0]
        server.seed(comments=[_comment(post, k) for k in range(30)])
        yield server, post


def _config(server: StandinServer, monkeypatch: pytest.MonkeyPatch,
            token: str | None = None) -> Config:
    found = next(a for a in server.settings() if a["platform"] == "mastodon")
    monkeypatch.setenv(VARIABLE, token if token is not None else found["token"])
    account = AccountConfig(name=ACCOUNT, platform="mastodon", token_env=VARIABLE,
                            base_url=found["base_url"], user_id=found["user_id"])
    return replace(parse_config('[org]\nname = "Riverside Health"\n'), accounts=[account])


def _app(store: Store, config: Config) -> TriageApp:
    return TriageApp(store=store, config=config, user="ana", show_clock=False,
                     background_delivery=False)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "data", tagger=crisis_tagger) as opened:
        yield opened


async def _synced(pilot: Pilot[None], app: TriageApp, *, press: bool = True) -> None:
    """Let a sync run to its end: the one ctrl+r starts, or the one the app starts itself."""
    if press:
        await pilot.press("ctrl+r")
    await pilot.pause()
    worker = app.sync.sync_worker
    assert worker is not None
    await worker.wait()
    await pilot.pause()


def _bar(app: TriageApp) -> str:
    return app.query_one(AccountBar).text


def _said(app: TriageApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_arrivals_appear_and_the_cursor_stays_on_its_comment(
    standins: tuple[StandinServer, str], store: Store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, post = standins
    app = _app(store, _config(server, monkeypatch))
    async with app.run_test(size=(120, 40)) as pilot:
        await _synced(pilot, app, press=False)  # the app syncs once the queue is in
        queue = app.query_one(QueueList)
        assert len(queue.rows) == 30
        assert all(c.id.startswith(f"mastodon:{ACCOUNT}:") for c in queue.rows)
        assert _bar(app).startswith(f"{ACCOUNT} ok")

        await pilot.press("j", "j", "j", "j")
        chosen = queue.selected
        assert chosen is not None and queue.cursor == 4
        added = [server.add_comment(_comment(post, 100 + k, created_at=None))
                 for k in range(3)]
        await _synced(pilot, app)

        assert len(queue.rows) == 33
        assert {f"mastodon:{ACCOUNT}:{native}" for native in added} <= {c.id for c in queue.rows}
        assert queue.selected is not None and queue.selected.id == chosen.id
        top = int(queue.scroll_offset.y)
        assert top <= queue.cursor < top + queue.scrollable_content_region.height - 1
        assert "Synced 1 account: 3 new comments" in _said(app)

        await _synced(pilot, app)  # nothing new: nothing moves, nothing twice
        assert len(queue.rows) == 33 and queue.selected.id == chosen.id
        assert "Synced 1 account: nothing new" in _said(app)


async def test_a_new_crisis_rings_the_bell(
    standins: tuple[StandinServer, str], store: Store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, post = standins
    app = _app(store, _config(server, monkeypatch))
    rung: list[bool] = []
    monkeypatch.setattr(app, "bell", lambda: rung.append(True))
    async with app.run_test(size=(120, 40)) as pilot:
        await _synced(pilot, app, press=False)
        assert not rung
        server.add_comment(_comment(post, 200, "I can't do this anymore, I'm going to end it",
                                    created_at=None))
        await _synced(pilot, app)
        assert rung == [True]
        assert "1 new crisis comment: press 1 for the Crisis view" in _said(app)


async def test_the_bar_says_when_the_platform_asks_for_a_pause(
    standins: tuple[StandinServer, str], store: Store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, _ = standins
    app = _app(store, _config(server, monkeypatch))
    async with app.run_test(size=(120, 40)) as pilot:
        await _synced(pilot, app, press=False)
        assert re.match(rf"{ACCOUNT} ok · just now", _bar(app))
        server.fault("mastodon", "throttle", reset_after=600)
        await _synced(pilot, app)

        status = AccountStatus.from_doc(ACCOUNT, store.state(status_key(ACCOUNT)))
        assert status.state == "rate_limited" and status.until is not None
        assert status.until >= utcnow() + timedelta(seconds=590)
        label = status.label(app.clock())
        assert re.fullmatch(r"rate-limited until (\d{4}-\d\d-\d\d )?\d\d:\d\d", label)
        assert _bar(app).startswith(f"{ACCOUNT} {label}")

        await pilot.press("ctrl+r")  # paused: nothing is asked of the platform
        await pilot.pause()
        assert f"{ACCOUNT} stays {label}: the platform asked for a pause." in _said(app)
        assert len(server.fault_log()) == 1


async def test_a_refused_token_is_an_auth_error_naming_the_variable(
    standins: tuple[StandinServer, str], store: Store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, _ = standins
    app = _app(store, _config(server, monkeypatch, token="not-the-token"))
    async with app.run_test(size=(120, 40)) as pilot:
        await _synced(pilot, app, press=False)
        assert _bar(app).startswith(f"{ACCOUNT} auth error: ")
        assert VARIABLE in _bar(app) and "not-the-token" not in _bar(app)
        assert any(VARIABLE in said and "not-the-token" not in said for said in _said(app))
        assert len(store) == 0


async def test_with_no_accounts_the_bar_hides_and_ctrl_r_says_how_to_add_one(
    store: Store,
) -> None:
    app = _app(store, parse_config('[org]\nname = "Riverside Health"\n'))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not app.query_one(AccountBar).display
        assert NO_ACCOUNTS in _said(app)
        assert app.sync.sync_worker is None


async def test_accounts_that_are_not_synced_show_their_note(store: Store) -> None:
    app = _app(store, parse_config('[org]\nname = "Riverside Health"\n'))
    app.sync.notes = {"rcph-bsky": "bluesky: sandbox (no connector yet)"}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert _bar(app).startswith("rcph-bsky — bluesky: sandbox (no connector yet)")


NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
OK = AccountStatus("fb", "ok", at=NOW - timedelta(minutes=3), last_ok=NOW - timedelta(minutes=3))
LIMITED = AccountStatus("x", "rate_limited", until=NOW + timedelta(minutes=20))
REFUSED = AccountStatus("yt", "auth_error", message="yt: youtube refused the token in YT (401)")
LINES = [AccountLine("fb", OK), AccountLine("ig", None, syncing=True),
         AccountLine("x", LIMITED), AccountLine("yt", REFUSED),
         AccountLine("tt", note="tiktok: sandbox (no connector yet)"),
         AccountLine("li", note="linkedin: sandbox (no connector yet)")]


FULL = ("fb ok · 3 min ago  │  ig syncing…  │  x {until}  │  "
        "yt auth error: youtube refused the token in YT (401)  │  "
        "tt — tiktok: sandbox (no connector yet)  │  li — linkedin: sandbox (no connector yet)")
SHORT = ("syncing 1 account…  │  1 ok · 3 min ago  │  x {until}  │  "
         "yt auth error: youtube refused the token in YT (401)  │  "
         "tiktok, linkedin: sandbox (no connector yet)")


@pytest.mark.parametrize(("width", "expected"), [
    (400, FULL + "  │  ctrl+r syncs now"),
    (220, FULL),
    (200, SHORT + "  │  ctrl+r syncs now"),
    (180, SHORT),
    (60, "syncing 1 account…  │  1 ok · 3 min ago  │  x rate-limited …"),
])
def test_the_bar_names_every_account_when_it_fits_and_counts_the_fine_ones_when_not(
    width: int, expected: str,
) -> None:
    text = bar_text(LINES, NOW, width).plain
    assert text == expected.format(until=LIMITED.label(NOW))
    assert len(text) <= width


async def test_a_quota_pause_is_said_with_the_platforms_reason(
    standins: tuple[StandinServer, str], store: Store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, _ = standins
    found = next(a for a in server.settings() if a["platform"] == "youtube")
    monkeypatch.setenv("TRIAGE_TEST_YOUTUBE_TOKEN", found["token"])
    account = AccountConfig(name="rcph-yt", platform="youtube",
                            token_env="TRIAGE_TEST_YOUTUBE_TOKEN",
                            base_url=found["base_url"], channel_id=found["channel_id"])
    config = replace(parse_config('[org]\nname = "Riverside Health"\n'), accounts=[account])
    server.fault("youtube", "throttle", path="/commentThreads")
    reason = "youtube's daily quota is used up (it resets at midnight Pacific time)"
    app = _app(store, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await _synced(pilot, app, press=False)

        status = AccountStatus.from_doc("rcph-yt", store.state(status_key("rcph-yt")))
        label = status.label(app.clock())
        assert label.startswith("rate-limited until ")
        assert f"rcph-yt: {label} — {reason}; its sync resumes then." in _said(app)
        assert _bar(app).startswith(f"rcph-yt {label}")  # the bar stays short …
        assert reason not in _bar(app)
        tooltip = app.query_one(AccountBar).tooltip  # … its hover text says why
        assert isinstance(tooltip, Text) and f"rcph-yt {label} — {reason}" in tooltip.plain

        await pilot.press("ctrl+r")  # paused: the reason again, nothing asked of YouTube
        await pilot.pause()
        assert f"rcph-yt stays {label}: {reason}." in _said(app)
        assert len(server.fault_log()) == 1
