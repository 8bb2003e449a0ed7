"""Durable actions against the disk's own fsync, with one writer and with four at once.

Run by hand (a few minutes at the default size):

    python benchmarks/bench_durable.py [--size 20000] [--workdir DIR]

The steps of bench_scale.py that concern the journal, alone: comments of the dev comments'
kind are imported, then 600 actions are made durable by one writer, then by four threads
at once (group commit: one fsync covers every action that arrived while the last ran),
and SQLite in WAL mode with synchronous=FULL does the same 600 actions. The disk's fsync
p50/p95 is measured in the same work folder just before; the raw figures go to
``benchmarks/results/<date>-durable.json``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_scale import ENV, run_step  # noqa: E402  (benchmarks/ is a folder of scripts)
from machine import machine, write_results  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--workdir", type=Path, default=None)
    options = parser.parse_args()
    work = options.workdir or Path(tempfile.mkdtemp(prefix="triage-durable-"))
    work.mkdir(parents=True, exist_ok=True)
    source, data = work / "comments.jsonl", work / "data"
    text = run_step("generate", str(source), str(options.size))["text"]
    subprocess.run([sys.executable, "-m", "triage", "--data-dir", str(data), "import",
                    str(source)], check=True, capture_output=True, env=ENV)
    about = machine(work)
    disk = about["fsync"]
    one = run_step("actions", str(data), "1")
    four = run_step("actions", str(data), "4")
    sqlite = run_step("baseline_sqlite", str(source), str(work), str(one["n"]))
    limit = 1.2 * disk["p95_ms"]
    print(f"{options.size:,} comments ({text}); {about['filesystem']['type']} at "
          f"{about['filesystem']['mount']}")
    print(f"disk's own fsync: p50 {disk['p50_ms']:.2f} ms, p95 {disk['p95_ms']:.2f} ms "
          f"(target: action p95 <= {limit:.2f} ms)")
    for name, run in (("1 writer", one), ("4 writers", four), ("SQLite WAL FULL", sqlite)):
        ratio = run["p95_ms"] / disk["p95_ms"]
        fsyncs = f", {run['fsyncs']} fsyncs" if "fsyncs" in run else ""
        print(f"{name:<16} p50 {run['p50_ms']:6.2f} ms  p95 {run['p95_ms']:6.2f} ms  "
              f"= {ratio:.2f}x the disk's fsync p95 ({run['n']} actions{fsyncs})")
    out = write_results("durable", {
        "size": options.size, "text": text, "actions_1_writer": one,
        "actions_4_writers": four, "baseline_sqlite_wal_full": sqlite,
        "p95_over_fsync_p95": {"1_writer": one["p95_ms"] / disk["p95_ms"],
                               "4_writers": four["p95_ms"] / disk["p95_ms"]},
    }, work, about=about)
    print(f"raw figures: {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
