"""The desk opens where the danger is: on Crisis while a crisis is open, else on Needs
reply; the open crises are counted in the header from every view."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Header

from tests.factories import FLU_POST, sample_comments
from tests.tui.conftest import make_app, selected_id
from triage.store import Store
from tui.app import TriageApp
from tui.queue_list import QueueList


def current_view(app: TriageApp) -> str:
    """The name of the view the queue shows."""
    view = app.queue_screen.view
    return view.views[view.view_index].name


def header_text(app: TriageApp) -> str:
    """What the header says on the screen shown now."""
    return f"{app.title} {app.screen.query_one(Header).screen_sub_title}"


async def test_it_opens_on_the_crisis_view_while_a_crisis_is_open(queue_store: Store) -> None:
    app = make_app(queue_store, view=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert current_view(app) == "Crisis"
        assert selected_id(app) == "c-crisis"
        assert app.query_one(QueueList).rows[0].id == "c-crisis"
        assert "⚠ 1 open crisis" in header_text(app)
        await pilot.press("8")  # All: the count stays in sight
        assert current_view(app) == "All"
        assert "⚠ 1 open crisis" in header_text(app)
        await pilot.press("S")  # another screen: still there
        assert "⚠ 1 open crisis" in header_text(app)


async def test_with_no_crisis_open_it_opens_on_needs_reply(tmp_path: Path) -> None:
    calm = [c for c in sample_comments() if c.id != "c-crisis"]
    with Store(tmp_path / "data") as store:
        store.ingest(calm, [FLU_POST], user="test")
        app = make_app(store, view=None)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert current_view(app) == "Needs reply"
            assert "open cris" not in header_text(app)


async def test_a_view_chosen_while_loading_stays_once_the_queue_has_loaded(
    tmp_path: Path,
) -> None:
    from tests.factories import make_comment
    from triage import store as store_module
    from triage.model import Tag

    data = tmp_path / "big"
    with Store(data) as first:
        first.ingest([make_comment(f"m{i:04d}", f"comment {i}", minutes_ago=i,
                                   tags=(Tag("crisis", 0.9),) if i % 50 == 0 else ())
                      for i in range(store_module.HEAD + 300)], user="t")
    with Store(data, defer_load=True) as store:
        app = make_app(store, view=None)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("8")  # All, chosen before the background load ends
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert store.loaded
            assert current_view(app) == "All"


async def test_a_queue_that_fills_after_start_opens_on_its_crisis(tmp_path: Path) -> None:
    """The sandbox and a first sync store the comments after the desk has started."""
    with Store(tmp_path / "data") as store:
        app = make_app(store, view=None)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            store.ingest(sample_comments(), [FLU_POST], user="sync")
            app.queue_screen.view.refresh_queue()
            await pilot.pause()
            assert current_view(app) == "Crisis"
            assert selected_id(app) == "c-crisis"


async def test_a_view_chosen_before_the_first_comments_is_kept(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        app = make_app(store, view=None)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("8")
            store.ingest(sample_comments(), [FLU_POST], user="sync")
            app.queue_screen.view.refresh_queue()
            await pilot.pause()
            assert current_view(app) == "All"


async def test_crises_the_first_sync_brings_open_the_crisis_view(tmp_path: Path) -> None:
    """The sandbox stores some platforms directly, then syncs the rest, crises among them."""
    calm = [c for c in sample_comments() if c.id != "c-crisis"]
    crisis = [c for c in sample_comments() if c.id == "c-crisis"]
    with Store(tmp_path / "data") as store:
        store.ingest(calm, [FLU_POST], user="test")
        app = make_app(store, view=None)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert current_view(app) == "Needs reply"
            store.ingest(crisis, user="sync")
            app.queue_screen.view.refresh_queue()
            app.queue_screen.view.first_sync_done()
            await pilot.pause()
            assert current_view(app) == "Crisis"
            assert selected_id(app) == "c-crisis"
            await pilot.press("2")
            app.queue_screen.view.first_sync_done()
            assert current_view(app) == "Needs reply"
