"""Reply policy check speed: 10,000 replies of 500 characters, and the shipped templates' hits.

Run by hand from the project folder:

    python benchmarks/bench_policy.py [--count 10000] [--seed 7]

Each reply is 500 characters cut from the shipped templates' wording, free-text sentences
and sentences that break a policy, answering one of the sandbox's comments (so the
copied-back check has identifiers to look for). Two timings per reply: the check as the
composer runs it while one types (the comment's identifiers found once and kept), and a
reply to a comment never seen before (its identifiers found first). The target is 5 ms
at the 95th percentile. It then checks every shipped template, rendered for a comment
with its tags, and counts the hits: none may block.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from triage.config import Config, OrgConfig  # noqa: E402
from triage.model import Tag  # noqa: E402
from triage.policies import check_reply, load_policies  # noqa: E402
from triage.sandbox import generate  # noqa: E402
from triage.templates import load_library, render  # noqa: E402

TARGET_MS = 5.0
LENGTH = 500
BREAKING = [
    "We see you were here on Monday and your results look fine.",
    "You should take 400 mg twice a day and increase your dose if it hurts.",
    "This treatment is guaranteed to cure your pain, 100% effective.",
    "Many use it off-label for migraines; it can also treat hair loss.",
    "Dr. Patel is in on Tuesday mornings if you want to catch her.",
    "We will call you back at 555-201-8890 today.",
]
FREE = [
    "Thanks for reaching out, we hear you.",
    "Please send us a private message so we can help.",
    "Our clinics are open Monday to Friday, 8am to 6pm.",
    "Vaccines are tested for safety before and after they are approved.",
]


def replies(count: int, seed: int, sources: list[str]) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < LENGTH:
            pool = rng.choice((sources, FREE, BREAKING if rng.random() < 0.3 else FREE))
            parts.append(rng.choice(pool))
        out.append(" ".join(parts)[:LENGTH])
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    config = Config(org=OrgConfig(name="Riverside Health", contact_phone="1-800-555-0199",
                                  contact_url="https://www.example.org/contact"))
    today = date.today()
    library = load_library(config, today=today)
    policies = load_policies(config)
    comments = generate(max(200, args.count // 20), seed=args.seed).comments
    sample = comments[0]
    sources = [render(t, replace(sample, tags=tuple(Tag(n, 0.9, (), "bench") for n in t.tags)),
                      config) for t in library.templates]
    texts = replies(args.count, args.seed, sources)

    kept: list[float] = []
    fresh: list[float] = []
    hits = blocked = 0
    for number, text in enumerate(texts):
        comment = comments[number % len(comments)]
        policies.comment_identifiers(comment.text)  # the composer has the comment already
        started = time.perf_counter()
        found = check_reply(text, comment, policies)
        kept.append((time.perf_counter() - started) * 1000)
        hits += len(found)
        blocked += any(h.blocks for h in found)
    for number, text in enumerate(texts[: len(comments)]):
        comment = replace(comments[number], text=comments[number].text + f" #{number}")
        started = time.perf_counter()
        check_reply(text, comment, policies)
        fresh.append((time.perf_counter() - started) * 1000)

    print(f"{len(texts)} replies of {LENGTH} characters, {len(policies.ids)} policies")
    for label, times in (("as one types (comment known)", kept),
                         ("first check of a new comment", fresh)):
        print(f"  {label}: median {statistics.median(times):.3f} ms, p95 "
              f"{percentile(times, 0.95):.3f} ms, max {max(times):.3f} ms ({len(times)} runs)")
    print(f"  {hits} hits; {blocked} replies blocked ({blocked / len(texts):.0%})")

    template_hits = {}
    for template in library.templates:
        comment = replace(sample, tags=tuple(Tag(n, 0.9, (), "bench") for n in template.tags),
                          platform=template.platforms[0])
        found = check_reply(render(template, comment, config), comment, policies)
        if found:
            template_hits[template.id] = found
    every = [hit for found in template_hits.values() for hit in found]
    print(f"shipped templates: {len(library.templates)} checked, {len(template_hits)} with a "
          f"hit, {sum(h.blocks for h in every)} blocking and "
          f"{sum(not h.blocks for h in every)} review-level hits")
    for template_id, found in template_hits.items():
        print(f"  {template_id}: {'; '.join(h.describe() for h in found)}")
    ok_templates = not any(h.blocks for h in every)
    p95 = percentile(kept, 0.95)
    ok = p95 <= TARGET_MS and percentile(fresh, 0.95) <= TARGET_MS and ok_templates
    print(f"target p95 <= {TARGET_MS} ms: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
