"""What is in sight at 80×24, 130×40 and 200×50: view names, rows, columns, the Stats
and Legal screens; the assignee column and the cursor's highlight across the row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import DataTable, Static

from tests.factories import FLU_POST, NOW, make_comment, sample_comments
from tests.tui.conftest import make_app, row_text
from tests.tui.test_legal import LEGAL_ANA
from triage.config import parse_config
from triage.desk import Desk
from triage.legal import escalate
from triage.model import Tag
from triage.store import Store
from tui.app import TriageApp
from tui.legal_screen import LegalScreen
from tui.queue_list import QueueList
from tui.stats_screen import StatsScreen
from tui.view_bar import ViewBar

AUTHORS = ("Jordan Castellano", "Fernando Martínez", "Verónica García", "Wes Abernathy")
TAGS = ("question", "misinformation", "privacy", "adverse_event", "crisis", "abuse")


@pytest.fixture
def busy_store(tmp_path: Path) -> Iterator[Store]:
    """The sample queue and 60 more comments, a few of every tag, on several accounts."""
    more = [make_comment(f"c-{n:02}", f"Comment {n:02}: when is the flu clinic open on Saturday?",
                         minutes_ago=10 + n, author=AUTHORS[n % 4],
                         account=("riverside-tiktok", "riverside-fb")[n % 2],
                         tags=(Tag(TAGS[n % 6], 0.9),))
            for n in range(60)]
    with Store(tmp_path / "data") as store:
        store.ingest(sample_comments() + more, [FLU_POST], user="test")
        Desk(store, "ana").assign(["c-00"], "ana")
        yield store


def view_bar(app: TriageApp) -> str:
    return app.screen.query_one(ViewBar).render().plain


def visible_rows(app: TriageApp) -> list[str]:
    queue = app.query_one(QueueList)
    shown = queue.scrollable_content_region.height - 1  # the first line is the header
    return [row_text(app, y) for y in range(1, shown + 1) if row_text(app, y).strip()]


@pytest.mark.parametrize(("size", "names", "rows", "comment_chars"), [
    ((80, 24), ["1 Crisis", "2 Reply", "3 Priv", "4 Myth", "5 AE", "6 Legal", "7 Mine",
                "8 All"], 11, 23),
    ((130, 40), ["1 Crisis", "2 Needs reply", "3 Privacy", "4 Myths", "5 AE intake",
                 "6 Legal", "7 Mine", "8 All"], 18, 30),
    ((200, 50), ["1 Crisis", "2 Needs reply", "3 Privacy", "4 Myths",
                 "5 AE intake", "6 Legal", "7 Mine", "8 All"], 22, 50),
])
async def test_what_is_in_sight(busy_store: Store, size: tuple[int, int], names: list[str],
                                rows: int, comment_chars: int) -> None:
    app = make_app(busy_store)
    async with app.run_test(size=size) as pilot:
        await pilot.press("8")  # All, newest first
        await pilot.pause()
        bar = view_bar(app)
        assert "…" not in bar
        for name in names:
            assert name in bar
        lines = visible_rows(app)
        assert len(lines) >= rows
        header = row_text(app, 0)
        start = header.index("Comment")
        assert "Who" in header or "Assignee" in header
        question = next(line for line in lines if "Comment 00" in line)
        assert len(question[start:].strip()) >= comment_chars  # the comment is readable
        assert " ana " in question[:start]  # its assignee, in its own column
        author = next(line for line in lines if "Comment 01" in line)
        assert "Fernando" in author


async def test_130_columns_cut_no_account_or_author(busy_store: Store) -> None:
    app = make_app(busy_store)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.press("8")
        await pilot.pause()
        line = next(line for line in visible_rows(app) if "Comment 02" in line)
        assert "riverside-tiktok " in line and "Verónica García " in line


async def test_the_cursor_highlight_covers_every_cell(busy_store: Store) -> None:
    app = make_app(busy_store)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.press("8")
        await pilot.pause()
        queue = app.query_one(QueueList)
        cursor = queue.get_component_rich_style("queue-list--cursor").bgcolor
        row = list(queue.render_line(queue.cursor + 1))
        plain = [s for s in row if s.style is not None and not s.text.startswith(" CRISIS")
                 and s.text.strip() not in {"QUESTION", "MYTH", "PRIVACY", "ADVERSE",
                                            "CRISIS", "ABUSE"}]
        assert plain and all(s.style.bgcolor == cursor for s in plain), \
            [(s.text, s.style.bgcolor) for s in plain if s.style.bgcolor != cursor]


async def test_stats_at_80_by_24_names_every_bar_with_its_number(busy_store: Store) -> None:
    app = make_app(busy_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        chart = app.screen.query_one("#by-tag", Static)
        console = Console(width=chart.content_region.width, record=True, color_system=None)
        console.print(chart.content)
        lines = console.export_text().splitlines()
        for label in ("Crisis", "Adverse event", "Privacy", "Myth", "Abuse", "Question"):
            (line,) = [x for x in lines if x.lstrip().startswith(f"{label} │")]
            assert line.rstrip()[-1].isdigit()  # the number beside its bar
        days = app.screen.query_one("#by-day", Static)
        console = Console(width=days.content_region.width, record=True, color_system=None)
        console.print(days.content)
        assert any(x.strip().endswith(" 67") for x in console.export_text().splitlines())


@pytest.mark.parametrize("size", [(80, 24), (130, 40), (200, 50)])
async def test_legal_keeps_every_column_in_sight(busy_store: Store,
                                                 size: tuple[int, int]) -> None:
    config = parse_config(LEGAL_ANA)
    escalate(busy_store, config, "ana", "c-privacy", "privacy_breach", "critical",
             now=NOW - timedelta(minutes=12))
    app = make_app(busy_store, config=config)
    async with app.run_test(size=size) as pilot:
        await pilot.press("L")
        await pilot.pause()
        assert isinstance(app.screen, LegalScreen)
        table = app.screen.query_one(DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[:4] == ["ID", "Status", "Severity", "Reason"] and "Decision" in labels
        assert ("Comment" in labels) == (size[0] >= 130)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[:4] == ["esc-0001", "pending delivery", "critical", "privacy_breach"] \
            or row[:4] == ["esc-0001", "open", "critical", "privacy_breach"]


async def test_at_80_columns_every_view_keeps_a_name_whichever_is_current(
    tmp_path: Path,
) -> None:
    """Three-digit counts, as in the sandbox: the current view takes its short name before
    Crisis (or any other) is left as a bare number."""
    many = [make_comment(f"m-{n:03}", f"Comment {n:03}: any news?", minutes_ago=5 + n,
                         tags=(Tag("question", 0.9),)) for n in range(260)]
    with Store(tmp_path / "data") as store:
        store.ingest(sample_comments() + many, [FLU_POST], user="test")
        app = make_app(store)
        async with app.run_test(size=(80, 24)) as pilot:
            for key in ("2", "8", "1"):
                await pilot.press(key)
                await pilot.pause()
                bar = view_bar(app)
                for name in ("1 Crisis", "2 Reply", "3 Priv", "4 Myth", "5 AE", "6 Legal",
                             "7 Mine", "8 All"):
                    assert name in bar, (key, bar)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_how_late_a_comment_is_reads_whole_at_every_width(
        tmp_path: Path, size: tuple[int, int]) -> None:
    late = make_comment("c-late", "When do you open?", minutes_ago=42 * 60 + 20,
                        tags=(Tag("adverse_event", 0.9),))
    with Store(tmp_path / "data") as store:
        store.ingest([late], [FLU_POST], user="test")
        app = make_app(store)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            row = row_text(app, 1)
    assert " late 41h " in row, row  # 42 h old, its 1 h target long past
