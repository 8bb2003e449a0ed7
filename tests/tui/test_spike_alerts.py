"""Spike alerts on the desk: a notice when an alert starts (once), the stats screen's trends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from tests.factories import NOW
from tests.tui.conftest import make_app
from tests.unit.test_spikes import comment, ozempic
from triage.config import parse_config
from triage.store import Store
from triage.timefmt import clock_time
from tui.app import TriageApp
from tui.stats_screen import StatsScreen

CONFIG = parse_config('[org]\nname = "Riverside Health"\n'
                      '[pharmacovigilance]\nproducts = ["Ozempic", "Shingrix"]\n')


@pytest.fixture
def surging(tmp_path: Path) -> Iterator[Store]:
    """Ten days of a question an hour, then eight Ozempic adverse events in the last hour."""
    comments = [comment(NOW - timedelta(hours=h, minutes=50)) for h in range(1, 240)]
    comments += ozempic(NOW - timedelta(minutes=55), 8)
    with Store(tmp_path / "data") as store:
        store.ingest(comments, user="test")
        yield store


def spike_notices(app: TriageApp) -> list[tuple[str, str]]:
    return [(n.identity, str(n.message)) for n in app._notifications
            if n.title == "Spike alert"]


async def test_a_notice_says_when_an_alert_starts_and_only_once(surging: Store) -> None:
    app = make_app(surging, CONFIG)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        first = spike_notices(app)
        assert sorted(message for _, message in first) == [
            "Adverse event is spiking: 8 in the last 3h, usually 0.3. The stats screen (S) "
            "shows the trend.",
            "Ozempic (adverse events) is spiking: 8 in the last 3h, usually 0.3. The stats "
            "screen (S) shows the trend.",
        ]
        app.check_spikes()  # the next check, a minute later: the same alerts
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert spike_notices(app) == first


async def test_no_notice_without_a_spike(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        store.ingest([comment(NOW - timedelta(hours=h)) for h in range(1, 240)], user="test")
        app = make_app(store, CONFIG)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert spike_notices(app) == []


async def test_the_stats_screen_draws_the_trends_and_marks_the_alert(surging: Store) -> None:
    app = make_app(surging, CONFIG)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("S")
        assert isinstance(app.screen, StatsScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        trends = app.screen.query_one("#trends", Static)
        console = Console(width=trends.content_region.width, record=True, color_system=None)
        console.print(trends.content)
        lines = console.export_text().splitlines()
    assert lines[0].strip() == "Trends, last 7 days (24 h count; ▲ spiking)"
    (question,) = [line for line in lines if line.lstrip().startswith("Question ")]
    assert "█" in question and "▲" not in question
    assert question.rstrip().endswith(" 23")  # a question an hour
    # flagged at 14:45, when the sixth of the eight had come in
    (product,) = [line for line in lines if "Ozempic (adverse events)" in line]
    since = NOW.replace(minute=45) - timedelta(hours=1)
    assert product.rstrip().endswith(
        f"█    8 ▲ since {clock_time(since, NOW)}: 8 in 3h, usually 0.3"), product
    (quiet,) = [line for line in lines if "Shingrix (adverse events)" in line]
    assert "▲" not in quiet and quiet.rstrip().endswith(" 0")
