"""next, show, dismiss, restore and assign on the embedded store (one seat)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clirun import run
from tests.factories import FLU_POST, sample_comments
from triage.store import Store


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in ("TRIAGE_CONFIG", "TRIAGE_DATABASE_URL", "TRIAGE_USER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    with Store(tmp_path / "data") as store:
        store.ingest(sample_comments(), [FLU_POST], user="test")
    return str(tmp_path / "data")


def test_next_takes_the_most_urgent_free_comment_in_turn(
        data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--data-dir", data, "--user", "ana", "next")
    assert code == 0 and out.startswith("c-crisis\tassigned to ana\tcrisis\t")
    code, out, _ = run(capsys, "--data-dir", data, "--user", "ben", "next")
    assert out.startswith("c-privacy\tassigned to ben\tprivacy\t")
    assert "555-201-8834" not in out  # masked in the line it prints
    code, out, _ = run(capsys, "--data-dir", data, "--user", "ana", "show", "c-crisis")
    assert "assignee: ana" in out and "tags:     crisis" in out


def test_dismiss_restore_assign_by_id_and_show_the_note(
        data: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--data-dir", data, "--user", "ana", "dismiss", "c-plain",
                         "c-myth")
    assert (code, out) == (0, "dismiss: 2 changed, 0 left as they were "
                              "(`triage undo` takes it back)\n"), err
    code, _, err = run(capsys, "--data-dir", data, "--user", "ana", "dismiss", "c-crisis")
    assert code == 1 and err.startswith("triage: closing a crisis needs a reason")
    code, out, _ = run(capsys, "--data-dir", data, "--user", "ana", "restore", "c-plain")
    assert out.startswith("restore: 1 changed")
    code, out, _ = run(capsys, "--data-dir", data, "--user", "ana", "assign", "c-plain",
                       "--to", "ben")
    assert out.startswith("assign: 1 changed")
    run(capsys, "--data-dir", data, "--user", "ben", "note", "c-plain", "sent flowers")
    code, out, _ = run(capsys, "--data-dir", data, "--user", "ana", "show", "c-plain")
    assert "assignee: ben" in out and "note:     ben" in out and "sent flowers" in out
    code, _, err = run(capsys, "--data-dir", data, "show", "nope")
    assert code == 1 and err.strip() == "triage: no comment with id 'nope'"
