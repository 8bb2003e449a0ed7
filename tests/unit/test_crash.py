"""Kill -9 a process that is acting on the queue, at random moments: nothing acknowledged is lost.

A child process opens the store and dismisses comments one at a time, printing each
comment's id only after the desk returned (the moment the screen would show it done).
The parent kills it at a random moment, reopens the store, and checks that every
acknowledged dismissal is there and the journal's chain is whole.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.factories import make_comment
from triage.journal import verify
from triage.store import Store

CHILD = """
import sys
from pathlib import Path
from triage.desk import Desk
from triage.store import Store

store = Store(Path(sys.argv[1]), flush_every=int(sys.argv[2]), flush_seconds=0.05)
desk = Desk(store, "crash-test")
ids = sorted(store.comments)
print("ready", flush=True)
for comment_id in ids:
    desk.dismiss([comment_id])
    print(comment_id, flush=True)
print("done", flush=True)
store.close()
"""

COMMENTS = 400


def _seed(data_dir: Path) -> None:
    with Store(data_dir) as store:
        store.ingest(
            [make_comment(f"c{i:04d}", f"comment number {i}") for i in range(COMMENTS)],
            user="seed",
        )


@pytest.mark.parametrize("run", range(6))
def test_every_acknowledged_action_survives_kill_9(tmp_path: Path, run: int) -> None:
    data_dir = tmp_path / "data"
    _seed(data_dir)
    rng = random.Random(run)
    flush_every = rng.choice([1, 7, 64, 10_000])
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), str(flush_every)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(rng.uniform(0.0, 0.25))
    child.send_signal(signal.SIGKILL)
    acknowledged = [line.strip() for line in child.stdout if line.strip() != "done"]
    child.wait()

    with Store(data_dir) as store:
        dismissed = {c.id for c in store if c.status == "dismissed"}
        assert len(store) == COMMENTS
    assert set(acknowledged) <= dismissed, "an acknowledged dismissal was lost"
    # Nothing was applied that was not asked for, and at most one more than acknowledged.
    assert len(dismissed) - len(acknowledged) <= 1
    assert verify(data_dir / "journal.jsonl").ok
