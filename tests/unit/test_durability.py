"""Nothing acknowledged is lost: torn journals, a full disk, a deferred open, a killed import."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import zlib
from pathlib import Path

import orjson
import pytest

from tests.clirun import run
from tests.factories import make_comment
from triage.desk import Desk
from triage.errors import StoreError
from triage.journal import Journal, verify
from triage.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _triage(
    data_dir: Path, *args: str, file_limit: int | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `triage --data-dir DATA ARGS` in a child, optionally with a file-size limit.

    Python ignores SIGXFSZ, so a write past the limit fails with EFBIG, as on a full disk.
    """

    def limit() -> None:
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run(
        [sys.executable, "-m", "triage", "--data-dir", str(data_dir), "--user", "ana", *args],
        capture_output=True, text=True, timeout=120, preexec_fn=limit, cwd=data_dir.parent,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")},
             "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": str(data_dir.parent)},
    )


def _journal_lines(data_dir: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in (data_dir / "journal.jsonl").read_bytes().splitlines()]


def _crash(store: Store) -> None:
    """Stop like a killed process: the journal is on disk, the store files are not written."""
    store.journal.close()
    store._lock.release()


# -- 1. a torn journal loses only the torn bytes, and a cut journal is refused -----------


def test_a_torn_line_over_a_mebibyte_costs_only_itself(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(data_dir) as store:
        store.ingest([make_comment(f"c{i}", f"comment {i}") for i in range(50)], user="t")
        Desk(store, "ana").dismiss(["c1", "c2"])
    torn = b'{"kind":"escalate","text":"' + b"x" * (3 << 20)  # a 3 MB line cut by a kill
    with open(data_dir / "journal.jsonl", "ab") as handle:
        handle.write(torn)
    code, out, err = run(capsys, "--data-dir", str(data_dir), "ls", "--status", "dismissed")
    assert code == 0
    assert "c1" in out and "c2" in out
    assert "was moved to journal.jsonl.torn" in err and "3,145,755 bytes" in err
    result = verify(data_dir / "journal.jsonl")
    assert result.ok and result.entries == 52
    assert (data_dir / "journal.jsonl.torn").read_bytes() == torn + b"\n"
    with Store(data_dir) as store:  # the next entry follows on, numbered 53
        Desk(store, "ana").dismiss(["c3"])
        assert store.journal.last_seq == 53 and not store.warnings
    assert verify(data_dir / "journal.jsonl").entries == 53


def test_only_a_torn_first_line_empties_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_bytes(b'{"seq":1,"kind":"dismiss","text":"' + b"y" * (2 << 20))
    journal = Journal(path)
    assert journal.last_seq == 0 and path.stat().st_size == 0
    assert "an unfinished last line" in journal.notices[0]
    journal.close()


def test_a_journal_shorter_than_what_the_store_applied_is_refused(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(data_dir) as store:
        store.ingest([make_comment(f"c{i}", f"comment {i}") for i in range(5)], user="t")
        Desk(store, "ana").dismiss(["c1", "c2", "c3"])
    journal = data_dir / "journal.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(b"".join(lines[:5]))  # the tail cut off: entries 6 to 8 gone
    code, _, err = run(capsys, "--data-dir", str(data_dir), "bulk", "dismiss",
                       "--query", "status:new", "--yes")
    assert code == 1
    assert f"{journal} ends at entry 5, but the store has applied entries up to 8" in err
    assert journal.read_bytes() == b"".join(lines[:5])  # nothing written, no number reused
    with pytest.raises(StoreError, match="journal was cut short or replaced"):
        Store(data_dir)


def test_the_lines_of_a_batch_cut_short_by_a_crash_are_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    journal.append([{"user": "ana", "kind": "dismiss", "comment_id": "c0"}])
    journal.append([{"user": "ana", "kind": "dismiss", "comment_id": f"c{i}"} for i in range(4)])
    journal.close()
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:3]) + lines[3][:20])  # killed within the batch's 3rd line
    reopened = Journal(path)
    assert reopened.last_seq == 1
    assert any("unfinished batch" in notice for notice in reopened.notices)
    reopened.close()
    assert verify(path).entries == 1
    assert b"".join(lines[1:3]) in (tmp_path / "journal.jsonl.torn").read_bytes()


# -- 2. a deferred open keeps the actions it cannot apply in memory yet ------------------


def test_a_deferred_open_that_quits_before_loading_keeps_replayed_actions(data_dir: Path) -> None:
    many = [make_comment(f"m{i:04d}", f"comment {i}", minutes_ago=i) for i in range(2000)]
    with Store(data_dir) as first:
        first.ingest(many, user="t")
    store = Store(data_dir, flush_every=10_000, flush_seconds=3600)
    Desk(store, "ana").dismiss(["m1999"])
    Desk(store, "ana").dismiss(["m1500", "m1200"])
    _crash(store)
    # Reopen the way the desk does (newest comments first, the writer in the background),
    # then quit before the background load adopts the rest.
    with Store(data_dir, defer_load=True) as desk_store:
        desk_store.write_in_background()
        assert not desk_store.loaded and "m1999" not in desk_store.comments
        assert desk_store.replayed == 3
    with Store(data_dir) as reopened:
        assert reopened.replayed == 0  # nothing left to replay, nothing applied twice
        for cid in ("m1999", "m1500", "m1200"):
            assert reopened.get(cid).status == "dismissed"
        assert reopened.get("m1000").status == "new"
    dismissals = [e for e in _journal_lines(data_dir) if e["kind"] == "dismiss"]
    assert sorted(e["comment_id"] for e in dismissals) == ["m1200", "m1500", "m1999"]


# -- 3. a batch that meets a full disk is all or nothing --------------------------------


def _seed_big(data_dir: Path, count: int = 2000) -> None:
    text = "Is the clinic open on Sunday? " * 100  # ~3 KB: head.json outgrows the journal
    comments = [make_comment(f"c{i:04d}", f"{text} {i}", minutes_ago=i) for i in range(count)]
    comments.append(make_comment("needle", "a needle in the queue", minutes_ago=1))
    with Store(data_dir) as store:
        store.ingest(comments, user="t")


def test_a_bulk_action_that_meets_a_full_disk_leaves_nothing_and_names_the_journal(
    data_dir: Path,
) -> None:
    _seed_big(data_dir)
    journal = data_dir / "journal.jsonl"
    before = journal.read_bytes()
    limit = len(before) + 30_000  # the batch of 2,001 lines is far longer than that
    assert (data_dir / "store" / "head.json").stat().st_size > limit
    done = _triage(data_dir, "bulk", "dismiss", "--query", "status:new", "--yes",
                   file_limit=limit)
    assert done.returncode == 1
    assert f"triage: {journal}: cannot write the journal: File too large" in done.stderr
    assert journal.read_bytes() == before
    with Store(data_dir) as store:
        assert store.replayed == 0
        assert not [c.id for c in store if c.status == "dismissed"]
    assert verify(journal).entries == 2001


def test_an_action_journaled_before_the_store_files_fail_is_reported_done(
    data_dir: Path,
) -> None:
    _seed_big(data_dir)
    limit = (data_dir / "journal.jsonl").stat().st_size + 30_000
    done = _triage(data_dir, "bulk", "dismiss", "--query", '"needle"', "--yes",
                   file_limit=limit)
    assert done.returncode == 0, done.stderr
    assert "dismiss: 1 changed" in done.stdout
    assert "head.json: cannot write: File too large" in done.stderr
    assert "every action is safe in the journal" in done.stderr
    with Store(data_dir) as store:
        assert store.replayed == 1
        assert store.get("needle").status == "dismissed"


# -- 5. an import stopped midway is finished by importing again, captured once ----------


def test_a_second_import_after_a_failed_one_captures_each_comment_once(
    data_dir: Path, tmp_path: Path
) -> None:
    _seed_big(data_dir, count=10)
    journal = data_dir / "journal.jsonl"
    source = tmp_path / "comments.jsonl"
    words = "Where can I get the flu shot for my kids this weekend? " * 60
    # Ids that share one comment file, so that file outgrows the limit at once.
    ids = [f"new-{i}" for i in range(40_000) if zlib.crc32(f"new-{i}".encode()) % 64 == 0][:300]
    source.write_text("".join(
        orjson.dumps({"id": cid, "platform": "facebook", "text": f"{words}{cid}"}).decode()
        + "\n" for cid in ids
    ))
    limit = journal.stat().st_size + 200_000  # the captures fit; the comment files do not
    stopped = _triage(data_dir, "import", str(source), file_limit=limit)
    assert stopped.returncode == 1 and "cannot write" in stopped.stderr
    captured = [e for e in _journal_lines(data_dir) if e["kind"] == "capture"]
    assert sum(str(e["comment_id"]).startswith("new-") for e in captured) == 300
    again = _triage(data_dir, "import", str(source))
    assert again.returncode == 0, again.stderr
    assert "300 comment(s) captured in the journal never reached the store" in again.stderr
    assert "imported 300" in again.stdout
    ids = [e["comment_id"] for e in _journal_lines(data_dir) if e["kind"] in ("capture", "update")]
    assert len(ids) == len(set(ids)) == 311
    with Store(data_dir) as store:
        assert len(store) == 311 and store.get(ids[42]).text.endswith(ids[42])
    assert verify(journal).ok
