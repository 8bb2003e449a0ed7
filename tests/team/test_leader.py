"""One sync per account, one sender: advisory locks held by one process, taken over when it goes."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.connectors.conftest import (
    TOKENS,
    Masto,
    _servers,  # noqa: F401 - the session's mock servers
)
from tests.team.conftest import TeamDb
from triage import teamdb
from triage.teamdb.leader import SENDER, Leadership, lock_key, sync_role

ROOT = Path(__file__).resolve().parents[2]

#: Seconds the tests wait for a process to say something (a loaded machine is slow).
PATIENCE = 40.0


@pytest.fixture
def masto(_servers: tuple[Masto, Masto]) -> Masto:  # noqa: F811 - the fixture above
    _servers[0].reset()
    return _servers[0]


def test_keys_are_stable_and_distinct() -> None:
    assert lock_key("sender") == lock_key("sender")
    assert lock_key(sync_role("riverside")) != lock_key(sync_role("eastside"))
    # the same number in every process (no per-process hash seed)
    other = subprocess.run([sys.executable, "-c", "from triage.teamdb.leader import lock_key;"
                            "print(lock_key('sender'))"], capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert int(other.stdout) == lock_key(SENDER)


def test_one_holder_at_a_time_and_a_release_hands_the_role_over(team: TeamDb) -> None:
    teamdb.add_user(team.admin, "ana", ["agent"])
    teamdb.add_user(team.admin, "ben", ["agent"])
    first, second = Leadership(team.url("ana"), SENDER), Leadership(team.url("ben"), SENDER)
    try:
        assert first.try_take() and first.held and first.check()
        assert not second.try_take() and not second.held
        assert second.holder().startswith("ana (pid ")
        assert first.try_take()  # taking again what one holds keeps it
        first.release()
        assert not first.held and first.holder() == ""
        assert second.try_take() and second.held
        assert not first.try_take()
    finally:
        first.release()
        second.release()
    with Leadership(team.url("ana"), SENDER) as again:  # released on leaving the block
        assert again.held
    assert Leadership(team.url("ben"), SENDER).try_take()


def test_a_holder_that_dies_hands_the_role_over_within_one_poll(team: TeamDb) -> None:
    teamdb.add_user(team.admin, "ana", ["agent"])
    teamdb.add_user(team.admin, "ben", ["agent"])
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom triage.teamdb.leader import Leadership\n"
         f"lead = Leadership({team.url('ana')!r}, 'sender')\nprint(lead.try_take(), flush=True)"
         "\ntime.sleep(120)"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    waiting = Leadership(team.url("ben"), SENDER)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "True"
        assert not waiting.try_take()
        holder.send_signal(signal.SIGKILL)  # no goodbye: the connection just drops
        holder.wait(10)
        poll, started = 0.2, time.monotonic()
        while not waiting.try_take():
            assert time.monotonic() - started < 5, "the role was not freed by the death"
            time.sleep(poll)
        assert waiting.check()
    finally:
        holder.kill()
        waiting.release()


def test_a_dropped_connection_is_known_as_a_lost_role(team: TeamDb) -> None:
    teamdb.add_user(team.admin, "ana", ["agent"])
    lead = Leadership(team.url("ana"), sync_role("riverside"))
    assert lead.try_take()
    team.admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE usename = 'ana'")
    assert not lead.check() and not lead.held
    assert lead.try_take()  # nobody else took it: this side takes it again
    lead.release()


class Process:
    """A ``triage`` process whose output lines are read as they come."""

    def __init__(self, team: TeamDb, login: str, folder: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TRIAGE_", "PG"))}
        env.update(PYTHONPATH=str(ROOT), TRIAGE_DATABASE_URL=team.url(login),
                   ALICE_TOKEN=TOKENS["ALICE_TOKEN"])
        self.proc = subprocess.Popen([sys.executable, "-m", "triage", *args], env=env,
                                     cwd=folder, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, start: str) -> str:
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if line.startswith(start):
                return line
        raise AssertionError(f"never said {start!r}; said: {self.seen}")

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


def _config(folder: Path, masto: Masto) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "config.toml").write_text(f"""
[[accounts]]
name = "riverside"
platform = "mastodon"
base_url = "{masto.base_url}"
token_env = "ALICE_TOKEN"
poll_seconds = 5
""")


def test_two_sync_processes_one_syncs_and_the_other_takes_over_when_it_dies(
        masto: Masto, team: TeamDb, tmp_path: Path) -> None:
    masto.mentions(masto.post("alice", "Flu shots Saturday."), 4)
    teamdb.add_user(team.admin, "ana", ["agent"])
    teamdb.add_user(team.admin, "ben", ["agent"])
    _config(tmp_path, masto)
    first = Process(team, "ana", tmp_path, "sync")
    second: Process | None = None
    try:
        assert first.wait_for("riverside:") == "riverside: 4 new, 0 updated, 0 errors"
        second = Process(team, "ben", tmp_path, "sync")
        said = second.wait_for("account riverside")
        assert said.startswith("account riverside is being synced by another desk (ana (pid ")
        assert not [line for line in second.seen if line.startswith("riverside:")]
        first.stop()  # killed: its connection drops, and the lock with it
        masto.mentions(masto.post("alice", "Blood drive Friday."), 2)
        assert second.wait_for("took over") == "took over syncing account riverside"
        assert second.wait_for("riverside:") == "riverside: 2 new, 0 updated, 0 errors"
    finally:
        first.stop()
        if second is not None:
            second.stop()
    actors = dict(team.admin.execute("SELECT actor, count(*) FROM triage.journal "
                                     "WHERE kind = 'capture' GROUP BY actor").fetchall())
    assert actors == {"ana": 4, "ben": 2}


def test_sync_once_skips_an_account_another_desk_syncs(
        masto: Masto, team: TeamDb, tmp_path: Path) -> None:
    masto.mentions(masto.post("alice", "Flu shots Saturday."), 3)
    teamdb.add_user(team.admin, "ana", ["agent"])
    teamdb.add_user(team.admin, "ben", ["agent"])
    _config(tmp_path, masto)
    with Leadership(team.url("ana"), sync_role("riverside")) as other:
        assert other.held
        skipped = Process(team, "ben", tmp_path, "sync", "--once")
        said = skipped.wait_for("account riverside")
        assert said.startswith("account riverside is being synced by another desk (ana")
        assert skipped.proc.wait(PATIENCE) == 0
        assert not [line for line in skipped.seen if line.startswith("riverside:")]
        count = team.admin.execute("SELECT count(*) FROM triage.comments").fetchone()
        assert count == (0,)
    done = Process(team, "ben", tmp_path, "sync", "--once")
    assert done.wait_for("riverside:") == "riverside: 3 new, 0 updated, 0 errors"
    assert done.proc.wait(PATIENCE) == 0
