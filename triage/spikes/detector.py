"""The spike detector: counts by series (tag, myth, product) against their usual level.

Each series is the list of times its comments were written. At a moment ``t`` and for a
window ``w``, the *count* is the comments in ``(t - w, t]`` and the *usual* count is the
mean of the same window on each of the previous days (leaving out a day that spiked
itself), never below the floor, and raised
for a window of hours when the day before it was busier than usual for the series; how
much the previous days differ from each other says how surprising the count is. The
series spikes at ``t`` when the count passes all three tests of :class:`AlertsConfig`.
Spikes are evaluated every quarter of an hour over the last days, so that an alert has a
start ("since") that every desk and every command agrees on, and so that one surge,
however long, opens one alert (see ``cooldown``).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from triage.model import TAG_LABELS, TAG_NAMES, Comment
from triage.spikes.settings import AlertsConfig

__all__ = [
    "Alert",
    "Series",
    "SeriesEvents",
    "chance_of_at_least",
    "find_alerts",
    "horizon",
    "hourly_counts",
    "series_events",
]

DAY = 86_400.0
#: How often, in seconds, the past is evaluated to find where an alert started.
STEP = 900.0
#: Days of history the whole queue must hold before a series can alert (a new queue has
#: no usual level yet).
MIN_HISTORY_DAYS = 3


@dataclass(frozen=True, slots=True, order=True)
class Series:
    """What is counted: a tag, a myth (claim id) or a product in adverse-event comments."""

    kind: str  # "tag", "myth" or "product"
    name: str

    @property
    def key(self) -> str:
        """The name scripts use: ``tag:adverse_event``, ``myth:flu-shot-gives-flu``."""
        return f"{self.kind}:{self.name}"

    @property
    def label(self) -> str:
        """The name people read: "Adverse event", "Myth flu-shot-gives-flu", …"""
        if self.kind == "tag":
            return TAG_LABELS.get(self.name, self.name)
        if self.kind == "myth":
            return f"Myth {self.name}"
        return f"{self.name} (adverse events)"


@dataclass(slots=True)
class SeriesEvents:
    """One series' comments: their times (seconds since the epoch, sorted) and posts."""

    times: list[float] = field(default_factory=list)
    posts: list[str] = field(default_factory=list)

    def count(self, start: float, end: float) -> int:
        """Comments in ``(start, end]``."""
        return bisect_right(self.times, end) - bisect_right(self.times, start)

    def post_count(self, start: float, end: float) -> int:
        """Distinct posts the comments in ``(start, end]`` were left under."""
        lo, hi = bisect_right(self.times, start), bisect_right(self.times, end)
        return len(set(self.posts[lo:hi]))


@dataclass(frozen=True, slots=True)
class Alert:
    """A spike: the series, when it started, and the figures of its last spiking window.

    ``active`` says whether it still spikes now; an alert that calmed down stays listed
    until its cool-down has passed.
    """

    series: Series
    since: datetime
    last_spike: datetime
    window: timedelta
    count: int
    usual: float
    posts: int
    active: bool

    @property
    def window_text(self) -> str:
        hours = self.window.total_seconds() / 3600
        return f"{hours:g}h" if hours >= 1 else f"{round(hours * 60)}m"

    def as_dict(self) -> dict[str, Any]:
        return {
            "series": self.series.key, "kind": self.series.kind, "name": self.series.name,
            "label": self.series.label, "since": self.since.isoformat(),
            "last_spike": self.last_spike.isoformat(), "window": self.window_text,
            "count": self.count, "usual": round(self.usual, 2), "posts": self.posts,
            "active": self.active,
        }


def product_patterns(products: Iterable[str] | Mapping[str, Sequence[str]]
                     ) -> list[tuple[str, re.Pattern[str]]]:
    """Each product with the pattern that finds any of its names as a whole word, any
    case. ``products`` is a list of names, or each product's name with all its names."""
    named = (products.items() if isinstance(products, Mapping)
             else ((name, [name]) for name in products))
    found = []
    for product, names in named:
        spelled = [re.escape(n.strip()) for n in names if n.strip()]
        if product.strip() and spelled:
            found.append((product, re.compile(rf"(?<!\w)(?:{'|'.join(spelled)})(?!\w)",
                                              re.IGNORECASE)))
    return found


def series_events(comments: Iterable[Comment],
                  products: Sequence[str] | Mapping[str, Sequence[str]] = (),
                  since: datetime | None = None
                  ) -> tuple[dict[Series, SeriesEvents], float | None]:
    """Every series' comments written after ``since`` (all when None), and when the
    earliest of all the comments was written (None: there are none).

    A comment counts once for each tag it has, for the myth its misinformation tag
    matched, and for each product it names when it is tagged adverse_event.
    """
    found: dict[Series, list[tuple[float, str]]] = {}
    patterns = product_patterns(products)
    first: datetime | None = None
    for comment in comments:
        created = comment.created_at
        if first is None or created < first:
            first = created
        if since is not None and created < since:
            continue
        at = created.timestamp()
        post = comment.post_id or comment.id
        for tag in comment.tags:
            found.setdefault(Series("tag", tag.name), []).append((at, post))
            if tag.name == "misinformation" and tag.claim_id:
                found.setdefault(Series("myth", tag.claim_id), []).append((at, post))
            if tag.name == "adverse_event":
                for name, pattern in patterns:
                    if pattern.search(comment.text):
                        found.setdefault(Series("product", name), []).append((at, post))
    for tag_name in TAG_NAMES:
        found.setdefault(Series("tag", tag_name), [])
    for name, _ in patterns:
        found.setdefault(Series("product", name), [])
    events: dict[Series, SeriesEvents] = {}
    for series, pairs in found.items():
        pairs.sort()
        events[series] = SeriesEvents([p[0] for p in pairs], [p[1] for p in pairs])
    return events, None if first is None else first.timestamp()


def horizon(settings: AlertsConfig, now: datetime, days: int = 0) -> datetime:
    """How far back :func:`find_alerts` (and ``days`` of trend lines) read comments."""
    windows = settings.window_spans
    reach = (windows[-1] * 2 + settings.cooldown_span * 2 + timedelta(days=2)
             + timedelta(days=settings.baseline_days))
    return now - max(reach, timedelta(days=days))


def chance_of_at_least(count: int, mean: float, variance: float = 0.0) -> float:
    """The chance of ``count`` or more events when ``mean`` are expected: Poisson, or
    negative binomial when ``variance`` is larger than the mean (days differ more than
    chance alone would make them)."""
    if count <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    if variance > mean:
        r = mean * mean / (variance - mean)
        log_p, log_q = math.log(r / (r + mean)), math.log(mean / (r + mean))
        below = sum(math.exp(math.lgamma(i + r) - math.lgamma(r) - math.lgamma(i + 1)
                             + r * log_p + i * log_q) for i in range(count))
        return min(max(1.0 - below, 0.0), 1.0)
    term = math.exp(-mean + count * math.log(mean) - math.lgamma(count + 1))
    total, i = term, count
    while term > total * 1e-12 and i < count + 100_000:
        i += 1
        term *= mean / i
        total += term
    return min(total, 1.0)


@dataclass(frozen=True, slots=True)
class _Spike:
    window: float
    count: int
    usual: float


class _Judge:
    """Whether one series spikes at a moment, by the settings."""

    def __init__(self, settings: AlertsConfig, history_start: float) -> None:
        self.settings = settings
        self.windows = [w.total_seconds() for w in settings.window_spans]
        self.history_start = history_start

    def usual(self, events: SeriesEvents, at: float, window: float
              ) -> tuple[float, float] | None:
        """The usual count for ``window`` ending at ``at`` and how much it varies from day
        to day (mean, variance); None without enough history."""
        days = [d for d in range(1, self.settings.baseline_days + 1)
                if at - d * DAY - window >= self.history_start]
        if len(days) < MIN_HISTORY_DAYS:
            return None
        counts = sorted([events.count(at - d * DAY - window, at - d * DAY) for d in days])
        rest = sum(counts[:-1]) / (len(counts) - 1)
        if counts[-1] >= max(self.settings.min_count, self.settings.factor * rest, 1):
            counts.pop()  # a day that spiked itself is no usual day
        mean = sum(counts) / len(counts)
        variance = sum((c - mean) ** 2 for c in counts) / (len(counts) - 1)
        return max(mean, self.settings.floor), variance

    def busier(self, events: SeriesEvents, at: float) -> float:
        """How much busier than usual the series was in the day before ``at`` (1 when
        quieter or as usual, or without enough history)."""
        found = self.usual(events, at, DAY)
        if found is None:
            return 1.0
        return max(1.0, (events.count(at - DAY, at) + 1) / (found[0] + 1))

    def spike(self, events: SeriesEvents, at: float) -> _Spike | None:
        settings = self.settings
        for window in self.windows:
            count = events.count(at - window, at)
            if count < settings.min_count:
                continue
            found = self.usual(events, at, window)
            if found is None:
                return None
            usual, variance = found
            if window < DAY:  # on a busy day, the usual count of a few hours is higher
                usual *= self.busier(events, at - window)
            if count >= settings.factor * usual and (
                    chance_of_at_least(count, usual, variance) <= settings.max_chance):
                return _Spike(window, count, usual)
        return None


def _moments(now: float, since: float) -> list[float]:
    """Every quarter-hour mark (on the clock, so the same for every desk) in
    ``(since, now)``, then ``now``."""
    first = math.floor(since / STEP) * STEP + STEP
    marks = [first + i * STEP for i in range(int((now - first) // STEP) + 1)]
    return [m for m in marks if m < now] + [now]


def _alert_of(series: Series, events: SeriesEvents, judge: _Judge, now: float,
              lookback: float) -> Alert | None:
    """The alert of ``series`` open at ``now``, if any."""
    cooldown = judge.settings.cooldown_span.total_seconds()
    first: float | None = None
    last: tuple[float, _Spike] | None = None
    for at in _moments(now, now - lookback):
        if events.count(at - judge.windows[-1], at) < judge.settings.min_count:
            spike = None
        else:
            spike = judge.spike(events, at)
        if spike is not None:
            if first is None:
                first = at
            last = (at, spike)
        elif last is not None and at - last[0] >= cooldown:
            first, last = None, None  # the alert is over; the next spike opens another
    if first is None or last is None:
        return None
    at, spike = last
    return Alert(
        series=series,
        since=datetime.fromtimestamp(first, UTC),
        last_spike=datetime.fromtimestamp(at, UTC),
        window=timedelta(seconds=spike.window),
        count=spike.count,
        usual=spike.usual,
        posts=events.post_count(at - spike.window, at),
        active=at == now,
    )


def find_alerts(events: Mapping[Series, SeriesEvents], history_start: float | None,
                settings: AlertsConfig, now: datetime) -> list[Alert]:
    """The alerts open at ``now``, the newest first."""
    if not settings.enabled or history_start is None:
        return []
    judge = _Judge(settings, history_start)
    now_ts = now.timestamp()
    # Far enough back to see a surge start, calm down and its cool-down pass.
    lookback = judge.windows[-1] + 2 * settings.cooldown_span.total_seconds() + DAY
    alerts = []
    for series, found in events.items():
        if not found.times or found.times[-1] <= now_ts - lookback:
            continue
        alert = _alert_of(series, found, judge, now_ts, lookback)
        if alert is not None:
            alerts.append(alert)
    alerts.sort(key=lambda a: (a.since, a.series), reverse=True)
    return alerts


def hourly_counts(events: SeriesEvents, now: datetime, hours: int) -> list[int]:
    """The series' comments in each of the last ``hours`` hours, the oldest first."""
    end = now.timestamp()
    return [events.count(end - (hours - i) * 3600.0, end - (hours - i - 1) * 3600.0)
            for i in range(hours)]
