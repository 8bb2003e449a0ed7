"""Crash campaign: random actions killed at random moments; nothing acknowledged may be lost.

Run by hand (a few minutes):

    python benchmarks/crash_campaign.py [--runs 60] [--size 3000] [--seed 1] [--workdir DIR]
        [--comments dev-comments.jsonl]

It imports a queue of realistic comments (the labelled dev comments' kind, cycled and
varied) with ``triage import``, then runs many rounds, each of one kind:

- ``desk``: a process works the queue through the desk (single actions and batches of up
  to 300 comments) and is killed with SIGKILL at a random moment;
- ``cli``: ``triage bulk`` commands run one after another; one is killed at a random moment;
- ``tui``: the app, opened as ``triage`` opens it (deferred loading), dismisses with ``x``
  and is killed at a random moment, often before the background load has finished;
- ``fulldisk``: the desk process runs with a file-size limit (``RLIMIT_FSIZE``) a little
  above the journal's size, so a write fails part-way as on a full disk;
- ``torn``: after a killed desk round, a random prefix of a large journal line (no newline)
  is appended, as a write cut by a power loss would leave it.

An action counts as acknowledged only once the process said it was done (the desk call
returned, the command exited 0, the screen showed the comment dismissed). After every round
a fresh process opens the store as the command line does and checks, for every action
acknowledged in that round, that the comment holds the value and that the journal holds the
entry; ``triage audit verify`` must pass. The figures go to
``benchmarks/results/<date>-crash.json``, with the machine and its disk's fsync cost
(see machine.py).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from machine import write_results  # noqa: E402  (benchmarks/ is a folder of scripts)

DEV = ROOT.parent / "shared" / "data" / "dev-comments.jsonl"
KINDS = ("desk", "desk", "cli", "tui", "fulldisk", "torn")
ENV = {key: value for key, value in os.environ.items() if not key.startswith("TRIAGE_")}
ENV["PYTHONPATH"] = str(ROOT)
#: Every process runs in the work folder, away from the project's own config.toml.
CWD = Path(tempfile.mkdtemp(prefix="triage-crash-cwd-"))


def triage(data: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "triage", "--data-dir", str(data), *args],
        capture_output=True, text=True, env=ENV, cwd=CWD, **kwargs,
    )


# -- the queue -----------------------------------------------------------------------------

def write_comments(path: Path, size: int, seed: int, dev: Path = DEV) -> None:
    """``size`` comments of the dev comments' kind: their texts cycled, lightly varied."""
    rows = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line]
    rng = random.Random(seed)
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    tails = ["", "", " !!", " 🙏", " ...", " pls", " (asking for my mom)", " lol"]
    with open(path, "w", encoding="utf-8") as out:
        for n in range(size):
            row = rows[n % len(rows)]
            created = start + dt.timedelta(minutes=7 * n + rng.randrange(7))
            out.write(json.dumps({
                "id": f"cc-{n:06d}",
                "platform": row["platform"],
                "account": f"{row['platform']}-main",
                "author": f"user{rng.randrange(size // 3 + 1)}",
                "created_at": created.isoformat(),
                "text": row["text"] + rng.choice(tails),
            }) + "\n")


# -- children: each prints one JSON line per acknowledged action ----------------------------

def child_desk(data: str, seed: str, limit: str = "0") -> None:
    from triage.desk import Desk
    from triage.errors import TriageError
    from triage.store import Store

    if int(limit):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))
    rng = random.Random(int(seed))
    try:
        store = Store(Path(data))
    except TriageError as exc:
        print(json.dumps({"error": str(exc)}), flush=True)
        return
    desk = Desk(store, "crash")
    pool = [c.id for c in store
            if c.status in ("new", "dismissed") and not c.tag("crisis")]
    rng.shuffle(pool)
    print(json.dumps({"ready": True}), flush=True)
    for start in range(0, len(pool), 300):
        ids = pool[start : start + rng.choice((1, 1, 1, 5, 40, 300))]
        kind = rng.choice(("status", "assign", "tag"))
        done: list[tuple[str, list[str], object]] = []
        try:
            # What the desk acknowledged is what it returned: it leaves out comments it
            # refuses to change (an adverse event whose intake is open is not dismissed).
            if kind == "status":
                new = [i for i in ids if store.get(i).status == "new"]
                old = [i for i in ids if store.get(i).status == "dismissed"]
                done.append(("dismiss", _changed(desk.dismiss(new)), "dismissed"))
                done.append(("restore", _changed(desk.restore(old)), "new"))
            elif kind == "assign":
                done.append(("assign", _changed(desk.assign(ids, f"c{seed}")), f"c{seed}"))
            else:
                tag = rng.choice(("question", "abuse", "privacy"))
                ids = [i for i in ids if not store.get(i).tag(tag)]
                done.append(("tag", _changed(desk.correct_tag(ids, tag, add=True)), tag))
        except TriageError as exc:
            print(json.dumps({"error": str(exc)}), flush=True)
            return
        for kind, ids, value in done:
            if ids:
                print(json.dumps({"kind": kind, "ids": ids, "value": value}), flush=True)


def child_tui(data: str, seed: str) -> None:
    from triage.cli import Env
    from tui.app import TriageApp
    from tui.queue_list import QueueList

    env = Env(None, data, "crash")
    store = env.open_store(defer_load=True)
    app = TriageApp(store=store, config=env.config, user="crash")
    rng = random.Random(int(seed))

    # The desk opens on the Crisis view when crises are new (once everything is loaded,
    # often after the first dismissals): the rounds work in the view of every comment.
    every = next(i for i, view in enumerate(app.views) if view.query.empty)

    async def drive() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("8")  # All (the desk opens on Crisis while one is open)
            app.queue_screen.view.set_filter("status:new -tag:crisis")
            await pilot.pause()
            print(json.dumps({"ready": True}), flush=True)
            while True:
                if app.queue_screen.view.view_index != every:
                    app.queue_screen.view.switch_view(every)
                    await pilot.pause()
                selected = app.query_one(QueueList).selected
                if selected is None:
                    return
                await pilot.press("x")
                await pilot.pause()
                if store.get(selected.id).status == "dismissed":
                    print(json.dumps({"kind": "dismiss", "ids": [selected.id],
                                      "value": "dismissed"}), flush=True)
                if rng.random() < 0.2:
                    await pilot.press("j")

    asyncio.run(drive())


def _changed(actions: list[Any]) -> list[str]:
    """The comments a desk call acknowledged changing, in its actions' order."""
    return list(dict.fromkeys(a.comment_id for a in actions))


def child_check(data: str, acked: str) -> None:
    """Open the store as the command line does; print what is missing."""
    from triage.journal import read_entries
    from triage.store import Store

    actions = [json.loads(line) for line in Path(acked).read_text().splitlines() if line]
    journaled: set[tuple[str, str]] = set()
    for _, entry in read_entries(Path(data) / "journal.jsonl"):
        if entry.get("comment_id"):
            journaled.add((entry["comment_id"], entry.get("kind", "")))
    lost: list[str] = []
    checked = 0
    with Store(Path(data)) as store:
        for action in actions:
            for comment_id in action["ids"]:
                checked += 1
                comment = store.get(comment_id)
                kind, value = action["kind"], action["value"]
                held = {"dismiss": comment.status == "dismissed",
                        "restore": comment.status == "new",
                        "assign": comment.assignee == value,
                        "tag": comment.tag(value) is not None}[kind]
                if not held or (comment_id, kind) not in journaled:
                    lost.append(f"{kind} {comment_id}")
    print(json.dumps({"checked": checked, "lost": lost}))


# -- the campaign --------------------------------------------------------------------------

def spawn(*args: str, limit: int = 0) -> subprocess.Popen[str]:
    command = [sys.executable, str(HERE / "crash_campaign.py"), "child", *args]
    if limit:
        command.append(str(limit))
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=ENV, cwd=CWD)


def kill_at_random(child: subprocess.Popen[str], rng: random.Random, longest: float
                   ) -> list[dict[str, object]]:
    """Wait for ready, kill with SIGKILL at a random moment; the acknowledged actions."""
    assert child.stdout is not None
    first = child.stdout.readline()
    if first and json.loads(first).get("ready"):
        time.sleep(rng.uniform(0.0, longest))
    child.send_signal(signal.SIGKILL)
    lines = [json.loads(line) for line in child.stdout if line.strip()]
    child.wait()
    return [line for line in lines if "kind" in line]


def cli_round(data: Path, rng: random.Random, run: int) -> list[dict[str, object]]:
    listed = triage(data, "ls", "--query", "-tag:crisis", "--json", "--limit", "3000")
    ids = [json.loads(line)["id"] for line in listed.stdout.splitlines() if line.startswith("{")]
    rng.shuffle(ids)
    acked: list[dict[str, object]] = []
    victim = rng.randrange(4)
    for step in range(4):
        batch, ids = ids[: rng.choice((1, 20, 200))], ids[200:]
        if not batch:
            break
        command = [sys.executable, "-m", "triage", "--data-dir", str(data), "bulk", "assign",
                   f"c{run}", "--query", "id:" + ",".join(batch), "--yes"]
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 text=True, env=ENV, cwd=CWD)
        if step == victim:
            time.sleep(rng.uniform(0.2, 1.5))
            child.send_signal(signal.SIGKILL)
            child.wait()
            break
        if child.wait() == 0:
            acked.append({"kind": "assign", "ids": batch, "value": f"c{run}"})
    return acked


def tear(journal: Path, rng: random.Random) -> int:
    """Append a random prefix of a large, well-formed line: a torn last write."""
    line = json.dumps({"seq": 10**9, "kind": "capture", "text": "x" * rng.randrange(10, 3 << 20)})
    cut = rng.randrange(1, len(line))
    with open(journal, "ab") as handle:
        handle.write(line[:cut].encode())
    return cut


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--comments", type=Path, default=DEV,
                        help="The labelled dev comments to cycle (from a worktree, name them).")
    options = parser.parse_args()
    if not options.comments.is_file():
        parser.error(f"{options.comments}: no such file; pass the dev comments with --comments")
    rng = random.Random(options.seed)
    work = options.workdir or Path(tempfile.mkdtemp(prefix="triage-crash-"))
    work.mkdir(parents=True, exist_ok=True)
    source, data = work / "comments.jsonl", work / "data"
    write_comments(source, options.size, options.seed, options.comments)
    triage(data, "import", str(source), check=True)
    journal = data / "journal.jsonl"

    totals = {"runs": 0, "kills": 0, "acknowledged_actions": 0, "comments_checked": 0,
              "lost": 0, "torn_tails": 0, "full_disk_rounds": 0, "verify_failures": 0}
    by_kind: dict[str, int] = {}
    for run in range(options.runs):
        kind = KINDS[run % len(KINDS)]
        by_kind[kind] = by_kind.get(kind, 0) + 1
        seed = str(rng.randrange(1 << 30))
        if kind in ("desk", "torn"):
            acked = kill_at_random(spawn("desk", str(data), seed), rng, 2.0)
            totals["kills"] += 1
            if kind == "torn":
                tear(journal, rng)
                totals["torn_tails"] += 1
        elif kind == "fulldisk":
            room = journal.stat().st_size + rng.randrange(20_000, 2_000_000)
            acked = kill_at_random(spawn("desk", str(data), seed, limit=room), rng, 3.0)
            totals["full_disk_rounds"] += 1
        elif kind == "tui":
            acked = kill_at_random(spawn("tui", str(data), seed), rng, 3.0)
            totals["kills"] += 1
        else:
            acked = cli_round(data, rng, run)
            totals["kills"] += 1
        record = work / f"acked-{run}.jsonl"
        record.write_text("".join(json.dumps(a) + "\n" for a in acked))
        checked = subprocess.run(
            [sys.executable, str(HERE / "crash_campaign.py"), "child", "check", str(data),
             str(record)], capture_output=True, text=True, env=ENV, cwd=CWD)
        if checked.returncode != 0:
            print(f"run {run} ({kind}): the store did not open:\n{checked.stderr[-2000:]}")
            totals["verify_failures"] += 1
            break
        result = json.loads(checked.stdout.strip().splitlines()[-1])
        verified = triage(data, "audit", "verify")
        totals["runs"] += 1
        totals["acknowledged_actions"] += len(acked)
        totals["comments_checked"] += result["checked"]
        totals["lost"] += len(result["lost"])
        totals["verify_failures"] += verified.returncode != 0
        print(f"run {run:3d} {kind:8s} acknowledged {len(acked):4d} actions, "
              f"{result['checked']:5d} comments checked, lost {len(result['lost'])}, "
              f"audit verify {'ok' if verified.returncode == 0 else 'FAILED'}", flush=True)
        if result["lost"]:
            print("  lost:", ", ".join(result["lost"][:10]))

    report = {"size": options.size, "seed": options.seed, "rounds_by_kind": by_kind,
              **totals}
    out = write_results("crash", report, work)
    print(json.dumps(report, indent=2))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        {"desk": child_desk, "tui": child_tui, "check": child_check}[sys.argv[2]](*sys.argv[3:])
    else:
        main()
