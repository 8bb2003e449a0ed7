"""``triage sync``: what it prints per account, and its exit codes."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from tests.connectors.conftest import FAST, TOKENS, Masto, question_tagger, standin_account
from triage.cli import Env, main
from triage.cli_sync import keep_syncing
from triage.config import parse_config
from triage.errors import ConfigError
from triage.standins import StandinServer
from triage.store import Store
from triage.sync import AccountResult, SyncOptions
from triage.sync_sink import StoreSink


def write_config(tmp_path: Path, masto: Masto, extra: str = "") -> str:
    path = tmp_path / "config.toml"
    path.write_text(f"""
[[accounts]]
name = "riverside"
platform = "mastodon"
base_url = "{masto.base_url}"
token_env = "ALICE_TOKEN"

[[accounts]]
name = "eastside"
platform = "mastodon"
base_url = "{masto.base_url}"
token_env = "EASTSIDE_TOKEN"
{extra}""")
    return str(path)


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(Env, "tagger", lambda self: question_tagger)
    monkeypatch.setenv("ALICE_TOKEN", TOKENS["ALICE_TOKEN"])
    monkeypatch.setenv("BOB_TOKEN", TOKENS["BOB_TOKEN"])
    monkeypatch.delenv("EASTSIDE_TOKEN", raising=False)
    return tmp_path / "data"


def run(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as stopped:
        return int(stopped.code or 0)
    return 0


def test_sync_once_prints_each_account_and_exits_0(
    masto: Masto, tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    masto.mentions(masto.post("alice", "Flu shots Saturday."), 3)
    masto.mentions(masto.post("bob", "Blood drive Friday."), 2, user="carol")
    monkeypatch.setenv("EASTSIDE_TOKEN", "bob_token")
    config = write_config(tmp_path, masto)

    code = run(["--config", config, "--data-dir", str(cli_env), "sync", "--once"])

    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert out.splitlines() == ["riverside: 3 new, 0 updated, 0 errors",
                                "eastside: 2 new, 0 updated, 0 errors"]
    with Store(cli_env) as store:
        assert len(store) == 5 and all(c.tag_names == ("question",) for c in store)


def test_a_failed_account_is_said_once_and_exits_1(
    masto: Masto, tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    masto.mentions(masto.post("alice", "Flu shots Saturday."), 2)
    config = write_config(tmp_path, masto)

    code = run(["--config", config, "--data-dir", str(cli_env), "sync", "--once"])

    out, err = capsys.readouterr()
    assert code == 1
    assert out.splitlines() == ["riverside: 2 new, 0 updated, 0 errors",
                                "eastside: 0 new, 0 updated, 1 error; auth error"]
    assert err.splitlines() == [
        "triage: eastside: the environment variable EASTSIDE_TOKEN is not set "
        "(it must hold the account's mastodon token)",
        "triage: 1 of 2 accounts failed: eastside",
    ]


def test_one_account_by_name_and_an_unknown_name(
    masto: Masto, tmp_path: Path, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    masto.mentions(masto.post("alice", "Flu shots Saturday."), 1)
    config = write_config(tmp_path, masto)

    assert run(["--config", config, "--data-dir", str(cli_env), "sync", "--once",
                "--account", "riverside"]) == 0
    assert capsys.readouterr().out == "riverside: 1 new, 0 updated, 0 errors\n"
    assert run(["--config", config, "--data-dir", str(cli_env), "sync", "--once",
                "--account", "nope"]) == 2
    assert "no account named 'nope' (accounts: riverside, eastside)" in capsys.readouterr().err


def test_no_accounts_is_a_config_error(tmp_path: Path, cli_env: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.toml"
    path.write_text("poll_seconds = 30\n")

    assert run(["--config", str(path), "--data-dir", str(cli_env), "sync", "--once"]) == 2
    assert "no accounts to sync; add [[accounts]] tables" in capsys.readouterr().err


def test_the_loop_reports_news_and_changes_only(
    masto: Masto, tmp_path: Path, cli_env: Path
) -> None:
    post = masto.post("alice", "Flu shots Saturday.")
    masto.mentions(post, 2)
    config = parse_config(Path(write_config(tmp_path, masto)).read_text())
    reports: list[list[str]] = []
    clock = [0.0]

    async def sleep(seconds: float) -> None:  # a poll interval passes; two people comment
        clock[0] += seconds
        masto.mentions(post, 2, start=10 * len(reports))

    def report(results: list[AccountResult]) -> None:
        reports.append([r.summary() for r in results])

    with Store(cli_env, tagger=question_tagger) as store:
        asyncio.run(keep_syncing(
            config.accounts, StoreSink(store), config, report=report, cycles=3,
            options=SyncOptions(policy=FAST, environ=TOKENS), sleep=sleep,
            monotonic=lambda: clock[0]))

    assert reports == [
        ["riverside: 2 new, 0 updated, 0 errors",
         "eastside: 0 new, 0 updated, 1 error; auth error"],
        ["riverside: 2 new, 0 updated, 0 errors"],  # the lasting auth error is not repeated
        ["riverside: 2 new, 0 updated, 0 errors"],
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("name = 'a:b'\nplatform = 'mastodon'\ntoken_env = 'T'",
         "[[accounts]] #1 (a:b) name: use letters, digits"),
        ("name = 'a'\nplatform = 'mastodon'\ntoken_env = 'abc-123.secret'",
         "[[accounts]] #1 (a) token_env: must name an environment variable"),
        ("name = 'a'\nplatform = 'mastodon'\ntoken_env = 'T'\npoll_seconds = 2",
         "[[accounts]] #1 (a) poll_seconds: must be 0 (the global value) or between 5 and "
         "86400"),
        ("name = 'a'\nplatform = 'mastodon'\ntoken_env = 'T'\nbase_url = 'ftp://x'",
         "[[accounts]] #1 (a) base_url: must be an http(s) URL"),
    ],
)
def test_account_mistakes_name_the_key(fields: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(f"[[accounts]]\n{fields}\n")
    assert message in str(caught.value)
    assert "abc-123.secret" not in str(caught.value)


def test_a_paused_account_says_the_platforms_reason(
    standins: StandinServer, tmp_path: Path, cli_env: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    account, environ = standin_account(standins, "youtube")
    for variable, token in environ.items():
        monkeypatch.setenv(variable, token)
    standins.fault("youtube", "throttle", path="/commentThreads")
    path = tmp_path / "config.toml"
    path.write_text(f"""
[[accounts]]
name = "{account.name}"
platform = "youtube"
base_url = "{account.base_url}"
token_env = "{account.token_env}"
channel_id = "{account.channel_id}"
""")

    code = run(["--config", str(path), "--data-dir", str(cli_env), "sync", "--once"])

    out, err = capsys.readouterr()
    assert code == 0 and err == ""  # a pause is no failure
    assert re.fullmatch(
        rf"{account.name}: 0 new, 0 updated, 0 errors; rate-limited until "
        r"(\d{4}-\d\d-\d\d )?\d\d:\d\d — youtube's daily quota is used up "
        r"\(it resets at midnight Pacific time\)\n", out), out
