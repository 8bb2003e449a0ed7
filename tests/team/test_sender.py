"""The team's sender: each queued reply posted once, whatever two senders do at once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.connectors.conftest import (
    TOKENS,
    Masto,
    _servers,  # noqa: F401 - the session's mock servers
    question_tagger,
)
from tests.team.conftest import TeamDb
from tests.team.test_sync_team import POLICY, _sync
from triage import teamdb
from triage.config import Config, parse_config
from triage.errors import ActionRefused
from triage.outbox.links import Links
from triage.outbox.sender import Outcome
from triage.teamdb.connection import translated
from triage.teamdb.desk import TeamDesk, open_team_desk
from triage.teamdb.leader import SENDER, Leadership
from triage.teamdb.sender import TeamSender, send_as_leader
from triage.teamdb.sink import TeamSink

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def masto(_servers: tuple[Masto, Masto]) -> Masto:  # noqa: F811 - the fixture above
    _servers[0].reset()
    return _servers[0]


def _config(masto: Masto) -> Config:
    return parse_config(f"""
[[accounts]]
name = "riverside"
platform = "mastodon"
base_url = "{masto.base_url}"
token_env = "ALICE_TOKEN"
""")


def _queue(masto: Masto, team: TeamDb, count: int) -> tuple[dict[str, Any], TeamDesk]:
    """``count`` comments synced into the team store, each with a queued reply by ana."""
    post = masto.post("alice", "Free flu shots this Saturday, 9 to 3.")
    masto.mentions(post, count)
    for login in ("ana", "ben"):
        teamdb.add_user(team.admin, login, ["agent"])
    desk = open_team_desk(team.url("ana"), size=1, tagger=question_tagger)
    [synced] = _sync(TeamSink(desk), masto.base_url)
    assert synced.new == count, synced.summary()
    for i, comment in enumerate(desk.iter_comments()):
        desk.submit_reply(comment.id, f"Thanks for asking ({i}): see our clinic page.", "flu")
    return post, desk


def _replies_on_platform(masto: Masto, post: dict[str, Any]) -> list[str]:
    context = masto.get("alice", f"/api/v1/statuses/{post['id']}/context")
    return [s["id"] for s in context["descendants"] if s["account"]["acct"] == "alice"]


def _send_until_empty(desk: TeamDesk, config: Config, sent: list[Outcome]) -> None:
    async def run() -> None:
        async with httpx.AsyncClient() as client:
            sender = TeamSender(desk, config, Links(config, client, environ=TOKENS,
                                                    policy=POLICY), batch=2)
            while outcomes := await sender.send_due():
                sent.extend(outcomes)

    asyncio.run(run())


def test_two_senders_at_once_post_each_reply_exactly_once(masto: Masto, team: TeamDb) -> None:
    post, ana = _queue(masto, team, 8)
    ben = open_team_desk(team.url("ben"), size=1)
    config = _config(masto)
    results: dict[str, list[Outcome]] = {"ana": [], "ben": []}
    try:
        threads = [threading.Thread(target=_send_until_empty, args=(desk, config, results[who]))
                   for who, desk in (("ana", ana), ("ben", ben))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    finally:
        ben.close()
    outcomes = results["ana"] + results["ben"]
    assert len(outcomes) == 8 and all(o.sent for o in outcomes), [o.error for o in outcomes]
    assert len({o.item.id for o in outcomes}) == 8  # no item sent by both
    assert len(_replies_on_platform(masto, post)) == 8  # counted on the platform
    states = team.admin.execute("SELECT doc ->> 'state', count(*) FROM triage.records "
                                "WHERE tbl = 'outbox' GROUP BY 1").fetchall()
    assert states == [("sent", 8)]
    sent_rows = team.admin.execute("SELECT count(*) FROM triage.journal "
                                   "WHERE kind = 'reply_sent'").fetchone()
    assert sent_rows == (8,)
    assert ana.verify_journal().ok
    ana.close()


def test_a_sent_item_cannot_be_marked_sent_again(masto: Masto, team: TeamDb) -> None:
    _, ana = _queue(masto, team, 1)
    _send_until_empty(ana, _config(masto), [])
    item_id = team.admin.execute("SELECT key FROM triage.records WHERE tbl = 'outbox'"
                                 ).fetchone()[0]
    conn = team.login("ben")
    with pytest.raises(ActionRefused, match="is sent, not sending"), translated():
        conn.execute("SELECT triage.outbox_sent(%s, 'x', false)", (item_id,))
    ana.close()


def test_a_sender_that_died_after_posting_is_not_posted_twice(masto: Masto,
                                                              team: TeamDb) -> None:
    post, ana = _queue(masto, team, 1)
    config = _config(masto)
    # ana's sender takes the item (a lease of 0 s, as if long ago), posts, and dies
    row = team.login("ana").execute("SELECT doc FROM triage.outbox_take(1, 0)").fetchone()
    comment = ana.get(row[0]["comment_id"])

    async def post_it() -> None:
        async with httpx.AsyncClient() as client:
            links = Links(config, client, environ=TOKENS, policy=POLICY)
            await links.connector(comment).reply(comment, row[0]["text"],
                                                 idempotency_key=row[0]["id"])

    asyncio.run(post_it())
    assert len(_replies_on_platform(masto, post)) == 1
    ben = open_team_desk(team.url("ben"), size=1)
    outcomes: list[Outcome] = []
    try:
        _send_until_empty(ben, config, outcomes)
    finally:
        ben.close()
    [outcome] = outcomes
    assert outcome.sent and outcome.item.found  # found on the platform, not posted again
    assert len(_replies_on_platform(masto, post)) == 1
    ana.close()


def test_outbox_send_runs_where_nobody_else_sends(masto: Masto, team: TeamDb) -> None:
    post, ana = _queue(masto, team, 2)
    config = _config(masto)
    with Leadership(team.url("ana"), SENDER) as other:
        assert other.held
        got = asyncio.run(send_as_leader(ana, config, team.url("ben")))
        assert isinstance(got, str) and got.startswith("ana (pid ")
    assert _replies_on_platform(masto, post) == []
    ana.close()


def _outbox_send(team: TeamDb, login: str, folder: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRIAGE_", "PG"))}
    env.update(PYTHONPATH=str(ROOT), TRIAGE_DATABASE_URL=team.url(login),
               ALICE_TOKEN=TOKENS["ALICE_TOKEN"])
    return subprocess.run([sys.executable, "-m", "triage", "outbox", "send"], env=env,
                          cwd=folder, capture_output=True, text=True, timeout=60)


def test_triage_outbox_send_on_the_team_store(masto: Masto, team: TeamDb,
                                              tmp_path: Path) -> None:
    post, ana = _queue(masto, team, 2)
    (tmp_path / "config.toml").write_text(f"""
[[accounts]]
name = "riverside"
platform = "mastodon"
base_url = "{masto.base_url}"
token_env = "ALICE_TOKEN"
""")
    with Leadership(team.url("ana"), SENDER):
        waiting = _outbox_send(team, "ben", tmp_path)
    assert waiting.returncode == 0, waiting.stderr
    assert waiting.stderr.startswith("the outbox is being sent by another desk (ana (pid ")
    assert waiting.stdout == "" and _replies_on_platform(masto, post) == []
    done = _outbox_send(team, "ben", tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and all("\tsent\t" in line for line in lines), done.stdout
    assert len(_replies_on_platform(masto, post)) == 2
    again = _outbox_send(team, "ben", tmp_path)
    assert again.stderr.strip() == "nothing is due in the outbox"
    assert len(_replies_on_platform(masto, post)) == 2
    ana.close()
