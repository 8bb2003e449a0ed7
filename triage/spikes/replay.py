"""Replaying the spike alerts over past traffic with a moving clock: which alerts a span
raises, and how soon after a surge starts its series is flagged."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from triage.model import Comment
from triage.spikes.detector import Alert, Series, find_alerts, series_events
from triage.spikes.settings import AlertsConfig
from triage.spikes.watch import Products

__all__ = ["alerts_raised", "time_to_flag"]


def alerts_raised(comments: Iterable[Comment], settings: AlertsConfig, products: Products,
                  start: datetime, end: datetime, step: timedelta) -> list[Alert]:
    """Every alert a desk checking every ``step`` from ``start`` to ``end`` would see start,
    once each (as it was when first seen)."""
    events, earliest = series_events(comments, products)
    seen: dict[tuple[Series, datetime], Alert] = {}
    now = start
    while now <= end:
        for alert in find_alerts(events, earliest, settings, now):
            seen.setdefault((alert.series, alert.since), alert)
        now += step
    return sorted(seen.values(), key=lambda a: a.since)


def time_to_flag(comments: Iterable[Comment], settings: AlertsConfig, products: Products,
                 series: Series, start: datetime, limit: timedelta, step: timedelta
                 ) -> timedelta | None:
    """How long after ``start`` a desk checking every ``step`` first sees ``series``
    alert (None: not within ``limit``)."""
    events, earliest = series_events(comments, products)
    waited = step
    while waited <= limit:
        if any(a.series == series for a in find_alerts(events, earliest, settings,
                                                          start + waited)):
            return waited
        waited += step
    return None
