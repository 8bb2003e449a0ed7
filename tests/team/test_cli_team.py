"""The command line in team mode: real `triage` processes on one PostgreSQL database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.factories import FLU_POST, sample_comments
from tests.team.conftest import TeamDb
from triage import teamdb

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def queue(team: TeamDb) -> TeamDb:
    """The sample queue in the team database; ana and ben are agents, lee is legal."""
    teamdb.capture(team.admin, sample_comments(), [FLU_POST])
    teamdb.add_user(team.admin, "ana", ["agent"])
    teamdb.add_user(team.admin, "ben", ["agent"])
    teamdb.add_user(team.admin, "lee", ["legal"])
    return team


def triage(team: TeamDb, login: str, *args: str, stdin: str = "",
           extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`triage ARGS` as ``login`` (TRIAGE_DATABASE_URL), from an empty folder."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TRIAGE_", "PG"))}
    env.update(PYTHONPATH=str(ROOT), TRIAGE_DATABASE_URL=team.url(login), **(extra or {}))
    folder = Path(tempfile.gettempdir()) / f"cwd-{team.name}"  # no config.toml in it
    folder.mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "triage", *args], input=stdin, env=env,
                          cwd=folder, capture_output=True, text=True, timeout=60)


def test_ls_next_show_dismiss_undo_note_and_audit_on_the_team_store(queue: TeamDb) -> None:
    listed = triage(queue, "ana", "ls")
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.splitlines()
    assert len(rows) == 7 and rows[0].startswith("c-crisis\tinstagram\tnew\tcrisis")
    assert "555-201-8834" not in listed.stdout  # identifiers are masked

    taken = triage(queue, "ana", "next")
    assert taken.stdout.startswith("c-crisis\tassigned to ana\tcrisis"), taken.stderr
    other = triage(queue, "ben", "next")
    assert other.stdout.startswith("c-privacy\tassigned to ben"), other.stderr

    assert triage(queue, "ana", "dismiss", "c-plain").stdout.startswith("dismiss: 1 changed")
    noted = triage(queue, "ben", "note", "c-plain", "thanked her on the phone")
    assert noted.stdout.strip() == "noted on c-plain by ben"
    shown = triage(queue, "ana", "show", "c-plain").stdout
    assert "dismissed" in shown and "note:     ben" in shown and "thanked her" in shown
    undone = triage(queue, "ana", "undo")
    assert undone.stdout.strip() == "undid dismiss of 1 comment", undone.stderr
    as_json = triage(queue, "ana", "ls", "--json", "--status", "new", "--query", "assignee:me")
    assert [json.loads(line)["id"] for line in as_json.stdout.splitlines()] == ["c-crisis"]

    stats = triage(queue, "ana", "stats", "--json", "--since", "3650d")
    assert json.loads(stats.stdout)["total"] == 7, stats.stderr
    audit = triage(queue, "lee", "audit", "verify")
    assert audit.returncode == 0 and audit.stdout.startswith("OK: "), audit.stderr
    assert "entries in the team database's journal hold together" in audit.stdout


def test_a_crisis_needs_a_reason_and_a_refusal_exits_1(queue: TeamDb) -> None:
    refused = triage(queue, "ana", "dismiss", "c-crisis")
    assert refused.returncode == 1
    assert refused.stderr.startswith("triage: closing a crisis needs a reason")
    done = triage(queue, "ana", "dismiss", "c-crisis", "--reason", "on-call")
    assert done.returncode == 0 and done.stdout.startswith("dismiss: 1 changed")
    legal = triage(queue, "lee", "dismiss", "c-myth")
    assert legal.returncode == 1
    assert "only the agent role can dismiss comments (lee has: legal)" in legal.stderr


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_user_name_is_refused_in_team_mode(queue: TeamDb, how: str) -> None:
    if how == "option":
        result = triage(queue, "ana", "--user", "lee", "ls")
        given = "--user"
    else:
        result = triage(queue, "ana", "ls", extra={"TRIAGE_USER": "lee"})
        given = "TRIAGE_USER"
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        f"triage: in team mode you act as your database login (ana); {given} is not used "
        "(connect as another login to act as someone else)")


def test_import_captures_into_the_team_store_as_the_login(queue: TeamDb) -> None:
    line = json.dumps({"id": "imp-1", "platform": "facebook", "account": "riverside-fb",
                       "text": "When is the flu clinic open?",
                       "created_at": "2026-11-20T14:00:00Z", "author": "Ivy"})
    result = triage(queue, "ana", "import", "-", stdin=line + "\n" + line + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported 1, already stored 1, bad lines 0"
    shown = triage(queue, "ben", "show", "imp-1").stdout
    assert "tags:     question" in shown  # tagged on the way in
    row = queue.admin.execute("SELECT actor FROM triage.journal WHERE comment_id = 'imp-1'"
                              ).fetchone()
    assert row == ("ana",)


def test_a_command_of_the_embedded_store_only_says_so(queue: TeamDb) -> None:
    result = triage(queue, "ana", "outbox")
    assert result.returncode == 1
    assert "`triage outbox` works on the embedded store only so far" in result.stderr


def test_an_unknown_login_is_said_at_once_without_the_pools_retries(queue: TeamDb) -> None:
    result = triage(queue, "zed", "ls")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"triage: cannot connect to the database {queue.name} on ")
    assert 'role "zed" does not exist' in result.stderr
    assert "pool" not in result.stderr and len(result.stderr.splitlines()) == 1
