"""Tagger speed: ``triage tag`` on 10,000 comments, start-up included, on one core.

Run by hand from the project folder:

    python benchmarks/bench_tagger.py [--count 10000] [--seed 7]

The comments are the sandbox generator's (every kind of comment the queue sees, long
ones included). The target is 2,000 comments per second or more, measured as the wall
time of a fresh ``triage tag FILE --json`` process (Python start-up, imports and the
tagger's data files included). It also times the worst single comments: 50 KB of text,
binary garbage, and long runs of digits and quotes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_PER_SECOND = 2000


def write_comments(path: Path, count: int, seed: int) -> None:
    from triage.sandbox import generate

    data = generate(count, seed=seed)
    with path.open("w", encoding="utf-8") as out:
        for comment in data.comments:
            out.write(json.dumps({"id": comment.id, "text": comment.text}) + "\n")


def hostile_texts() -> dict[str, str]:
    rng = random.Random(3)
    words = "call me at 555 0100 my dad chemo cures cancer kill myself lol ? ' \" @ . -".split()
    return {
        "50 KB of words": " ".join(rng.choice(words) for _ in range(12_000))[:50_000],
        "50 KB of digits and dashes": ("1234-" * 10_000)[:50_000],
        "50 KB of one letter": "a" * 50_000,
        "50 KB of quotes": ("'x " * 17_000)[:50_000],
        "50 KB of spaces then a number": " " * 49_990 + "5550100123",
        "binary garbage": bytes(rng.randrange(256) for _ in range(50_000)).decode(
            "latin-1"
        ),
        "emoji only": "😂🙏🔥" * 5_000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "comments.jsonl"
        write_comments(source, args.count, args.seed)
        lines = sum(1 for _ in source.open(encoding="utf-8"))
        env = {**os.environ, "TRIAGE_CONFIG": str(HERE.parent / "config.toml")}
        command = [sys.executable, "-m", "triage", "tag", str(source), "--json"]
        if sys.platform.startswith("linux"):
            command = ["taskset", "-c", "0", *command]  # one core
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        seconds = time.perf_counter() - started
    rate = lines / seconds
    verdict = "meets" if rate >= TARGET_PER_SECOND else "MISSES"
    print(f"triage tag: {lines} comments in {seconds:.2f} s = {rate:,.0f} comments/s "
          f"(start-up included; {verdict} the {TARGET_PER_SECOND:,}/s target)")

    from triage.tagger import Tagger

    tagger = Tagger()
    for name, text in hostile_texts().items():
        started = time.perf_counter()
        tags = tagger.tag(text)
        took = time.perf_counter() - started
        print(f"  {name:<32} {took * 1000:8.1f} ms  tags: "
              f"{', '.join(t.name for t in tags) or '-'}")


if __name__ == "__main__":
    main()
