"""Closing a crisis asks what was done; the answer is journaled and shown with the comment."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import OptionList, Static

from tests.tui.conftest import make_app
from triage.store import Store
from tui.app import TriageApp
from tui.pickers import ChoiceScreen
from tui.queue_list import QueueList


def detail_text(app: TriageApp) -> str:
    """The detail pane as drawn, in plain text."""
    console = Console(width=200, record=True, color_system=None)
    console.print(app.queue_screen.query_one("#detail-body", Static).content)
    return console.export_text()


async def test_x_on_a_crisis_asks_what_was_done_and_shows_it(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(QueueList).move_to_id("c-crisis")
        await pilot.press("x")
        picker = app.screen
        assert isinstance(picker, ChoiceScreen)
        options = picker.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels == ["called 911", "passed to the on-call clinician",
                          "replied with the lifeline", "not a crisis"]
        assert queue_store.get("c-crisis").status == "new"  # nothing yet
        await pilot.press("enter")  # called 911
        await pilot.pause()
        assert queue_store.get("c-crisis").status == "dismissed"
        (last,) = [d for d in queue_store.journal.read_backwards()][:1]
        assert (last["kind"], last["data"]["reason"]) == ("dismiss", "called-911")
        app.query_one(QueueList).move_to_id("c-crisis")
        app.queue_screen.show_detail()
        assert "Closed: called 911 — ana, " in detail_text(app)


async def test_escape_in_the_picker_leaves_the_crisis_open(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(QueueList).move_to_id("c-crisis")
        await pilot.press("x", "escape")
        assert queue_store.get("c-crisis").status == "new"


async def test_not_a_crisis_takes_the_tag_off_and_u_puts_it_back(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        queue = app.query_one(QueueList)
        queue.move_to_id("c-question")
        await pilot.press("space")
        queue.move_to_id("c-crisis")
        await pilot.press("space", "x")  # a bulk dismiss with a crisis among them
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
        crisis = queue_store.get("c-crisis")
        assert crisis.status == "dismissed" and crisis.tag("crisis") is None
        assert queue_store.get("c-question").status == "dismissed"
        await pilot.press("u")
        await pilot.pause()
        crisis = queue_store.get("c-crisis")
        assert crisis.status == "new" and crisis.tag("crisis") is not None
        assert queue_store.get("c-question").status == "new"


async def test_x_on_a_comment_that_is_no_crisis_dismisses_at_once(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(QueueList).move_to_id("c-plain")
        await pilot.press("x")
        assert not isinstance(app.screen, ChoiceScreen)
        assert queue_store.get("c-plain").status == "dismissed"
