"""`triage reply|approvals|approve|reject|hide|outbox`, as a script runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clirun import run
from tests.connectors.conftest import RELAXED, TOKENS, Masto
from tests.connectors.conftest import sync as run_sync
from tests.outbox.conftest import (
    CDC,
    MASTODON_ACCOUNT,
    config_text,
    native,
    own_replies,
    seed_mastodon,
    standin_accounts,
    standin_comment,
    tagger,
)
from triage.config import parse_config
from triage.legal import escalate
from triage.outbox import SENDING, all_items
from triage.standins import StandinServer
from triage.store import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def masto_cli(masto: Masto, tmp_path: Path, templates_dir: Path,
              monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], dict[str, str]]:
    """Global options for a config and a store synced from mastodon-mock (closed again)."""
    for name, value in TOKENS.items():
        monkeypatch.setenv(name, value)
    account = {**MASTODON_ACCOUNT, "base_url": masto.base_url}
    text = config_text(templates_dir, [account])
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    ids = seed_mastodon(masto)
    with Store(tmp_path / "data", tagger=tagger) as store:
        run_sync(parse_config(text).accounts, store, environ=TOKENS, policy=RELAXED)
    return ["--config", str(tmp_path / "config.toml"), "--data-dir", str(tmp_path / "data")], ids


def test_reply_sends_at_once_and_a_second_call_posts_nothing(
        capsys: pytest.CaptureFixture[str], masto: Masto,
        masto_cli: tuple[list[str], dict[str, str]]) -> None:
    options, ids = masto_cli
    code, out, err = run(capsys, *options, "--user", "ben", "reply", ids["myth"],
                         "--template", "myth-any", "--yes")
    assert code == 0, err
    (reply,) = own_replies(masto, native(ids["myth"]))
    assert out == f"{reply['id']}\n" and CDC in reply["content"]
    assert f"sent: the reply to {ids['myth']} posted on mastodon" in err
    code, out, err = run(capsys, *options, "reply", ids["myth"], "--template", "myth-any",
                         "--yes")
    assert (code, out) == (0, f"{reply['id']}\n")
    assert err.startswith("already sent: Reply by ben posted") and "Nothing was posted." in err
    assert len(own_replies(masto, native(ids["myth"]))) == 1
    code, out, _ = run(capsys, *options, "outbox", "--json")
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert (row["state"], row["reply_id"], row["by"], row["comment_id"]) == (
        "sent", reply["id"], "ben", ids["myth"])


def test_reply_asks_first_and_no_sends_nothing(
        capsys: pytest.CaptureFixture[str], masto: Masto,
        masto_cli: tuple[list[str], dict[str, str]]) -> None:
    options, ids = masto_cli
    code, out, err = run(capsys, *options, "reply", ids["question"], "--template",
                         "question-any", stdin="n\n")
    assert code == 1 and out == ""
    assert "good question: see https://www.example.org/contact" in err
    assert "Send it now? [y/N]" in err and "Aborted." in err
    assert own_replies(masto, native(ids["question"])) == []
    code, out, _ = run(capsys, *options, "outbox")
    assert (code, out) == (0, "")


@pytest.mark.parametrize(("kind", "template", "message"), [
    ("privacy", "thanks", "the comment is a privacy risk and the template is not PHI-safe"),
    ("question", "question-old", "approval lapsed"),
    ("question", "no-such", "no usable template with id 'no-such'"),
])
def test_reply_refuses_what_may_not_be_sent(
        capsys: pytest.CaptureFixture[str], masto: Masto,
        masto_cli: tuple[list[str], dict[str, str]], kind: str, template: str,
        message: str) -> None:
    options, ids = masto_cli
    code, out, err = run(capsys, *options, "reply", ids[kind], "--template", template, "--yes")
    assert code == 1 and out == "" and err.startswith("triage: ") and message in err
    assert own_replies(masto, native(ids[kind])) == []


def test_free_text_waits_for_an_approver_then_is_sent(
        capsys: pytest.CaptureFixture[str], masto: Masto,
        masto_cli: tuple[list[str], dict[str, str]]) -> None:
    options, ids = masto_cli
    code, out, err = run(capsys, *options, "--user", "ben", "reply", ids["question"],
                         "--template", "question-any", "--text",
                         "Hi carol, good question: call 1-800-555-0199 any time.")
    assert code == 0 and "needs approval" in err
    item_id = out.strip()
    code, out, _ = run(capsys, *options, "approvals")
    assert item_id[:8] in out and "by ben" in out
    assert "  comment: @alice when does the clinic open?\n" in out
    assert ("  reply:   Hi [-Carol,-]{+carol,+} good question: [-see "
            "https://www.example.org/contact or -]call [-1-800-555-0199.-]{+1-800-555-0199 "
            "any time.+}\n") in out
    code, _, err = run(capsys, *options, "--user", "ben", "approve", item_id[:8])
    assert code == 1 and "only the approver role can approve" in err
    code, _, err = run(capsys, *options, "--user", "ana", "approve", item_id[:8])
    assert code == 0 and "approved" in err
    code, out, err = run(capsys, *options, "--user", "ana", "outbox", "send")
    assert code == 0 and "\tsent\t" in out
    (reply,) = own_replies(masto, native(ids["question"]))
    assert "call 1-800-555-0199 any time." in reply["content"]
    code, out, _ = run(capsys, *options, "approvals", "--json")
    assert out == ""


def test_the_writer_of_a_reply_may_not_approve_it(
        capsys: pytest.CaptureFixture[str], masto: Masto,
        masto_cli: tuple[list[str], dict[str, str]]) -> None:
    options, ids = masto_cli
    code, out, _ = run(capsys, *options, "--user", "ana", "reply", ids["question"],
                       "--text", "Call us any time.")
    item_id = out.strip()
    code, out, err = run(capsys, *options, "--user", "ana", "approve", item_id[:8])
    assert code == 1 and out == ""
    assert ("you wrote this reply; another approver must approve it (four eyes: config.toml "
            "[replies] self_approval = false)") in err
    code, out, _ = run(capsys, *options, "approvals")
    assert item_id[:8] in out and "by ana" in out


def test_reject_needs_a_note_and_an_approver(
        capsys: pytest.CaptureFixture[str], masto_cli: tuple[list[str], dict[str, str]]) -> None:
    options, ids = masto_cli
    _, out, _ = run(capsys, *options, "reply", ids["question"], "--text", "Call us.")
    item_id = out.strip()
    code, _, err = run(capsys, *options, "--user", "ana", "reject", item_id)
    assert code == 2 and "--note" in err
    code, _, err = run(capsys, *options, "--user", "ana", "reject", item_id, "--note",
                       "use the hours template")
    assert code == 0 and "rejected" in err
    _, out, _ = run(capsys, *options, "outbox", "--state", "rejected", "--json")
    row = json.loads(out)
    assert row["decision"] == {"by": "ana", "at": row["decision"]["at"], "approved": False,
                               "note": "use the hours template"}


def test_cancel_and_a_hold(capsys: pytest.CaptureFixture[str], masto: Masto,
                           masto_cli: tuple[list[str], dict[str, str]]) -> None:
    options, ids = masto_cli
    _, out, _ = run(capsys, *options, "reply", ids["question"], "--text", "Call us.")
    code, _, err = run(capsys, *options, "outbox", "cancel", out.strip()[:6])
    assert code == 0 and "cancelled" in err
    with Store(Path(options[3])) as store:
        escalate(store, parse_config(Path(options[1]).read_text()), "ana", ids["myth"],
                 "other", "low", "")
    code, _, err = run(capsys, *options, "reply", ids["myth"], "--template", "myth-any",
                       "--yes")
    assert code == 1 and "cannot reply: the comment is on legal hold" in err
    code, _, err = run(capsys, *options, "hide", ids["question"])
    assert code == 1 and "cannot hide: Mastodon has no per-reply hide" in err
    assert own_replies(masto, native(ids["myth"])) == []


@pytest.fixture
def standin_cli(tmp_path: Path, templates_dir: Path,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[StandinServer, list[str], str]]:
    """The stand-ins, a config for them, and a stored Facebook comment that exists there."""
    server = StandinServer().start()
    accounts, environ = standin_accounts(server)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "config.toml").write_text(config_text(templates_dir, accounts), "utf-8")
    comment = standin_comment(server, "facebook", "The flu shot gives you the flu", "facebook")
    with Store(tmp_path / "data") as store:
        store.ingest([comment], user="test")
    yield server, ["--config", str(tmp_path / "config.toml"), "--data-dir",
                   str(tmp_path / "data")], comment.id
    server.stop()


def test_hide_and_unhide_from_the_command_line(
        capsys: pytest.CaptureFixture[str],
        standin_cli: tuple[StandinServer, list[str], str]) -> None:
    server, options, comment_id = standin_cli
    code, _, err = run(capsys, *options, "hide", comment_id)
    assert (code, err) == (0, f"hidden on facebook: {comment_id} (status hidden)\n")
    code, _, err = run(capsys, *options, "hide", comment_id, "--undo")
    assert (code, err) == (0, f"unhidden on facebook: {comment_id} (status new)\n")
    assert [p["action"] for p in server.posted("facebook")] == ["hide", "unhide"]


def test_a_crash_mid_send_then_a_restart_posts_once(
        capsys: pytest.CaptureFixture[str],
        standin_cli: tuple[StandinServer, list[str], str]) -> None:
    """Kill `triage reply` after Facebook committed the reply but before it answered."""
    server, options, comment_id = standin_cli
    server.fault("facebook", "commit_then_delay", path="/*/comments", method="POST", delay=60)
    child = subprocess.Popen(
        [sys.executable, "-m", "triage", *options, "reply", comment_id, "--template",
         "myth-any", "--yes"], cwd=ROOT, env=os.environ.copy(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not server.posted("facebook") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(server.posted("facebook")) == 1, child.stderr
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    with Store(Path(options[3])) as store:
        (item,) = all_items(store)
        assert item.state == SENDING
    code, out, err = run(capsys, *options, "outbox", "send")
    assert code == 0, err
    assert "was already posted" not in out and "found already posted" in out
    (posted,) = server.posted("facebook")
    assert posted["id"] in out
