"""A team on one PostgreSQL queue: 8 agent processes, a listener and the sender at once.

Run by hand (a few minutes):

    python benchmarks/bench_team.py [--size 100000] [--agents 8] [--seconds 60] [--url URL]

Without ``--url`` it starts a private PostgreSQL with ``pgserver`` (a test dependency).
It loads ``--size`` comments of the dev comments' kind (recombined and varied as
bench_groups does; tagged from the source comments' labels) through ``capture``, measures
opening a desk (TeamDesk open + counts + the first page of the open queue) in a fresh
process, then runs for ``--seconds``: ``--agents`` processes, each its own login, taking
the next comment and dismissing, tagging, assigning or replying to it; a listener that
timestamps every notification; two sender processes (one holds the ``sender`` role)
posting the queued replies to a mastodon stand-in (``mastodon_mock``). At the end: actions
per second, p95 action latency, p95 time until the listener heard an action, double
replies counted on the stand-in, lost or duplicated journal rows (each agent's
acknowledged actions against the journal), and the chain verified. Results go to
``benchmarks/results/<date>-team.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_groups import DEV, background  # noqa: E402  (benchmarks/ holds scripts)
from machine import machine, percentile, write_results  # noqa: E402

SHARED_DEV = Path("/work/shared/data/dev-comments.jsonl")
ENV = {**os.environ, "PYTHONPATH": str(HERE.parent), "ALICE_TOKEN": "alice_token"}
ACCOUNT = "riverside"
TEMPLATE = "bench-thanks"


def _step(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, *args], env=ENV,
                            stdout=subprocess.PIPE, text=True)


def _config(base_url: str) -> Any:
    from triage.config import parse_config

    return parse_config(f'[[accounts]]\nname = "{ACCOUNT}"\nplatform = "mastodon"\n'
                        f'base_url = "{base_url}"\ntoken_env = "ALICE_TOKEN"\n')


# -- the steps, each in its own process ------------------------------------------------


def agent(url: str, seconds: float, others: str, seed: int) -> dict[str, Any]:
    """Work the queue as the URL's login: next, then dismiss, tag, assign or reply."""
    from triage.teamdb.desk import open_team_desk

    desk = open_team_desk(url, size=1)
    login = desk.user
    rng = random.Random(seed)
    colleagues = others.split(",")
    latencies: dict[str, list[float]] = {}
    acked: list[int] = []
    started: dict[int, float] = {}
    claims = 0
    deadline = time.monotonic() + seconds

    def timed(kind: str, fn: Any, *args: Any, **kw: Any) -> Any:
        wall, t0 = time.time(), time.perf_counter()
        out = fn(*args, **kw)
        latencies.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
        done = out if isinstance(out, list) else [] if kind == "next" else [out]
        for action in done:
            acked.append(action.seq)
            started[action.seq] = wall
        return out

    while time.monotonic() < deadline:
        comment = timed("next", desk.claim_next)
        if comment is None:
            break
        claims += 1
        pick = rng.random()
        if pick < 0.3:
            crisis = "crisis" in comment.tag_names  # an open crisis is dismissed with a reason
            timed("dismiss", desk.dismiss, [comment.id], "on-call" if crisis else None)
        elif pick < 0.55:
            has = "question" in comment.tag_names
            timed("tag", desk.correct_tag, [comment.id], "question", add=not has)
        elif pick < 0.75:
            timed("assign", desk.assign, [comment.id], rng.choice(colleagues))
        else:
            timed("reply", desk.submit_reply, comment.id,
                  f"Thank you for asking; our clinic page has the answer (ref {comment.id}).",
                  TEMPLATE)
    desk.close()
    return {"login": login, "latencies": latencies, "acked": acked, "claims": claims,
            "started": {str(k): v for k, v in started.items()}}


def listener(url: str, seconds: float) -> dict[str, Any]:
    """Hear every change on the channel; the wall time each seq arrived."""
    from triage.teamdb import calls, connect

    conn = connect(url)
    calls.listen(conn)
    heard: dict[str, float] = {}
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        for change in calls.changes(conn, timeout=min(left, 1.0)):
            if change.seq is not None:
                heard[str(change.seq)] = time.time()
    return {"heard": heard}


def sender(url: str, seconds: float, base_url: str) -> dict[str, Any]:
    """Send the outbox while holding the sender role (the other sender waits its turn)."""
    import httpx

    from triage.outbox.links import Links
    from triage.teamdb.desk import open_team_desk
    from triage.teamdb.leader import SENDER, Leadership
    from triage.teamdb.sender import TeamSender

    desk = open_team_desk(url, size=1)
    config = _config(base_url)
    lead = Leadership(url, SENDER)
    sent = rounds_led = 0

    async def run() -> None:
        nonlocal sent, rounds_led
        async with httpx.AsyncClient() as client:
            out = TeamSender(desk, config, Links(config, client), batch=50)
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                if not lead.try_take():
                    await asyncio.sleep(0.5)
                    continue
                rounds_led += 1
                done = await out.send_due()
                sent += sum(1 for o in done if o.sent)
                if not done:
                    await asyncio.sleep(0.2)

    asyncio.run(run())
    lead.release()
    desk.close()
    return {"sent": sent, "rounds_led": rounds_led}


def open_desk(url: str) -> dict[str, Any]:
    """Open a desk on the loaded queue: connect, counts, and the first page of open comments."""
    t0 = time.perf_counter()
    from triage.teamdb.desk import open_team_desk

    desk = open_team_desk(url)
    counts = desk.counts()
    page = desk.newest(lambda c: c.status == "new", 100)
    took = time.perf_counter() - t0
    desk.close()
    return {"open_s": took, "rows": len(page), "open": counts.get("new", 0)}


# -- the run ---------------------------------------------------------------------------


def load(admin: Any, dev: Path, size: int, seed: int, statuses: list[str],
         post_id: str) -> float:
    """``size`` comments through ``capture``, tagged from their source's labels."""
    from triage import teamdb
    from triage.model import Author, Comment, Post, Tag

    rows = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line]
    texts = background(rows, size, random.Random(seed))
    now = datetime.now(UTC)
    post = Post(f"mastodon:{ACCOUNT}:{post_id}", "mastodon", ACCOUNT, "Flu shots Saturday.",
                now - timedelta(days=31))
    t0 = time.perf_counter()
    batch: list[Comment] = []
    for n, text in enumerate(texts):
        labels = rows[n % len(rows)].get("labels") or []
        native = statuses[n % len(statuses)]
        batch.append(Comment(
            id=f"mastodon:{ACCOUNT}:b{n}", platform="mastodon", account=ACCOUNT, text=text,
            created_at=now - timedelta(seconds=size - n), author=Author(f"u{n % 5000}",
            f"Person {n % 5000}", "carol"), post_id=post.id, native_id=native,
            tags=tuple(Tag(label, 0.9, (), "bench:label") for label in labels)))
        if len(batch) == 2000:
            teamdb.capture(admin, batch, [post])
            batch = []
    if batch:
        teamdb.capture(admin, batch, [post])
    return time.perf_counter() - t0


def _json(proc: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    out, _ = proc.communicate(timeout=timeout)
    if proc.returncode:
        raise SystemExit(f"a step failed (exit {proc.returncode})")
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--url", default=None, help="a superuser's URL (default: pgserver)")
    parser.add_argument("--comments", type=Path, default=DEV if DEV.exists() else SHARED_DEV,
                        help="the dev comments (JSON lines with text and labels)")
    options = parser.parse_args()
    from mastodon_mock.testing import MockServer
    from psycopg.conninfo import make_conninfo

    from triage import teamdb

    work = Path(tempfile.mkdtemp(prefix="triage-bench-team-"))
    about = machine(work)
    server = None
    base = options.url
    if base is None:
        import warnings

        with warnings.catch_warnings():  # it asks platformdirs for a runtime folder
            warnings.simplefilter("ignore")
            import pgserver

        server = pgserver.get_server(str(work / "pg"), cleanup_mode="delete")
        base = server.get_uri()
    with teamdb.connect(base) as conn:
        conn.execute("DROP DATABASE IF EXISTS triage_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE triage_bench")
    url = make_conninfo(base, dbname="triage_bench")
    admin = teamdb.connect(url)
    teamdb.init(admin)
    logins = [f"agent{i + 1}" for i in range(options.agents)]
    for login in [*logins, "sender1", "sender2"]:
        teamdb.add_user(admin, login, ["agent"])
    mock = MockServer().__enter__()
    import httpx

    http = httpx.Client(base_url=mock.base_url, timeout=30)
    http.post("/api/v1/_mock/reset").raise_for_status()  # seeds alice, bob and carol

    def status(user: str, text: str, reply_to: str | None = None) -> str:
        data = {"status": text, "visibility": "public",
                **({"in_reply_to_id": reply_to} if reply_to else {})}
        got = http.post("/api/v1/statuses", data=data,
                        headers={"Authorization": f"Bearer {user}_token"})
        got.raise_for_status()
        return str(got.json()["id"])

    post_id = status("alice", "Free flu shots this Saturday, 9 to 3.")
    statuses = [status("carol", f"@alice question {i}?", post_id) for i in range(200)]
    print(f"loading {options.size:,} comments", flush=True)
    load_s = load(admin, options.comments, options.size, 11, statuses, post_id)
    opened = [_json(_step("open", url), 120) for _ in range(3)]
    print(f"loaded in {load_s:.0f} s; desk opens in {opened[0]['open_s']:.2f} s", flush=True)

    urls = {login: make_conninfo(url, user=login) for login in [*logins, "sender1", "sender2"]}
    hear = _step("listener", url, str(options.seconds + 8))
    senders = [_step("sender", urls[s], str(options.seconds + 20), mock.base_url)
               for s in ("sender1", "sender2")]
    time.sleep(2)
    agents = [_step("agent", urls[login], str(options.seconds),
                    ",".join(x for x in logins if x != login), str(i))
              for i, login in enumerate(logins)]
    results = [_json(p, options.seconds + 120) for p in agents]
    heard = _json(hear, 60)["heard"]
    sent = [_json(p, 120) for p in senders]

    latencies = [v for r in results for vs in r["latencies"].values() for v in vs]
    by_kind = {k: [v for r in results for v in r["latencies"].get(k, [])]
               for k in ("next", "dismiss", "tag", "assign", "reply")}
    seen_after = [(heard[s] - t) * 1000 for r in results for s, t in r["started"].items()
                  if s in heard]
    lost = duplicated = extra = 0
    for r in results:
        rows = admin.execute("SELECT seq, kind, body -> 'data' ->> 'claim' FROM triage.journal "
                             "WHERE actor = %s", (r["login"],)).fetchall()
        claims = sum(1 for _, kind, claim in rows if kind == "assign" and claim == "true")
        journal = {seq for seq, kind, claim in rows if not (kind == "assign" and claim == "true")}
        acked = r["acked"]
        duplicated += len(acked) - len(set(acked)) + abs(claims - r["claims"])
        lost += len(set(acked) - journal)
        extra += len(journal - set(acked))
    context = http.get(f"/api/v1/statuses/{post_id}/context",
                       headers={"Authorization": "Bearer alice_token"}).json()
    replies = [s["content"] for s in context["descendants"] if s["account"]["acct"] == "alice"]
    states = dict(admin.execute("SELECT doc ->> 'state', count(*) FROM triage.records "
                                "WHERE tbl = 'outbox' GROUP BY 1").fetchall())
    check = teamdb.verify_journal(admin)
    total = sum(len(v) for v in by_kind.values())
    figures = {
        "size": options.size, "agents": options.agents, "seconds": options.seconds,
        "load_s": round(load_s, 1),
        "open_desk_s": [round(o["open_s"], 3) for o in opened],
        "actions": total, "actions_per_s": round(total / options.seconds, 1),
        "latency_ms_p50": round(percentile(latencies, 0.5), 2),
        "latency_ms_p95": round(percentile(latencies, 0.95), 2),
        "latency_ms_p95_by_kind": {k: round(percentile(v, 0.95), 2) for k, v in by_kind.items()
                                   if v},
        "count_by_kind": {k: len(v) for k, v in by_kind.items()},
        "seen_by_listener_ms_p50": round(percentile(seen_after, 0.5), 1),
        "seen_by_listener_ms_p95": round(percentile(seen_after, 0.95), 1),
        "acked_not_heard": sum(len(r["started"]) for r in results) - len(seen_after),
        "journal_lost": lost, "journal_duplicated": duplicated,
        "journal_rows_not_acked": extra,
        "outbox_states": states, "sent_by_senders": [s["sent"] for s in sent],
        "sender_rounds_led": [s["rounds_led"] for s in sent],
        "replies_on_standin": len(replies),
        "double_replies": len(replies) - len(set(replies)),
        "chain": {"entries": check.entries, "ok": check.ok},
    }
    print(json.dumps(figures, indent=2))
    admin.close()
    mock.__exit__(None, None, None)
    out = write_results("team", figures, work, about=about)
    print(f"results: {out}")
    if server is not None:
        server.cleanup()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in {"agent", "listener", "sender", "open"}:
        step, args = sys.argv[1], sys.argv[2:]
        if step == "agent":
            got = agent(args[0], float(args[1]), args[2], int(args[3]))
        elif step == "listener":
            got = listener(args[0], float(args[1]))
        elif step == "sender":
            got = sender(args[0], float(args[1]), args[2])
        else:
            got = open_desk(args[0])
        print(json.dumps(got))
    else:
        main()
