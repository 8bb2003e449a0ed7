"""`triage db copy`: the sandbox's store moved into PostgreSQL with nothing lost."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.clirun import run
from tests.team.conftest import TeamDb
from triage import teamdb
from triage.cli import Env
from triage.config import AccountConfig, Config, TeamMember
from triage.desk import Desk
from triage.legal.escalation import escalate
from triage.sandbox_store import prepare_sandbox
from triage.store import Store
from triage.teamdb.desk import open_team_desk


@pytest.fixture
def worked_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sandbox's store (300 comments), worked on: dismissed, tagged, assigned, noted,
    a crisis closed, a reply queued, two comments escalated (on legal hold)."""
    for name in ("TRIAGE_CONFIG", "TRIAGE_DATA_DIR", "TRIAGE_USER", "TRIAGE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    data_dir = tmp_path / "sandbox"
    prepare_sandbox(Env(), data_dir, size=300, seed=7, reset=False, platforms=())
    config = Config(team=[TeamMember("ana", roles=["agent"]), TeamMember("lee", roles=["legal"])])
    with Store(data_dir) as store:
        desk = Desk(store, "ana", config=config)
        ids = sorted(c.id for c in store)
        desk.dismiss(ids[:20], "on-call")
        crisis = next(c.id for c in store if c.tag("crisis") and c.status == "new")
        desk.dismiss([crisis], "lifeline")
        desk.correct_tag(ids[20:25], "question", add=True)
        desk.assign(ids[25:30], "ana")
        desk.add_note(ids[30], "called her back")
        escalate(store, config, "ana", ids[31], "legal_threat")
        escalate(store, config, "ana", ids[32], "privacy_breach")
        target = store.get(ids[33])
        desk.config = Config(team=config.team, accounts=[
            AccountConfig(target.account, target.platform, token_env="SANDBOX_TOKEN")])
        desk.submit_reply(target.id, "Thank you, we are looking into it.", None)
    return data_dir


def test_the_sandbox_store_is_copied_with_nothing_lost(
        worked_sandbox: Path, team: TeamDb, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_DATABASE_URL", team.url())
    code, out, err = run(capsys, "db", "copy", "--from", str(worked_sandbox))
    assert code == 0, err
    with Store(worked_sandbox) as store:
        comments = {c.id: c for c in store}
        entries = [e for _, e in store.journal.read()]
        tables = {t: store.records(t) for t in store.record_tables()}
    assert out.startswith(f"copied from {worked_sandbox}:\n  comments: 300 (")
    assert {"escalations", "holds", "notes", "closings", "outbox"} <= set(tables)
    assert f"journal: {len(entries)} entries kept in order as history" in out
    assert f"the team journal's {len(entries) + 1} entries hold together" in out

    teamdb.add_user(team.admin, "ana", ["agent"])
    ana = open_team_desk(team.url("ana"), size=1)
    try:
        copied = {c.id: c for c in ana.iter_comments()}
        assert set(copied) == set(comments)
        for cid, comment in comments.items():
            got = copied[cid]
            assert (got.status, got.assignee, got.tags, got.text, got.author, got.created_at) \
                == (comment.status, comment.assignee, comment.tags, comment.text,
                    comment.author, comment.created_at), cid
        assert Counter(c.status for c in copied.values()) == Counter(
            c.status for c in comments.values())
        for table, docs in tables.items():
            assert ana.records(table) == docs, table
        assert ana.held_among(list(comments)) == 2
        assert list(ana.journal_entries())[:len(entries)] == entries
        assert ana.verify_journal().ok
        noted = next(iter(tables["notes"].values()))
        assert [n.text for n in ana.notes(noted["comment_id"])] == ["called her back"]
    finally:
        ana.close()

    code, _, err = run(capsys, "db", "copy", "--from", str(worked_sandbox))
    assert code == 1 and "this store was copied already (team journal entry" in err


def test_a_copy_into_a_database_with_comments_needs_force_append(
        worked_sandbox: Path, team: TeamDb, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.factories import make_comment

    teamdb.capture(team.admin, [make_comment("already-here", "hello")])
    monkeypatch.setenv("TRIAGE_DATABASE_URL", team.url())
    code, out, err = run(capsys, "db", "copy", "--from", str(worked_sandbox))
    assert code == 1 and out == ""
    assert "the team database is not empty (1 comments, 1 journal rows)" in err
    assert team.admin.execute("SELECT count(*) FROM triage.comments").fetchone() == (1,)
    code, out, err = run(capsys, "db", "copy", "--from", str(worked_sandbox), "--force-append")
    assert code == 0, err
    assert team.admin.execute("SELECT count(*) FROM triage.comments").fetchone() == (301,)
