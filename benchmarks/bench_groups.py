"""Near-duplicate grouping at scale: 100,000 comments with waves of near-copies injected.

Run by hand from the project folder (a minute or two):

    python benchmarks/bench_groups.py [--size 100000] [--comments dev-comments.jsonl]

The queue is of the labelled dev comments' kind, never copied into the project: their
sentences cycled and recombined, a third of their words swapped for others of the same
comments, a tail added ("lol", "🙏", "asking for my mom"), so that most comments are
unique as a real queue's are. Into it go waves of near-copies of the dev comments' myths and
spam (5 to 800 copies each, 6,418 in all), each copy changed the way copies are: typos,
emoji, other case, moved sentences, a link or a line added. Measured: the time to group
every comment from nothing (what opening the desk does, off the UI thread), the time to
add one comment to the grouped queue (what a sync does, per comment: p50 and p95), and how
well the waves come out: for each wave, the share of its copies in its biggest group, and
how many comments of the background were drawn into a wave's group. Raw figures go to
``benchmarks/results/<date>-groups.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from machine import percentile, write_results  # noqa: E402  (benchmarks/ holds scripts)

from triage.groups import Grouper  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "dev-comments.jsonl"
TAILS = ["", "", "", " lol", " 🙏", " ...", " pls", " (asking for my mom)", " !!", " 😂"]
EMOJI = ["😡", "🙏", "💉", "🔥", "‼️", "👀", "💯", "🚨"]
WAVES = [800, 600, 500, 400, 400, 300, 300, 250, 250, 200, 200, 200, 150, 150, 150, 120,
         120, 100, 100, 100, 80, 80, 80, 60, 60, 60, 50, 50, 50, 40, 40, 40, 30, 30, 30, 25,
         25, 20, 20, 20, 15, 15, 15, 12, 12, 10, 10, 10, 8, 8, 8, 5, 5, 5]


def typo(word: str, rng: random.Random) -> str:
    """One slip of the keyboard: a letter dropped, doubled or two swapped."""
    if len(word) < 4:
        return word
    at = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:at] + word[at + 1:]
    if kind == 1:
        return word[:at] + word[at] + word[at:]
    return word[:at - 1] + word[at] + word[at - 1] + word[at + 1:]


def near_copy(text: str, rng: random.Random) -> str:
    """A copy of ``text`` as people paste it: typos, emoji, case, sentences moved, a link."""
    words = text.split()
    for _ in range(rng.randrange(3)):
        at = rng.randrange(len(words))
        words[at] = typo(words[at], rng)
    out = " ".join(words)
    if rng.random() < 0.3:
        sentences = out.split(". ")
        rng.shuffle(sentences)
        out = ". ".join(sentences)
    change = rng.random()
    if change < 0.15:
        out = out.lower()
    elif change < 0.25:
        out = out.upper()
    if rng.random() < 0.4:
        out = f"{rng.choice(EMOJI) * rng.randrange(1, 4)} {out}"
    if rng.random() < 0.3:
        out += f" https://share.example/{rng.randrange(10**6)}"
    if rng.random() < 0.15:
        out = rng.choice(["Please share: ", "READ THIS ", "Everyone needs to see this. "]) + out
    return out


def background(rows: list[dict[str, object]], size: int, rng: random.Random) -> list[str]:
    """``size`` comments of the dev comments' kind, recombined and varied."""
    texts = [str(row["text"]) for row in rows]
    vocabulary = sorted({w for t in texts for w in t.split() if w.isalpha()})
    out = []
    for n in range(size):
        first = texts[n % len(texts)].split()
        second = texts[rng.randrange(len(texts))].split()
        words = first[:max(len(first) // 2, 3)] + second[len(second) // 2:]
        words = [rng.choice(vocabulary) if rng.random() < 0.33 else w for w in words]
        out.append(" ".join(words) + rng.choice(TAILS))
    return out


def build(dev: Path, size: int, seed: int) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The queue as (id, text) in arrival order, and the wave of each injected copy."""
    rows = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line]
    rng = random.Random(seed)
    sources = [str(r["text"]) for r in rows
               if {"misinformation", "abuse"} & set(r.get("labels") or ())  # type: ignore[call-overload]
               and len(str(r["text"]).split()) >= 14]
    rng.shuffle(sources)
    wave_of: dict[str, int] = {}
    copies: list[tuple[str, str]] = []
    for wave, count in enumerate(WAVES):
        source = sources[wave % len(sources)]
        for n in range(count):
            ident = f"w{wave:02d}-{n:04d}"
            copies.append((ident, near_copy(source, rng)))
            wave_of[ident] = wave
    queue = [(f"b{n:06d}", text) for n, text in
             enumerate(background(rows, size - len(copies), rng))]
    for ident, text in copies:  # a wave arrives among the rest
        queue.insert(rng.randrange(len(queue) + 1), (ident, text))
    return queue, wave_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--comments", type=Path, default=DEV,
                        help="the labelled dev comments (from a worktree, name them)")
    options = parser.parse_args()
    if not options.comments.is_file():
        parser.error(f"{options.comments}: no such file; pass the dev comments with --comments")
    queue, wave_of = build(options.comments, options.size, options.seed)
    print(f"load average {os.getloadavg()[0]:.1f}; {len(queue):,} comments, {len(WAVES)} "
          f"waves of near-copies ({len(wave_of):,} copies)", flush=True)

    # the same machine's pace at the simplest text work, for scale: every text split in words
    started, cpu = time.perf_counter(), time.process_time()
    split = sum(len(text.lower().split()) for _, text in queue)
    split_s, split_cpu = time.perf_counter() - started, time.process_time() - cpu
    grouper = Grouper()
    started, cpu = time.perf_counter(), time.process_time()
    for ident, text in queue[:-1000]:
        grouper.add(ident, text)
    bulk_s = time.perf_counter() - started
    bulk_cpu = time.process_time() - cpu
    each = []
    for ident, text in queue[-1000:]:
        one = time.perf_counter()
        grouper.add(ident, text)
        each.append((time.perf_counter() - one) * 1000)
    total_s = bulk_s + sum(each) / 1000
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    found = {}
    for ident, _ in queue:
        key = grouper.key_of(ident)
        if key is not None:
            found[ident] = key
    recovered, drawn_in = [], 0
    for wave, count in enumerate(WAVES):
        keys = Counter(found.get(i) for i, w in wave_of.items() if w == wave)
        keys.pop(None, None)
        best = keys.most_common(1)[0] if keys else (None, 0)
        recovered.append(best[1] / count)
    wave_keys = {found[i] for i in wave_of if i in found}
    drawn_in = sum(1 for i, k in found.items() if k in wave_keys and i not in wave_of)
    background_groups = Counter(k for i, k in found.items() if k not in wave_keys)
    figures = {
        "comments": len(queue), "waves": len(WAVES), "copies": len(wave_of), "words": split,
        "load_average_at_start": os.getloadavg()[0],
        "split_words_s": round(split_s, 3), "split_words_cpu_s": round(split_cpu, 3),
        "group_all_s": round(total_s, 2), "group_all_cpu_s": round(bulk_cpu, 2),
        "add_one_p50_ms": round(percentile(each, 0.5), 3),
        "add_one_p95_ms": round(percentile(each, 0.95), 3),
        "peak_rss_mb": round(peak_mb),
        "wave_recall_mean": round(sum(recovered) / len(recovered), 4),
        "wave_recall_min": round(min(recovered), 4),
        "waves_whole": sum(1 for r in recovered if r == 1.0),
        "background_drawn_into_waves": drawn_in,
        "background_groups": len(background_groups),
        "background_grouped_comments": sum(background_groups.values()),
    }
    print(f"grouped in {figures['group_all_s']} s ({figures['group_all_cpu_s']} s CPU for the "
          f"first {len(queue) - 1000:,}); one more comment: p50 {figures['add_one_p50_ms']} ms, "
          f"p95 {figures['add_one_p95_ms']} ms; peak memory {figures['peak_rss_mb']} MB; "
          f"splitting every text in words took {figures['split_words_s']} s "
          f"({figures['split_words_cpu_s']} s CPU)")
    print(f"waves: {figures['waves_whole']} of {len(WAVES)} found whole, mean share of a "
          f"wave in its group {figures['wave_recall_mean']:.3f} (lowest "
          f"{figures['wave_recall_min']:.3f}); {drawn_in} background comments drawn into a "
          f"wave's group; {figures['background_groups']} groups among the background "
          f"({figures['background_grouped_comments']} comments)")
    out = write_results("groups", figures, Path(tempfile.gettempdir()))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
