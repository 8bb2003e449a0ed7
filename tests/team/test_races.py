"""Several desks on one team database at the same moment: no lost or doubled work."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from psycopg import errors as pgerrors

from tests.factories import FLU_POST, make_comment, sample_comments
from tests.team.conftest import TeamDb
from triage import teamdb
from triage.errors import ActionRefused
from triage.teamdb.desk import TeamDesk, open_team_desk


def _at_once(work: list[Callable[[], Any]]) -> list[Any]:
    """Run each callable in a thread of its own, released together; their results."""
    gate = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(index: int) -> None:
        gate.wait()
        try:
            results[index] = work[index]()
        except Exception as exc:  # the test reads what each one got
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def _desks(team: TeamDb, names: list[str]) -> list[TeamDesk]:
    for name in names:
        teamdb.add_user(team.admin, name, ["agent"])
    return [open_team_desk(team.url(name), size=1) for name in names]


def test_two_logins_dismissing_one_comment_at_once_make_one_change(team: TeamDb) -> None:
    teamdb.capture(team.admin, sample_comments(), [FLU_POST])
    ana, ben = _desks(team, ["ana", "ben"])
    try:
        for _ in range(5):
            got = _at_once([lambda: ana.dismiss(["c-plain"]), lambda: ben.dismiss(["c-plain"])])
            assert sorted(len(r) for r in got) == [0, 1]  # one changed it, one found it done
            ana.restore(["c-plain"])
        rows = team.admin.execute("SELECT count(*) FROM triage.journal WHERE comment_id = "
                                  "'c-plain' AND kind = 'dismiss'").fetchone()
        assert rows == (5,)
        assert ana.verify_journal().ok
    finally:
        ana.close()
        ben.close()


def test_five_people_taking_next_at_once_get_five_different_comments(team: TeamDb) -> None:
    teamdb.capture(team.admin, [make_comment(f"n{i}", f"question {i}?", minutes_ago=i)
                                for i in range(12)])
    names = ["ana", "ben", "cy", "dee", "eli"]
    desks = _desks(team, names)
    try:
        for _ in range(2):
            got = _at_once([desk.claim_next for desk in desks])
            ids = [c.id for c in got]
            assert len(set(ids)) == 5
            assert sorted(c.assignee for c in got) == names
        assert len({c.id for c in desks[0].iter_comments() if c.assignee}) == 10
        assert desks[0].verify_journal().ok
    finally:
        for desk in desks:
            desk.close()


def test_undo_is_the_logins_own_even_with_hand_written_calls(team: TeamDb) -> None:
    teamdb.capture(team.admin, sample_comments(), [FLU_POST])
    ana, ben = _desks(team, ["ana", "ben"])
    try:
        done = ana.dismiss(["c-plain"])
        with ben.pool.connection() as conn, pytest.raises(
                ActionRefused, match=f"cannot undo entry {done[0].seq}: ana did it, not ben"):
            teamdb.calls.undo(conn, [done[0].seq])
        assert ben.get("c-plain").status == "dismissed"
    finally:
        ana.close()
        ben.close()


@pytest.mark.parametrize("statement", [
    "SELECT triage.hold_release('c-myth', 'not legal')",
    "SELECT triage.copy_history('[{\"kind\": \"dismiss\"}]')",
    "SELECT triage.copy_rows('[]', '[]', '[]', '[]')",
    "DELETE FROM triage.records WHERE tbl = 'holds'",
    "UPDATE triage.journal SET body = '{}' WHERE seq = 1",
    "SELECT triage.reveal('c-privacy', '{}')",
])
def test_an_agent_cannot_release_a_hold_copy_history_or_reveal(team: TeamDb,
                                                               statement: str) -> None:
    teamdb.capture(team.admin, sample_comments(), [FLU_POST])
    ana = team.login("ana", "agent")
    teamdb.hold_place(ana, "c-myth", "threat", "esc-1")
    with pytest.raises(pgerrors.InsufficientPrivilege), ana.transaction():
        ana.execute(statement)
    assert teamdb.verify_journal(ana).ok
    held = team.admin.execute("SELECT doc ->> 'active' FROM triage.records WHERE tbl = 'holds'"
                              ).fetchone()
    assert held == ("true",)
