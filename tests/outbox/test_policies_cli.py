"""`triage policies lint|check`, and `triage reply|approvals` obeying the reply policies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clirun import run
from tests.outbox.conftest import config_text, standin_accounts, standin_comment, write_templates
from triage.outbox import all_items
from triage.standins import StandinServer
from triage.store import Store

PHONE = "555-201-8890"
ASKING = f"My knee still hurts after the fall, please call me at {PHONE}?"
BROKEN = ('id = "bad"\ntitle = "t"\nreason = "r"\nseverity = "block"\nphrases = ["x", 3]\n'
          'approved_by = "a"\napproved_on = 2026-01-01\nreview_by = 2027-01-01\n')


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[str], str]]:
    """Global options for a config (stand-in accounts) and a store holding one comment that
    gives a phone number; and that comment's id."""
    with StandinServer() as server:
        accounts, environ = standin_accounts(server)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        config = tmp_path / "config.toml"
        config.write_text(config_text(write_templates(tmp_path / "tpl"), accounts))
        comment = standin_comment(server, "facebook", ASKING, "facebook")
        with Store(tmp_path / "data") as store:
            store.ingest([comment], user="test")
        yield ["--config", str(config), "--data-dir", str(tmp_path / "data")], comment.id


def test_check_exits_1_when_a_hit_blocks_naming_each_policy_and_reason(
        capsys: pytest.CaptureFixture[str], desk: tuple[list[str], str]) -> None:
    options, comment_id = desk
    text = f"Sorry to hear it! We will call you at {PHONE}; our physio is guaranteed to work."
    code, out, err = run(capsys, *options, "policies", "check", text, "--comment", comment_id)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"BLOCK   phi-copied-back  38-50  '{PHONE}' (phone number from "
                               "the comment)  repeats an identifier the commenter posted")
    assert lines[1].startswith("BLOCK   cure-promise  66-76  'guaranteed'  promises a cure")
    assert "2 blocking hits: this reply cannot be sent" in err
    code, out, err = run(capsys, *options, "policies", "check", text)  # no comment given
    assert code == 1 and "phi-copied-back" not in out and "cure-promise" in out


def test_check_exits_0_on_review_hits_and_on_none(
        capsys: pytest.CaptureFixture[str], desk: tuple[list[str], str]) -> None:
    options, _ = desk
    code, out, err = run(capsys, *options, "policies", "check", "Dr. Patel is in on Tuesday.")
    assert code == 0 and out.startswith("REVIEW  clinician-schedule  0-26")
    assert "an approver must approve this reply" in err
    code, out, err = run(capsys, *options, "policies", "check", "Thanks, we hear you.")
    assert (code, out) == (0, "") and "no policy hit (6 policies checked)" in err


def test_lint_exits_2_on_a_broken_file_naming_file_and_entry(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "bad.toml").write_text(BROKEN)
    code, out, err = run(capsys, "policies", "lint", str(folder))
    assert code == 2
    assert out.strip() == f"{folder / 'bad.toml'}: phrases #2: must be a non-empty string, " \
                          "not an integer 3"
    assert "1 problem in 1 policy file" in err
    code, out, err = run(capsys, "policies", "lint")
    assert code == 0 and "6 policies clean" in err


def test_a_broken_policy_file_in_the_config_stops_every_reply(
        capsys: pytest.CaptureFixture[str], desk: tuple[list[str], str], tmp_path: Path) -> None:
    options, comment_id = desk
    config = Path(options[1])
    (tmp_path / "bad.toml").write_text(BROKEN)
    config.write_text(config.read_text() + '\n[policies]\nfiles = ["bad.toml"]\n')
    code, out, err = run(capsys, *options, "reply", comment_id, "--text", "Thanks, we hear you.")
    assert code == 2 and "bad.toml: phrases #2: must be a non-empty string" in err


def test_reply_refuses_a_text_quoting_the_phone_and_promising_a_cure(
        capsys: pytest.CaptureFixture[str], desk: tuple[list[str], str], tmp_path: Path) -> None:
    options, comment_id = desk
    text = f"Hi Dana, we'll call you at {PHONE}. Our new therapy will cure your knee pain."
    code, out, err = run(capsys, *options, "--user", "ben", "reply", comment_id, "--text", text)
    assert code == 1 and out == ""
    assert "the reply breaks a reply policy and cannot be sent" in err
    assert f"phi-copied-back: '{PHONE}' (phone number from the comment): repeats an identifier" \
           in err
    assert "cure-promise: 'will cure your': promises a cure or a certain outcome" in err
    with Store(tmp_path / "data") as store:
        assert all_items(store) == []


def test_a_review_hit_waits_with_its_hits_shown_in_approvals(
        capsys: pytest.CaptureFixture[str], desk: tuple[list[str], str]) -> None:
    options, comment_id = desk
    text = "Sorry about your knee. Dr. Patel is in on Tuesday, call the clinic."
    code, out, err = run(capsys, *options, "--user", "ben", "reply", comment_id, "--text", text)
    assert code == 0, err
    assert "it matches a policy an approver must review: clinician-schedule" in err
    code, out, err = run(capsys, *options, "--user", "ana", "approvals")
    assert code == 0
    assert "  policy:  clinician-schedule (review): 'Dr. Patel is in on Tuesday': gives a " \
           "named clinician's schedule" in out
