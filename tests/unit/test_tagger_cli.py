"""`triage tag` and `triage eval` (files and --from-journal), as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import run
from tests.factories import FLU_POST, sample_comments
from triage.desk import Desk
from triage.store import Store


def test_tag_writes_one_json_line_per_comment_and_names_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "c1", "text": "The flu shot gives you the flu, skip it"}) + "\n"
        + "{not json\n"
        + json.dumps({"text": "What time does the clinic open?"}) + "\n"
        + json.dumps({"id": "c4", "body": "no text here"}) + "\n"
        + json.dumps({"id": "c5", "text": ""}) + "\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "tag", str(source), "--json")
    assert code == 2
    assert "line 2: starts like a JSON object but is not valid JSON" in err
    assert "line 4: needs a 'text' string" in err and "2 bad lines skipped" in err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["id"] for row in rows] == ["c1", None, "c5"]
    myth = next(tag for tag in rows[0]["tags"] if tag["name"] == "misinformation")
    assert myth["claim_id"] == "flu-shot-gives-flu"
    assert myth["resource_url"].startswith("https://")
    assert myth["source"] == "claim:flu-shot-gives-flu"
    text = "The flu shot gives you the flu, skip it"
    assert "flu shot" in [text[a:b] for a, b in myth["evidence"]]
    assert [tag["name"] for tag in rows[1]["tags"]] == ["question"]
    assert set(rows[1]["tags"][0]) == {"name", "score", "evidence", "source"}
    assert rows[2]["tags"] == []


def test_tag_reads_stdin_and_prints_a_short_line_without_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = json.dumps({"id": "x", "text": "call me at 617-555-0142 about my results"}) + "\n"
    code, out, _ = run(capsys, "tag", "-", stdin=data)
    assert code == 0
    assert out.startswith("x\tprivacy:") and "question:" in out


def test_tag_takes_plain_text_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "tag", "-",
                         stdin="Chemo is poison, go natural\nwhat time do you open?\n")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("-\tmisinformation:")
    assert lines[1].startswith("-\tquestion:")


LABELLED = [
    {"id": "a", "text": "I'm going to end my life tonight", "labels": ["crisis"]},
    {"id": "b", "text": "Lovely staff, thank you", "labels": []},
    {"id": "c", "text": "Where do I park for the clinic", "labels": ["question"]},
    {"id": "d", "text": "Thanks for posting this", "labels": ["question"]},
    {"id": "e", "text": "what time do you open?", "labels": [], "judged": ["crisis"]},
]


def test_eval_scores_each_judged_tag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "labelled.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in LABELLED) + "oops\n")
    code, out, err = run(capsys, "eval", str(source), "--json")
    assert code == 0
    assert "line 6: not valid JSON" in err
    result = json.loads(out)
    question = result["tags"]["question"]
    # "e" judged crisis only: its question is not counted as a false alarm.
    assert question == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert result["tags"]["crisis"]["recall"] == 1.0
    assert set(result) == {"tags", "macro_f1"}

    code, out, _ = run(capsys, "eval", str(source), "--show-errors")
    assert code == 0
    assert "question" in out.splitlines()[0] or "precision" in out.splitlines()[0]
    miss = [line for line in out.splitlines() if line.startswith("miss")]
    assert len(miss) == 1 and "Thanks for posting this" in miss[0]


def test_eval_needs_files_or_from_journal(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "eval")
    assert code == 2 and "labelled files" in err


def test_eval_from_journal_reports_the_teams_corrections(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    with Store(data) as store:
        store.ingest(sample_comments(), [FLU_POST], user="t")
        desk = Desk(store, "ana")
        desk.dismiss(["c-question"])
        desk.correct_tag(["c-myth"], "misinformation", add=False)
    code, out, _ = run(capsys, "--data-dir", str(data), "eval", "--from-journal")
    assert code == 0
    assert "reviewed comments: 2, tag corrections: 1" in out
    myth_line = next(line for line in out.splitlines() if line.startswith("misinformation"))
    assert myth_line.split()[1] == "0.000"  # precision: the one myth tag was a false alarm
    code, out, _ = run(capsys, "--data-dir", str(data), "eval", "--from-journal", "--json")
    report = json.loads(out)
    assert report["reviewed"] == 2
    assert report["tags"]["misinformation"]["false_alarms"] == 1
    assert len(report["weeks"]) == 1
