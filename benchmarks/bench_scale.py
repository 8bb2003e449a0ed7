"""Speed at scale: every target of the 100,000-comment queue, beside a naive baseline.

Run by hand (takes a few minutes):

    python benchmarks/bench_scale.py [--size 100000] [--workdir DIR]

It generates the sandbox's comments, imports them with ``triage import`` (tagging
included), then measures in fresh processes: the first interactive screen, key presses
inside the app, durable actions, searches, and the TUI's memory. The baselines, in the
same run: a Textual DataTable filled with every row, and plain TinyDB updates.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_step(step: str, *args: str) -> dict[str, float]:
    """Run one measurement in a fresh interpreter; it prints one JSON object."""
    out = subprocess.run(
        [sys.executable, str(HERE / "scale_steps.py"), step, *args],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--baseline-updates", type=int, default=5)
    options = parser.parse_args()
    work = options.workdir or Path(tempfile.mkdtemp(prefix="triage-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / "comments.jsonl"
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)

    print(f"{options.size:,} comments, work folder {work}", flush=True)
    run_step("generate", str(source), str(options.size))
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "triage", "--data-dir", str(data), "import", str(source)],
        check=True, capture_output=True,
    )
    import_s = time.perf_counter() - started
    first = run_step("first_screen", str(data))
    keys = run_step("keys", str(data))
    actions = run_step("actions", str(data))
    search = run_step("search", str(data))
    crash = run_step("crash", str(data))
    table = run_step("baseline_table", str(source))
    tinydb = run_step("baseline_tinydb", str(source), str(options.baseline_updates))

    rows = [
        ("open to first interactive screen", first["first_screen_s"], "s", 1.0,
         table["first_screen_s"]),
        ("key press rendered, p95 (j/k, pagedown, G)", keys["p95_ms"], "ms", 16, None),
        ("action durable on disk, p95", actions["p95_ms"], "ms", 5,
         tinydb["update_ms"]),
        ("search/filter over all, slowest query", search["worst_ms"], "ms", 150, None),
        ("triage import, tagging included", import_s, "s", 60, None),
        ("TUI memory (RSS) with all loaded", first["rss_mb"], "MB", 400,
         table["rss_mb"]),
    ]
    print(f"\n{'target':<46}{'measured':>12}{'limit':>9}{'naive':>12}{'ratio':>9}")
    for name, value, unit, limit, naive in rows:
        ratio = f"{naive / value:>8.0f}x" if naive else f"{'':>9}"
        naive_text = f"{naive:>10.2f}{unit}" if naive else f"{'':>12}"
        verdict = "ok" if value <= limit else "OVER"
        print(f"{name:<46}{value:>10.2f}{unit:<2}{limit:>7}{unit:<2}{naive_text}{ratio} {verdict}")
    print(f"\nall loaded in the background after {first['all_loaded_s']:.2f}s; "
          f"key p50 {keys['p50_ms']:.1f} ms; searches: "
          + ", ".join(f"{q} {ms:.0f} ms" for q, ms in search["queries"].items()))
    print(f"crash test at this size: {crash['acknowledged']} acknowledged actions, "
          f"{crash['lost']} lost, journal chain {'whole' if crash['chain_ok'] else 'BROKEN'}")


if __name__ == "__main__":
    main()
