"""Setting up the team database: init, migrations, status and logins, by API and CLI."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.clirun import run
from tests.team.conftest import TeamDb
from triage import teamdb
from triage.errors import ActionRefused, StoreError


def test_init_is_idempotent_and_creates_the_group_roles(team: TeamDb) -> None:
    assert teamdb.init(team.admin) == []  # the fixture ran it once already
    roles = {r[0] for r in team.admin.execute(
        "SELECT rolname FROM pg_roles WHERE rolname LIKE 'triage\\_%' AND NOT rolcanlogin")}
    assert {"triage_agent", "triage_approver", "triage_legal", "triage_admin"} <= roles
    states = teamdb.status(team.admin)
    assert [s.state for s in states] == ["applied"] * len(teamdb.migrations())
    assert [s.label for s in states] == [m.label for m in teamdb.migrations()]


def test_migrate_applies_each_file_once_and_status_says_what_is_pending(team: TeamDb) -> None:
    last = teamdb.migrations()[-1]
    team.admin.execute("DELETE FROM triage.schema_version WHERE version = %s", (last.version,))
    pending = [s for s in teamdb.status(team.admin) if s.state != "applied"]
    assert [(s.label, s.state) for s in pending] == [(last.label, "pending")]
    # Re-applying 0006 would fail (what it makes exists): migrate applies only what is
    # pending, so drop what 0006 made first, as a database at version 5 would be.
    team.admin.execute("DROP INDEX triage.outbox_sent_once, triage.outbox_comment, "
                       "triage.outbox_due")
    team.admin.execute("DROP FUNCTION triage.outbox_take, triage.outbox_sent, "
                       "triage.outbox_failed")
    assert [m.label for m in teamdb.migrate(team.admin)] == [last.label]
    assert teamdb.migrate(team.admin) == []
    assert {s.state for s in teamdb.status(team.admin)} == {"applied"}


def test_a_changed_migration_is_named_and_nothing_is_applied(team: TeamDb) -> None:
    team.admin.execute("UPDATE triage.schema_version SET sha256 = 'x' WHERE version = 1")
    assert teamdb.status(team.admin)[0].state == "changed"
    with pytest.raises(StoreError, match="0001_tables was changed after it was applied"):
        teamdb.migrate(team.admin)


def test_add_user_is_a_login_in_its_roles_and_refuses_bad_input(team: TeamDb) -> None:
    assert teamdb.add_user(team.admin, "ana", ["agent"]) == ["agent"]
    assert teamdb.add_user(team.admin, "ana", ["legal"]) == ["agent", "legal"]
    with pytest.raises(ActionRefused, match="unknown role boss"):
        teamdb.add_user(team.admin, "ana", ["boss"])
    with pytest.raises(ActionRefused, match="cannot be a login name"):
        teamdb.add_user(team.admin, "triage_agent", ["agent"])
    team.admin.execute("CREATE ROLE ana_group NOLOGIN")
    try:
        with pytest.raises(ActionRefused, match="'ana_group' is a group role"):
            teamdb.add_user(team.admin, "ana_group", ["agent"])
    finally:
        team.admin.execute("DROP ROLE ana_group")


def test_a_password_is_stored_hashed(team: TeamDb) -> None:
    teamdb.add_user(team.admin, "pat", ["agent"], password="correct horse")
    stored = team.admin.execute(
        "SELECT rolpassword FROM pg_authid WHERE rolname = 'pat'").fetchone()[0]
    assert stored.startswith("SCRAM-SHA-256$") and "correct horse" not in stored


def test_cli_db_init_user_add_migrate_status(team: TeamDb, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIAGE_DATABASE_URL", team.url())
    code, out, err = run(capsys, "db", "init")
    assert (code, err) == (0, "")
    assert "group roles: triage_agent, triage_approver, triage_legal, triage_admin" in out
    assert "schema up to date at version 6" in out
    code, out, _ = run(capsys, "db", "user", "add", "ben", "--role", "agent", "--role",
                       "approver")
    assert code == 0 and "ben: a login in triage_agent, triage_approver" in out
    code, out, _ = run(capsys, "db", "migrate")
    assert code == 0 and "up to date at version 6 (nothing to apply)" in out
    code, out, _ = run(capsys, "db", "status")
    assert code == 0
    assert "0001_tables  applied" in out and "0006_sender  applied" in out
    team.admin.execute("DELETE FROM triage.schema_version WHERE version = 6")
    code, out, err = run(capsys, "db", "status")
    assert code == 1 and "0006_sender  pending" in out and "run `triage db migrate`" in err


def test_cli_db_user_add_takes_a_password_from_the_environment(
        team: TeamDb, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIAGE_DATABASE_URL", team.url())
    code, _, err = run(capsys, "db", "user", "add", "lee", "--role", "legal",
                       "--password-env", "LEE_PASSWORD")
    assert code == 1 and "the environment variable LEE_PASSWORD is not set" in err
    monkeypatch.setenv("LEE_PASSWORD", "a long passphrase")
    code, out, _ = run(capsys, "db", "user", "add", "lee", "--role", "legal",
                       "--password-env", "LEE_PASSWORD")
    assert code == 0 and out == "lee: a login in triage_legal\n"
    stored = team.admin.execute(
        "SELECT rolpassword FROM pg_authid WHERE rolname = 'lee'").fetchone()[0]
    assert stored.startswith("SCRAM-SHA-256$")
    code, _, err = run(capsys, "db", "user", "add", "lee", "--role", "boss")
    assert code == 2 and "'boss' is not one of 'agent', 'approver'" in err


def test_cli_db_reads_the_url_from_config_and_refuses_a_password_in_it(
        team: TeamDb, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.delenv("TRIAGE_DATABASE_URL", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\nurl = "{team.url()}"\n')
    code, out, _ = run(capsys, "--config", str(config), "db", "status")
    assert code == 0 and "0003_actions  applied" in out
    config.write_text('[store]\nurl = "postgresql://ana:s3cret@db.example.org/triage"\n')
    code, out, err = run(capsys, "--config", str(config), "db", "status")
    assert code == 2 and "Traceback" not in err  # a configuration error
    assert "[store] url: holds a password" in err and "s3cret" not in err
    assert "PGPASSWORD" in err


def test_cli_db_without_a_url_or_server_says_what_to_do(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRIAGE_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRIAGE_CONFIG", raising=False)
    code, _, err = run(capsys, "db", "status")
    assert code == 1 and "no team database: set [store] url" in err
    monkeypatch.setenv("TRIAGE_DATABASE_URL", f"postgresql://nobody@/x?host={tmp_path}")
    code, _, err = run(capsys, "db", "status")
    assert code == 1 and err.startswith("triage: cannot connect to the database x on ")
    assert "Traceback" not in err


def test_cli_db_without_psycopg_names_the_extra(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_DATABASE_URL", "postgresql://ana@db.example.org/triage")
    for name in [n for n in sys.modules if n == "psycopg" or n.startswith(("psycopg.",
                                                                          "triage.teamdb"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now fails
    code, _, err = run(capsys, "db", "status")
    assert code == 1
    assert "pip install 'triage-desk[team]'" in err and "Traceback" not in err
