"""Spike alerts: the detector on made-up series, and replayed on a week of sandbox traffic."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from triage.config import parse_config
from triage.errors import ConfigError
from triage.model import Author, Comment, Tag
from triage.sandbox.traffic import Traffic
from triage.spikes import (
    AlertsConfig,
    Series,
    SpikeWatch,
    alerts_raised,
    chance_of_at_least,
    current_alerts,
    time_to_flag,
    trends,
)
from triage.tagger import Tagger

START = datetime(2026, 11, 2, tzinfo=UTC)
PRODUCTS = ["Shingrix", "Ozempic", "Keytruda", "metformin"]
SETTINGS = AlertsConfig()
QUESTION = (Tag("question", 0.9),)
OZEMPIC_AE = (Tag("adverse_event", 0.9),)
MYTH = (Tag("misinformation", 0.9, claim_id="flu-shot-gives-flu"),)
_serial = iter(range(1_000_000))


def comment(at: datetime, tags: tuple[Tag, ...] = QUESTION, text: str = "When do you open?",
            post: str = "post-1") -> Comment:
    n = next(_serial)
    return Comment(id=f"facebook:s{n}", platform="facebook", account="riverside-fb", text=text,
                   created_at=at, author=Author(id=f"a{n}", name="Dana"), post_id=post,
                   native_id=f"s{n}", tags=tags, captured_at=at)


def hourly_background(days: int) -> list[Comment]:
    """A question an hour for ``days`` days from START: the queue has a history."""
    return [comment(START + timedelta(hours=h, minutes=10)) for h in range(days * 24)]


def ozempic(at: datetime, count: int, minutes: int = 50) -> list[Comment]:
    """``count`` adverse-event comments naming Ozempic, spread over ``minutes``."""
    return [comment(at + timedelta(minutes=minutes * i / max(count, 1)), OZEMPIC_AE,
                    "Started Ozempic last month and I've had hives ever since.", f"post-{i}")
            for i in range(count)]


def keys(alerts: Iterable[object]) -> list[str]:
    return sorted(a.series.key for a in alerts)  # type: ignore[attr-defined]


# -- the detector on made-up series -------------------------------------------------------

def test_a_sparse_series_does_not_alarm_on_zero_to_two() -> None:
    now = START + timedelta(days=10)
    quiet = hourly_background(10) + ozempic(now - timedelta(hours=1), 2)
    assert current_alerts(quiet, SETTINGS, PRODUCTS, now) == []
    surge = hourly_background(10) + ozempic(now - timedelta(hours=1), 7)
    assert keys(current_alerts(surge, SETTINGS, PRODUCTS, now)) == [
        "product:Ozempic", "tag:adverse_event"]


def test_one_surge_gives_one_alert_and_a_later_one_another() -> None:
    first = START + timedelta(days=9, hours=9)
    surge = (ozempic(first, 8) + ozempic(first + timedelta(hours=3), 8)  # a dip between
             + ozempic(first + timedelta(days=2), 8))
    raised = alerts_raised(hourly_background(12) + surge, SETTINGS, PRODUCTS, first,
                           first + timedelta(days=2, hours=6), timedelta(minutes=15))
    product = [a for a in raised if a.series == Series("product", "Ozempic")]
    assert [a.since - first for a in product] == [timedelta(minutes=45),
                                                  timedelta(days=2, minutes=45)]


def test_an_alert_stays_until_its_cooldown_has_passed() -> None:
    at = START + timedelta(days=9, hours=9)
    comments = hourly_background(12) + ozempic(at, 8)
    (alert,) = [a for a in current_alerts(comments, SETTINGS, PRODUCTS, at + timedelta(hours=1))
                if a.series.kind == "product"]
    assert alert.active and alert.count == 8 and alert.posts == 8
    later = current_alerts(comments, SETTINGS, PRODUCTS, at + timedelta(hours=30))
    assert [a.active for a in later if a.series.kind == "product"] == [False]
    assert current_alerts(comments, SETTINGS, PRODUCTS, at + timedelta(hours=40)) == []


def test_a_new_queue_has_no_usual_level_yet() -> None:
    now = START + timedelta(days=2)
    comments = hourly_background(2) + ozempic(now - timedelta(hours=1), 20)
    assert current_alerts(comments, SETTINGS, PRODUCTS, now) == []


def test_the_same_hours_of_a_busy_evening_are_usual() -> None:
    """Twenty myths every evening at 8 are the usual level, not a spike."""
    days = [START + timedelta(days=d, hours=20) for d in range(10)]
    comments = hourly_background(10) + [comment(day + timedelta(minutes=m), MYTH)
                                        for day in days for m in range(0, 60, 3)]
    assert current_alerts(comments, SETTINGS, PRODUCTS, days[-1] + timedelta(hours=1)) == []


def test_the_chance_of_a_count() -> None:
    assert chance_of_at_least(1, 1.0) == pytest.approx(1 - 2.718281828 ** -1)
    assert chance_of_at_least(0, 3.0) == 1.0 and chance_of_at_least(4, 0.0) == 0.0
    # days that differ a lot from each other make the same count less surprising
    assert chance_of_at_least(11, 3.0, variance=6.0) > 10 * chance_of_at_least(11, 3.0)


@pytest.mark.parametrize(
    ("table", "said"),
    [('windows = ["3x"]', "[alerts] windows[0]: '3x' is not a duration"),
     ('windows = ["5d"]', "[alerts] windows[0]: a window is 15m to 2d"),
     ("factor = 0.5", "[alerts] factor: must be 1 or more"),
     ("min_count = 0", "[alerts] min_count: must be 1 or more"),
     ("fator = 2", "unknown key 'fator' in [alerts]"),
     ('cooldown = "soon"', "[alerts] cooldown: 'soon' is not a duration")],
)
def test_bad_alert_settings_are_named(table: str, said: str) -> None:
    with pytest.raises(ConfigError, match=None) as caught:
        parse_config(f"[alerts]\n{table}\n")
    assert said in str(caught.value)


def test_products_come_from_the_pharmacovigilance_table() -> None:
    config = parse_config('[pharmacovigilance]\nproducts = ["Ozempic", '
                          '{ name = "Shingrix", aliases = ["shingles shot"] }]\n')
    assert [p.names for p in config.pharmacovigilance.products] == [
        ["Ozempic"], ["Shingrix", "shingles shot"]]
    with pytest.raises(ConfigError, match="products must be an array"):
        parse_config('[pharmacovigilance]\nproducts = "Ozempic"\n')


def test_a_desk_announces_an_alert_once() -> None:
    at = START + timedelta(days=9, hours=9)
    comments = hourly_background(14) + ozempic(at, 8)
    watch = SpikeWatch(SETTINGS, PRODUCTS)
    first = watch.new_alerts(comments, at + timedelta(hours=1))
    assert keys(first) == ["product:Ozempic", "tag:adverse_event"]
    assert watch.new_alerts(comments, at + timedelta(hours=2)) == []
    again = comments + ozempic(at + timedelta(days=3), 8)
    assert keys(watch.new_alerts(again, at + timedelta(days=3, hours=1))) == [
        "product:Ozempic", "tag:adverse_event"]


def test_the_trend_lines_show_every_tag_the_top_myths_and_the_products() -> None:
    at = START + timedelta(days=9, hours=9)
    comments = hourly_background(10) + ozempic(at, 8)
    lines = trends(comments, SETTINGS, PRODUCTS, at + timedelta(hours=1))
    assert [t.series.key for t in lines][:4] == ["tag:adverse_event", "product:Ozempic",
                                                 "tag:crisis", "tag:privacy"]
    assert sorted(t.series.name for t in lines if t.series.kind == "product") == sorted(PRODUCTS)
    (ozempic_line,) = [t for t in lines if t.series.name == "Ozempic"]
    assert ozempic_line.alert is not None and ozempic_line.last_day == 8
    assert len(ozempic_line.hourly) == 7 * 24


# -- replayed on a week of sandbox traffic ------------------------------------------------

@pytest.fixture(scope="module")
def traffic() -> tuple[Traffic, list[Comment]]:
    """Two weeks of ordinary sandbox traffic, about 150 comments a day."""
    made = Traffic(Tagger(), seed=3, pool_size=1200)
    return made, made.steady(START, 14, 150)


def test_a_quiet_week_raises_no_alert(traffic: tuple[Traffic, list[Comment]]) -> None:
    _, fortnight = traffic
    week = START + timedelta(days=7)
    assert alerts_raised(fortnight, SETTINGS, PRODUCTS, week, week + timedelta(days=7),
                         timedelta(hours=1)) == []


@pytest.mark.parametrize("hour", [3, 11, 19])
def test_a_myth_surge_is_flagged_within_its_first_hour(
        traffic: tuple[Traffic, list[Comment]], hour: int) -> None:
    made, fortnight = traffic
    at = START + timedelta(days=12, hours=hour, minutes=20)
    myths = [c for c in made.pool for t in c.tags if t.claim_id == "vaccine-ingredients-toxic"]
    assert myths
    # a dozen in an hour, each under another post: the sandbox's wordings pasted again
    pasted = [replace(myths[i % len(myths)], id=f"facebook:paste-{i}",
                      created_at=at + timedelta(minutes=5 * i), post_id=f"post-{i}")
              for i in range(12)]
    took = time_to_flag(fortnight + pasted, SETTINGS, PRODUCTS,
                        Series("myth", "vaccine-ingredients-toxic"), at, timedelta(hours=1),
                        timedelta(minutes=5))
    assert took is not None and took <= timedelta(hours=1)


def test_a_product_is_found_by_any_of_its_names() -> None:
    """A product given with its other names (generic, aliases) counts under its own name."""
    now = START + timedelta(days=10)
    reports = [comment(now - timedelta(minutes=5 * i), OZEMPIC_AE,
                       "My semaglutide shot gave me hives.", f"post-{i}") for i in range(8)]
    (alert,) = [a for a in current_alerts(hourly_background(10) + reports, SETTINGS,
                                          {"Ozempic": ["Ozempic", "semaglutide"]}, now)
                if a.series.kind == "product"]
    assert alert.series.key == "product:Ozempic" and alert.count == 8
