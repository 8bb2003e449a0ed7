"""The ``[alerts]`` settings of ``config.toml``: when a series' count counts as a spike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from triage.errors import ConfigError, QueryError
from triage.query import parse_duration

__all__ = ["AlertsConfig"]


@dataclass(frozen=True, slots=True)
class AlertsConfig:
    """When a tag, a myth or a product is spiking.

    A series is compared over each window in ``windows`` (the count in the last window)
    with its usual count: the mean count of the same hours on each of the previous
    ``baseline_days`` days (a day that spiked itself left out; for a window shorter than a
    day, raised when the day before it was busier than usual), never below ``floor``. It
    spikes when the last window holds at least ``min_count`` comments, at least ``factor``
    times the usual count, and so many that the usual level would give them by chance less
    often than ``max_chance`` (how much the previous days differ says how likely). One
    surge gives one alert: an alert stays open until ``cooldown`` has passed without a
    spike, and only then can the same series raise another.
    """

    enabled: bool = True
    windows: list[str] = field(default_factory=lambda: ["3h", "24h"])
    baseline_days: int = 7
    factor: float = 3.0
    min_count: int = 5
    floor: float = 0.3
    max_chance: float = 0.00001
    cooldown: str = "12h"

    def validate(self, where: str) -> None:
        if not self.windows:
            raise ConfigError(f"{where} windows: give at least one window, e.g. [\"3h\"]")
        for i, text in enumerate([*self.windows, self.cooldown]):
            key = f"windows[{i}]" if i < len(self.windows) else "cooldown"
            try:
                span = parse_duration(text)
            except QueryError as exc:
                raise ConfigError(f"{where} {key}: {exc}") from None
            if key != "cooldown" and not timedelta(minutes=15) <= span <= timedelta(days=2):
                raise ConfigError(f"{where} {key}: a window is 15m to 2d, not {text!r}")
        if not 3 <= self.baseline_days <= 28:
            raise ConfigError(f"{where} baseline_days: must be between 3 and 28")
        if self.factor < 1.0:
            raise ConfigError(f"{where} factor: must be 1 or more (3 means three times usual)")
        if self.min_count < 1:
            raise ConfigError(f"{where} min_count: must be 1 or more")
        if self.floor <= 0:
            raise ConfigError(f"{where} floor: must be more than 0")
        if not 0.0 < self.max_chance <= 1.0:
            raise ConfigError(f"{where} max_chance: must be above 0 and at most 1 "
                              "(1 turns the chance test off)")

    @property
    def window_spans(self) -> list[timedelta]:
        """The windows, shortest first."""
        return sorted(parse_duration(text) for text in self.windows)

    @property
    def cooldown_span(self) -> timedelta:
        return parse_duration(self.cooldown)
