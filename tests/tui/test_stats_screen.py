"""The stats screen, opened with S, on a known queue."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from tests.factories import FLU_POST, make_comment, sample_comments
from tests.tui.conftest import make_app
from triage.desk import Desk
from triage.model import PLATFORMS, Comment
from triage.store import Store
from tui.queue_list import PLATFORM_LABELS
from tui.stats_screen import StatsScreen


def every_platform() -> list[Comment]:
    """The sample queue, plus comments on every other platform (one more each time)."""
    comments = sample_comments()
    present = {c.platform for c in comments}
    for n, platform in enumerate(p for p in PLATFORMS if p not in present):
        comments += [make_comment(f"c-{platform}-{k}", "When do you open?", platform=platform,
                                  account=f"riverside-{platform}", minutes_ago=30 + k)
                     for k in range(n + 1)]
    return comments


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


async def test_every_platform_is_named_in_its_chart(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        store.ingest(every_platform(), [FLU_POST], user="test")
        counts = {p: sum(1 for c in store if c.platform == p) for p in PLATFORMS}
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("S")
            chart = app.screen.query_one("#by-platform", Static)
            console = Console(width=chart.content_region.width, record=True,
                              color_system=None)
            console.print(chart.content)
            lines = console.export_text().splitlines()
    assert lines[0].strip() == "Comments by platform"
    for platform in PLATFORMS:
        label = PLATFORM_LABELS[platform]
        (line,) = [line for line in lines if line.lstrip().startswith(f"{label} │")]
        assert line.rstrip().endswith(f" {counts[platform]}")


def test_stats_screen_snapshot(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Store(tmp_path / "data") as store:
        store.ingest(every_platform(), [FLU_POST], user="test")
        app = make_app(store)
        assert snap_compare(app, terminal_size=(120, 40), press=["S"])
