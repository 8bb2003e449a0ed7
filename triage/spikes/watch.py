"""Spike alerts for the desk and the command line: the current alerts, their one-line
description, the trend lines of the stats screen, and which alerts are new to a desk."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from triage.model import TAG_NAMES, Comment
from triage.spikes.detector import (
    Alert,
    Series,
    find_alerts,
    horizon,
    hourly_counts,
    series_events,
)
from triage.spikes.settings import AlertsConfig
from triage.textsafe import inline
from triage.timefmt import ago

__all__ = [
    "Products",
    "SpikeWatch",
    "Trend",
    "alert_line",
    "alert_notice",
    "config_products",
    "current_alerts",
    "trends",
]

#: How many myths the trend lines show: the ones seen most in the last week.
TOP_MYTHS = 5
#: The trend lines cover the last week, an hour a point.
TREND_HOURS = 7 * 24


#: The products of the spike alerts: a list of names, or each product's name with the
#: names a comment may use for it (see :func:`config_products`).
Products = Sequence[str] | Mapping[str, Sequence[str]]


def config_products(pharmacovigilance: Any) -> dict[str, list[str]]:
    """``[pharmacovigilance] products`` as each product's name and every name for it
    (a product is a name, or a table with a ``name`` and its other ``names``)."""
    found: dict[str, list[str]] = {}
    for product in pharmacovigilance.products:
        name = str(getattr(product, "name", product))
        found[name] = [str(n) for n in getattr(product, "names", [name])]
    return found


def current_alerts(comments: Iterable[Comment], settings: AlertsConfig,
                   products: Products, now: datetime) -> list[Alert]:
    """The alerts open at ``now`` over ``comments``, the newest first."""
    events, earliest = series_events(comments, products, horizon(settings, now))
    return find_alerts(events, earliest, settings, now)


def _usual(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def alert_line(alert: Alert, now: datetime) -> str:
    """One line for a person or a script: the series, the last window against the usual
    count, since when, and for a myth how many posts it is under."""
    under = f", under {alert.posts} posts" if alert.series.kind == "myth" else ""
    state = "" if alert.active else f"; back to usual since {ago(alert.last_spike, now)}"
    since = alert.since.strftime("%Y-%m-%d %H:%M UTC")
    return (f"{inline(alert.series.key)}: {alert.count} in the last {alert.window_text} "
            f"vs usual {_usual(alert.usual)}{under}; since {since} "
            f"({ago(alert.since, now)}){state}")


def alert_notice(alert: Alert) -> str:
    """The desk's notice when an alert starts."""
    under = f" under {alert.posts} posts" if alert.series.kind == "myth" else ""
    return (f"{alert.series.label} is spiking: {alert.count} in the last "
            f"{alert.window_text}{under}, usually {_usual(alert.usual)}. "
            "The stats screen (S) shows the trend.")


@dataclass(frozen=True, slots=True)
class Trend:
    """One trend line: a series' hourly counts over the last week and its open alert."""

    series: Series
    hourly: list[int]
    alert: Alert | None

    @property
    def last_day(self) -> int:
        return sum(self.hourly[-24:])


def trends(comments: Iterable[Comment], settings: AlertsConfig, products: Products,
           now: datetime) -> list[Trend]:
    """The trend lines of the stats screen: every tag, the myths seen most this week and
    every product, each with its open alert; the series with an alert come first (and
    always show)."""
    since = horizon(settings, now, TREND_HOURS // 24)
    events, earliest = series_events(comments, products, since)
    alerts = {a.series: a for a in find_alerts(events, earliest, settings, now)}
    lines = {series: hourly_counts(found, now, TREND_HOURS)
             for series, found in events.items()}
    myths = sorted((s for s in lines if s.kind == "myth"),
                   key=lambda s: (-sum(lines[s]), s.name))
    shown_myths = set(myths[:TOP_MYTHS]) | {s for s in alerts if s.kind == "myth"}
    order = ([Series("tag", tag) for tag in TAG_NAMES]
             + [s for s in myths if s in shown_myths]
             + sorted(s for s in lines if s.kind == "product"))
    order.sort(key=lambda s: s not in alerts)  # the series spiking first, then the rest
    return [Trend(s, lines[s], alerts.get(s)) for s in order]


class SpikeWatch:
    """Which alerts a desk has already announced: each is announced once, when it starts
    (a later surge of the same series, after the cool-down, is a new alert)."""

    def __init__(self, settings: AlertsConfig, products: Products) -> None:
        self.settings = settings
        self.products = products
        self._announced: dict[Series, datetime] = {}

    def new_alerts(self, comments: Iterable[Comment], now: datetime) -> list[Alert]:
        """The open alerts not announced yet, now marked as announced."""
        cooldown = self.settings.cooldown_span
        fresh = []
        for alert in current_alerts(comments, self.settings, self.products, now):
            seen = self._announced.get(alert.series)
            if seen is not None and alert.since <= seen + cooldown:
                continue  # the same surge (its start may move a little as comments arrive)
            self._announced[alert.series] = alert.since
            fresh.append(alert)
        return fresh
