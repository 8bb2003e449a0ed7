"""Start-up as a user sees it: a shell in tmux, `triage --data-dir D`, until a comment shows.

Run by hand:

    python benchmarks/bench_startup.py [--size 100000] [--workdir DIR] [--runs 5]

Builds (or reuses) a store of ``--size`` comments of the dev comments' kind with
`triage import`, then, ``--runs`` times: starts a detached tmux session of 120x40 whose
shell launches the desk, and polls the pane (``tmux capture-pane``) every 10 ms until the
text of one of the store's comments is on screen. The time from launching to that is the
outside figure; beside it, `python -X importtime -m triage --help` and `triage --help`'s
own wall time. The raw figures go to ``benchmarks/results/<date>-startup.json``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_scale import ENV, run_step  # noqa: E402  (benchmarks/ is a folder of scripts)
from machine import write_results  # noqa: E402

SESSION = "triage-startup-bench"


def snippets(source: Path) -> list[str]:
    """The first 24 characters of every comment's text, as the queue shows them."""
    out = set()
    for line in source.open(encoding="utf-8"):
        text = " ".join(json.loads(line)["text"].split())
        if len(text) >= 24 and text.isascii():
            out.add(text[:24])
    return sorted(out)


def on_screen(pane: str, wanted: list[str]) -> str | None:
    flat = " ".join(pane.split())
    return next((s for s in wanted if s in flat), None)


def one_run(data: Path, wanted: list[str], timeout: float = 30.0,
            code: Path = HERE.parent) -> tuple[float, str]:
    """Seconds from launching the desk (of the checkout ``code``) to a comment on screen."""
    command = (f"cd {shlex.quote(str(code))} && PYTHONPATH=. TRIAGE_USER=bench "
               f"exec {shlex.quote(sys.executable)} -m triage --data-dir "
               f"{shlex.quote(str(data))}")
    subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    started = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40",
                    command], check=True, env=ENV)
    try:
        while time.perf_counter() - started < timeout:
            pane = subprocess.run(["tmux", "capture-pane", "-p", "-t", SESSION],
                                  capture_output=True, text=True).stdout
            seen = on_screen(pane, wanted)
            if seen:
                return time.perf_counter() - started, seen
            time.sleep(0.01)
        raise SystemExit(f"no comment on screen after {timeout:.0f} s; the pane:\n{pane}")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
        time.sleep(0.3)


def help_wall() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "triage", "--help"], check=True,
                   capture_output=True, env=ENV)
    return time.perf_counter() - started


def import_times() -> list[tuple[str, int]]:
    """The ten slowest imports (cumulative microseconds) of `triage --help`."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-m", "triage", "--help"],
                         capture_output=True, text=True, env=ENV).stderr
    rows = []
    for line in err.splitlines()[1:]:
        _, _, cumulative, name = (part.strip() for part in line.replace("|", ":").split(":"))
        rows.append((name, int(cumulative)))
    return sorted(rows, key=lambda row: -row[1])[:10]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--against", type=Path, default=None, metavar="CHECKOUT",
                        help="Also time another checkout, run for run in turn (same load).")
    options = parser.parse_args()
    work = options.workdir or Path(tempfile.mkdtemp(prefix="triage-startup-"))
    work.mkdir(parents=True, exist_ok=True)
    source, data = work / "comments.jsonl", work / "data"
    said = work / "text.txt"  # which text the store holds, for a later run that reuses it
    if not data.exists():
        said.write_text(run_step("generate", str(source), str(options.size))["text"])
        subprocess.run([sys.executable, "-m", "triage", "--data-dir", str(data), "import",
                        str(source)], check=True, capture_output=True, env=ENV)
    text = said.read_text() if said.exists() else "a store built before (text not recorded)"
    wanted = snippets(source)
    runs, other = [], []
    for _ in range(options.runs):
        runs.append(one_run(data, wanted))
        if options.against:
            other.append(one_run(data, wanted, code=options.against.resolve())[0])
    seconds = sorted(s for s, _ in runs)
    helps = sorted(help_wall() for _ in range(options.runs))
    inside = run_step("first_screen", str(data))
    slowest = import_times()
    print(f"{options.size:,} comments ({text})")
    print(f"shell to first comment on screen (tmux): best {seconds[0]:.2f} s, median "
          f"{statistics.median(seconds):.2f} s of {len(seconds)}")
    if other:
        other.sort()
        print(f"  {options.against} in turn: best {other[0]:.2f} s, median "
              f"{statistics.median(other):.2f} s")
    print(f"in process, first screen: {inside['first_screen_s']:.2f} s")
    print(f"`triage --help`: best {helps[0]:.2f} s, median {statistics.median(helps):.2f} s")
    print("slowest imports of `triage --help` (cumulative ms): "
          + ", ".join(f"{name} {us / 1000:.0f}" for name, us in slowest[:6]))
    out = write_results("startup", {
        "size": options.size, "text": text, "tmux_first_comment_s": seconds,
        "seen": [seen for _, seen in runs],
        "against": {"checkout": str(options.against), "tmux_first_comment_s": other}
        if other else None, "in_process": inside, "help_s": helps,
        "help_slowest_imports_us": slowest,
    }, work)
    print(f"raw figures: {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
