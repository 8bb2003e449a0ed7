"""Marking, bulk actions with one undo, assignment and tag corrections, from the keyboard."""

from __future__ import annotations

from tests.tui.conftest import make_app, row_text, selected_id
from triage.config import parse_config
from triage.store import Store
from tui.pickers import ChoiceScreen, PromptScreen

TEAM = parse_config(
    '[[team]]\nname = "ana"\nroles = ["agent"]\n[[team]]\nname = "ben"\nroles = ["agent"]\n'
)


async def test_space_marks_and_dismiss_applies_to_all_marked_with_one_undo(
    queue_store: Store,
) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space", "space")  # crisis and question marked, cursor moved on
        assert selected_id(app) == "c-reply"
        assert row_text(app, 1).startswith("●") and row_text(app, 2).startswith("●")
        assert not row_text(app, 3).startswith("●")
        await pilot.press("x", "enter")  # a crisis among them: what was done (called 911)
        assert queue_store.get("c-crisis").status == "dismissed"
        assert queue_store.get("c-question").status == "dismissed"
        assert queue_store.get("c-reply").status == "new"
        assert not row_text(app, 1).startswith("●")  # marks cleared after the action
        batches = {line["batch"] for line in queue_store.journal.read_backwards()
                   if line.get("kind") == "dismiss"}
        assert len(batches) == 1  # one journaled action per comment, in one batch
        await pilot.press("u")
        assert queue_store.get("c-crisis").status == "new"
        assert queue_store.get("c-question").status == "new"


async def test_star_marks_everything_matching_a_query(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("asterisk")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"author:priya,rob", "enter")
        assert app.query_one("#queue").marked == {"c-reply", "c-myth"}
        await pilot.press("x")
        assert {c.id for c in queue_store if c.status == "dismissed"} == {"c-reply", "c-myth"}


async def test_assign_picks_a_team_member(queue_store: Store) -> None:
    app = make_app(queue_store, TEAM)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "enter")  # ben
        assert queue_store.get("c-crisis").assignee == "ben"
        assert selected_id(app) == "c-question"
        await pilot.press("7")  # Mine (ana): nothing yet
        assert app.query_one("#queue").rows == []


async def test_t_corrects_a_tag(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("G")  # the plain thank-you, no tags
        await pilot.press("t")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("end", "enter")  # add question (the last choice)
        assert queue_store.get("c-plain").tag("question").source == "manual:ana"
        await pilot.press("u")
        assert queue_store.get("c-plain").tag("question") is None
