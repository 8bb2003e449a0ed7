"""The rules hold inside the database: roles, append-only journal, actor = the login."""

from __future__ import annotations

from dataclasses import replace

import psycopg
import pytest
from psycopg import errors as pgerrors

from tests.factories import FLU_POST, sample_comments
from tests.team.conftest import TeamDb
from triage import teamdb
from triage.errors import ActionRefused, NotFound


@pytest.fixture
def queue(team: TeamDb) -> TeamDb:
    """The sample queue captured by an agent (ana); lee is legal, cy an approver."""
    ana = team.login("ana", "agent")
    assert teamdb.capture(ana, sample_comments(), [FLU_POST])[0] == len(sample_comments())
    team.login("lee", "legal")
    team.login("cy", "approver")
    return team


def _raw(conn: psycopg.Connection, statement: str) -> None:
    with conn.transaction():
        conn.execute(statement)


@pytest.mark.parametrize("statement", [
    "UPDATE triage.journal SET actor = 'lee'",
    "DELETE FROM triage.journal",
    "TRUNCATE triage.journal",
    "INSERT INTO triage.journal VALUES (99, now(), 'lee', 'hold_release', NULL, '{}', 'x', 'y')",
    "UPDATE triage.comments SET status = 'dismissed'",
    "DELETE FROM triage.comments",
    "TRUNCATE triage.comments",
    "UPDATE triage.records SET doc = '{\"active\": false}' WHERE tbl = 'holds'",
    "SELECT triage.append('hold_release', 'c-myth', '{}')",
])
def test_an_agent_cannot_change_state_or_the_journal_with_hand_written_sql(
        queue: TeamDb, statement: str) -> None:
    ana = queue.login("ana")
    with pytest.raises(pgerrors.InsufficientPrivilege, match="permission denied"):
        _raw(ana, statement)
    assert teamdb.verify_journal(ana).ok


def test_only_legal_releases_a_hold_and_the_hold_refuses_changes(queue: TeamDb) -> None:
    ana, lee = queue.login("ana"), queue.login("lee")
    teamdb.hold_place(ana, "c-myth", "threat", "esc-1")
    with pytest.raises(ActionRefused, match="cannot dismiss: c-myth is on legal hold"):
        teamdb.dismiss(ana, ["c-myth"])
    with pytest.raises(ActionRefused,
                       match=r"only the legal role can release a legal hold \(ana has: agent\)"):
        teamdb.hold_release(ana, "c-myth", "done")
    # A batch leaves the held comment out and changes the rest.
    done = teamdb.dismiss(ana, ["c-myth", "c-question"])
    assert [a.comment_id for a in done] == ["c-question"]
    released = teamdb.hold_release(lee, "c-myth", "case closed")
    assert (released.user, released.kind) == ("lee", "hold_release")
    assert released.data["record"]["doc"]["active"] is False
    assert [a.comment_id for a in teamdb.dismiss(ana, ["c-myth"])] == ["c-myth"]


def test_only_an_approver_approves_and_never_their_own_reply(queue: TeamDb) -> None:
    ana, cy = queue.login("ana"), queue.login("cy")
    ben = queue.login("ben", "agent", "approver")
    item = teamdb.submit_reply(ana, "c-question", "We open at 9 on Saturday.", None)
    item_id = item.data["record"]["key"]
    assert item.kind == "reply_submitted"
    with pytest.raises(ActionRefused, match="only the approver role can approve a reply"):
        teamdb.approve_reply(ana, item_id)
    mine = teamdb.submit_reply(ben, "c-myth", "The flu shot has no live virus.", None)
    with pytest.raises(ActionRefused, match="cannot approve their own reply"):
        teamdb.approve_reply(ben, mine.data["record"]["key"])
    approved = teamdb.approve_reply(cy, item_id, "fine")
    assert approved.user == "cy"
    assert approved.data["record"]["doc"]["state"] == "queued"
    assert approved.data["record"]["doc"]["decision"]["by"] == "cy"
    status = cy.execute("SELECT status FROM triage.comments WHERE id = 'c-question'").fetchone()
    assert status == ("replied",)
    with pytest.raises(ActionRefused, match="is queued, not waiting for approval"):
        teamdb.approve_reply(ben, item_id)
    with pytest.raises(ActionRefused, match="already in the outbox"):
        teamdb.submit_reply(ana, "c-question", "We open at 9 on Saturday.", None)


def test_the_actor_is_the_login_whatever_role_it_sets(queue: TeamDb) -> None:
    ana = queue.login("ana")
    ana.execute("SET ROLE triage_agent")  # current_user changes; session_user does not
    actions = teamdb.assign(ana, ["c-question", "c-myth"], "ana")
    assert {a.user for a in actions} == {"ana"}
    assert len({a.batch for a in actions}) == 1 and actions[0].batch
    rows = ana.execute("SELECT DISTINCT actor FROM triage.journal WHERE kind = 'assign'")
    assert rows.fetchall() == [("ana",)]
    with pytest.raises(ActionRefused, match="'lee' is not an agent of the team"):
        teamdb.assign(ana, ["c-myth"], "lee")


def test_tags_statuses_and_unknown_ids(queue: TeamDb) -> None:
    ana = queue.login("ana")
    [added] = teamdb.correct_tag(ana, ["c-question"], "crisis", add=True)
    assert [t["name"] for t in added.after["tags"]] == ["crisis", "question"]
    assert added.data == {"tag": "crisis", "op": "add", "tagger_had": False}
    [removed] = teamdb.correct_tag(ana, ["c-question"], "question", add=False)
    assert removed.data["tagger_had"] is True
    assert teamdb.correct_tag(ana, ["c-question"], "question", add=False) == []
    with pytest.raises(ActionRefused, match="unknown tag fun"):
        teamdb.correct_tag(ana, ["c-question"], "fun", add=True)
    [hidden] = teamdb.set_status(ana, ["c-myth"], "hidden")
    assert (hidden.before, hidden.after) == ({"status": "new"}, {"status": "hidden"})
    with pytest.raises(ActionRefused, match="deleted at its source"):
        teamdb.set_status(ana, ["c-myth"], "deleted")
    with pytest.raises(NotFound, match="no comment with id 'c-nope'"):
        teamdb.dismiss(ana, ["c-nope"])
    assert [a.kind for a in teamdb.restore(ana, ["c-myth"])] == ["restore"]


def test_a_legal_login_cannot_do_an_agents_work(queue: TeamDb) -> None:
    lee = queue.login("lee")
    with pytest.raises(ActionRefused, match=r"only the agent role can dismiss comments \(lee"):
        teamdb.dismiss(lee, ["c-question"])
    stranger = queue.login("sam", "pharmacovigilance")
    with pytest.raises(ActionRefused, match="only the agent role can take the next comment"):
        teamdb.claim_next(stranger)


def test_the_chain_verifies_and_a_change_by_the_owner_is_found(queue: TeamDb) -> None:
    ana = queue.login("ana")
    teamdb.dismiss(ana, ["c-question"])
    teamdb.assign(ana, ["c-myth"], "ana")
    check = teamdb.verify_journal(ana)
    count = ana.execute("SELECT count(*) FROM triage.journal").fetchone()[0]
    assert check.ok and check.entries == count > len(sample_comments())
    seqs = [r[0] for r in ana.execute("SELECT seq FROM triage.journal ORDER BY seq")]
    assert seqs == list(range(1, count + 1))
    # Only the owner (an administrator) can touch a row, and the chain names it.
    queue.admin.execute("UPDATE triage.journal SET actor = 'lee' WHERE kind = 'dismiss'")
    forged = teamdb.verify_journal(ana)
    assert not forged.ok and forged.entries == forged.broken_seq - 1
    assert forged.reason == f"entry {forged.broken_seq} was changed after it was written"
    queue.admin.execute(f"DELETE FROM triage.journal WHERE seq = {forged.broken_seq}")
    assert "entries are missing" in (teamdb.verify_journal(ana).reason or "")


def test_captures_are_journaled_as_hashes_and_a_changed_text_as_an_update(
        queue: TeamDb) -> None:
    ana = queue.login("ana")
    comments = sample_comments()
    assert teamdb.capture(ana, comments) == (0, 0, len(comments))
    edited = replace(comments[0], text="Edited: when does the clinic open?")
    assert teamdb.capture(ana, [edited]) == (0, 1, 0)
    row = ana.execute("SELECT kind, body FROM triage.journal ORDER BY seq DESC LIMIT 1").fetchone()
    assert row[0] == "update" and row[1]["data"]["sha256"] == edited.content_hash
    texts = ana.execute("SELECT count(*) FROM triage.journal WHERE body::text LIKE '%Edited%'")
    assert texts.fetchone() == (0,)
