"""Speed at scale: every target of the 100,000-comment queue, beside a naive baseline.

Run by hand (takes a few minutes):

    python benchmarks/bench_scale.py [--size 100000] [--workdir DIR]

It writes comments of the dev comments' kind (realtext.py; the sandbox's only when they
are absent), imports them with ``triage import`` (tagging included), then measures in
fresh processes: the first interactive screen, key presses inside the app, durable actions
(one writer, then four at once), searches, and the TUI's memory. The baselines, in the
same run: a Textual DataTable filled with every row, and SQLite in WAL mode with
synchronous=FULL doing the same durable actions (one transaction each, the same count).
The durable-action figure is set beside the work folder's own fsync cost, measured in the
same run (machine.py); the raw figures and the machine go to
``benchmarks/results/<date>-scale.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from machine import machine, write_results  # noqa: E402  (benchmarks/ is a folder of scripts)

#: Every step runs this checkout's code, whatever the environment has installed.
ENV = {**os.environ, "PYTHONPATH": str(HERE.parent)}


def run_step(step: str, *args: str) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; it prints one JSON object."""
    out = subprocess.run(
        [sys.executable, str(HERE / "scale_steps.py"), step, *args],
        check=True, capture_output=True, text=True, env=ENV,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=None)
    options = parser.parse_args()
    work = options.workdir or Path(tempfile.mkdtemp(prefix="triage-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / "comments.jsonl"
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)

    print(f"{options.size:,} comments, work folder {work}", flush=True)
    about = machine(work)
    disk = about["fsync"]
    print(f"{about['cores']} cores, {about['cpu_model']}; {about['filesystem']['type']} at "
          f"{about['filesystem']['mount']}: fsync p50 {disk['p50_ms']:.2f} ms, "
          f"p95 {disk['p95_ms']:.2f} ms", flush=True)
    text = run_step("generate", str(source), str(options.size))["text"]
    print(f"text: {text}", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "triage", "--data-dir", str(data), "import", str(source)],
        check=True, capture_output=True, env=ENV,
    )
    import_s = time.perf_counter() - started
    first = run_step("first_screen", str(data))
    keys = run_step("keys", str(data))
    actions = run_step("actions", str(data))
    actions4 = run_step("actions", str(data), "4")
    search = run_step("search", str(data))
    crash = run_step("crash", str(data))
    table = run_step("baseline_table", str(source))
    sqlite = run_step("baseline_sqlite", str(source), str(work), str(actions["n"]))
    durable_limit = round(1.2 * disk["p95_ms"], 2)

    rows = [
        ("open to first interactive screen", first["first_screen_s"], "s", 1.0,
         table["first_screen_s"]),
        ("key press rendered, p95 (j/k, pagedown, G)", keys["p95_ms"], "ms", 16, None),
        ("disk's own fsync of a small append, p95", disk["p95_ms"], "ms", None, None),
        ("action durable on disk, p95 (1.2x fsync)", actions["p95_ms"], "ms", durable_limit,
         sqlite["p95_ms"]),
        ("  the same, 4 writers at once (grouped)", actions4["p95_ms"], "ms", durable_limit,
         None),
        ("search/filter over all, slowest query", search["worst_ms"], "ms", 150, None),
        ("triage import, tagging included", import_s, "s", 60, None),
        ("TUI memory (RSS) with all loaded", first["rss_mb"], "MB", 400,
         table["rss_mb"]),
    ]
    print(f"\n{'target':<46}{'measured':>12}{'limit':>9}{'naive':>12}{'ratio':>9}")
    for name, value, unit, limit, naive in rows:
        ratio = f"{naive / value:>8.1f}x" if naive else f"{'':>9}"
        naive_text = f"{naive:>10.2f}{unit}" if naive else f"{'':>12}"
        verdict = "" if limit is None else "ok" if value <= limit else "OVER"
        limit_text = f"{'':>9}" if limit is None else f"{limit:>7}{unit:<2}"
        print(f"{name:<46}{value:>10.2f}{unit:<2}{limit_text}{naive_text}{ratio} {verdict}")
    print(f"\nall loaded in the background after {first['all_loaded_s']:.2f}s; "
          f"key p50 {keys['p50_ms']:.1f} ms; searches: "
          + ", ".join(f"{q} {ms:.0f} ms" for q, ms in search["queries"].items()))
    print(f"crash test at this size: {crash['acknowledged']} acknowledged actions, "
          f"{crash['lost']} lost, journal chain {'whole' if crash['chain_ok'] else 'BROKEN'}")
    print(f"durable actions ({actions['n']} each): Triage p50 {actions['p50_ms']:.2f} ms, "
          f"p95 {actions['p95_ms']:.2f} ms; SQLite WAL synchronous=FULL p50 "
          f"{sqlite['p50_ms']:.2f} ms, p95 {sqlite['p95_ms']:.2f} ms; the disk's fsync p50 "
          f"{disk['p50_ms']:.2f} ms, p95 {disk['p95_ms']:.2f} ms")
    out = write_results("scale", {
        "size": options.size, "text": text,
        "import_s": import_s, "first_screen": first, "keys": keys, "actions": actions,
        "actions_4_writers": actions4,
        "search": search, "crash": crash, "baseline_datatable": table,
        "baseline_sqlite_wal_full": sqlite,
    }, work, about=about)
    print(f"raw figures: {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
