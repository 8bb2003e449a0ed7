"""The stats screen: volume by tag, platform and day as charts, the figures that matter, and
the trend lines of the spike alerts.

Every chart is drawn as horizontal bars, one line each with its label in full, the bar
and its number beside it, in a panel that scrolls when the lines outnumber its height:
at 80×24 every label and every number stays readable (a vertical bar chart leaves out
the labels that would touch, and shows no numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from triage.model import TAG_LABELS, Comment
from triage.spikes import AlertsConfig, Products, Trend, trends
from triage.stats import Stats, compute_stats
from triage.store import Store
from triage.textsafe import inline
from triage.timefmt import clock_time, duration
from triage.views import Sla
from tui.queue_list import PLATFORM_LABELS

__all__ = ["HorizontalBars", "StatsScreen", "TrendLines"]

#: The colour of the bars.
BAR_STYLE = "#9d65ff"
#: The colour of a series with an open alert.
ALERT_STYLE = "bold #ff5f5f"
#: Sparkline levels, from nothing to the busiest stretch.
SPARKS = " ▁▂▃▄▅▆▇█"
#: Above this many comments the trend lines are counted off the UI thread (they take
#: about a second at 100,000) and drawn when ready.
TRENDS_IN_BACKGROUND = 10_000
#: Hours per sparkline point, the finest that fits the width.
STRETCHES = (1, 2, 3, 4, 6, 8, 12, 24)


class HorizontalBars:
    """A titled bar chart on its side: one line per label (name, bar, count), the bars
    scaled to the width there is. Every label is shown in full."""

    def __init__(self, title: str, counts: Mapping[str, int]) -> None:
        self.title = title
        self.counts = dict(counts)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        width = options.max_width
        yield Text(self.title, justify="center", no_wrap=True, overflow="ellipsis",
                   style="bold")
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


class TrendLines:
    """The last week of each series as a sparkline, its count over the last 24 hours,
    and its open alert (the line in red, with since when and the spiking window)."""

    def __init__(self, lines: list[Trend], now: datetime) -> None:
        self.lines = lines
        self.now = now

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        yield Text("Trends, last 7 days (24 h count; ▲ spiking)", justify="center",
                   no_wrap=True, overflow="ellipsis", style="bold")
        if not self.lines:
            return
        labels = [inline(t.series.label) for t in self.lines]
        marks = [_mark(t, self.now) for t in self.lines]
        name_width = min(max(cell_len(label) for label in labels), 34)
        hours = len(self.lines[0].hourly)
        tail = 6 + max(cell_len(mark) for mark in marks)
        room = max(8, min(options.max_width - name_width - 1 - tail, 84))
        stretch = next((h for h in STRETCHES if hours / h <= room), STRETCHES[-1])
        for trend, label, mark in zip(self.lines, labels, marks, strict=True):
            style = ALERT_STYLE if trend.alert is not None else ""
            line = Text(no_wrap=True, overflow="ellipsis")
            shown = label if cell_len(label) <= name_width else label[:name_width - 1] + "…"
            line.append(" " * (name_width - cell_len(shown)) + shown + " ", style)
            line.append(_spark(trend.hourly, stretch), style or BAR_STYLE)
            line.append(f" {trend.last_day:>4}")
            line.append(mark, ALERT_STYLE)
            yield line


def _mark(trend: Trend, now: datetime) -> str:
    """An open alert's mark: since when, and its last spiking window against the usual."""
    alert = trend.alert
    if alert is None:
        return ""
    return (f" ▲ since {clock_time(alert.since, now)}: {alert.count} in {alert.window_text}, "
            f"usually {alert.usual:.1f}")


def _spark(hourly: list[int], stretch: int) -> str:
    """The counts summed ``stretch`` hours at a time, as sparkline characters."""
    sums = [sum(hourly[i:i + stretch]) for i in range(0, len(hourly), stretch)]
    top = max(sums, default=0) or 1
    return "".join(SPARKS[0 if n == 0 else max(1, round(n / top * 8))] for n in sums)


class StatsScreen(Screen[None]):
    """Figures for the last week (``w`` toggles four weeks)."""

    BINDINGS = [
        Binding("escape,q,S", "app.pop_screen", "Back", id="stats.close"),
        Binding("w", "toggle_window", "7 d / 28 d", id="stats.window"),
    ]

    DEFAULT_CSS = """
    StatsScreen Grid { grid-size: 2 3; grid-rows: 1fr 1fr 1fr; height: 1fr; }
    StatsScreen #trends-panel { column-span: 2; }
    StatsScreen Grid > VerticalScroll {
        height: 1fr; border: round $panel-lighten-2; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, store: Store, sla: Sla, clock: Callable[[], datetime],
                 alerts: AlertsConfig | None = None, products: Products = ()) -> None:
        super().__init__()
        self._store, self._sla, self._clock = store, sla, clock
        self._alerts, self._products = alerts or AlertsConfig(), products
        self._days = 7

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Grid():
            for ident in ("by-tag", "by-platform", "by-day", "figures", "trends"):
                with VerticalScroll(id=f"{ident}-panel"):
                    yield Static(id=ident if ident != "figures" else "figures-text")
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
        self.query_one("#by-tag", Static).update(HorizontalBars(
            "Comments by tag", {TAG_LABELS.get(k, k): n for k, n in stats.by_tag.items()}))
        self.query_one("#by-platform", Static).update(HorizontalBars(
            "Comments by platform",
            {PLATFORM_LABELS.get(p, inline(p)): n for p, n in stats.by_platform.items()}))
        self.query_one("#by-day", Static).update(HorizontalBars(
            "Comments by day", {_day(d): n for d, n in stats.by_day.items()}))
        self.query_one("#figures-text", Static).update(_figures(stats))
        comments, now = list(self._store.comments.values()), self._clock()
        if len(comments) > TRENDS_IN_BACKGROUND:
            self._draw_trends(comments, now)
        else:
            self.query_one("#trends", Static).update(
                TrendLines(trends(comments, self._alerts, self._products, now), now))

    @work(thread=True, exclusive=True, group="trends", exit_on_error=False)
    def _draw_trends(self, comments: list[Comment], now: datetime) -> None:
        """The trend lines of a big queue, counted off the UI thread."""
        lines = TrendLines(trends(comments, self._alerts, self._products, now), now)
        self.app.call_from_thread(self.query_one("#trends", Static).update, lines)


def _day(iso_day: str) -> str:
    """A day as a short label: "Mon 12-07"."""
    return f"{date.fromisoformat(iso_day):%a} {iso_day[5:]}"


def _figures(stats: Stats) -> Group:
    """The figures, then the myths seen most, each line its count and the myth in full."""
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
    myths = [Text(""), Text("Myths this week" + ("" if stats.top_myths else ": none matched"),
                            style="bold")]
    width = max((len(str(m["count"])) for m in stats.top_myths[:8]), default=1)
    for myth in stats.top_myths[:8]:
        myths.append(Text(f" {myth['count']:>{width}}  {inline(myth['claim_id'])}",
                          overflow="fold"))
    return Group(table, *myths)
