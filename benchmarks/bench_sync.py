"""Sync speed and TUI responsiveness: 10,000 new comments from the platform stand-ins.

Run by hand:

    python benchmarks/bench_sync.py [--comments 10000] [--platforms mastodon,all]
    python benchmarks/bench_sync.py --each [--comments 10000]

The stand-ins run as a child process (as in the sandbox), seeded with ``--comments`` new
comments whose texts come from the sandbox generator. For each platform set
("mastodon": all on one Mastodon account; "all": spread over the five platforms with a
connector), three measurements, each on a fresh store with the real tagger:

- ``cli``: ``sync_accounts`` as ``triage sync --once`` runs it (big batches, files
  written on the sync's thread). Target: ≤ 20 s for 10,000 comments, tagging included.
- ``tui-options``: the same with the TUI's batches and the store's background writer.
- ``tui``: the app itself, headless (``run_test``), syncing them on its own once the
  queue is loaded, while a 10-ms asyncio timer measures how late the event loop runs it
  (every callback that holds the loop — a stored batch, a list refresh, a frame — shows
  up as lateness). Target: no hold-up longer than 100 ms. An idle app is measured first
  for comparison.

With ``--each``, every platform of :data:`NINE` on its own: ``--comments`` comments on one
account of that platform synced and tagged as ``triage sync --once`` does, each in a child
process of its own, which reports the time and its peak memory (max RSS, the tagger and
the stand-ins' client included; the stand-ins run in another process). A platform without
a connector installed (Bluesky until its connector lands) is named and skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from triage.connectors.registry import declare_checkout  # noqa: E402

declare_checkout(Path(__file__).resolve().parents[1])  # connectors added since the install

from triage.config import AccountConfig, Config, parse_config  # noqa: E402
from triage.sandbox import generate  # noqa: E402
from triage.standins import StandinProcess  # noqa: E402
from triage.store import Store  # noqa: E402
from triage.sync import SyncOptions, sync_accounts  # noqa: E402
from triage.sync_sink import StoreSink  # noqa: E402
from triage.tagger import Tagger  # noqa: E402

PLATFORMS = ("facebook", "instagram", "youtube", "x", "mastodon")
#: Every platform Triage reads, for ``--each``.
NINE = ("facebook", "instagram", "youtube", "x", "mastodon", "reddit", "tiktok", "linkedin",
        "bluesky")
POSTS_PER_PLATFORM = 8
#: The posts' time: six days ago, so every platform's window of recent posts holds them.
T0 = (datetime.now(UTC) - timedelta(days=6)).replace(minute=0, second=0, microsecond=0)
TICK = 0.010


def seed(process: StandinProcess, total: int, platforms: tuple[str, ...]) -> None:
    """``total`` top-level comments spread over ``platforms``, generator texts and authors."""
    source = generate(total, 11, now=T0 + timedelta(days=6)).comments
    posts = process.admin.seed(posts=[
        {"platform": p, "text": f"Flu shots this week ({p} {k})",
         "created_at": (T0 + timedelta(minutes=k)).isoformat()}
        for p in platforms for k in range(POSTS_PER_PLATFORM)])["posts"]
    by_platform = {p: posts[i * POSTS_PER_PLATFORM:(i + 1) * POSTS_PER_PLATFORM]
                   for i, p in enumerate(platforms)}
    comments: list[dict[str, Any]] = []
    for k in range(total):
        platform = platforms[k % len(platforms)]
        original = source[k % len(source)]
        comments.append({
            "platform": platform, "post": by_platform[platform][k % POSTS_PER_PLATFORM],
            "author": {"id": f"70{k % 900:04d}", "name": original.author.name,
                       "handle": f"person{k % 900}"},
            "text": original.text,
            "created_at": (T0 + timedelta(hours=1, seconds=k)).isoformat()})
    for start in range(0, len(comments), 5000):
        process.admin.seed(comments=comments[start:start + 5000])


def accounts(process: StandinProcess, platforms: tuple[str, ...]
             ) -> tuple[list[AccountConfig], dict[str, str]]:
    found, environ = [], {}
    for entry in process.admin.settings():
        if entry["platform"] not in platforms:
            continue
        variable = f"BENCH_TOKEN_{entry['platform'].upper()}"
        environ[variable] = entry["token"]
        extra: dict[str, Any] = {}
        if entry.get("client_id"):  # reddit: the stand-in's script app
            environ[variable + "_ID"] = entry["client_id"]
            extra = {"username": entry["username"], "client_id_env": variable + "_ID",
                     "password_env": variable}
        found.append(AccountConfig(
            name=f"bench-{entry['platform']}", platform=entry["platform"],
            token_env=variable, base_url=entry["base_url"],
            page_id=entry.get("page_id", ""), channel_id=entry.get("channel_id", ""),
            user_id=entry.get("user_id", ""), business_id=entry.get("business_id", ""),
            organization_id=entry.get("organization_id", ""),
            handle=entry["handle"] if entry["platform"] == "bluesky" else "", **extra))
    return found, environ


def sync_store(folder: Path, accounts: list[AccountConfig], environ: dict[str, str],
               tagger: Tagger, *, tui_options: bool) -> tuple[float, int]:
    from tui.sync_app import SYNC_BATCH_COMMENTS, SYNC_BATCH_SECONDS

    with Store(folder, tagger=tagger.tag) as store:
        options = SyncOptions(environ=environ)
        if tui_options:
            store.write_in_background()
            options = SyncOptions(environ=environ, batch_comments=SYNC_BATCH_COMMENTS,
                                  batch_seconds=SYNC_BATCH_SECONDS)
        started = time.perf_counter()
        results = asyncio.run(sync_accounts(accounts, StoreSink(store), options=options))
        store.flush()
        elapsed = time.perf_counter() - started
        failed = [r.summary() for r in results if r.failed]
        if failed:
            raise SystemExit(f"sync failed: {failed}")
        return elapsed, len(store)


async def _watch(samples: list[float], stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    last = loop.time()
    while not stop.is_set():
        await asyncio.sleep(TICK)
        now = loop.time()
        samples.append(max(0.0, now - last - TICK))
        last = now


def _report(name: str, samples: list[float]) -> str:
    if not samples:
        return f"{name}: no samples"
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"{name}: {len(samples)} ticks, lateness max {max(samples) * 1000:.0f} ms, "
            f"p99 {p99 * 1000:.0f} ms, median {statistics.median(samples) * 1000:.1f} ms, "
            f"ticks over 100 ms: {sum(s > 0.1 for s in samples)}")


async def tui_run(folder: Path, config: Config, tagger: Tagger, *, sync: bool
                  ) -> tuple[list[float], float, int]:
    from tui.app import TriageApp

    with Store(folder, tagger=tagger.tag) as store:
        app = TriageApp(store=store, config=config if sync else replace(config, accounts=[]),
                        user="bench", show_clock=False, background_delivery=False)
        samples: list[float] = []
        stop = asyncio.Event()
        async with app.run_test(size=(140, 45)) as pilot:
            watcher = asyncio.create_task(_watch(samples, stop))
            started = time.perf_counter()
            if sync:
                while app.sync_worker is None:
                    await pilot.pause(0.05)
                await app.sync_worker.wait()
            else:
                await asyncio.sleep(3.0)
            elapsed = time.perf_counter() - started
            await pilot.pause(0.5)  # the last refresh and frames after it count too
            stop.set()
            await watcher
        return samples, elapsed, len(store)


def one_platform(platform: str, comments: int) -> None:
    """Sync ``comments`` comments of one platform (in this process) and print one line:
    the platform, the comments stored, the seconds, the peak RSS in MB."""
    import resource

    tagger = Tagger()
    with StandinProcess() as process, tempfile.TemporaryDirectory() as tmp:
        seed(process, comments, (platform,))
        found, environ = accounts(process, (platform,))
        elapsed, stored = sync_store(Path(tmp) / "s", found, environ, tagger,
                                     tui_options=False)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{platform} {stored} {elapsed:.2f} {peak:.0f}")


def each(comments: int) -> None:
    """Every platform of :data:`NINE` in a child process of its own."""
    import subprocess

    from triage.connectors.registry import platforms

    installed = set(platforms())
    print(f"{'platform':<10} {'comments':>8} {'seconds':>8} {'per s':>7} {'peak MB':>8}")
    for platform in NINE:
        if platform not in installed:
            print(f"{platform:<10} no connector installed: not measured")
            continue
        done = subprocess.run([sys.executable, __file__, "--one", platform, "--comments",
                               str(comments)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"{platform:<10} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        name, stored, seconds, peak = done.stdout.split()[-4:]
        rate = int(stored) / float(seconds)
        print(f"{name:<10} {stored:>8} {seconds:>8} {rate:>7.0f} {peak:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--platforms", default="mastodon,all",
                        help="comma-separated sets: mastodon, all")
    parser.add_argument("--each", action="store_true",
                        help="every platform alone: time and peak memory of each")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one_platform(args.one, args.comments)
        return
    if args.each:
        each(args.comments)
        return
    load = time.perf_counter()
    tagger = Tagger()
    print(f"tagger loaded in {time.perf_counter() - load:.2f} s")
    for choice in args.platforms.split(","):
        platforms = PLATFORMS if choice == "all" else (choice,)
        with StandinProcess() as process, tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            seed(process, args.comments, platforms)
            print(f"\n[{choice}] {args.comments} comments seeded in "
                  f"{time.perf_counter() - started:.2f} s")
            found, environ = accounts(process, platforms)
            for index, tui_options in enumerate((False, True)):
                elapsed, stored = sync_store(Path(tmp) / f"s{index}", found, environ, tagger,
                                             tui_options=tui_options)
                label = "tui-options" if tui_options else "cli"
                print(f"[{choice}] {label}: {stored} comments synced and tagged in "
                      f"{elapsed:.2f} s ({stored / elapsed:.0f}/s; target ≤ 20 s)")
            import os

            os.environ.update(environ)
            config = replace(parse_config('[org]\nname = "Bench Health"\n'), accounts=found)
            idle, _, _ = asyncio.run(tui_run(Path(tmp) / "idle", config, tagger, sync=False))
            print(f"[{choice}] " + _report("tui idle", idle))
            samples, elapsed, stored = asyncio.run(
                tui_run(Path(tmp) / "tui", config, tagger, sync=True))
            print(f"[{choice}] tui: {stored} comments synced in the app in {elapsed:.2f} s")
            print(f"[{choice}] " + _report("tui during the sync", samples)
                  + " (target: max ≤ 100 ms)")


if __name__ == "__main__":
    main()
