"""Legal's decision reaches the team: on the comment, in a view until done, and the packet
exported from the Legal screen."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import orjson
import pytest
from textual.widgets import Static

from tests.factories import NOW
from tests.tui.conftest import make_app, row_text, selected_id
from tests.tui.test_legal import messages, shown
from triage import cli as cli_module
from triage.config import Config, parse_config
from triage.desk import Desk
from triage.legal import DECISIONS, all_escalations, close, escalate, release
from triage.legal.decisions import legal_states
from triage.query import LEGAL_VALUES, parse_query
from triage.store import Store
from triage.timefmt import local
from tui.app import TriageApp
from tui.legal_screen import LegalScreen
from tui.queue_list import QueueList
from tui.view_bar import ViewBar


def current_view(app: TriageApp) -> str:
    """The name of the view the queue shows."""
    view = app.queue_screen.view
    return view.views[view.view_index].name

TEAM = """
[org]
name = "Riverside Health"

[[team]]
name = "ben"
roles = ["agent"]

[[team]]
name = "lee"
roles = ["legal"]
"""


def _decided(store: Store, config: Config, decision: str = "hide") -> str:
    esc = escalate(store, config, "ben", "c-privacy", "privacy_breach")
    release(store, config, "lee", esc.id, decision)
    close(store, config, "lee", esc.id)
    return esc.id


def test_the_legal_query_values_are_the_decisions() -> None:
    assert set(LEGAL_VALUES) == {"open", "pending", "decided", *DECISIONS}


def test_legal_open_is_a_hold_or_a_decision_still_to_carry_out(queue_store: Store) -> None:
    config = parse_config(TEAM)
    match = parse_query("legal:open").matcher(now=NOW, user="ben",
                                             legal=legal_states(queue_store))
    esc = escalate(queue_store, config, "ben", "c-privacy", "privacy_breach")
    assert [c.id for c in queue_store if match(c)] == ["c-privacy"]  # on hold
    release(queue_store, config, "lee", esc.id, "hide")
    close(queue_store, config, "lee", esc.id)
    match = parse_query("legal:open").matcher(now=NOW, user="ben",
                                             legal=legal_states(queue_store))
    assert [c.id for c in queue_store if match(c)] == ["c-privacy"]  # to be hidden
    Desk(queue_store, "ben").set_status(["c-privacy"], "hidden")
    match = parse_query("legal:open").matcher(now=NOW, user="ben",
                                             legal=legal_states(queue_store))
    assert [c.id for c in queue_store if match(c)] == []  # carried out


@pytest.mark.parametrize(("decision", "done_by"), [
    ("hide", "hidden"), ("delete", "deleted"), ("reply_allowed", "replied"),
])
def test_a_decision_is_pending_until_the_team_does_what_it_says(
    queue_store: Store, decision: str, done_by: str
) -> None:
    config = parse_config(TEAM)
    _decided(queue_store, config, decision)
    states = legal_states(queue_store)(queue_store.get("c-privacy"))
    assert set(states) == {"decided", decision, "pending"}
    queue_store.record([{"user": "ben", "kind": "status", "comment_id": "c-privacy",
                         "before": {"status": "new"}, "after": {"status": done_by}}])
    assert queue_store.get("c-privacy").status == done_by
    assert set(legal_states(queue_store)(queue_store.get("c-privacy"))) == {"decided", decision}


def test_no_action_is_never_pending(queue_store: Store) -> None:
    _decided(queue_store, parse_config(TEAM), "no_action")
    assert set(legal_states(queue_store)(queue_store.get("c-privacy"))) == {
        "decided", "no_action"}


async def test_the_team_sees_legals_decision_until_it_is_carried_out(
    queue_store: Store,
) -> None:
    config = parse_config(TEAM)
    _decided(queue_store, config)
    decided_at = all_escalations(queue_store)[0].decided_at
    assert decided_at is not None
    app = make_app(queue_store, config, user="ben")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("6")  # the built-in view of holds and decisions to carry out
        assert current_view(app) == "Legal"
        queue = app.query_one(QueueList)
        assert [c.id for c in queue.rows] == ["c-privacy"]
        assert "new ⚖ hide" in row_text(app, 1)  # the list's marker
        assert selected_id(app) == "c-privacy"
        detail = shown(app.query_one("#detail-body", Static))
        assert f"Legal: hide — lee, {local(decided_at)} (to be carried out)" in detail
        assert " 6 Legal 1 " in app.query_one(ViewBar).render().plain

        Desk(queue_store, "ben").set_status(["c-privacy"], "hidden")  # the team hides it
        app.queue_screen.view.reload()
        await pilot.pause()
        assert queue.rows == []
        assert " 6 Legal 0 " in app.query_one(ViewBar).render().plain
        await pilot.press("8")  # All: the decision is still shown, as done
        while selected_id(app) != "c-privacy":
            await pilot.press("j")
        detail = shown(app.query_one("#detail-body", Static))
        assert f"Legal: hide — lee, {local(decided_at)} (done)" in detail
        assert "⚖" not in row_text(app, queue.cursor + 1)


async def test_the_legal_screen_exports_the_case_packet(queue_store: Store) -> None:
    config = parse_config(TEAM)
    esc_id = _decided(queue_store, config)
    app = make_app(queue_store, config, user="lee")
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("L")
        assert isinstance(app.screen, LegalScreen)
        await pilot.press("e")
        await pilot.pause()
        (path,) = (queue_store.data_dir / "packets").iterdir()
        assert path.name.startswith(f"{esc_id}-") and path.suffix == ".md"
        assert f"Case packet of {esc_id} written to {path}" in messages(app)
        assert esc_id in path.read_text(encoding="utf-8")
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        entry = next(queue_store.journal.read_backwards())
        assert (entry["kind"], entry["user"]) == ("packet_export", "lee")


def test_ls_lists_the_decisions_to_carry_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], queue_store: Store
) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text(TEAM)
    _decided(queue_store, parse_config(TEAM))
    folder = str(queue_store.data_dir)
    queue_store.close()
    cli_module.main(["--config", str(config_file), "--data-dir", folder, "ls", "--json",
                     "--query", "legal:pending"])
    assert [orjson.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [
        "c-privacy"]
