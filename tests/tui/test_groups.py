"""Near-copies in the queue: a wave of one comment is one row "×20", hidden with one key,
restored with one undo, its members listed in the detail pane; holds are skipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import make_comment
from tests.tui.conftest import make_app, row_text, selected_id
from tests.tui.test_crisis_close import detail_text
from tests.tui.test_keys import World, said, settle
from triage.legal import escalate
from triage.outbox import latest_by_comment
from triage.standins import StandinServer
from triage.store import Store
from tui.app import TriageApp
from tui.composer import ComposerScreen
from tui.queue_list import QueueList

MYTH = ("The MMR vaccine causes autism and the CDC has known since 2004. They buried the "
        "study. Do your own research before you vaccinate!")
#: How each copy differs: case, typos, emoji, words moved, a link.
VARIANTS = (
    MYTH,
    MYTH.lower(),
    MYTH.replace("vaccine", "vacine").replace("research", "reseach"),
    "😡😡 " + MYTH + " 💉",
    MYTH.upper(),
    MYTH + " https://truthwatch.example/cdc",
    "The CDC has known since 2004 that the MMR vaccine causes autism. They buried the "
    "study. Do your own research before you vaccinate!",
)


class Wave(World):
    """The stand-ins' world with twenty copies of one myth on Facebook and YouTube."""

    def __init__(self, server: StandinServer, tmp: Path, monkeypatch: pytest.MonkeyPatch):
        super().__init__(server, tmp, monkeypatch)
        from tests.outbox.conftest import standin_comment

        made = [standin_comment(self.server, platform, VARIANTS[n % len(VARIANTS)], platform)
                for n, platform in enumerate(["facebook", "youtube"] * 10)]
        self.store.ingest(made, user="test")
        self.wave = [c.id for c in made]


@pytest.fixture
def wave(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Wave]:
    with StandinServer() as server:
        made = Wave(server, tmp_path, monkeypatch)
        yield made
        made.store.close()


def rows(app: TriageApp) -> list[str]:
    queue = app.query_one(QueueList)
    return [row_text(app, n + 1) for n in range(len(queue.rows))]


def recording(app: TriageApp) -> list[str]:
    """Every message the app shows from now on (the screen keeps only the last few)."""
    told: list[str] = []
    notify = app.notify

    def record(message: str, **options: Any) -> None:
        told.append(message)
        notify(message, **options)

    app.notify = record  # type: ignore[method-assign]
    return told


async def test_a_wave_of_20_copies_is_one_row_hidden_with_h_and_undone_with_u(
    wave: Wave,
) -> None:
    app = wave.app()
    async with app.run_test(size=(140, 44)) as pilot:
        shown = rows(app)
        assert sum("×20" in row for row in shown) == 1
        assert len(shown) == 5  # the four comments of the world and the wave's row
        head = next(c.id for c in app.query_one(QueueList).rows if c.id in wave.wave)
        app.query_one(QueueList).move_to_id(head)
        await pilot.pause()
        pane = detail_text(app)
        assert "Near-copies: 20 comments on 2 platforms (Facebook 10, YouTube 10)" in pane
        assert pane.count("Dana Whitfield") >= 20  # every member listed
        await pilot.press("h")
        await settle(app, pilot)
        assert [wave.store.get(i).status for i in wave.wave] == ["hidden"] * 20
        assert "Hid 20 comments — u to undo" in said(app)
        hidden = {p["target"] for p in wave.server.posted("facebook") if p["action"] == "hide"}
        assert len(hidden) == 10  # each copy hidden at its source
        await pilot.press("u")
        await settle(app, pilot)
        assert [wave.store.get(i).status for i in wave.wave] == ["new"] * 20
        assert "Undid hide of 20 comments" in said(app)


async def test_z_lists_the_members_and_closes_the_group_again(wave: Wave) -> None:
    app = wave.app()
    async with app.run_test(size=(140, 44)) as pilot:
        queue = app.query_one(QueueList)
        head = next(c.id for c in queue.rows if c.id in wave.wave)
        queue.move_to_id(head)
        await pilot.press("z")
        assert len(queue.rows) == 24
        assert selected_id(app) == head
        assert "×20 ▾" in row_text(app, queue.cursor + 1)
        await pilot.press("down")
        assert "↳" in row_text(app, queue.cursor + 1)
        await pilot.press("x")  # an open group: x acts on the one comment
        assert sum(wave.store.get(i).status == "dismissed" for i in wave.wave) == 1
        await pilot.press("z")
        assert len(queue.rows) == 5
        await pilot.press("Z")
        assert len(queue.rows) == 24
        assert not any("×" in row for row in rows(app))


async def test_x_on_a_group_skips_the_members_on_legal_hold_and_says_so(wave: Wave) -> None:
    for held in wave.wave[:2]:
        escalate(wave.store, wave.config, "lee", held, "defamation", "high", "")
    app = wave.app()
    told = recording(app)
    async with app.run_test(size=(140, 44)) as pilot:
        queue = app.query_one(QueueList)
        head = next(c.id for c in queue.rows if c.id in wave.wave)
        queue.move_to_id(head)
        await pilot.press("x")
        await pilot.pause()
        assert [wave.store.get(i).status for i in wave.wave[2:]] == ["dismissed"] * 18
        assert [wave.store.get(i).status for i in wave.wave[:2]] == ["escalated"] * 2
        assert "2 group members are on legal hold and stay as they are" in told
        assert "Dismissed the group's 18 comments — u to undo" in told
        await pilot.press("u")
        assert [wave.store.get(i).status for i in wave.wave[2:]] == ["new"] * 18
        assert [wave.store.get(i).status for i in wave.wave[:2]] == ["escalated"] * 2


async def test_r_on_a_group_answers_every_member_and_one_u_cancels_every_reply(
    wave: Wave,
) -> None:
    app = wave.app()
    told = recording(app)
    async with app.run_test(size=(140, 44)) as pilot:
        queue = app.query_one(QueueList)
        queue.move_to_id(next(c.id for c in queue.rows if c.id in wave.wave))
        await pilot.press("r")
        assert isinstance(app.screen, ComposerScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        items = latest_by_comment(wave.store)
        assert {items[i].state for i in wave.wave} == {"queued"}
        batches = {line.get("batch") for line in wave.store.journal.read_backwards()
                   if line.get("kind") == "reply_queued"}
        assert len(batches) == 1 and None not in batches
        assert any(m.startswith("Sending 20 replies to the group in") for m in told)
        await pilot.press("u")
        await pilot.pause()
        items = latest_by_comment(wave.store)
        assert {items[i].state for i in wave.wave} == {"cancelled"}
        assert "Cancelled 20 replies: nothing was sent." in told
        assert wave.server.posted("facebook") == []


async def test_a_queue_read_at_open_is_grouped_off_the_ui_thread(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        store.ingest([make_comment(f"w{n:02d}", VARIANTS[n % len(VARIANTS)], minutes_ago=n)
                      for n in range(20)] + [make_comment("q", "Is it free?")], user="test")
    store = Store(tmp_path / "data", defer_load=True)
    try:
        app = make_app(store)
        async with app.run_test(size=(140, 44)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.groups_ready
            shown = rows(app)
            assert len(shown) == 2
            assert sum("×20" in row for row in shown) == 1
    finally:
        store.close()
