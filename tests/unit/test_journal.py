"""The journal: hash-chained, tamper-evident, and whole after a crash mid-write."""

from __future__ import annotations

from pathlib import Path

import orjson

from triage.journal import Journal, verify


def _journal(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    journal.append(
        [{"user": "ana", "kind": "dismiss", "comment_id": f"c{i}"} for i in range(count)]
    )
    journal.close()
    return path


def test_entries_are_numbered_and_chained(tmp_path: Path) -> None:
    path = _journal(tmp_path, 3)
    lines = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert [line["seq"] for line in lines] == [1, 2, 3]
    assert lines[0]["prev"] == "0" * 64
    assert lines[1]["prev"] == lines[0]["hash"] and lines[2]["prev"] == lines[1]["hash"]
    assert verify(path).ok and verify(path).entries == 3


def test_a_reopened_journal_continues_the_chain(tmp_path: Path) -> None:
    path = _journal(tmp_path, 2)
    journal = Journal(path)
    journal.append([{"user": "ben", "kind": "dismiss", "comment_id": "c9"}])
    journal.close()
    result = verify(path)
    assert result.ok and result.entries == 3


def test_a_changed_line_is_named(tmp_path: Path) -> None:
    path = _journal(tmp_path, 5)
    lines = path.read_bytes().splitlines()
    lines[2] = lines[2].replace(b'"user":"ana"', b'"user":"eve"')
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = verify(path)
    assert not result.ok
    assert result.broken_line == 3
    assert result.entries == 2


def test_a_removed_line_is_named(tmp_path: Path) -> None:
    path = _journal(tmp_path, 5)
    lines = path.read_bytes().splitlines()
    del lines[1]
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert verify(path).broken_line == 2


def test_a_changed_last_line_is_caught(tmp_path: Path) -> None:
    path = _journal(tmp_path, 3)
    lines = path.read_bytes().splitlines()
    lines[-1] = lines[-1].replace(b'"c2"', b'"c7"')
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert verify(path).broken_line == 3


def test_a_torn_last_line_is_set_aside_and_the_chain_goes_on(tmp_path: Path) -> None:
    path = _journal(tmp_path, 2)
    with open(path, "ab") as handle:
        handle.write(b'{"seq":3,"user":"ana","ki')  # a write cut short by a crash
    journal = Journal(path)
    assert journal.last_seq == 2
    journal.append([{"user": "ana", "kind": "dismiss", "comment_id": "c3"}])
    journal.close()
    assert verify(path).ok and verify(path).entries == 3
    assert b'"ki' in (tmp_path / "journal.jsonl.torn").read_bytes()


def test_reading_backwards_gives_newest_first(tmp_path: Path) -> None:
    path = _journal(tmp_path, 50)
    journal = Journal(path)
    seqs = [entry["seq"] for entry in journal.read_backwards(block=97)]
    journal.close()
    assert seqs == list(range(50, 0, -1))


def test_with_a_key_every_line_carries_a_mac_that_verify_checks(tmp_path: Path) -> None:
    from triage.auditkey import AuditKey

    path = _journal(tmp_path, 2)  # written before the key: no MAC
    key = AuditKey(b"a-key-of-some-length", "a test")
    journal = Journal(path, key)
    journal.append([{"user": "ana", "kind": "dismiss", "comment_id": "c9"}])
    journal.close()
    lines = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert ["mac" in line for line in lines] == [False, False, True]
    assert verify(path).ok and verify(path).macs_from == 3  # without the key: the chain only
    result = verify(path, key)
    assert result.ok and result.keyed and result.macs_from == 3 and result.entries == 3
    wrong = verify(path, AuditKey(b"another-key-entirely", "a test"))
    assert (wrong.broken_line, wrong.reason) == (
        3, "its MAC does not match: written without the audit key")
    assert "a-key" not in repr(key) and "a-key" not in str(key)
