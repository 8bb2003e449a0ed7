"""Spike alerts replayed on sandbox traffic: quiet weeks, and how soon an injected surge is flagged.

Run by hand from the project folder:

    python benchmarks/bench_spikes.py [--seeds 20] [--per-day 150]
                                      [--factor 3] [--min-count 5] [--max-chance 0.0001]
                                      [--floor 1]

For each seed, two weeks of ordinary traffic are built from the sandbox generator's
comments, tagged by the tagger (``triage.sandbox.traffic``: quiet nights, busy evenings,
busier and quieter days). A desk checking every hour through the second week counts the
alerts it sees start: a quiet week should raise none. Then three surges are injected, one
at a time, at a random hour of the last days, and a desk checking every five minutes
from the surge's start says how long it took to flag the surge's own series:

- a myth pasted under many posts (8 an hour for 4 hours),
- adverse events naming one product (3 an hour for 3 hours),
- a slower rise: the product's adverse events at about 2 an hour all day.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from triage.model import Comment  # noqa: E402
from triage.sandbox.traffic import Traffic  # noqa: E402
from triage.spikes import AlertsConfig, Series, alerts_raised, time_to_flag  # noqa: E402
from triage.tagger import Tagger  # noqa: E402

PRODUCTS = ["Shingrix", "Ozempic", "Keytruda", "metformin"]
START = datetime(2026, 11, 2, tzinfo=UTC)
LIMIT = timedelta(hours=3)


def myth_of(claim: str):  # noqa: ANN201 - a predicate
    return lambda c: any(t.claim_id == claim for t in c.tags)


def product_ae(name: str):  # noqa: ANN201 - a predicate
    return lambda c: "adverse_event" in c.tag_names and name.lower() in c.text.lower()


def main() -> None:
    defaults = AlertsConfig()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--per-day", type=float, default=150.0)
    parser.add_argument("--factor", type=float, default=defaults.factor)
    parser.add_argument("--min-count", type=int, default=defaults.min_count)
    parser.add_argument("--max-chance", type=float, default=defaults.max_chance)
    parser.add_argument("--floor", type=float, default=defaults.floor)
    args = parser.parse_args()
    settings = replace(defaults, factor=args.factor, min_count=args.min_count,
                       max_chance=args.max_chance, floor=args.floor)
    tagger = Tagger()
    false_alarms: list[str] = []
    flagged: dict[str, list[float | None]] = {"myth": [], "product": [], "slow": []}
    began = time.perf_counter()
    checks = 0
    for seed in range(1, args.seeds + 1):
        rng = Random(seed)
        traffic = Traffic(tagger, seed=seed)
        base = traffic.steady(START, 14, args.per_day)
        week = START + timedelta(days=7)
        quiet = alerts_raised(base, settings, PRODUCTS, week, week + timedelta(days=7),
                              timedelta(hours=1))
        checks += 7 * 24
        false_alarms += [f"seed {seed}: {a.series.key} from {a.since:%a %H:%M}: {a.count} in "
                         f"{a.window_text}, usually {a.usual:.1f}" for a in quiet]
        claims = sorted({t.claim_id for c in traffic.pool for t in c.tags if t.claim_id})
        claim = rng.choice(claims)
        product = rng.choice([p for p in PRODUCTS if any(map(product_ae(p), traffic.pool))])
        surges: list[tuple[str, Series, list[Comment], datetime]] = []
        at = START + timedelta(days=12, hours=rng.randrange(24), minutes=rng.randrange(60))
        surges.append(("myth", Series("myth", claim),
                       traffic.surge(myth_of(claim), at, 4, 8), at))
        surges.append(("product", Series("product", product),
                       traffic.surge(product_ae(product), at, 3, 3), at))
        surges.append(("slow", Series("product", product),
                       traffic.surge(product_ae(product), at, 24, 2), at))
        for name, series, extra, at in surges:
            took = time_to_flag(base + extra, settings, PRODUCTS, series, at, LIMIT,
                                timedelta(minutes=5))
            checks += int(LIMIT / timedelta(minutes=5))
            flagged[name].append(None if took is None else took.total_seconds() / 60)
    elapsed = time.perf_counter() - began
    print(f"settings: factor {settings.factor:g}, min_count {settings.min_count}, "
          f"max_chance {settings.max_chance:g}, floor {settings.floor:g}, "
          f"windows {', '.join(settings.windows)}, "
          f"baseline {settings.baseline_days} days; {args.seeds} seeds, "
          f"about {args.per_day:g} comments a day")
    print(f"quiet weeks: {len(false_alarms)} alerts in {args.seeds} weeks")
    for line in false_alarms:
        print(f"  {line}")
    for name, what in (("myth", "myth surge, 8/h under many posts"),
                       ("product", "product adverse events, 3/h"),
                       ("slow", "product adverse events, 2/h all day")):
        found = [m for m in flagged[name] if m is not None]
        within = sum(1 for m in found if m <= 60)
        median = f"{statistics.median(found):.0f} min" if found else "—"
        print(f"{what}: flagged in {len(found)}/{args.seeds} within 3 h, {within} within "
              f"the first hour; median {median}, worst "
              f"{max(found):.0f} min" if found else f"{what}: never flagged")
    print(f"{checks} checks in {elapsed:.1f} s ({elapsed / checks * 1000:.1f} ms a check, "
          "building the traffic included)")


if __name__ == "__main__":
    main()
