"""Several desks at once: claims that never collide, changes heard on commit, leases."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from tests.factories import make_comment
from tests.team.conftest import TeamDb
from triage import teamdb
from triage.model import Tag

AGENTS = ("ana", "ben", "cy", "dee", "eli")


@pytest.fixture
def busy(team: TeamDb) -> TeamDb:
    """30 open comments: every third a crisis, the rest questions; c-27 waited longest."""
    comments = [
        make_comment(f"c-{n:02d}", f"comment {n}", minutes_ago=n,
                     tags=(Tag("crisis" if n % 3 == 0 else "question", 0.9),))
        for n in range(30)
    ]
    for name in AGENTS:
        team.login(name, "agent")
    teamdb.capture(team.login("ana"), comments)
    return team


def test_five_agents_taking_the_next_comment_at_once_get_different_ones(busy: TeamDb) -> None:
    conns = {name: busy.login(name) for name in AGENTS}
    start = threading.Barrier(len(AGENTS))
    taken: dict[str, list[str]] = {name: [] for name in AGENTS}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            for _ in range(6):
                start.wait(timeout=10)  # every round, five claims race
                comment = teamdb.claim_next(conns[name])
                assert comment is not None and comment.assignee == name
                taken[name].append(comment.id)
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in AGENTS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    every = [cid for ids in taken.values() for cid in ids]
    assert len(every) == len(set(every)) == 30
    # The crises went first: the first round took five of the ten crises.
    firsts = sorted(ids[0] for ids in taken.values())
    assert all(int(cid[2:]) % 3 == 0 for cid in firsts)
    check = busy.admin.execute(
        "SELECT assignee, count(*) FROM triage.comments GROUP BY assignee ORDER BY 1")
    assert check.fetchall() == [(name, 6) for name in sorted(AGENTS)]
    assert teamdb.claim_next(conns["ana"]) is None  # nothing left
    assert teamdb.verify_journal(conns["ana"]).ok


def test_a_listener_hears_a_change_only_once_it_is_committed(busy: TeamDb) -> None:
    listener = busy.login("ben")
    teamdb.listen(listener)
    pool = teamdb.open_pool(busy.url("ana"), size=2)
    try:
        with pool.connection() as ana, ana.transaction():
            ana.execute("SELECT * FROM triage.dismiss(ARRAY['c-05'])")
            assert list(teamdb.changes(listener, timeout=0.3)) == []  # not committed yet
        started = time.monotonic()
        heard = list(teamdb.changes(listener, timeout=5, stop_after=1))
        waited = time.monotonic() - started
        with pool.connection() as ana:
            seq = ana.execute("SELECT max(seq) FROM triage.journal").fetchone()[0]
    finally:
        pool.close()
    assert [(c.seq, c.kind, c.comment_id) for c in heard] == [(seq, "dismiss", "c-05")]
    assert waited < 1
    with busy.login("cy") as cy, cy.transaction():  # a rolled-back change is never heard
        cy.execute("SELECT * FROM triage.dismiss(ARRAY['c-06'])")
        raise psycopg.Rollback()
    assert list(teamdb.changes(listener, timeout=0.3)) == []


def test_a_lease_shows_who_is_on_a_comment_until_it_expires(busy: TeamDb) -> None:
    ana, ben = busy.login("ana"), busy.login("ben")
    listener = busy.login("cy")
    teamdb.listen(listener)
    teamdb.lease_set(ana, "c-01", "replying", 1)
    teamdb.lease_set(ben, "c-02", "replying", 60)
    [heard, _] = teamdb.changes(listener, timeout=5, stop_after=2)
    assert (heard.kind, heard.comment_id, heard.person, heard.seq) == ("lease", "c-01", "ana",
                                                                       None)
    assert [(lease.person, lease.what) for lease in teamdb.leases(ben, "c-01")] == [
        ("ana", "replying")]
    time.sleep(1.2)
    assert teamdb.leases(ben, "c-01") == []  # ana's desk died: the lease lapsed
    assert [lease.comment_id for lease in teamdb.leases(ana)] == ["c-02"]
    assert teamdb.lease_release(ana, "c-02") is False  # only one's own lease
    assert teamdb.lease_release(ben, "c-02") is True
    assert teamdb.leases(ana) == []


def test_a_comment_being_changed_is_skipped_not_waited_for(busy: TeamDb) -> None:
    ana = busy.login("ana")
    ana.execute("SET statement_timeout = '2s'")
    with busy.admin.transaction():  # another transaction holds the most urgent comment
        busy.admin.execute("SELECT 1 FROM triage.comments WHERE id = 'c-27' FOR UPDATE")
        started = time.monotonic()
        comment = teamdb.claim_next(ana)
        assert time.monotonic() - started < 1
    assert comment is not None and comment.id == "c-24"  # the next crisis by age
