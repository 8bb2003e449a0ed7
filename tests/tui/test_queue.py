"""Working the queue from the keyboard, as a person does."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from rich.console import Console
from textual.widgets import Static

from tests.factories import NOW
from tests.tui.conftest import make_app, row_text, selected_id
from triage.config import parse_config
from triage.store import Store
from tui.help_screen import HelpScreen

NEWEST_FIRST = ["c-crisis", "c-question", "c-reply", "c-myth", "c-privacy", "c-hostile", "c-plain"]


def detail_text(app) -> str:  # type: ignore[no-untyped-def]
    body = app.screen.query_one("#detail-body", Static)
    console = Console(width=118, record=True, color_system=None)
    console.print(body.content)  # what the pane draws
    return console.export_text()


async def test_list_is_newest_first_with_columns(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(130, 40)):
        header = row_text(app, 0)
        for title in ("Platform", "Account", "Author", "Age", "Tags", "Status", "Comment"):
            assert title in header
        first = row_text(app, 1)
        assert "Instagram" in first and "riverside-ig" in first and "anon4471" in first
        age = header.index(" Age")
        assert first[age:age + 5] == " 2m  " and "CRISIS" in first
        assert "new 13m" in first  # status, and 13 of the 15 minutes to answer a crisis
        assert "I can't do this anymore" in first
        assert "MYTH" in row_text(app, 4)
        assert selected_id(app) == "c-crisis"


@pytest.mark.parametrize(("size", "account", "age", "comment"), [
    ((160, 50), True, "2 min ago", "I can't do this anymore, I'm going to end it tonight"),
    ((120, 40), True, "2m", "I can't do this anymore, I'm going to"),
    ((100, 30), False, "2m", "I can't do this anymore, I'm going to"),
])
async def test_the_comment_keeps_room_as_the_terminal_narrows(
    queue_store: Store, size: tuple[int, int], account: bool, age: str, comment: str
) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=size):
        header, first = row_text(app, 0), row_text(app, 1)
        assert ("Account" in header) is account and ("riverside-ig" in first) is account
        assert first[header.index(" Age"):].startswith(f" {age} ")
        assert comment in first  # more than a few words of the comment


@pytest.mark.parametrize("size", [(160, 50), (120, 40), (100, 30)])
async def test_a_long_late_status_is_never_cut(queue_store: Store, size: tuple[int, int]) -> None:
    app = make_app(queue_store, now=NOW + timedelta(hours=27, minutes=13))
    async with app.run_test(size=size):
        status = row_text(app, 0).index(" Status")
        assert row_text(app, 1)[status:status + 13] == " new late 27h"


async def test_keys_move_through_the_queue(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j")
        assert selected_id(app) == NEWEST_FIRST[1]
        await pilot.press("down", "down")
        assert selected_id(app) == NEWEST_FIRST[3]
        await pilot.press("k")
        assert selected_id(app) == NEWEST_FIRST[2]
        await pilot.press("up")
        assert selected_id(app) == NEWEST_FIRST[1]
        await pilot.press("G")
        assert selected_id(app) == NEWEST_FIRST[-1]
        await pilot.press("j")  # at the bottom it stays
        assert selected_id(app) == NEWEST_FIRST[-1]
        await pilot.press("g")
        assert selected_id(app) == NEWEST_FIRST[0]


async def test_detail_shows_text_tags_post_thread_and_link(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j", "j", "j")  # the myth
        await pilot.pause()
        shown = detail_text(app)
        assert "The flu shot gives you the flu" in shown
        assert "Rob Keller" in shown
        assert "MYTH" in shown and "claim:flu-shot-gives-flu" in shown
        assert "https://www.cdc.gov/flu/vaccine-safety/index.html" in shown
        assert "“The flu shot gives you the flu”" in shown  # the evidence
        assert "Free flu shots this Saturday" in shown  # the post
        assert "Priya Nair" in shown  # a reply in its thread
        assert "https://www.facebook.com/riverside/posts/1?comment_id=c-myth" in shown
        await pilot.press("k")  # the reply: its parent is shown
        await pilot.pause()
        assert "in reply to Rob Keller" in detail_text(app)


async def test_enter_opens_the_whole_comment_and_escape_returns(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        assert app.screen.maximized is not None
        await pilot.press("escape")
        assert app.screen.maximized is None
        await pilot.press("j")
        assert selected_id(app) == NEWEST_FIRST[1]


async def test_dismiss_moves_on_and_undo_brings_it_back(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j")  # the question
        await pilot.press("x")
        assert queue_store.get("c-question").status == "dismissed"
        assert selected_id(app) == "c-reply"  # acting moved on to the next
        assert "dismissed" in row_text(app, 2)
        await pilot.press("u")
        assert queue_store.get("c-question").status == "new"
        assert selected_id(app) == "c-question"
        assert "new" in row_text(app, 2)


async def test_dismiss_is_disabled_on_a_dismissed_comment(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("x", "enter", "k")  # the crisis, closed: called 911
        assert selected_id(app) == "c-crisis"
        assert app.screen.check_action("dismiss_comment", ()) is None
        await pilot.press("x")
        journal_lines = queue_store.journal.path.read_bytes().count(b'"kind":"dismiss"')
        assert journal_lines == 1


async def test_search_filters_the_text(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash")
        await pilot.press(*"flu")
        await pilot.press("enter")
        assert selected_id(app) == "c-question"
        assert "search “flu”: 2 shown" in str(app.screen.query_one("#status", Static).content)
        await pilot.press("j")
        assert selected_id(app) == "c-myth"
        await pilot.press("slash", "escape")
        await pilot.press("G")
        assert selected_id(app) == "c-plain"


async def test_help_lists_every_key_with_its_id(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=118, record=True, color_system=None)
        for static in app.screen.query(Static):
            console.print(static.content)
        shown = console.export_text()
        for ident in ("queue.dismiss", "queue.undo", "queue.down", "queue.top", "queue.search",
                      "queue.open", "app.help", "app.quit", "command_palette"):
            assert ident in shown
        assert "Dismiss — Nothing to do" in shown  # the name, and what it does
        assert "Id (for [keymap] in config.toml)" in shown  # not eaten as markup
        assert "View 1: Crisis" in shown and "View 8: All" in shown
        assert "page_left" not in shown and "focus_next" not in shown  # not this desk's keys
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_a_keymap_override_remaps_a_key(queue_store: Store) -> None:
    config = parse_config('[keymap]\n"queue.dismiss" = "d"\n"queue.nonsense" = "z"\n')
    app = make_app(queue_store, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("x")
        assert queue_store.get("c-crisis").status == "new"
        await pilot.press("d", "enter")  # the crisis, closed: called 911
        assert queue_store.get("c-crisis").status == "dismissed"
        messages = [n.message for n in app._notifications]
        assert any("no binding with id 'queue.nonsense'" in m for m in messages)


async def test_hostile_text_is_shown_literally_and_does_nothing(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("G", "k")  # the hostile comment
        await pilot.pause()
        assert selected_id(app) == "c-hostile"
        row = row_text(app, 6)
        assert "[b]Mallory[/b]" in row and "[bold red]boom[/]" in row
        assert "\x1b" not in row
        shown = detail_text(app)
        assert "[@click=app.quit]quit[/]" in shown and "␛[31mred" in shown
        await pilot.click("#detail")
        assert app.is_running


async def test_search_speaks_the_query_language_and_names_a_bad_term(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"tag:crisis,privacy")
        await pilot.pause()
        assert [c.id for c in app.screen.query_one("#queue").rows] == ["c-crisis", "c-privacy"]
        await pilot.press("space", *"sttus:new")
        await pilot.pause()
        status = str(app.screen.query_one("#status", Static).content)
        assert "unknown field 'sttus'" in status
        assert app.is_running
        await pilot.press(*["backspace"] * len(" sttus:new"))
        await pilot.pause()
        assert [c.id for c in app.screen.query_one("#queue").rows] == ["c-crisis", "c-privacy"]
        assert "unknown field" not in str(app.screen.query_one("#status", Static).content)


async def test_number_keys_switch_views_with_live_counts(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        bar = str(app.screen.query_one("#views").render())
        assert "1 Crisis 1" in bar and "3 Privacy 1" in bar and "8 All 7" in bar
        await pilot.press("1")
        assert [c.id for c in app.screen.query_one("#queue").rows] == ["c-crisis"]
        await pilot.press("x", "enter")  # closed: it leaves the Crisis view, the count follows
        assert app.screen.query_one("#queue").rows == []
        assert "1 Crisis 0" in str(app.screen.query_one("#views").render())
        await pilot.press("2")  # Needs reply: priority order, crisis gone
        ids = [c.id for c in app.screen.query_one("#queue").rows]
        assert ids[:2] == ["c-privacy", "c-myth"]
        await pilot.press("8")
        assert len(app.screen.query_one("#queue").rows) == 7


async def test_a_view_opens_on_the_same_comment_if_it_has_it_else_at_its_top(
    queue_store: Store,
) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("8", "j", "j", "x", "k")  # the third comment of All, dismissed
        queue = app.screen.query_one("#queue")
        assert queue.selected is not None and queue.selected.status == "dismissed"
        await pilot.press("2")  # Needs reply has not got it: it opens at its top
        assert queue.selected is not None and queue.selected.id == queue.rows[0].id
        await pilot.press("j")
        kept = queue.selected
        await pilot.press("8")  # All has that comment: the cursor stays on it
        assert queue.selected is not None and kept is not None
        assert queue.selected.id == kept.id


@pytest.mark.parametrize("size", [(160, 50), (120, 40), (100, 30), (80, 24)])
async def test_the_view_bar_shows_every_view_and_the_current_one(
    queue_store: Store, size: tuple[int, int]
) -> None:
    app = make_app(queue_store, now=NOW + timedelta(days=2))  # most of them late
    async with app.run_test(size=size) as pilot:
        for key, name in (("7", "Mine"), ("2", "Needs reply"), ("8", "All")):
            await pilot.press(key)
            bar = str(app.screen.query_one("#views").render())
            assert len(bar) <= size[0]  # nothing cut off: the last view is whole
            assert re.fullmatch(r"8 All \d+( \(\d+ late\))?", bar.split("│")[-1].strip())
            assert "…" not in bar  # no name cut mid-word
            assert all(re.search(rf"(^|[ │]){n} ", bar) for n in range(1, 9))  # every key
            assert f"{key} {name} " in bar  # the current view, in full
        if size[0] >= 120:  # how many are late: in full for the current view at least;
            assert "late)" in bar  # narrower, names come first (late views are red)


async def test_a_late_comment_is_marked(queue_store: Store) -> None:
    from datetime import timedelta

    from tests.factories import NOW

    app = make_app(queue_store, now=NOW + timedelta(minutes=20))
    async with app.run_test(size=(120, 40)):
        assert "new late 7m" in row_text(app, 1)
        assert "past their SLA" in str(app.screen.query_one("#status", Static).content)


async def test_a_crisis_arriving_rings_and_notifies(queue_store: Store) -> None:
    from tests.factories import make_comment
    from triage.model import Tag

    app = make_app(queue_store)
    rings: list[bool] = []
    app.bell = lambda: rings.append(True)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        assert not rings
        queue_store.ingest([make_comment("c-new-crisis", "my husband collapsed, not breathing",
                                         minutes_ago=0, tags=(Tag("crisis", 0.99),))], user="t")
        await pilot.pause(1.2)  # the app notices the store changed on its next tick
        assert rings == [True]
        assert any("1 new crisis comment" in n.message for n in app._notifications)


async def test_the_queue_opens_on_the_newest_and_fills_in_the_rest(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_comment
    from triage import store as store_module

    data = tmp_path / "big"
    with Store(data) as first:
        first.ingest([make_comment(f"m{i:04d}", f"comment {i}", minutes_ago=i)
                      for i in range(store_module.HEAD + 300)], user="t")
    with Store(data, defer_load=True) as store:
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert store.loaded
            assert len(app.query_one("#queue").rows) == store_module.HEAD + 300
            assert selected_id(app) == "m0000"
            await pilot.press("G")
            assert selected_id(app) == f"m{store_module.HEAD + 299:04d}"
