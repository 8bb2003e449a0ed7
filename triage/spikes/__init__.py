"""Spike alerts: each tag, myth and product counted by the hour and compared with its usual
level; a jump opens one alert, shown by the desk, the stats screen and ``triage stats --alerts``."""

from triage.spikes.detector import (
    Alert,
    Series,
    SeriesEvents,
    chance_of_at_least,
    find_alerts,
    hourly_counts,
    series_events,
)
from triage.spikes.replay import alerts_raised, time_to_flag
from triage.spikes.settings import AlertsConfig
from triage.spikes.watch import (
    Products,
    SpikeWatch,
    Trend,
    alert_line,
    alert_notice,
    config_products,
    current_alerts,
    trends,
)

__all__ = [
    "Alert",
    "AlertsConfig",
    "Products",
    "Series",
    "SeriesEvents",
    "SpikeWatch",
    "Trend",
    "alert_line",
    "alerts_raised",
    "alert_notice",
    "chance_of_at_least",
    "config_products",
    "current_alerts",
    "find_alerts",
    "hourly_counts",
    "series_events",
    "time_to_flag",
    "trends",
]
