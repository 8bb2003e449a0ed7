"""Stats on a known queue, and the queue commands for scripts (bulk, undo, stats)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.clirun import run
from tests.factories import FLU_POST, NOW, sample_comments
from triage.desk import Desk
from triage.stats import compute_stats
from triage.store import Store
from triage.timefmt import duration
from triage.views import Sla

SLA = Sla({"crisis": "15m", "question": "4h", "privacy": "1h", "misinformation": "8h"})


def test_stats_on_a_known_queue(tmp_path: Path) -> None:
    moment = [NOW]
    with Store(tmp_path / "data", clock=lambda: moment[0]) as store:
        store.ingest(sample_comments(), [FLU_POST], user="t")
        desk = Desk(store, "ana")
        desk.dismiss(["c-crisis"], "on-call")  # 2 min after it was posted: within 15 min
        moment[0] = NOW + timedelta(hours=2)
        desk.dismiss(["c-privacy"])  # 2 h 30 min after: past its 1 h target
        stats = compute_stats(store, now=NOW + timedelta(hours=5), since=timedelta(days=7),
                              sla=SLA)
    assert stats.total == 7
    assert stats.by_tag["crisis"] == 1 and stats.by_tag["abuse"] == 0
    assert stats.by_platform == {"facebook": 5, "instagram": 1, "x": 1}
    assert stats.by_day[NOW.date().isoformat()] == 7
    assert stats.responded == 2
    assert stats.median_first_response_minutes == pytest.approx((2 + 150) / 2)
    # crisis met; privacy missed; the question (4 h) and the myth (8 h): question missed.
    assert (stats.sla_met, stats.sla_missed) == (1, 2)
    assert stats.sla_met_share == pytest.approx(1 / 3, abs=0.001)
    assert stats.top_myths == [{"claim_id": "flu-shot-gives-flu",
                                "resource_title": "Flu vaccine safety (CDC)", "count": 1}]



@pytest.fixture
def queue_dir(tmp_path: Path) -> Path:
    with Store(tmp_path / "data") as store:
        store.ingest(sample_comments(), [FLU_POST], user="t")
    return tmp_path / "data"


def test_bulk_then_undo_from_the_command_line(
    queue_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--data-dir", str(queue_dir), "--user", "ana"]
    code, out, _ = run(capsys, *base, "bulk", "dismiss", "--query", "platform:facebook", "--yes")
    assert code == 0 and "dismiss: 5 changed" in out
    _, out, _ = run(capsys, *base, "ls", "--status", "dismissed")
    assert len(out.splitlines()) == 5
    code, out, _ = run(capsys, *base, "undo")
    assert code == 0 and "undid dismiss of 5 comments" in out
    _, out, _ = run(capsys, *base, "ls", "--status", "dismissed")
    assert out == ""
    code, _, err = run(capsys, *base, "undo")
    assert code == 1 and "nothing to undo" in err


def test_dismissing_a_crisis_needs_a_reason(
    queue_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--data-dir", str(queue_dir), "--user", "ana"]
    code, out, err = run(capsys, *base, "bulk", "dismiss", "--query", "status:new", "--yes")
    assert code == 2 and out == ""
    assert ("1 of them is a crisis: say what was done with --reason, one of called-911 "
            "(called 911), on-call (passed to the on-call clinician), lifeline (replied with "
            "the lifeline), not-crisis (not a crisis)") in " ".join(err.split())
    _, out, _ = run(capsys, *base, "ls", "--status", "dismissed")
    assert out == ""
    code, _, err = run(capsys, *base, "bulk", "dismiss", "--query", "tag:crisis",
                       "--reason", "shrug", "--yes")
    assert code == 2 and "'shrug' is not one of 'called-911', 'on-call'" in err


def test_not_a_crisis_also_takes_the_tag_off_in_one_undo(
    queue_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--data-dir", str(queue_dir), "--user", "ana"]
    code, out, _ = run(capsys, *base, "bulk", "dismiss", "--query", "tag:crisis",
                       "--reason", "not-crisis", "--yes")
    assert code == 0 and "dismiss: 1 changed" in out
    with Store(queue_dir) as store:
        crisis = store.get("c-crisis")
        assert crisis.status == "dismissed" and crisis.tag("crisis") is None
        kinds = [(d["kind"], d.get("data", {}).get("reason"), d.get("data", {}).get("op"))
                 for d in store.journal.read_backwards()][:2]
    assert kinds == [("dismiss", "not-crisis", None), ("tag", None, "remove")]
    code, out, _ = run(capsys, *base, "undo")
    assert code == 0
    with Store(queue_dir) as store:
        crisis = store.get("c-crisis")
        assert crisis.status == "new" and crisis.tag("crisis") is not None


def test_bulk_names_a_bad_query(queue_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--data-dir", str(queue_dir), "bulk", "dismiss",
                       "--query", "sttus:new", "--yes")
    assert code == 2 and "unknown field 'sttus'" in err


def test_stats_json(queue_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--data-dir", str(queue_dir), "stats", "--json", "--since", "3650d")
    figures = json.loads(out)
    assert code == 0 and figures["total"] == 7
    assert figures["by_tag"]["privacy"] == 1
    assert {"median_first_response_minutes", "sla_met_share", "top_myths", "by_day"} <= set(figures)


@pytest.mark.parametrize(
    ("minutes", "said"),
    [(0.5, "30 s"), (12.4, "12 min"), (60, "1 h"), (76, "1 h 16 min"), (2612.4, "43 h 32 min"),
     (3000, "2 d 2 h"), (2880, "2 d")],
)
def test_response_times_read_as_a_person_says_them(minutes: float, said: str) -> None:
    assert duration(minutes) == said


def test_stats_prints_the_median_response_in_hours_and_minutes(
    queue_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--data-dir", str(queue_dir), "--user", "ana"]
    run(capsys, *base, "bulk", "dismiss", "--query", "tag:crisis", "--reason", "on-call",
        "--yes")
    code, out, _ = run(capsys, *base, "stats", "--since", "3650d")
    assert code == 0
    said = r"(\d+ d( \d+ h)?|\d+ h( \d+ min)?|\d+ min|\d+ s)"
    assert re.search(rf"median time to first response: {said}$", out, re.M), out
