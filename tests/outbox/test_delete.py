"""Deleting somebody else's comment at its source: `triage delete` and `delete_comment`,
against the platform stand-ins (Facebook and Instagram can; YouTube, X, Mastodon cannot)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from tests.outbox.conftest import Clock, Desk, config_text, standin_accounts, standin_comment
from tests.outbox.test_cli import run
from triage.config import parse_config
from triage.desk import Desk as PeopleDesk
from triage.errors import ActionRefused
from triage.legal import escalate
from triage.outbox import Links, delete_comment, set_hidden
from triage.query import parse_query
from triage.standins import StandinServer
from triage.store import Store

TEXT = "You people are useless and should be ashamed"
#: What each connector says when it cannot delete somebody else's comment.
CANNOT = {
    "youtube": "cannot delete: YouTube lets a channel delete only its own comments",
    "x": "cannot delete: X lets an account delete only its own posts",
    "mastodon": "cannot delete: Mastodon lets an account delete only its own posts",
}


@pytest.fixture
def server() -> Iterator[StandinServer]:
    with StandinServer() as running:
        yield running


@pytest.fixture
def desk(server: StandinServer, tmp_path: Path, templates_dir: Path,
         clock: Clock) -> Iterator[Desk]:
    accounts, environ = standin_accounts(server)
    store = Store(tmp_path / "data", clock=clock)
    made = Desk(store, parse_config(config_text(templates_dir, accounts)), clock, environ)
    yield made
    made.store.close()


def add(server: StandinServer, desk: Desk, platform: str) -> str:
    account = next(a for a in desk.config.accounts if a.platform == platform).name
    comment = standin_comment(server, platform, TEXT, account)
    desk.store.ingest([comment], user="test")
    return comment.id


async def delete(desk: Desk, comment_id: str, user: str = "ben") -> None:
    async with httpx.AsyncClient() as client:
        await delete_comment(desk.store, desk.config, user, comment_id,
                             links=Links(desk.config, client, environ=desk.environ))


def journal(desk: Desk, *kinds: str) -> list[dict[str, object]]:
    return [doc for _, doc in desk.store.journal.read(0) if doc["kind"] in kinds]


@pytest.mark.parametrize("platform", ["facebook", "instagram"])
async def test_a_delete_goes_through_the_connector_and_is_journaled(
        server: StandinServer, desk: Desk, platform: str) -> None:
    comment_id = add(server, desk, platform)
    native = desk.store.get(comment_id).native_id

    await delete(desk, comment_id)

    assert [(p["action"], p["target"]) for p in server.posted(platform)] == [("delete", native)]
    assert desk.store.get(comment_id).status == "deleted"
    (entry,) = journal(desk, "delete")
    assert (entry["user"], entry["before"], entry["after"]) == (
        "ben", {"status": "new"}, {"status": "deleted"})
    matches = parse_query("status:deleted").matcher(now=desk.clock(), user="ben")
    assert [c.id for c in desk.store if matches(c)] == [comment_id]
    assert set(desk.store.index.ids("status", "deleted")) == {comment_id}


@pytest.mark.parametrize("platform", ["youtube", "x", "mastodon"])
async def test_platforms_that_cannot_delete_refuse_with_their_reason(
        server: StandinServer, desk: Desk, platform: str) -> None:
    comment_id = add(server, desk, platform)
    with pytest.raises(ActionRefused, match=CANNOT[platform]):
        await delete(desk, comment_id)
    assert server.posted(platform) == []
    assert desk.store.get(comment_id).status == "new" and journal(desk, "delete") == []


async def test_a_deleted_comment_takes_no_reply_hide_or_second_delete(
        server: StandinServer, desk: Desk) -> None:
    comment_id = add(server, desk, "facebook")
    await delete(desk, comment_id)
    gone = "the comment was deleted from facebook"
    with pytest.raises(ActionRefused, match=f"cannot delete: {gone}"):
        await delete(desk, comment_id)
    with pytest.raises(ActionRefused, match=f"cannot reply: {gone}"):
        desk.submit(comment_id, "thanks", window=0)
    async with httpx.AsyncClient() as client:
        with pytest.raises(ActionRefused, match=f"cannot hide: {gone}"):
            await set_hidden(desk.store, desk.config, "ben", comment_id, hidden=True,
                             links=Links(desk.config, client, environ=desk.environ))
    assert [p["action"] for p in server.posted("facebook")] == ["delete"]


async def test_a_refused_delete_changes_nothing_and_is_journaled(
        server: StandinServer, desk: Desk) -> None:
    comment_id = add(server, desk, "facebook")
    server.fault("facebook", "status", path="/*", method="DELETE", status=400,
                 message="(#200) Permissions error")
    with pytest.raises(ActionRefused, match="Permissions error"):
        await delete(desk, comment_id)
    assert desk.store.get(comment_id).status == "new"
    (failed,) = journal(desk, "delete_failed")
    assert failed["user"] == "ben" and "Permissions error" in str(failed["data"])


async def test_a_held_comment_is_not_deleted(server: StandinServer, desk: Desk) -> None:
    comment_id = add(server, desk, "facebook")
    escalate(desk.store, desk.config, "ana", comment_id, "other", "low", "")
    with pytest.raises(ActionRefused, match="cannot delete: the comment is on legal hold"):
        await delete(desk, comment_id)
    assert server.posted("facebook") == []


async def test_a_comment_whose_reply_is_held_is_not_deleted(
        server: StandinServer, desk: Desk) -> None:
    """The platform deletes the replies with their parent: a held reply keeps it."""
    parent_id = add(server, desk, "facebook")
    account = desk.store.get(parent_id).account
    reply = replace(standin_comment(server, "facebook", "my sister's chart number is 88812",
                                    account), parent_id=parent_id)
    desk.store.ingest([reply], user="test")
    escalate(desk.store, desk.config, "ana", reply.id, "privacy_breach", "high", "")
    with pytest.raises(ActionRefused, match="cannot delete the comment it answers: the comment "
                                            "is on legal hold"):
        await delete(desk, parent_id)
    assert server.posted("facebook") == [] and desk.store.get(parent_id).status == "new"


# -- triage delete ---------------------------------------------------------------------


@pytest.fixture
def cli(server: StandinServer, tmp_path: Path, templates_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], dict[str, str]]:
    """Global options for a config on the stand-ins, and a stored comment per platform."""
    accounts, environ = standin_accounts(server)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "config.toml").write_text(config_text(templates_dir, accounts), "utf-8")
    ids = {}
    with Store(tmp_path / "data") as store:
        for account in accounts:
            comment = standin_comment(server, account["platform"], TEXT, account["name"])
            store.ingest([comment], user="test")
            ids[account["platform"]] = comment.id
    return ["--config", str(tmp_path / "config.toml"), "--data-dir",
            str(tmp_path / "data"), "--user", "ben"], ids


def test_triage_delete_asks_first_then_deletes(
        capsys: pytest.CaptureFixture[str], server: StandinServer,
        cli: tuple[list[str], dict[str, str]]) -> None:
    options, ids = cli
    comment_id = ids["facebook"]

    code, out, err = run(capsys, *options, "delete", comment_id, stdin="n\n")
    assert code == 1 and out == ""
    assert f"Delete the comment by Dana Whitfield on facebook ({comment_id}):" in err
    assert TEXT in err and "cannot be undone" in err and "Delete it? [y/N]" in err
    assert server.posted("facebook") == []  # answered no: nothing asked of Facebook

    code, out, err = run(capsys, *options, "delete", comment_id, stdin="y\n")
    assert code == 0, err
    assert err.endswith(f"deleted from facebook: {comment_id} (status deleted)\n")
    assert [p["action"] for p in server.posted("facebook")] == ["delete"]

    code, _, err = run(capsys, *options, "delete", comment_id, "--yes")
    assert code == 1
    assert err == "triage: cannot delete: the comment was deleted from facebook\n"
    with Store(Path(options[3])) as store:
        assert store.get(comment_id).status == "deleted"
        (entry,) = [d for _, d in store.journal.read(0) if d["kind"] == "delete"]
        assert entry["user"] == "ben"


@pytest.mark.parametrize("platform", ["youtube", "x", "mastodon"])
def test_triage_delete_is_refused_where_the_platform_cannot(
        capsys: pytest.CaptureFixture[str], server: StandinServer,
        cli: tuple[list[str], dict[str, str]], platform: str) -> None:
    options, ids = cli
    code, out, err = run(capsys, *options, "delete", ids[platform], "--yes")
    assert (code, out) == (1, "")
    assert err.startswith(f"triage: {CANNOT[platform]}")
    assert "Delete it?" not in err and server.posted(platform) == []


def test_triage_delete_is_refused_on_legal_hold(
        capsys: pytest.CaptureFixture[str], server: StandinServer,
        cli: tuple[list[str], dict[str, str]]) -> None:
    options, ids = cli
    with Store(Path(options[3])) as store:
        escalate(store, parse_config(Path(options[1]).read_text()), "ana", ids["facebook"],
                 "other", "low", "")
    code, _, err = run(capsys, *options, "delete", ids["facebook"], "--yes")
    assert code == 1 and err.startswith("triage: cannot delete: the comment is on legal hold")
    assert server.posted("facebook") == []


async def test_a_deleted_comment_keeps_its_status(server: StandinServer, desk: Desk) -> None:
    comment_id = add(server, desk, "facebook")
    other_id = add(server, desk, "instagram")
    await delete(desk, comment_id)
    people = PeopleDesk(desk.store, "ben")
    with pytest.raises(ActionRefused, match="cannot restore: the comment was deleted"):
        people.restore([comment_id])
    assert [a.comment_id for a in people.dismiss([comment_id, other_id])] == [other_id]
    with pytest.raises(ActionRefused, match="deleted at its source .* not by setting"):
        people.set_status([other_id], "deleted")
    assert desk.store.get(comment_id).status == "deleted"
