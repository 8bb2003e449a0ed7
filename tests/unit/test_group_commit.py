"""Group commit: actions recorded at once share fsyncs, each is told only after its own."""

from __future__ import annotations

import errno
import os
import threading
import time
from pathlib import Path

import orjson
import pytest

from tests.factories import make_comment
from triage.auditkey import AuditKey
from triage.desk import Desk
from triage.errors import JournalError
from triage.journal import Journal, verify
from triage.store import Store

THREADS = 8
EACH = 5


class SlowFsync:
    """Counts fsyncs and makes each take ``delay`` seconds, like a slow disk."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.calls = 0
        self._real = os.fsync

    def __call__(self, fd: int) -> None:
        self.calls += 1
        time.sleep(self.delay)
        self._real(fd)


def _seed(data_dir: Path, count: int) -> None:
    with Store(data_dir) as store:
        store.ingest([make_comment(f"c{i}", f"comment {i}") for i in range(count)], user="t")


def _journal(data_dir: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in (data_dir / "journal.jsonl").read_bytes().splitlines()]


def _run(workers: list[threading.Thread]) -> None:
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)


def test_actions_recorded_at_once_share_fsyncs_and_all_survive_a_crash(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(data_dir, THREADS * EACH)
    key = AuditKey(b"k" * 32, "the test")
    store = Store(data_dir, audit_key=key)
    before = len(_journal(data_dir))
    fsync = SlowFsync(0.02)
    monkeypatch.setattr(os, "fsync", fsync)
    told: list[tuple[str, int]] = []  # (comment, seq) as each caller was told

    def worker(n: int) -> None:
        desk = Desk(store, f"user{n}")
        for i in range(EACH):
            cid = f"c{n * EACH + i}"
            (action,) = desk.dismiss([cid])
            assert (data_dir / "journal.jsonl").stat().st_size > 0
            told.append((cid, action.seq))

    _run([threading.Thread(target=worker, args=(n,)) for n in range(THREADS)])
    monkeypatch.undo()

    actions = THREADS * EACH
    assert len(told) == actions
    assert fsync.calls < actions  # grouped
    assert store.journal.fsyncs == fsync.calls
    assert all(store.get(cid).status == "dismissed" for cid, _ in told)
    lines = _journal(data_dir)[before:]
    assert sorted(seq for _, seq in told) == [line["seq"] for line in lines]
    assert verify(data_dir / "journal.jsonl", key).ok
    store.journal.close()  # a crash: the store files were never written
    store._lock.release()
    with Store(data_dir, audit_key=key) as reopened:
        assert all(reopened.get(cid).status == "dismissed" for cid, _ in told)


def test_concurrent_changes_to_one_comment_end_as_the_journal_says(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(data_dir, 1)
    statuses = ["new", "replied", "hidden", "dismissed", "escalated"]
    monkeypatch.setattr(os, "fsync", SlowFsync(0.01))
    with Store(data_dir) as store:
        def worker(n: int) -> None:
            desk = Desk(store, f"user{n}")
            for _ in range(4):
                desk.set_status(["c0"], statuses[n])

        _run([threading.Thread(target=worker, args=(n,)) for n in range(len(statuses))])
        shown = store.get("c0").status
    monkeypatch.undo()
    last = [line for line in _journal(data_dir) if line.get("kind") == "status"][-1]
    assert shown == last["after"]["status"]  # type: ignore[index]
    with Store(data_dir) as reopened:
        assert reopened.get("c0").status == shown


def test_a_failed_fsync_refuses_every_batch_it_covered_and_the_chain_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    journal.append([{"kind": "first"}])
    good = path.read_bytes()
    second_written = threading.Event()
    real = os.fsync
    calls = 0

    def failing(fd: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:  # the fsync covering "a": wait until "b" is written behind it, then fail
            assert second_written.wait(10)
            raise OSError(errno.EIO, "Input/output error")
        real(fd)

    monkeypatch.setattr(os, "fsync", failing)
    errors: dict[str, str] = {}

    def record(kind: str) -> None:
        try:
            journal.append([{"kind": kind}])
        except JournalError as exc:
            errors[kind] = str(exc)

    first = threading.Thread(target=record, args=("a",))
    first.start()
    while journal.last_seq < 2:
        time.sleep(0.001)
    second = threading.Thread(target=record, args=("b",))
    second.start()
    while journal.last_seq < 3 and first.is_alive():
        time.sleep(0.001)
    second_written.set()
    first.join(10)
    second.join(10)
    monkeypatch.undo()

    assert set(errors) == {"a", "b"}
    assert "Input/output error" in errors["a"] and "not recorded" in errors["b"]
    assert path.read_bytes() == good  # both cut back: nothing unacknowledged stays
    (line,) = journal.append([{"kind": "after"}])
    assert line["seq"] == 2
    journal.close()
    assert verify(path).ok and verify(path).entries == 2
