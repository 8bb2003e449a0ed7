"""The journal under attack: forged, cut and rewritten lines, with and without the audit key."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.legal.conftest import CliRun
from triage.desk import Desk
from triage.store import Store

KEY = "riverside-audit-7f3a9c1e5b2d4086"
SORTED = orjson.OPT_SORT_KEYS


def _lines(journal: Path) -> list[dict[str, Any]]:
    return [orjson.loads(raw) for raw in journal.read_bytes().splitlines()]


def _rehash(entry: dict[str, Any]) -> str:
    """What anyone can do without the key: the SHA-256 the journal uses, recomputed."""
    body = {k: v for k, v in entry.items() if k not in ("hash", "mac")}
    return hashlib.sha256(orjson.dumps(body, option=SORTED)).hexdigest()


def _write(journal: Path, entries: list[dict[str, Any]]) -> None:
    journal.write_bytes(b"".join(orjson.dumps(e, option=SORTED) + b"\n" for e in entries))


def _holds(data: Path) -> dict[str, Any]:
    return dict(orjson.loads((data / "store" / "records-holds.json").read_bytes())["holds"])


def _no_key_anywhere(data: Path, outputs: list[str]) -> None:
    for path in data.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    for text in outputs:
        assert KEY not in text


def test_a_forged_hold_release_is_refused_at_open_with_a_key(
    prepared: Path, run_cli: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_AUDIT_KEY", KEY)
    outputs: list[str] = []
    code, out, err = run_cli("escalate", "c-phi", "--reason", "legal_threat")
    outputs += [out, err]
    assert code == 0 and _holds(prepared)["c-phi"]["active"] is True
    journal = prepared / "journal.jsonl"
    entries = _lines(journal)
    hold = next(e for e in entries if e["kind"] == "hold")
    assert isinstance(hold.get("mac"), str)
    forged = dict(hold, kind="hold_release", user="lee", seq=entries[-1]["seq"] + 1,
                  prev=entries[-1]["hash"], mac="0" * 64)
    forged["data"] = {"record": dict(hold["data"]["record"],
                                     doc=dict(hold["data"]["record"]["doc"], active=False))}
    forged["hash"] = _rehash(forged)
    _write(journal, [*entries, forged])

    code, out, err = run_cli("bulk", "dismiss", "--query", "status:new", "--yes")
    outputs += [out, err]
    assert code == 1
    assert (f"the entry with seq {forged['seq']} was not applied, nor any after it: "
            "its MAC does not match: written without the audit key") in err
    assert _holds(prepared)["c-phi"]["active"] is True
    assert _lines(journal)[-1] == forged  # nothing written after it
    code, out, err = run_cli("audit", "verify")
    outputs += [out, err]
    assert code == 1 and err.startswith(
        f"triage: journal.jsonl line {forged['seq']}: its MAC does not match: "
        "written without the audit key")
    assert (f"line {forged['seq'] - 1} carries a valid MAC, which vouches for lines 1 to "
            f"{forged['seq'] - 1}") in err
    _no_key_anywhere(prepared, outputs)


def test_a_forged_line_without_a_mac_is_refused_too(
    prepared: Path, run_cli: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_AUDIT_KEY", KEY)
    run_cli("escalate", "c-phi", "--reason", "legal_threat")
    journal = prepared / "journal.jsonl"
    entries = _lines(journal)
    forged = {k: v for k, v in entries[-1].items() if k != "mac"}
    forged.update(seq=entries[-1]["seq"] + 1, prev=entries[-1]["hash"], kind="dismiss",
                  comment_id="c-plain", after={"status": "dismissed"})
    forged["hash"] = _rehash(forged)
    _write(journal, [*entries, forged])
    code, _, err = run_cli("ls")
    assert code == 1 and "it carries no MAC" in err and "was not applied" in err


def test_a_cut_tail_of_50_lines_is_reported(prepared: Path, run_cli: CliRun) -> None:
    with Store(prepared) as store:
        for _ in range(30):
            Desk(store, "ana").dismiss(["c-plain"])
            Desk(store, "ana").restore(["c-plain"])
    journal = prepared / "journal.jsonl"
    entries = _lines(journal)
    applied = entries[-1]["seq"]
    assert run_cli("audit", "verify")[0] == 0
    _write(journal, entries[:-50])
    code, out, err = run_cli("audit", "verify")
    assert code == 1 and out == ""
    assert err.startswith(
        f"triage: journal.jsonl: the journal ends at seq {applied - 50} but the store had "
        f"applied up to seq {applied}: entries were removed")
    assert "without an audit key this shows only" in err


def test_an_edited_line_with_every_hash_recomputed_is_reported(
    prepared: Path, run_cli: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_AUDIT_KEY", KEY)
    outputs: list[str] = []
    for args in (("escalate", "c-phi", "--reason", "privacy_breach"),
                 ("escalation", "note", "esc-0001", "seen")):
        code, out, err = run_cli(*args)
        outputs += [out, err]
        assert code == 0, err
    code, out, err = run_cli("audit", "verify")
    outputs += [out, err]
    journal = prepared / "journal.jsonl"
    entries = _lines(journal)
    first_mac = next(i for i, e in enumerate(entries) if "mac" in e) + 1
    assert code == 0 and out.startswith(f"OK: {len(entries)} entries\n")
    assert (f"MACs start at line {first_mac}: lines 1 to {first_mac - 1} were written "
            "before the audit key was in use") in out
    target = first_mac  # the line after the first with a MAC
    entries[target]["user"] = "lee"
    prev = entries[target]["prev"]
    for entry in entries[target:]:  # the rest re-chained; the MACs cannot be redone
        entry["prev"] = prev
        entry["hash"] = prev = _rehash(entry)
    _write(journal, entries)

    code, out, err = run_cli("audit", "verify")
    outputs += [out, err]
    assert code == 1 and err.startswith(
        f"triage: journal.jsonl line {target + 1}: its MAC does not match: "
        "written without the audit key")
    assert f"vouches for lines 1 to {target} as a holder of the key wrote them" in err
    monkeypatch.delenv("TRIAGE_AUDIT_KEY")
    code, out, err = run_cli("audit", "verify")  # without the key, the anchor still tells
    outputs += [out, err]
    assert code == 1 and (f"the entry with seq {len(entries)} is not the one the store "
                          "applied") in err
    _no_key_anywhere(prepared, outputs)


def test_an_edited_line_with_its_own_hash_recomputed_vouches_for_nothing_before_it(
    prepared: Path, run_cli: CliRun
) -> None:
    journal = prepared / "journal.jsonl"
    entries = _lines(journal)
    entries[3]["data"]["author"] = "someone else"
    entries[3]["hash"] = _rehash(entries[3])
    _write(journal, entries)
    code, _, err = run_cli("audit", "verify")
    assert code == 1 and err.startswith(
        "triage: journal.jsonl line 5: does not follow the line before it")
    assert ("line 4 was changed and its hash recomputed, or lines were removed or inserted "
            "before line 5; without an audit key nothing shows whether the lines before it "
            "were rewritten too") in err
    assert "intact" not in err


def test_a_key_file_outside_the_data_folder_and_one_inside_it(
    prepared: Path, run_cli: CliRun, tmp_path: Path
) -> None:
    key_file = tmp_path / "audit.key"
    key_file.write_text(KEY + "\n")
    config = f'[audit]\nkey_file = "{key_file}"\n'
    code, out, err = run_cli("escalate", "c-plain", "--reason", "other", config=config)
    assert code == 0, err
    assert "mac" in _lines(prepared / "journal.jsonl")[-1]
    code, out, err = run_cli("audit", "verify", config=config)
    assert code == 0 and "MACs start at line 9: lines 1 to 8" in out
    assert "lines 9 to 10 match the key" in out
    _no_key_anywhere(prepared, [out, err])
    code, _, err = run_cli("ls")  # the key left out: the store will not go on without it
    assert code == 1 and "is authenticated with an audit key" in err
    inside = prepared / "audit.key"
    inside.write_text(KEY)
    code, _, err = run_cli("ls", config=f'[audit]\nkey_file = "{inside}"\n')
    assert code == 2 and "is inside the data folder" in err and KEY not in err


def test_a_short_key_is_refused_without_being_shown(
    prepared: Path, run_cli: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_AUDIT_KEY", "hunter2")
    code, out, err = run_cli("audit", "verify")
    assert code == 2 and "TRIAGE_AUDIT_KEY is too short" in err
    assert "hunter2" not in out + err
