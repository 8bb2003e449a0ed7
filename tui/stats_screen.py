"""The stats screen: volume by tag, platform and day as charts, and the figures that matter.

Tags and days are plotext bar charts (few, short labels). Platforms are drawn as
horizontal bars, one line each with its name and count, so that every platform stays
readable however many there are: plotext leaves out x-axis labels that would touch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual_plotext import PlotextPlot

from triage.stats import Stats, compute_stats
from triage.store import Store
from triage.textsafe import inline
from triage.timefmt import duration
from triage.views import Sla
from tui.chips import CHIP_LABELS
from tui.queue_list import PLATFORM_LABELS

__all__ = ["HorizontalBars", "StatsScreen"]

#: The colour plotext draws the other charts' bars in.
BAR_STYLE = "#9d65ff"


class HorizontalBars:
    """A titled bar chart on its side: one line per label (name, bar, count), the bars
    scaled to the width there is. Every label is shown in full."""

    def __init__(self, title: str, counts: Mapping[str, int]) -> None:
        self.title = title
        self.counts = dict(counts)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        width = options.max_width
        yield Text(self.title, justify="center", no_wrap=True, overflow="ellipsis")
        yield Text("")
        if not self.counts:
            return
        name_width = max(cell_len(name) for name in self.counts)
        count_width = max(len(str(count)) for count in self.counts.values())
        room = max(1, width - name_width - count_width - 3)
        top = max(self.counts.values()) or 1
        for name, count in self.counts.items():
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(" " * (name_width - cell_len(name)) + name + " │")
            line.append("█" * round(count / top * room), BAR_STYLE)
            line.append(f" {count}")
            yield line


class StatsScreen(Screen[None]):
    """Figures for the last week (``w`` toggles four weeks)."""

    BINDINGS = [
        Binding("escape,q,S", "app.pop_screen", "Back", id="stats.close"),
        Binding("w", "toggle_window", "7 d / 28 d", id="stats.window"),
    ]

    DEFAULT_CSS = """
    StatsScreen Grid { grid-size: 2 2; grid-rows: 1fr 1fr; height: 1fr; }
    StatsScreen PlotextPlot { height: 1fr; border: round $panel-lighten-2; }
    StatsScreen #by-platform {
        height: 1fr; border: round $panel-lighten-2; background: $surface; padding: 0 1;
    }
    StatsScreen #figures { border: round $panel-lighten-2; padding: 0 1; }
    """

    def __init__(self, store: Store, sla: Sla, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self._store, self._sla, self._clock = store, sla, clock
        self._days = 7

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Grid():
            yield PlotextPlot(id="by-tag")
            yield Static(id="by-platform")
            yield PlotextPlot(id="by-day")
            with VerticalScroll(id="figures"):
                yield Static(id="figures-text")
        yield Footer()

    def on_mount(self) -> None:
        self.draw()

    def action_toggle_window(self) -> None:
        self._days = 28 if self._days == 7 else 7
        self.draw()

    @property
    def stats(self) -> Stats:
        return compute_stats(self._store, now=self._clock(), since=timedelta(days=self._days),
                             sla=self._sla)

    def draw(self) -> None:
        stats = self.stats
        self.title = f"Stats — last {self._days} days"
        tag_plot = self.query_one("#by-tag", PlotextPlot)
        tag_plot.plt.clear_figure()
        tag_plot.plt.bar([CHIP_LABELS[k] for k in stats.by_tag], list(stats.by_tag.values()))
        tag_plot.plt.title("Comments by tag")
        self.query_one("#by-platform", Static).update(HorizontalBars(
            "Comments by platform",
            {PLATFORM_LABELS.get(p, inline(p)): n for p, n in stats.by_platform.items()}))
        day_plot = self.query_one("#by-day", PlotextPlot)
        day_plot.plt.clear_figure()
        days = list(stats.by_day)
        day_plot.plt.bar([d[5:] for d in days], [stats.by_day[d] for d in days])
        day_plot.plt.title("Comments by day")
        for plot in (tag_plot, day_plot):
            plot.refresh()
        self.query_one("#figures-text", Static).update(_figures(stats))


def _figures(stats: Stats) -> Table:
    table = Table(box=None, show_header=False, expand=True)
    table.add_column(style="bold")
    table.add_column()
    median = stats.median_first_response_minutes
    share = stats.sla_met_share
    table.add_row("Comments", str(stats.total))
    table.add_row("Answered", str(stats.responded))
    table.add_row("Median first response", "—" if median is None else duration(median))
    table.add_row(
        "SLAs met",
        "—" if share is None else f"{share:.0%}  ({stats.sla_met} met, {stats.sla_missed} missed)",
    )
    table.add_row("", "")
    table.add_row("Myths this week", "" if stats.top_myths else "none matched")
    for myth in stats.top_myths[:8]:
        table.add_row(Text(f"  {inline(myth['claim_id'])}", style="not bold"), str(myth["count"]))
    return table
