"""Views, priority order and SLA clocks, against a fixed clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.factories import NOW, make_comment, sample_comments
from triage.config import parse_config
from triage.model import Tag
from triage.views import Sla, sort_comments, views_from_config

SLA = Sla({"crisis": "15m", "question": "4h", "privacy": "1h"})
ORDER = ["crisis", "adverse_event", "privacy", "abuse", "misinformation", "question"]


def test_default_views_start_with_crisis_and_count() -> None:
    views = views_from_config(parse_config(""))
    assert [v.name for v in views][:2] == ["Crisis", "Needs reply"]
    assert [v.name for v in views][-3:] == ["Legal", "Mine", "All"]
    counts = {
        v.name: len(v.select(sample_comments(), now=NOW, user="ana", sla=SLA, priority=ORDER))
        for v in views
    }
    assert counts["Crisis"] == 1 and counts["Privacy"] == 1 and counts["All"] == 7
    assert counts["Legal"] == 0 and counts["Mine"] == 0


def test_crisis_is_first_even_when_configured_later() -> None:
    config = parse_config(
        '[[views]]\nname = "Mine"\nquery = "assignee:me"\n'
        '[[views]]\nname = "Crisis"\nquery = "tag:crisis"\n'
    )
    assert [v.name for v in views_from_config(config)] == ["Crisis", "Mine"]
    assert [v.name for v in views_from_config(parse_config(
        '[[views]]\nname = "Mine"\nquery = "assignee:me"\n'))] == ["Crisis", "Mine"]


def test_priority_crisis_then_adverse_and_privacy_then_questions_oldest_first() -> None:
    def tagged(cid: str, tag: str | None, minutes: int, status: str = "new"):  # type: ignore[no-untyped-def]
        tags = (Tag(tag, 0.9),) if tag else ()
        return make_comment(cid, cid, minutes_ago=minutes, tags=tags, status=status)

    comments = [
        tagged("q-new", "question", 1),
        tagged("q-old", "question", 90),
        tagged("plain", None, 500),
        tagged("privacy", "privacy", 3),
        tagged("crisis", "crisis", 2),
        tagged("adverse", "adverse_event", 4),
        tagged("done-crisis", "crisis", 1, status="dismissed"),
    ]
    ordered = sort_comments(comments, "priority", now=NOW, sla=SLA, priority=ORDER)
    assert [c.id for c in ordered] == [
        "crisis", "adverse", "privacy", "q-old", "q-new", "plain", "done-crisis"
    ]


def test_sla_time_left_breach_and_closed_comments() -> None:
    crisis = make_comment("c", "x", minutes_ago=10, tags=(Tag("crisis", 0.9),))
    assert SLA.time_left(crisis, NOW) == timedelta(minutes=5)
    assert not SLA.breached(crisis, NOW)
    assert SLA.breached(crisis, NOW + timedelta(minutes=6))
    both = replace(crisis, tags=(Tag("question", 0.9), Tag("crisis", 0.9)))
    assert SLA.time_left(both, NOW) == timedelta(minutes=5)  # the tightest target
    assert SLA.time_left(replace(crisis, status="replied"), NOW) is None
    assert SLA.time_left(make_comment("p", "x"), NOW) is None  # no tag, no target
