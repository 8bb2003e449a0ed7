"""The stats screen, opened with S, on a known queue."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from tests.factories import FLU_POST, sample_comments
from tests.tui.conftest import make_app
from triage.desk import Desk
from triage.store import Store
from tui.stats_screen import StatsScreen


async def test_s_opens_the_stats_with_the_figures(queue_store: Store) -> None:
    Desk(queue_store, "ana").dismiss(["c-plain"])
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("S")
        assert isinstance(app.screen, StatsScreen)
        console = Console(width=60, record=True, color_system=None)
        console.print(app.screen.query_one("#figures-text", Static).content)
        shown = console.export_text()
        assert "Comments" in shown and "7" in shown
        assert "flu-shot-gives-flu" in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, StatsScreen)


def test_stats_screen_snapshot(snap_compare, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # plotext removes duplicates through a set, so its drawing depends on the hash seed;
    # the same removal in first-seen order makes the snapshot repeatable.
    import plotext._utility

    monkeypatch.setattr(plotext._utility, "no_duplicates", lambda data: list(dict.fromkeys(data)))
    with Store(tmp_path / "data") as store:
        store.ingest(sample_comments(), [FLU_POST], user="test")
        app = make_app(store)
        assert snap_compare(app, terminal_size=(120, 40), press=["S"])
