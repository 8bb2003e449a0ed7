"""`triage stats --alerts`: the current spike alerts, for a script or a morning e-mail."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.clirun import run
from tests.unit.test_spikes import comment, ozempic
from triage.model import utcnow
from triage.store import Store


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[pharmacovigilance]\nproducts = ["Ozempic", "Shingrix"]\n',
                    encoding="utf-8")
    return path


def queue(tmp_path: Path, surge: int) -> Path:
    """Ten days of a question an hour, and ``surge`` Ozempic adverse events in the last
    hour."""
    now = utcnow()
    comments = [comment(now - timedelta(hours=h, minutes=50)) for h in range(1, 240)]
    comments += ozempic(now - timedelta(minutes=55), surge)
    with Store(tmp_path / "data") as store:
        store.ingest(comments, user="test")
    return tmp_path / "data"


def test_alerts_prints_one_line_per_alert(tmp_path: Path, config_file: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    data = queue(tmp_path, 8)
    code, out, err = run(capsys, "--config", str(config_file), "--data-dir", str(data),
                         "stats", "--alerts")
    assert code == 0, err
    lines = sorted(out.splitlines())
    assert len(lines) == 2
    assert re.fullmatch(r"product:Ozempic: 8 in the last 3h vs usual 0.3; since "
                        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC \((\d+ min ago|just now)\)", lines[0])
    assert lines[1].startswith("tag:adverse_event: 8 in the last 3h vs usual 0.3; since ")


def test_alerts_as_json(tmp_path: Path, config_file: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    data = queue(tmp_path, 8)
    code, out, _ = run(capsys, "--config", str(config_file), "--data-dir", str(data),
                       "stats", "--alerts", "--json")
    found = json.loads(out)
    assert code == 0
    (product,) = [a for a in found["alerts"] if a["kind"] == "product"]
    assert product["series"] == "product:Ozempic" and product["count"] == 8
    assert product["usual"] == 0.3 and product["window"] == "3h" and product["active"]


def test_no_alerts_says_so(tmp_path: Path, config_file: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    data = queue(tmp_path, 2)
    code, out, _ = run(capsys, "--config", str(config_file), "--data-dir", str(data),
                       "stats", "--alerts")
    assert (code, out) == (0, "no alerts\n")
    code, out, _ = run(capsys, "--config", str(config_file), "--data-dir", str(data),
                       "stats", "--alerts", "--json")
    assert code == 0 and json.loads(out)["alerts"] == []


def test_alerts_with_csv_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "data"), "stats", "--alerts",
                       "--csv")
    assert code == 2 and "--alerts prints lines or --json, not --csv" in err
