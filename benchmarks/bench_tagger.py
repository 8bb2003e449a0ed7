"""Tagger speed: ``triage tag`` on 10,000 comments, start-up included, on one core.

Run by hand from the project folder:

    python benchmarks/bench_tagger.py [--count 10000] [--seed 7]

The comments are realistic by default: the dev comments' kind (``../shared/data/
dev-comments.jsonl`` cycled, each copy varied with a word or two, never copied into the
project); ``--text sandbox`` uses the sandbox generator's shorter, easier text instead (and
is used when the shared data is absent; the output says which). The figure is the wall
and CPU time of a fresh ``triage tag FILE --json`` process on one core (Python start-up,
imports and the tagger's data files included), beside the in-process rate. It also times
the worst single comments: 50 KB of text, binary garbage, long runs of digits and quotes.
Raw figures go to ``benchmarks/results/<date>-tagger.json`` with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
TARGET_PER_SECOND = 2000

from machine import write_results  # noqa: E402  (benchmarks/ is a folder of scripts)

DEV_COMMENTS = HERE.parent.parent / "shared" / "data" / "dev-comments.jsonl"
VARIATIONS = ["", "!!", "pls", "thx", "ok?", "😡", "#health", "lol", "...", "🙏"]


def write_comments(path: Path, count: int, seed: int, text: str) -> str:
    """Write ``count`` comments to ``path``; say which text they are."""
    rng = random.Random(seed)
    if text == "realistic" and DEV_COMMENTS.is_file():
        base = [json.loads(line)["text"] for line in DEV_COMMENTS.open(encoding="utf-8")]
        with path.open("w", encoding="utf-8") as out:
            for number in range(count):
                body = base[number % len(base)]
                if number >= len(base):
                    body = f"{body} {rng.choice(VARIATIONS)}".strip()
                out.write(json.dumps({"id": f"c{number}", "text": body}) + "\n")
        return f"realistic: the dev comments' kind ({len(base)} cycled and varied)"
    from triage.sandbox import generate

    data = generate(count, seed=seed)
    with path.open("w", encoding="utf-8") as out:
        for comment in data.comments:
            out.write(json.dumps({"id": comment.id, "text": comment.text}) + "\n")
    return "sandbox: the generator's text"


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
    parser.add_argument("--text", choices=["realistic", "sandbox"], default="realistic")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "comments.jsonl"
        which = write_comments(source, args.count, args.seed, args.text)
        print(f"text: {which}")
        lines = sum(1 for _ in source.open(encoding="utf-8"))
        env = {**os.environ, "TRIAGE_CONFIG": str(HERE.parent / "config.toml")}
        command = [sys.executable, "-m", "triage", "tag", str(source), "--json"]
        if sys.platform.startswith("linux"):
            command = ["taskset", "-c", "0", *command]  # one core
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        texts = [json.loads(line)["text"] for line in source.open(encoding="utf-8")]
    rate = lines / seconds
    verdict = "meets" if rate >= TARGET_PER_SECOND else "MISSES"
    print(f"triage tag: {lines} comments in {seconds:.2f} s wall, {cpu:.2f} s CPU = "
          f"{rate:,.0f} comments/s wall, {lines / cpu:,.0f}/s CPU "
          f"(start-up included; {verdict} the {TARGET_PER_SECOND:,}/s target)")

    from triage.tagger import Tagger

    tagger = Tagger()
    tagger.tag("warm up")
    started_cpu = time.process_time()
    for body in texts:
        tagger.tag(body)
    in_process = len(texts) / (time.process_time() - started_cpu)
    print(f"in-process, after start-up: {in_process:,.0f} comments/s of CPU")
    worst: dict[str, float] = {}
    for name, text in hostile_texts().items():
        started = time.perf_counter()
        tags = tagger.tag(text)
        took = time.perf_counter() - started
        worst[name] = round(took * 1000, 2)
        print(f"  {name:<32} {took * 1000:8.1f} ms  tags: "
              f"{', '.join(t.name for t in tags) or '-'}")
    write_results("tagger", {
        "text": which, "comments": lines, "wall_seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3), "per_second_wall": round(rate),
        "per_second_cpu": round(lines / cpu), "in_process_per_cpu_second": round(in_process),
        "worst_single_ms": worst,
    }, Path(tempfile.gettempdir()))


if __name__ == "__main__":
    main()
