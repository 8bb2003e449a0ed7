"""``triage sandbox`` on the platform stand-ins: the real connectors fill the store."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from random import Random

import httpx
import orjson
import pytest

from tests.factories import NOW
from triage import cli as cli_module
from triage.config import Config, load_config
from triage.convert import parse_time
from triage.sandbox import (
    Feeder,
    SandboxPlatforms,
    connected_platforms,
    feed_pool,
    generate,
    token_variable,
)
from triage.standins import StandinAdmin
from triage.store import Store
from triage.sync import SyncOptions, sync_accounts
from triage.sync_sink import StoreSink
from triage.templates import load_library, render

BUILD = ("sandbox", "--size", "120", "--seed", "3", "--no-tui")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        cli_module.main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _rows(capsys: pytest.CaptureFixture[str], folder: Path, *extra: str) -> list[dict]:
    code, out, err = _run(capsys, "--data-dir", str(folder), "ls", "--json", *extra)
    assert code == 0, err
    return [orjson.loads(line) for line in out.splitlines()]


@pytest.fixture(autouse=True)
def no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run where no config.toml is found, as a first-time user would."""
    for name in ("TRIAGE_CONFIG", "TRIAGE_DATA_DIR", "TRIAGE_USER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def _origin(err: str) -> str:
    found = re.search(r"through the stand-ins at (http://127\.0\.0\.1:\d+)", err)
    assert found, err
    return found.group(1)


def _gone(origin: str) -> bool:
    try:
        httpx.get(origin + "/_standin/health", timeout=2)
    except httpx.ConnectError:
        return True
    return False


def test_the_sandbox_store_is_filled_through_the_stand_ins_and_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "sbx"
    code, _, err = _run(capsys, "--data-dir", str(folder), *BUILD)
    assert code == 0, err
    assert "Sandbox ready" in err and "120 comments" in err
    assert _gone(_origin(err))
    assert not [name for name in os.environ if name.startswith("TRIAGE_SANDBOX_TOKEN_")]

    marker = orjson.loads((folder / "sandbox.json").read_bytes())
    synced = set(marker["synced"])
    assert synced == set(connected_platforms()) and "mastodon" in synced
    data = generate(120, 3, now=parse_time(marker["created"]))
    expected = {f"{c.platform}:{c.account}:{c.native_id}" if c.platform in synced else c.id
                for c in data.comments}
    rows = _rows(capsys, folder)
    assert {r["id"] for r in rows} == expected and len(rows) == 120
    assert len({r["platform"] for r in rows}) >= 6
    assert len({r["account"] for r in rows}) >= 3
    assert {r["platform"] for r in rows} <= synced, "every platform comes through its connector"

    code, _, err = _run(capsys, "--data-dir", str(folder), "bulk", "dismiss",
                        "--query", "platform:mastodon", "--yes")
    assert code == 0, err
    dismissed = {r["id"] for r in _rows(capsys, folder, "--status", "dismissed")}
    assert dismissed and all(i.startswith("mastodon:rcph-mastodon:") for i in dismissed)

    code, _, err = _run(capsys, "--data-dir", str(folder), *BUILD)  # reopened: re-seeded
    assert code == 0, err
    assert "Sandbox ready" not in err and "Synced 0 new comments" in err
    assert len(_rows(capsys, folder)) == 120
    assert {r["id"] for r in _rows(capsys, folder, "--status", "dismissed")} == dismissed
    assert _gone(_origin(err))

    code, _, err = _run(capsys, "--data-dir", str(folder), *BUILD, "--reset")
    assert code == 0 and "Sandbox ready" in err
    rows = _rows(capsys, folder)
    assert len(rows) == 120 and all(r["status"] == "new" for r in rows)


def test_other_arguments_on_a_kept_sandbox_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "sbx"
    assert _run(capsys, "--data-dir", str(folder), *BUILD)[0] == 0
    code, _, err = _run(capsys, "--data-dir", str(folder), "sandbox", "--size", "40",
                        "--no-tui")
    assert code == 0, err
    assert "has 120 comments (seed 3); add --reset" in err
    assert len(_rows(capsys, folder)) == 120


def test_a_sandbox_built_the_earlier_way_is_built_anew(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "sbx"
    folder.mkdir()
    (folder / "sandbox.json").write_bytes(orjson.dumps({"size": 40, "seed": 3,
                                                        "complete": True}))
    code, _, err = _run(capsys, "--data-dir", str(folder), "sandbox", "--size", "40",
                        "--no-tui")
    assert code == 0, err
    assert "built by an earlier Triage; building it anew" in err
    assert len(_rows(capsys, folder)) == 40


def test_the_feeder_adds_comments_the_connectors_sync(tmp_path: Path) -> None:
    data = generate(150, 5, now=NOW)
    platforms = connected_platforms()
    environ: dict[str, str] = {}
    with SandboxPlatforms(data, platforms, environ=environ) as running:
        origin = running.origin
        assert set(environ) == {v for a in running.accounts for v in a.env_names().values()}
        assert {token_variable(a.name) for a in running.accounts} <= set(environ)
        pool = feed_pool(5, NOW, platforms)
        assert {c.comment.post_id for c in pool} <= {p.id for p in data.posts}
        feeder = Feeder(origin, pool, data.accounts, data.posts, rng=Random(1))
        records = [feeder.next_record() for _ in range(400)]
        assert len({(r["platform"], r["id"]) for r in records}) == 400
        crises = {i.comment.text for i in pool if i.crisis}
        assert 8 <= sum(r["text"] in crises for r in records) <= 60

        admin = StandinAdmin(origin)
        try:
            fed = dict(zip([admin.add_comment(r) for r in records[:5]], records[:5],
                           strict=True))
        finally:
            admin.close()
        with Store(tmp_path / "data") as store:
            results = asyncio.run(sync_accounts(running.accounts, StoreSink(store),
                                                options=SyncOptions(environ=environ)))
            assert not [r.summary() for r in results if r.failed]
            arrived = {c.native_id: c for c in store if c.native_id in fed}
            assert set(arrived) == set(fed)
            for native, comment in arrived.items():
                assert comment.id == f"{fed[native]['platform']}:{comment.account}:{native}"
                assert comment.text.endswith(fed[native]["text"])
            assert len(store) == 5 + sum(c.platform in platforms for c in data.comments)
    assert environ == {}
    assert _gone(origin)


def test_the_sandbox_config_never_holds_the_real_accounts(tmp_path: Path) -> None:
    data = generate(20, 1, now=NOW)
    toml = tmp_path / "config.toml"
    toml.write_text('[org]\nname = "Mercy Clinic"\n\n[[accounts]]\nname = "mercy-fb"\n'
                    'platform = "facebook"\ntoken_env = "MERCY_FB"\npage_id = "1"\n\n'
                    '[escalation]\nwebhook_url = "https://legal.example.org/hook"\n')
    real = load_config(str(toml))
    platforms = SandboxPlatforms(data, connected_platforms())
    assert real.escalation.webhook_url and real.accounts
    assert platforms.config(real).accounts == []
    assert platforms.config(real).escalation.webhook_url == ""
    assert platforms.config(real).org.name == "Mercy Clinic"
    assert platforms.config(Config()).org.name == data.org.name == "Riverside Health"
    own = platforms.config(Config()).org  # its own contacts: the templates can be filled in
    assert own.contact_phone in data.org.phones and own.contact_url == data.org.url
    assert own.contact_email in data.org.emails
    comment = next(c for c in data.comments if c.platform == "facebook")
    library = load_library(platforms.config(Config()), today=NOW.date())
    assert render(library.get("question-hours-locations"), comment,
                  platforms.config(Config())).count(data.org.url) == 1
    assert platforms.notes == {a.name: f"{a.platform}: sandbox (no connector yet)"
                               for a in data.accounts
                               if a.platform not in connected_platforms()}


def test_the_sandbox_has_a_practice_team_the_person_acting_joins(tmp_path: Path) -> None:
    data = generate(20, 1, now=NOW)
    platforms = SandboxPlatforms(data, connected_platforms())
    team = {m.name: m.roles for m in platforms.config(Config(), "sam").team}
    assert team["lee"] == ["legal"]  # `--user lee` practises releasing a legal hold
    assert team["ana"] == ["agent", "approver"]
    assert team["sam"] == ["agent", "approver"]  # whoever opens it can approve replies
    assert team["pat"] == ["pharmacovigilance"]  # `--user pat` completes AE intakes
    assert {m.name for m in platforms.config(Config(), "lee").team} == {"ana", "ben", "lee",
                                                                        "pat"}
    toml = tmp_path / "config.toml"
    toml.write_text('[[team]]\nname = "kai"\nroles = ["agent"]\n')
    real = load_config(str(toml))
    assert [m.name for m in platforms.config(real, "sam").team] == ["kai"]  # theirs, as is


def test_run_from_a_folder_with_a_config_the_sandbox_keeps_its_practice_team(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.toml").write_text(  # as in the repository: found, not given
        '[[team]]\nname = "kai"\nroles = ["agent"]\n')
    monkeypatch.setenv("TRIAGE_USER", "sam")
    folder = str(tmp_path / "sbx")
    code, _, err = _run(capsys, "--data-dir", folder, *BUILD)
    assert code == 0, err
    assert ("You are sam (agent, approver) on the practice team: ana agent/approver, "
            "ben agent, lee legal, pat pharmacovigilance — `triage sandbox --user lee` to act "
            "as legal") in err
    code, _, err = _run(capsys, "--data-dir", folder, *BUILD, "--user", "lee")
    assert code == 0, err
    assert ("You are lee (legal) on the practice team: ana agent/approver, ben agent, "
            "pat pharmacovigilance — `triage sandbox --user ana` to act as approver") in err
    code, _, err = _run(capsys, "--config", "config.toml", "--data-dir", folder, *BUILD)
    assert code == 0, err  # a config given on purpose: its team, and why sam cannot act
    assert ("You are sam, not on the team in config.toml (kai agent): you cannot approve "
            "replies, own work or use Legal — `triage sandbox --user kai` to act as agent") in err


def test_the_practice_team_is_used_with_a_found_config(tmp_path: Path) -> None:
    data = generate(20, 1, now=NOW)
    toml = tmp_path / "config.toml"
    toml.write_text('[[team]]\nname = "kai"\nroles = ["agent"]\n')
    found = load_config(str(toml))
    team = {m.name: m.roles for m in
            SandboxPlatforms(data, connected_platforms()).config(found, "sam",
                                                                 practice=True).team}
    assert team == {"ana": ["agent", "approver"], "ben": ["agent"], "lee": ["legal"],
                    "pat": ["pharmacovigilance"], "sam": ["agent", "approver"]}
