"""The small things a person working the queue all day notices: notices that do not
pile up, keys that say why they do nothing, the cursor moving on, words that read well."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Input, OptionList, Static

from tests.tui.conftest import make_app, selected_id
from triage.config import parse_config
from triage.store import Store
from tui.app import MAX_NOTICES
from tui.queue_list import QueueList


def messages(app: App[None]) -> list[str]:
    return [n.message for n in app._notifications]


async def test_the_same_notice_is_shown_once_and_few_at_a_time(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3):
            app.notify("cannot hide: not here", markup=False)
        await pilot.pause()
        assert messages(app).count("cannot hide: not here") == 1
        for k in range(MAX_NOTICES + 2):
            app.notify(f"notice {k}", markup=False)
        await pilot.pause()
        shown = messages(app)
        assert len(shown) == MAX_NOTICES
        assert shown[-1] == f"notice {MAX_NOTICES + 1}"  # the newest stay


TEAM = parse_config('[org]\nname = "Riverside Health"\n\n[[team]]\nname = "ana"\n'
                    'roles = ["agent", "approver"]\n\n[[team]]\nname = "lee"\n'
                    'roles = ["legal"]\n')


async def test_acting_moves_on_to_the_next_comment_without_skipping_one(
    queue_store: Store
) -> None:
    app = make_app(queue_store, config=TEAM)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")  # Needs reply: a dismissed comment leaves this view
        queue = app.query_one(QueueList)
        order = [c.id for c in queue.rows]
        assert order[0] == "c-crisis"
        await pilot.press("x", "enter")  # closed: called 911
        assert selected_id(app) == order[1]  # the next one, not the one after it
        await pilot.press("a")
        await pilot.press("enter")  # assigned to ana: it stays in the view
        await pilot.pause()
        assert selected_id(app) == order[2]
        assert "Assigned the comment to ana — u to undo" in messages(app)
        await pilot.press("u")
        assert selected_id(app) == order[1]
        await pilot.press("8", "G")  # All: the last comment stays when dismissed
        last = selected_id(app)
        await pilot.press("x")
        assert selected_id(app) == last


def status(app: App[None]) -> str:
    return str(app.screen.query_one("#status", Static).content)


async def test_a_kept_search_gets_out_of_the_way_and_escape_clears_it(
    queue_store: Store
) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("G")  # the last comment, which the search leaves out
        await pilot.press("slash", *"tag:privacy,misinformation", "enter")
        search = app.screen.query_one("#search", Input)
        assert not search.has_class("-shown")  # the box goes; the status line keeps it
        assert "search “tag:privacy,misinformation”: 2 shown (/ edits, esc clears)" \
            in status(app)
        assert selected_id(app) == "c-privacy"  # a search starts at its first match
        assert app.screen.check_action("back", ()) is True  # esc is in the footer
        await pilot.press("slash")  # back to edit it, as it was
        assert search.has_class("-shown") and search.value == "tag:privacy,misinformation"
        await pilot.press("enter", "escape")
        assert app.queue_screen.view.filter_text == "" and len(app.query_one(QueueList).rows) == 7
        assert selected_id(app) == "c-privacy"  # the cursor stays where it was
        assert app.screen.check_action("back", ()) is False  # nothing to go back from


async def test_marks_are_counted_and_escape_clears_them(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space", "space")
        assert "2 marked: x a t h act on them, esc clears" in status(app)
        await pilot.press("escape")
        assert not app.query_one(QueueList).marked and "marked" not in status(app)


async def test_the_tag_picker_names_tags_as_the_desk_does(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j", "j", "j")  # the myth
        await pilot.press("t")
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt)
                  for i in range(options.option_count)]
        assert "remove Myth (tag:misinformation)" in labels and "add Crisis" in labels
        assert "add Adverse event" in labels
