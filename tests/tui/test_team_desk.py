"""Two desks on one queue: another desk's actions and replies show live, and ``n`` takes
the next comment nobody holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.tui.conftest import make_app, row_text, selected_id
from tests.tui.test_composer import World, status_cell, text_of
from triage.desk import Desk
from triage.standins import StandinServer
from triage.store import Store
from tui.composer import ComposerScreen
from tui.pickers import ConfirmScreen
from tui.queue_list import QueueList
from tui.view_bar import ViewBar


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with StandinServer() as server:
        made = World(server, tmp_path, monkeypatch)
        yield made
        made.store.close()


def messages(app: object) -> list[str]:
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]


def view_bar(app: object) -> str:
    return str(app.query_one(ViewBar).render())  # type: ignore[attr-defined]


async def test_another_desks_dismissal_shows_without_a_key_and_the_cursor_stays(
        queue_store: Store) -> None:
    app = make_app(queue_store, view="Needs reply")
    async with app.run_test(size=(140, 40)) as pilot:
        app.query_one(QueueList).move_to_id("c-question")
        await pilot.pause()
        before = view_bar(app)
        assert app.query_one(QueueList).index_of("c-myth") is not None
        Desk(queue_store, "ben").dismiss(["c-myth"])  # Ben, at his own desk
        await pilot.pause(0.3)
        assert app.query_one(QueueList).index_of("c-myth") is None  # gone from Needs reply
        assert selected_id(app) == "c-question"  # Ana's cursor did not move
        assert view_bar(app) != before  # the counts followed
        Desk(queue_store, "ben").assign(["c-question"], "ben")
        await pilot.pause(0.3)
        index = app.query_one(QueueList).index_of("c-question")
        assert index is not None and "ben" in row_text(app, index + 1)
        assert selected_id(app) == "c-question"


async def test_someone_replying_shows_in_the_row_and_the_detail(queue_store: Store) -> None:
    app = make_app(queue_store)
    ben = Desk(queue_store, "ben")
    async with app.run_test(size=(140, 40)) as pilot:
        app.query_one(QueueList).move_to_id("c-question")
        await pilot.pause()
        ben.lease_set("c-question", "replying", 60)
        await pilot.pause(0.3)
        index = app.query_one(QueueList).index_of("c-question")
        assert index is not None
        assert "✎ ben" in row_text(app, index + 1)
        assert "ben is replying" in text_of(app.screen.query_one("#detail-body", Static))
        ben.lease_release("c-question")
        await pilot.pause(0.3)
        assert "✎ ben" not in row_text(app, index + 1)
        assert "ben is replying" not in text_of(app.screen.query_one("#detail-body", Static))


async def test_the_composer_tells_the_others_and_lets_go_on_cancel(world: World) -> None:
    other = Desk(world.store, "ana")
    app = world.app("ben")
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(QueueList).move_to_id(world.ids["myth"])
        await pilot.press("r")
        assert isinstance(app.screen, ComposerScreen)
        lease = next(iter(other.leases(world.ids["myth"])), None)
        assert lease is not None and lease.said() == "ben is replying"
        await pilot.press("escape")
        await pilot.pause()
        assert other.leases(world.ids["myth"]) == []


async def test_replying_where_someone_else_is_asks_first(world: World) -> None:
    Desk(world.store, "ana").lease_set(world.ids["myth"], "replying", 60)
    app = world.app("ben")
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(QueueList).move_to_id(world.ids["myth"])
        await pilot.pause()
        assert status_cell(app, world.ids["myth"]) == "✎ ana"
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        assert "ana is replying" in str(app.screen.query_one("#confirm-body").render())
        await pilot.press("n")  # no: nothing opens
        assert not isinstance(app.screen, ComposerScreen)
        await pilot.press("r", "y")
        assert isinstance(app.screen, ComposerScreen)


async def test_n_takes_the_most_urgent_comment_nobody_holds(queue_store: Store) -> None:
    Desk(queue_store, "ben").lease_set("c-crisis", "replying", 60)  # Ben is on the crisis
    app = make_app(queue_store, view="Needs reply")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("n")
        taken = selected_id(app)
        assert taken is not None and taken != "c-crisis"
        assert queue_store.get(taken).assignee == "ana"
        assert any("assigned to you" in m for m in messages(app))
        for _ in range(10):
            await pilot.press("n")
        assert any("Nothing left to take" in m for m in messages(app))
        open_ids = [c.id for c in queue_store if c.status == "new"]
        assert all(queue_store.get(i).assignee == "ana" for i in open_ids if i != "c-crisis")
        assert queue_store.get("c-crisis").assignee is None


async def test_n_is_in_the_footer_and_the_help(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        assert "Next" in app.export_screenshot()  # the footer names the key
        await pilot.press("question_mark")
        help_text = "".join(text_of(s) for s in app.screen.query(Static))
        assert "queue.next" in help_text and "Take the most urgent comment" in help_text


async def test_a_reply_someone_else_queued_is_shown_before_replying_again(world: World) -> None:
    first = world.app("ben")
    async with first.run_test(size=(120, 40)) as pilot:
        first.query_one(QueueList).move_to_id(world.ids["myth"])
        await pilot.press("r", "ctrl+s")
        await pilot.pause()
    app = world.app("ana")
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(QueueList).move_to_id(world.ids["myth"])
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        body = str(app.screen.query_one("#confirm-body").render())
        assert "ben already queued a reply" in body and "flu" in body.lower()
        await pilot.press("escape")
        assert not isinstance(app.screen, ComposerScreen)
