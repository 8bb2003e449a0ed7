"""The learned layer on a day of traffic: how many tags it adds and how many possible crises
it flags for a person, how fast it scores on one core, and the memory it adds.

Run by hand from the project folder, with the model extra installed:

    OMP_NUM_THREADS=1 python benchmarks/bench_model.py [--per-day 2000] [--outside 400]
        [--shared ../shared/data]

A day is the sandbox generator's mix of comments (every kind the queue sees), ``--per-day``
of them; the outside texts are CONSTRAINT's English test posts (news and COVID claims, none
a crisis; the heads were fitted on CONSTRAINT's training file, not this one), the first
``--outside`` of them. The speed is the model pass alone (encoder and heads, no cache), on
one core when OMP_NUM_THREADS=1 (wall time, and per CPU second: the figure for a core of
its own on a busy machine); the memory is the peak RSS with the rules alone, then with the
model loaded and a day scored.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rules(texts: list[str]) -> list[set[str]]:
    from triage.tagger import Tagger

    tagger = Tagger()
    return [{t.name for t in tagger.tag(text)} for text in texts]


def count(layer: object, texts: list[str], ruled: list[set[str]]
          ) -> tuple[dict[str, int], int, float, float]:
    """Tags added by kind, possible crises, and the wall and CPU seconds the model took."""
    started, cpu = time.perf_counter(), time.process_time()
    found = layer.suggest(texts, ruled)  # type: ignore[attr-defined]
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    added: dict[str, int] = {}
    possible = 0
    for suggestions in found:
        for s in suggestions:
            if s.possible:
                possible += 1
            else:
                added[s.tag] = added.get(s.tag, 0) + 1
    return added, possible, took, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=2000)
    parser.add_argument("--outside", type=int, default=400)
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared" / "data")
    args = parser.parse_args()
    from triage.config import TaggerConfig
    from triage.learned import load_layer
    from triage.sandbox import generate

    day = [c.text for c in generate(args.per_day, seed=11).comments]
    ruled = rules(day)
    before = peak_mb()
    layer = load_layer(TaggerConfig(), Path)
    added, possible, took, cpu = count(layer, day, ruled)
    result = {
        "model_tags": list(layer.tags),
        "heads": layer.heads.version,
        "day": {"comments": len(day), "tags_added": added, "possible_crises": possible,
                "comments_per_second_wall": round(len(day) / took, 1),
                "comments_per_cpu_second": round(len(day) / cpu, 1)},
        "rss_mb": {"rules_only": round(before), "with_model": round(peak_mb()),
                   "added": round(peak_mb() - before)},
    }
    source = args.shared / "external" / "constraint-covid19-en" / "test.jsonl"
    if source.is_file() and args.outside:
        lines = [json.loads(line) for line in source.open(encoding="utf-8") if line.strip()]
        texts = [row["text"] for row in lines[:args.outside]]
        added, possible, _, _ = count(layer, texts, rules(texts))
        result["outside"] = {"texts": len(texts), "tags_added": added,
                             "possible_crises": possible}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
