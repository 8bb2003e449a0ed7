"""The registry: built-in and outside connectors both come from entry points."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from tests.connectors.conftest import Masto, account, sync
from triage.config import AccountConfig, parse_config
from triage.connectors import Capability, Connector, clear_cache, connector_class, platforms
from triage.connectors.mastodon import MastodonConnector
from triage.errors import ConfigError
from triage.store import Store

OUTSIDE = '''
"""A connector shipped by another package."""
from datetime import datetime, timezone
from triage.account_settings import Setting
from triage.connectors import Connector, Page
from triage.model import Author, Comment


class TownhallConnector(Connector):
    platform = "townhall"
    default_base_url = "https://townhall.invalid"
    SETTINGS = (Setting("room", str, "the hall whose questions are read"),
                Setting("ticket_env", str, "the variable holding the hall's ticket",
                        secret_env=True))

    async def pages(self, cursor):
        yield Page((Comment(id=self.comment_id("1"), platform="townhall", account=self.name,
                            text="When is the town hall?", native_id="1",
                            created_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
                            author=Author("u1", "Ana")),), cursor={"seen": "1"})


class Impostor(TownhallConnector):
    platform = "somethingelse"
'''


@pytest.fixture
def outside_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An installed distribution (dist-info on sys.path) registering a connector."""
    (tmp_path / "townhall_triage.py").write_text(OUTSIDE)
    info = tmp_path / "townhall_triage-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: townhall-triage\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent("""\
        [triage.connectors]
        townhall = townhall_triage:TownhallConnector
        impostor = townhall_triage:Impostor
        broken = townhall_triage:DoesNotExist
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    clear_cache()
    yield
    clear_cache()
    sys.modules.pop("townhall_triage", None)


def test_the_built_in_connector_is_an_entry_point_like_any_other() -> None:
    [point] = [p for p in entry_points(group="triage.connectors") if p.name == "mastodon"]
    assert point.value == "triage.connectors.mastodon:MastodonConnector"
    assert connector_class("mastodon") is MastodonConnector
    assert "mastodon" in platforms()


def test_an_outside_package_registers_the_same_way_and_syncs(
    outside_package: None, store: Store
) -> None:
    assert {"mastodon", "townhall"} <= set(platforms())
    config = parse_config("[[accounts]]\nname = 'hall'\nplatform = 'townhall'\n"
                          "token_env = 'HALL_TOKEN'\n")

    [result] = sync(config.accounts, store, environ={"HALL_TOKEN": "x"})

    assert result.summary() == "hall: 1 new, 0 updated, 0 errors"
    assert store.get("townhall:hall:1").tag_names == ("question",)


@pytest.mark.parametrize(
    ("platform", "message"),
    [
        ("myspace", "no connector is installed for platform 'myspace' (installed: "),
        ("impostor", "registered as 'impostor' (townhall_triage:Impostor) says it is for "
                     "'somethingelse'"),
        ("broken", "the connector for 'broken' (townhall_triage:DoesNotExist) cannot be loaded"),
    ],
)
def test_a_platform_without_a_usable_connector_is_named(
    outside_package: None, platform: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        connector_class(platform)
    assert message in str(caught.value)


def test_an_account_without_a_connector_fails_alone(masto: Masto, store: Store) -> None:
    masto.mentions(masto.post("alice", "Open day."), 1)
    bluesky = AccountConfig(name="riverside-bs", platform="myspace", token_env="ALICE_TOKEN")

    results = sync([bluesky, account("riverside", masto.base_url)], store)

    assert [r.summary() for r in results] == [
        "riverside-bs: 0 new, 0 updated, 1 error; error",
        "riverside: 1 new, 0 updated, 0 errors",
    ]
    assert results[0].status is not None
    assert "no connector is installed for platform 'myspace'" in results[0].status.message


def test_an_unknown_platform_in_the_config_is_named() -> None:
    with pytest.raises(ConfigError, match="unknown platform 'myspace' \\(one of .*mastodon"):
        parse_config("[[accounts]]\nname = 'a'\nplatform = 'myspace'\ntoken_env = 'T'\n")


def test_a_declared_capability_must_be_implemented() -> None:
    with pytest.raises(TypeError, match="declares reply but does not implement reply"):
        class Half(MastodonConnector):  # noqa: F841 - the class statement is the test
            capabilities = frozenset({Capability.READ, Capability.REPLY})
            reply = Connector.reply  # type: ignore[assignment]


def test_an_outside_connector_declares_its_own_account_settings(outside_package: None) -> None:
    config = parse_config("[[accounts]]\nname = 'hall'\nplatform = 'townhall'\n"
                          "token_env = 'HALL_TOKEN'\nroom = 'Main hall'\n"
                          "ticket_env = 'HALL_TICKET'\n")
    [hall] = config.accounts
    assert hall.setting("room") == "Main hall"
    assert hall.env_names() == {"token_env": "HALL_TOKEN", "ticket_env": "HALL_TICKET"}
    base = "[[accounts]]\nname = 'hall'\nplatform = 'townhall'\ntoken_env = 'HALL_TOKEN'\n"
    for line, message in (
            ("rooom = 'Main'", "config.toml: [[accounts]] #1 (hall): unknown key 'rooom' for "
                               "townhall (known: base_url, name, platform, poll_seconds, "
                               "token_env, room, ticket_env)"),
            ("room = 3", "config.toml: [[accounts]] #1 (hall) room must be text, not an "
                         "integer"),
            ("ticket_env = 'my secret!'", "ticket_env: must name an environment variable"),
            ("page_id = '1'", "unknown key 'page_id' for townhall")):
        with pytest.raises(ConfigError) as caught:
            parse_config(base + line + "\n")
        assert message in str(caught.value)
