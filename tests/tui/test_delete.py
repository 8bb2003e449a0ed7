"""D deletes somebody else's comment at its source, only after a confirmation, and is
disabled (saying why) where the platform cannot, on a legal hold, and once deleted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Button, Label, Static

from tests.connectors.conftest import FAST
from tests.outbox.conftest import Clock, config_text, standin_accounts, standin_comment
from tests.tui.conftest import make_app
from triage.config import parse_config
from triage.legal import escalate
from triage.standins import StandinServer
from triage.store import Store
from tui.app import TriageApp
from tui.pickers import ConfirmScreen
from tui.queue_list import QueueList

TEXT = "You people are useless and should be ashamed"


class World:
    """The stand-ins, a config for their accounts, and a comment on Facebook and YouTube."""

    def __init__(self, server: StandinServer, tmp: Path, monkeypatch: pytest.MonkeyPatch):
        self.server = server
        accounts, self.environ = standin_accounts(server)
        for name in self.environ:  # the connectors get the tokens; the live sync stays out
            monkeypatch.delenv(name, raising=False)
        self.config = parse_config(config_text(tmp / "tpl", accounts))
        self.clock = Clock()
        self.store = Store(tmp / "data", clock=self.clock)
        made = [standin_comment(server, platform, TEXT, platform)
                for platform in ("facebook", "youtube")]
        self.ids = {c.platform: c.id for c in made}
        self.store.ingest(made, user="test")

    def app(self) -> TriageApp:
        app = make_app(self.store, config=self.config, user="ben")
        app.clock = self.clock
        app.outbox.environ, app.outbox.policy = self.environ, FAST
        app.outbox.background = False
        return app


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with StandinServer() as server:
        made = World(server, tmp_path, monkeypatch)
        yield made
        made.store.close()


def said(app: TriageApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def deletes(world: World, platform: str) -> list[dict[str, object]]:
    return [p for p in world.server.posted(platform) if p["action"] == "delete"]


async def test_d_asks_first_and_n_keeps_the_comment(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(QueueList).move_to_id(world.ids["facebook"])
        await pilot.press("D")
        modal = app.screen
        assert isinstance(modal, ConfirmScreen)
        assert str(modal.query_one(Label).content) == "Delete this comment from Facebook?"
        body = str(modal.query_one("#confirm-body", Static).content)
        assert "Dana Whitfield on Facebook" in body and TEXT in body
        assert "cannot be undone" in body
        assert modal.query_one("#confirm-no", Button).has_focus  # enter keeps it
        await pilot.press("enter")
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("D", "n")
        await pilot.press("D", "escape")
        await app.workers.wait_for_complete()
        assert deletes(world, "facebook") == []
        assert world.store.get(world.ids["facebook"]).status == "new"


async def test_d_then_y_deletes_and_the_key_turns_off(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(QueueList).move_to_id(world.ids["facebook"])
        await pilot.press("D", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        native = world.store.get(world.ids["facebook"]).native_id
        assert [p["target"] for p in deletes(world, "facebook")] == [native]
        assert world.store.get(world.ids["facebook"]).status == "deleted"
        assert "Deleted the comment from Facebook." in said(app)
        row = app.query_one(QueueList).selected
        assert row is not None and row.status == "deleted"
        await pilot.press("D")  # deleted already: no second ask
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert "cannot delete: the comment was deleted from facebook" in said(app)
        assert len(deletes(world, "facebook")) == 1


async def test_d_is_disabled_where_youtube_cannot_delete(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(QueueList).move_to_id(world.ids["youtube"])
        await pilot.pause()
        assert app.screen.check_action("delete_comment", ()) is None
        await pilot.press("D")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any(m.startswith("cannot delete: YouTube lets a channel delete only its own "
                                "comments") for m in said(app))
        assert world.server.posted("youtube") == []


async def test_d_is_disabled_on_a_held_comment(world: World) -> None:
    escalate(world.store, world.config, "ana", world.ids["facebook"], "other", "low", "")
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(QueueList).move_to_id(world.ids["facebook"])
        await pilot.pause()
        assert app.screen.check_action("delete_comment", ()) is None
        await pilot.press("D")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any(m.startswith("cannot delete: the comment is on legal hold (other, "
                                "escalated by ana)") for m in said(app))
        assert deletes(world, "facebook") == []
