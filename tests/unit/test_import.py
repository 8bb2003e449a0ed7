"""`triage import`: good lines in, duplicates skipped, bad lines named by number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import run
from triage.store import Store

LINES = [
    json.dumps({"id": "a1", "platform": "facebook", "text": "When is the flu clinic open?",
                "author": "Dana", "created_at": "2026-11-20T14:03:00+0000", "account": "fb",
                "post_id": "p1", "extra": "ignored"}),
    json.dumps({"id": "a2", "platform": "x", "text": "reply", "parent_id": "a1",
                "created_at": "2026-11-20T09:03:00-05:00"}),
    "{this is not json",
    json.dumps({"id": "a3", "platform": "myspace", "text": "x"}),
    json.dumps({"id": "a4", "platform": "youtube"}),
    json.dumps({"id": "a5", "platform": "reddit", "text": "x", "created_at": "last tuesday"}),
    json.dumps({"id": "a1", "platform": "facebook", "text": "the same id again"}),
    "",
    json.dumps({"id": "a6", "platform": "mastodon", "text": "naive time",
                "created_at": "2026-11-20T10:00:00", "author": {"name": "Ali", "id": "9"}}),
]



def test_import_reports_bad_lines_and_keeps_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "comments.jsonl"
    source.write_text("\n".join(LINES) + "\n")
    data = str(tmp_path / "data")
    code, out, err = run(capsys, "--data-dir", data, "import", str(source))
    assert code == 2  # the good lines are imported; the exit code says some were bad
    assert err.endswith(f"triage: 4 bad lines skipped ({source})\n")
    assert "line 3: not valid JSON" in err
    assert "line 4: unknown platform 'myspace'" in err
    assert "line 5: missing 'text'" in err
    assert "line 6: created_at 'last tuesday' is not an ISO 8601 time" in err
    assert "imported 3, already stored 1, bad lines 4" in out

    code, out, _ = run(capsys, "--data-dir", data, "import", str(source))
    assert "imported 0, already stored 4" in out

    with Store(Path(data)) as store:
        assert store.get("a1").created_at.isoformat() == "2026-11-20T14:03:00+00:00"
        assert store.get("a2").created_at.isoformat() == "2026-11-20T14:03:00+00:00"
        assert store.get("a2").parent_id == "a1"
        assert store.get("a6").author.name == "Ali"
        assert store.get("a6").created_at.tzinfo is not None


def test_ls_json_lists_newest_first_with_the_documented_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "comments.jsonl"
    source.write_text("\n".join(LINES) + "\n")
    data = str(tmp_path / "data")
    run(capsys, "--data-dir", data, "import", str(source))
    code, out, _ = run(capsys, "--data-dir", data, "ls", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    # a1 and its reply a2 were written the same minute: ties go by id, as in the queue.
    assert [r["id"] for r in rows] == ["a2", "a1", "a6"]
    for row in rows:
        assert {"id", "platform", "author", "created_at", "status", "tags", "text"} <= set(row)
        assert row["status"] == "new"
    _, out, _ = run(capsys, "--data-dir", data, "ls", "--json", "--limit", "1")
    assert len(out.splitlines()) == 1
    _, out, _ = run(capsys, "--data-dir", data, "ls", "--status", "dismissed")
    assert out == ""


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("triage, version ")


def test_a_locked_data_dir_is_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    with Store(data):
        code, _, err = run(capsys, "--data-dir", str(data), "ls")
    assert code == 1
    assert "is in use by another Triage" in err and "Traceback" not in err


def test_ls_query_filters_and_a_bad_term_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "comments.jsonl"
    source.write_text("\n".join(LINES) + "\n")
    data = str(tmp_path / "data")
    run(capsys, "--data-dir", data, "import", str(source))
    code, out, _ = run(capsys, "--data-dir", data, "ls", "--query", "platform:x,mastodon")
    assert code == 0 and [line.split("\t")[0] for line in out.splitlines()] == ["a2", "a6"]
    code, _, err = run(capsys, "--data-dir", data, "ls", "--query", "sttus:new")
    assert code == 2 and "unknown field 'sttus'" in err


def test_import_reads_epoch_times_and_refuses_impossible_ones_by_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    times: list[object] = [
        1733000000000,  # epoch milliseconds, as many exports write them
        1733000000,  # epoch seconds
        1e20, "9999-12-31T23:59:59-14:00", float(2**70), -5, "1985-01-01T00:00:00Z",
        "2999-01-01T00:00:00Z", True, "2026-11-20T10:00:00Z",
    ]
    lines = [json.dumps({"id": f"t{n}", "platform": "x", "text": "hello", "created_at": when})
             for n, when in enumerate(times, start=1)]
    source = tmp_path / "times.jsonl"
    source.write_text("\n".join(lines) + "\n")
    data = str(tmp_path / "data")
    code, out, err = run(capsys, "--data-dir", data, "import", str(source))
    assert code == 2, err
    assert "Traceback" not in err
    assert "line 3: created_at 1e+20 is out of range" in err
    assert "line 4: created_at '9999-12-31T23:59:59-14:00' is out of range" in err
    assert "line 5: created_at" in err and "out of range" in err
    assert "line 6: created_at 1969-12-31 is before 1990" in err
    assert "line 7: created_at 1985-01-01 is before 1990" in err
    assert "line 8: created_at 2999-01-01 00:00 is in the future" in err
    assert "line 9: created_at True is not a time" in err
    assert "imported 3, already stored 0, bad lines 7" in out
    with Store(Path(data)) as store:
        assert store.get("t1").created_at.isoformat() == "2024-11-30T20:53:20+00:00"
        assert store.get("t2").created_at == store.get("t1").created_at
        assert "t10" in store.comments


def test_a_line_of_unicode_white_space_is_blank_not_a_broken_comment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "spaces.jsonl"
    source.write_text("\u0085\n\x1f\n\u2028\n", encoding="utf-8")
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "data"), "import", str(source))
    assert code == 0 and "not valid JSON" not in err
