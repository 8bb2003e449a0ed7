"""The measurements of bench_scale.py, one per fresh process; each prints one JSON line."""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import asyncio  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

#: How many durable actions the action step and its SQLite baseline each time.
ACTIONS = 600


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(**figures: object) -> None:
    print(json.dumps(figures))


def generate(path: str, size: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from realtext import write_comments

    text = write_comments(Path(path), int(size))
    emit(written=int(size), text=text)


def _app(data: str):  # type: ignore[no-untyped-def]
    from triage.config import Config
    from triage.store import Store
    from tui.app import TriageApp

    store = Store(Path(data), defer_load=True)
    return store, TriageApp(store=store, config=Config(), user="bench", show_clock=False)


def first_screen(data: str) -> None:
    async def run() -> None:
        store, app = _app(data)
        first: list[float] = []
        app.call_after_refresh(lambda: first.append(time.perf_counter() - STARTED))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            loaded = time.perf_counter() - STARTED
            emit(first_screen_s=first[0], all_loaded_s=loaded, rss_mb=rss_mb(),
                 rows=len(app.query_one("#queue").rows))  # type: ignore[attr-defined]
        store.close()

    asyncio.run(run())


def keys(data: str) -> None:
    from tui.queue_list import QueueList

    async def run() -> None:
        store, app = _app(data)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            queue = app.query_one(QueueList)
            latencies: list[float] = []
            move = queue._move_to

            def timed(index: int, force: bool = False) -> None:
                start = time.perf_counter()
                move(index, force=force)
                app.call_after_refresh(lambda: latencies.append(time.perf_counter() - start))

            queue._move_to = timed  # type: ignore[method-assign]
            for key in ["j"] * 60 + ["k"] * 60 + ["pagedown"] * 20 + ["G", "g"] * 5:
                await pilot.press(key)
            await pilot.pause()
            latencies.sort()
            emit(p50_ms=latencies[len(latencies) // 2] * 1e3,
                 p95_ms=latencies[int(len(latencies) * 0.95)] * 1e3, n=len(latencies))
        store.close()

    asyncio.run(run())


def actions(data: str, writers: str = "1") -> None:
    """ACTIONS durable actions, from ``writers`` threads at once (people at one desk's
    workers, or keys pressed faster than fsync); each latency is one caller's wait."""
    import threading

    from triage.closing import needs_reason
    from triage.desk import Desk
    from triage.store import Store

    with Store(Path(data), flush_every=10_000, flush_seconds=1.0) as store:
        untouched = sorted(c.id for c in store.comments.values()  # every action changes one
                           if c.status == "new" and c.assignee is None and not c.tag("question"))
        ids = random.Random(3).sample(untouched, ACTIONS)
        latencies: list[float] = []
        count = int(writers)

        def work(share: list[str]) -> None:
            desk = Desk(store, "bench")
            for index, comment_id in enumerate(share):
                start = time.perf_counter()
                if index % 3 == 0:  # a crisis is dismissed as passed to the on-call clinician
                    desk.dismiss([comment_id], "on-call" if needs_reason(store.get(comment_id))
                                 else None)
                elif index % 3 == 1:
                    desk.assign([comment_id], "bench")
                else:
                    desk.correct_tag([comment_id], "question", add=True)
                latencies.append(time.perf_counter() - start)
                store.flush_if_due()  # what the app's timer does between key presses

        store.write_in_background()  # as the app does: files written off the callers' threads
        fsyncs = store.journal.fsyncs
        threads = [threading.Thread(target=work, args=(ids[n::count],)) for n in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        latencies.sort()
        emit(p50_ms=latencies[len(latencies) // 2] * 1e3,
             p95_ms=latencies[int(len(latencies) * 0.95)] * 1e3, n=len(latencies),
             writers=count, fsyncs=store.journal.fsyncs - fsyncs)


def search(data: str) -> None:
    queries = ["flu", "tag:privacy", '"call me"', "chemo room", "author:maria",
               "tag:question age:<1d -platform:x", "zzzz-nothing"]

    async def run() -> None:
        store, app = _app(data)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            timings: dict[str, float] = {}
            for query in queries:
                done: list[float] = []
                start = time.perf_counter()
                app.queue_screen.view.set_filter(query)
                app.call_after_refresh(
                    lambda done=done, start=start: done.append(time.perf_counter() - start)
                )
                await pilot.pause()
                timings[query] = done[0] * 1e3
            emit(worst_ms=max(timings.values()), queries=timings)
        store.close()

    asyncio.run(run())


CHILD = """
import sys
from pathlib import Path
from triage.closing import needs_reason
from triage.desk import Desk
from triage.store import Store
store = Store(Path(sys.argv[1]), flush_every=64, flush_seconds=0.05)
desk = Desk(store, "crash")
print("ready", flush=True)
for comment_id in sorted(store.comments)[:5000]:
    if store.comments[comment_id].status == "new":
        desk.dismiss([comment_id], "on-call" if needs_reason(store.comments[comment_id])
                     else None)
        print(comment_id, flush=True)
"""


def crash(data: str) -> None:
    from triage.journal import verify
    from triage.store import Store

    child = subprocess.Popen([sys.executable, "-c", CHILD, data], stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout is not None
    child.stdout.readline()
    time.sleep(1.5)
    child.send_signal(signal.SIGKILL)
    acknowledged = [line.strip() for line in child.stdout]
    child.wait()
    with Store(Path(data)) as store:
        lost = sum(1 for i in acknowledged if store.comments[i].status != "dismissed")
    emit(acknowledged=len(acknowledged), lost=lost,
         chain_ok=verify(Path(data) / "journal.jsonl").ok)


def baseline_table(source: str) -> None:
    import orjson
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    rows = [orjson.loads(line) for line in open(source, "rb")]

    class Naive(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("platform", "account", "author", "created", "text")
            for row in rows:
                table.add_row(row["platform"], row["account"], row["author"],
                              row["created_at"], Text(row["text"][:80]))  # text, not markup

    async def run() -> None:
        app = Naive()
        first: list[float] = []
        app.call_after_refresh(lambda: first.append(time.perf_counter() - STARTED))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            emit(first_screen_s=max(first[0], time.perf_counter() - STARTED), rss_mb=rss_mb())

    asyncio.run(run())


def baseline_sqlite(source: str, folder: str, count: str) -> None:
    """The same durable actions in SQLite (WAL, synchronous=FULL), one transaction each:
    what one would pick instead of a journal; in the work folder, so on the same disk."""
    import sqlite3

    import orjson

    path = Path(folder) / "baseline.sqlite"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE comments (id TEXT PRIMARY KEY, platform TEXT, account TEXT, "
               "author TEXT, created_at TEXT, text TEXT, status TEXT NOT NULL DEFAULT 'new', "
               "assignee TEXT, tags TEXT NOT NULL DEFAULT '[]')")
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO comments (id, platform, account, author, created_at, text) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        ((r["id"], r["platform"], r["account"], r["author"], r["created_at"], r["text"])
         for r in map(orjson.loads, open(source, "rb"))))
    db.execute("COMMIT")
    ids = [row[0] for row in db.execute("SELECT id FROM comments ORDER BY id")]
    latencies = []
    for index, comment_id in enumerate(random.Random(3).sample(ids, int(count))):
        start = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        if index % 3 == 0:
            db.execute("UPDATE comments SET status = 'dismissed' WHERE id = ?", (comment_id,))
        elif index % 3 == 1:
            db.execute("UPDATE comments SET assignee = 'bench' WHERE id = ?", (comment_id,))
        else:
            (tags,) = db.execute("SELECT tags FROM comments WHERE id = ?",
                                 (comment_id,)).fetchone()
            added = [*orjson.loads(tags), {"name": "question", "score": 1.0}]
            db.execute("UPDATE comments SET tags = ? WHERE id = ?",
                       (orjson.dumps(added).decode(), comment_id))
        db.execute("COMMIT")
        latencies.append(time.perf_counter() - start)
    db.close()
    path.unlink()
    latencies.sort()
    emit(p50_ms=latencies[len(latencies) // 2] * 1e3,
         p95_ms=latencies[int(len(latencies) * 0.95)] * 1e3, n=len(latencies))


if __name__ == "__main__":
    step, *args = sys.argv[1:]
    globals()[step](*args)
