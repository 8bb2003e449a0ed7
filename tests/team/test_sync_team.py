"""A sync on the team store: comments captured as the login, tagged, cursors kept."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.connectors.conftest import (
    TOKENS,
    Masto,
    _servers,  # noqa: F401 - the session's mock servers
    account,
    question_tagger,
)
from tests.team.conftest import TeamDb
from triage import teamdb
from triage.connectors import RetryPolicy
from triage.sync import AccountResult, SyncOptions, sync_accounts
from triage.sync_sink import cursor_key
from triage.teamdb.desk import open_team_desk
from triage.teamdb.sink import TeamSink

#: Quick retries, and time enough for a loaded machine.
POLICY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, max_wait=0.5, timeout=10)


def _sync(sink: TeamSink, base_url: str) -> list[AccountResult]:
    async def run() -> list[AccountResult]:
        async with httpx.AsyncClient() as client:
            return await sync_accounts([account("riverside", base_url)], sink, client=client,
                                       options=SyncOptions(environ=TOKENS, policy=POLICY))

    return asyncio.run(run())


@pytest.fixture
def masto(_servers: tuple[Masto, Masto]) -> Masto:  # noqa: F811 - the fixture above
    _servers[0].reset()
    return _servers[0]


def test_a_sync_captures_into_the_team_store_once(masto: Masto, team: TeamDb) -> None:
    post = masto.post("alice", "Free flu shots this Saturday, 9 to 3.")
    masto.mentions(post, 6)
    teamdb.add_user(team.admin, "syncer", ["agent"])
    desk = open_team_desk(team.url("syncer"), size=1, tagger=question_tagger)
    try:
        [first] = _sync(TeamSink(desk), masto.base_url)
        assert first.summary() == "riverside: 6 new, 0 updated, 0 errors", first.status
        stored = list(desk.iter_comments())
        assert sorted(c.text for c in stored) == sorted(f"@alice comment {i}?" for i in range(6))
        assert all(c.tag_names == ("question",) for c in stored)  # tagged on the way in
        assert {c.post_id for c in stored} == {f"mastodon:riverside:{post['id']}"}
        actors = team.admin.execute("SELECT DISTINCT actor FROM triage.journal").fetchall()
        assert actors == [("syncer",)]
        kept = team.admin.execute("SELECT value FROM triage.state WHERE key = %s",
                                  (cursor_key("riverside"),)).fetchone()
        assert kept is not None and kept[0]["platform"] == "mastodon"
        [again] = _sync(TeamSink(desk), masto.base_url)
        assert again.summary() == "riverside: 0 new, 0 updated, 0 errors"
        assert desk.verify_journal().ok
    finally:
        desk.close()
