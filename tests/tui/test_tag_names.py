"""One name per tag wherever a person reads it (misinformation reads "Myth": chip MYTH, view
Myths, detail and stats Myth), while queries keep the tag's id; counts read in the right
number ("1 comment")."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from tests.clirun import run
from tests.factories import FLU_POST, sample_comments
from tests.tui.conftest import make_app, row_text
from tests.tui.test_layout import view_bar
from triage.model import TAG_CHIPS, TAG_LABELS, TAG_NAMES
from triage.store import Store
from tui.pickers import ChoiceScreen
from tui.queue_list import QueueList
from tui.stats_screen import StatsScreen


def shown(widget: Static, width: int = 160) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


def test_every_tag_has_one_display_name_and_its_chip_is_that_name() -> None:
    assert set(TAG_LABELS) == set(TAG_NAMES) == set(TAG_CHIPS)
    for tag in TAG_NAMES:
        assert TAG_LABELS[tag].upper().startswith(TAG_CHIPS[tag])
    assert TAG_LABELS["misinformation"] == "Myth" and TAG_CHIPS["misinformation"] == "MYTH"


async def test_the_desk_says_myth_for_misinformation_everywhere(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(160, 40)) as pilot:
        queue = app.query_one(QueueList)
        queue.move_to_id("c-myth")
        await pilot.pause()
        row = row_text(app, queue.index_of("c-myth") + 1)
        assert " MYTH " in row
        detail = shown(app.screen.query_one("#detail-body", Static))
        assert "Myth (tag:misinformation) 0.82" in detail
        assert "misinformation" not in detail.replace("tag:misinformation", "")
        assert "Myths" in view_bar(app)
        await pilot.press("t")
        assert isinstance(app.screen, ChoiceScreen)
        choices = [label for _, label in app.screen._choices]
        assert "remove Myth (tag:misinformation)" in choices
        await pilot.press("escape")
        await pilot.press("S")
        assert isinstance(app.screen, StatsScreen)
        chart = shown(app.screen.query_one("#by-tag", Static), 80)
        assert "Myth" in chart and "misinformation" not in chart and "MYTH" not in chart


def test_cli_stats_names_tags_as_the_desk_does(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Store(tmp_path / "data") as store:
        store.ingest(sample_comments(), [FLU_POST], user="t")
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "data"), "stats", "--since", "3650d")
    (line,) = [line for line in out.splitlines() if line.startswith("by tag:")]
    assert code == 0 and "Myth 1" in line and "Adverse event" in line
    assert "misinformation" not in line and "adverse_event" not in line


async def test_one_comment_is_counted_as_one_comment(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("asterisk")
        await pilot.press(*"id:c-myth", "enter")
        await pilot.pause()
        notices = [n.message for n in app._notifications]
        assert any(m.startswith("Marked 1 comment (") for m in notices), notices
