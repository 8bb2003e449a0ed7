"""The legal command line as a person uses it: escalate, follow, audit the journal."""

from __future__ import annotations

import json
from pathlib import Path

from filelock import FileLock

from tests.legal.conftest import CliRun


def test_escalate_list_note_release_close(prepared: Path, run_cli: CliRun) -> None:
    code, out, err = run_cli("escalate", "c-phi", "--reason", "legal_threat",
                             "--severity", "critical", "--note", "says she will sue")
    assert code == 0 and "escalated c-phi as esc-0001" in out and "legal hold" in out
    assert "no [escalation] channel" in err
    code, out, _ = run_cli("escalations")
    assert out.split("\t")[:5] == ["esc-0001", "open", "critical", "legal_threat", "c-phi"]
    code, out, err = run_cli("escalation", "release", "esc-0001", "--decision", "hide")
    assert code == 1 and "only the legal role can release a legal hold" in err and "lee" in err
    code, out, _ = run_cli("escalation", "note", "esc-0001", "spoke to counsel", user="lee")
    assert code == 0 and "under review" in out
    code, out, err = run_cli("escalation", "close", "esc-0001", user="lee")
    assert code == 1 and "release it first" in err
    code, out, _ = run_cli("escalation", "release", "esc-0001", "--decision", "no_action",
                           user="lee")
    assert code == 0 and "released c-phi from esc-0001: no_action" in out
    assert run_cli("escalation", "close", "esc-0001", user="lee")[0] == 0
    code, out, _ = run_cli("escalations", "--json")
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert (row["status"], row["decision"], row["notes"]) == ("closed", "no_action", 1)
    assert "555-201-8834" not in out and "•••-•••-8834" in row["text_masked"]
    code, out, _ = run_cli("ls", "--status", "dismissed")
    assert out.startswith("c-phi\t")


def test_bad_choices_are_named(prepared: Path, run_cli: CliRun) -> None:
    code, _, err = run_cli("escalate", "c-phi", "--reason", "rumour")
    assert code == 2 and "'rumour' is not one of" in err
    code, _, err = run_cli("escalate", "c-gone", "--reason", "other")
    assert code == 1 and "no comment with id 'c-gone'" in err


def test_audit_verify_ok_then_names_the_changed_line(prepared: Path, run_cli: CliRun) -> None:
    run_cli("escalate", "c-phi", "--reason", "privacy_breach")
    code, out, _ = run_cli("audit", "verify")
    journal = prepared / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    assert code == 0 and out.startswith(f"OK: {len(lines)} entries\n")
    assert ("without an audit key this shows only that no line was damaged by accident, "
            "not that none was forged or cut") in out
    target = next(i for i, line in enumerate(lines) if b'"kind":"escalate"' in line)
    lines[target] = lines[target].replace(b'"severity":"high"', b'"severity":"low"', 1)
    journal.write_bytes(b"".join(lines))
    code, out, err = run_cli("audit", "verify")
    assert code == 1 and out == ""
    assert err.startswith(f"triage: journal.jsonl line {target + 1}: "
                          "its content does not match its hash")
    assert (f"lines 1 to {target} hash together, which without an audit key rules out "
            "accidental damage only") in err
    assert "intact" not in err


def test_audit_verify_reads_without_the_lock(prepared: Path, run_cli: CliRun) -> None:
    with FileLock(prepared / "triage.lock", timeout=0):  # another Triage owns the folder
        code, out, _ = run_cli("audit", "verify")
        assert code == 0 and out.startswith("OK: 8 entries")
        code, _, err = run_cli("audit", "log")
        assert code == 1 and "in use by another Triage" in err


def test_audit_log_tells_who_did_what(prepared: Path, run_cli: CliRun) -> None:
    run_cli("escalate", "c-phi", "--reason", "privacy_breach")
    run_cli("escalation", "release", "c-phi", "--decision", "reply_allowed", user="lee")
    code, out, _ = run_cli("audit", "log", "--comment", "c-phi")
    rows = [line.split("\t") for line in out.splitlines()]
    assert [(r[1], r[2], r[3]) for r in rows] == [
        ("test", "capture", "c-phi"), ("ana", "escalate", "c-phi"), ("ana", "hold", "c-phi"),
        ("lee", "release", "c-phi"), ("lee", "hold_release", "c-phi")]
    assert rows[1][4] == "status: 'new'→'escalated'"
    assert rows[3][4] == "assignee: none→'ana'; status: 'escalated'→'new'"
    code, out, _ = run_cli("audit", "log", "--json")
    entries = [json.loads(line) for line in out.splitlines()]
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert {e["comment_id"] for e in entries} >= {"c-phi", "c-myth"}
    code, _, err = run_cli("audit", "log", "--comment", "c-unknown")
    assert code == 1 and "no comment with id 'c-unknown'" in err
