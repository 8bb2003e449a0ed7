"""Escalating from the queue and working the Legal screen, from the keyboard."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.app import App
from textual.widgets import DataTable, Input, Label, Select, Static

from tests.factories import FLU_POST, NOW, sample_comments
from tests.tui.conftest import make_app, selected_id
from triage.config import parse_config
from triage.errors import ActionRefused
from triage.holds import hold_of, require_not_held
from triage.legal import all_escalations, escalate
from triage.store import Store
from tui.app import TriageApp
from tui.escalate_form import EscalateForm
from tui.legal_screen import LegalScreen
from tui.pickers import ChoiceScreen

LEGAL_ANA = """
[org]
name = "Riverside Health"

[[team]]
name = "ana"
roles = ["agent", "legal"]

[[team]]
name = "ben"
roles = ["agent"]
"""


def shown(widget: Static) -> str:
    console = Console(width=118, record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


def messages(app: App[None]) -> list[str]:
    return [n.message for n in app._notifications]


async def test_escalate_then_release_from_the_legal_screen(queue_store: Store) -> None:
    app = make_app(queue_store, config=parse_config(LEGAL_ANA))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j", "j", "j", "j")
        assert selected_id(app) == "c-privacy"
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, EscalateForm)
        assert form.query_one("#escalate-reason", Select).value == "privacy_breach"  # by tag
        assert form.query_one("#escalate-note", Input).has_focus
        await pilot.press(*"phone posted", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, EscalateForm)
        assert queue_store.get("c-privacy").status == "escalated"
        (esc,) = all_escalations(queue_store)
        assert (esc.reason, esc.severity, esc.note, esc.by) == (
            "privacy_breach", "high", "phone posted", "ana")
        assert any("on legal hold" in m for m in messages(app))
        for action in ("hide", "reply", "delete"):
            try:
                require_not_held(queue_store, "c-privacy", action)
                raise AssertionError(f"the hold did not block {action}")
            except ActionRefused as refused:
                assert f"cannot {action}: the comment is on legal hold (privacy_breach, " \
                    "escalated by ana) — c-privacy is evidence in esc-0001" in str(refused)

        await pilot.press("L")
        legal = app.screen
        assert isinstance(legal, LegalScreen)
        table = legal.query_one(DataTable)
        assert table.row_count == 1
        detail = shown(legal.query_one("#legal-detail-body", Static))
        assert "esc-0001" in detail and "open" in detail and "phone posted" in detail
        assert "8834" in detail and "555-201" not in detail  # masked until revealed
        await pilot.press("v")
        assert "555-201-8834" in shown(legal.query_one("#legal-detail-body", Static))
        reveal_entry = next(queue_store.journal.read_backwards())
        assert (reveal_entry["kind"], reveal_entry["user"]) == ("reveal", "ana")

        await pilot.press("n", *"calling the family", "enter")  # a note by legal: review
        await pilot.pause()
        assert str(table.get_row_at(0)[1]) == "under review"
        assert "calling the family" in shown(legal.query_one("#legal-detail-body", Static))

        await pilot.press("r")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "enter")  # the second decision: hide
        await pilot.pause()
        assert app.screen is legal
        assert hold_of(queue_store, "c-privacy") is None
        (esc,) = all_escalations(queue_store)
        assert (esc.status, esc.decision, esc.decided_by) == ("released", "hide", "ana")
        assert "released" in shown(legal.query_one("#legal-detail-body", Static))
        await pilot.press("c")
        assert all_escalations(queue_store)[0].status == "closed"
        assert "closed" in shown(legal.query_one("#legal-detail-body", Static))
        await pilot.press("escape")
        assert app.screen is app.queue_screen
        comment = queue_store.get("c-privacy")
        assert (comment.status, comment.assignee) == ("new", "ana")


async def test_the_legal_screen_refuses_release_to_an_agent(queue_store: Store) -> None:
    app = make_app(queue_store, config=parse_config(LEGAL_ANA), user="ben")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")  # the crisis comment: no reason to suggest
        form = app.screen
        assert isinstance(form, EscalateForm)
        assert form.query_one("#escalate-reason", Select).has_focus
        await pilot.press("ctrl+s")
        assert app.screen is form
        assert "Choose a reason first." in shown(form.query_one("#escalate-error", Static))
        await pilot.press("enter", "down", "down", "down", "enter")  # open, pick the 3rd
        assert form.query_one("#escalate-reason", Select).value == "legal_threat"
        await pilot.click("#escalate-submit")
        await pilot.pause()
        assert queue_store.get("c-crisis").status == "escalated"

        await pilot.press("L")
        assert isinstance(app.screen, LegalScreen)
        await pilot.press("r")
        assert isinstance(app.screen, LegalScreen)  # no decision picker for an agent
        assert any("only the legal role can release a legal hold (ben has the role agent; "
                   "ask ana)" in m for m in messages(app))
        await pilot.press("c")
        assert any("only the legal role can close" in m for m in messages(app))
        assert hold_of(queue_store, "c-crisis") is not None
        await pilot.press("n")
        await pilot.press(*"she called back", "enter")
        await pilot.pause()
        assert [n.text for n in all_escalations(queue_store)[0].notes] == ["she called back"]


async def test_escalating_a_held_comment_again_is_refused(queue_store: Store) -> None:
    config = parse_config(LEGAL_ANA)
    escalate(queue_store, config, "ben", "c-crisis", "other")
    app = make_app(queue_store, config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        assert selected_id(app) == "c-crisis"
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, EscalateForm)
        form.query_one("#escalate-reason", Select).value = "legal_threat"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is app.queue_screen
        assert any("c-crisis is already escalated (esc-0001) and on legal hold" in m
                   for m in messages(app))
        assert [e.reason for e in all_escalations(queue_store)] == ["other"]


def test_legal_screen_snapshot(snap_compare: Any, tmp_path: Path) -> None:
    config = parse_config(LEGAL_ANA + '\n[escalation]\nwebhook_url = "http://127.0.0.1:9/x"\n')
    with Store(tmp_path / "data") as store:
        store.ingest(sample_comments(), [FLU_POST], user="test")
        escalate(store, config, "ana", "c-privacy", "privacy_breach", "critical",
                 "patient's phone posted", now=NOW - timedelta(minutes=12))
        escalate(store, config, "ben", "c-hostile", "legal_threat", "high", "[b]markup[/b]",
                 now=NOW - timedelta(hours=3))
        app = TriageApp(store=store, config=config, user="ana", clock=lambda: NOW,
                        show_clock=False, background_delivery=False)  # nothing is sent
        assert snap_compare(app, terminal_size=(120, 40), press=["L"])


async def test_legal_keys_are_disabled_with_their_reason(queue_store: Store) -> None:
    config = parse_config(LEGAL_ANA)
    escalate(queue_store, config, "ben", "c-crisis", "other")  # nothing masked in it
    app = make_app(queue_store, config=config, user="ben")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("L")
        legal = app.screen
        assert isinstance(legal, LegalScreen)
        for action in ("release", "close_escalation", "reveal", "deliver"):
            assert legal.check_action(action, ()) is None  # dimmed in the footer
        assert legal.check_action("note", ()) is True
        await pilot.press("v", "d")
        assert "Nothing is masked in this comment." in messages(app)
        assert "No [escalation] channel in config.toml: nothing to deliver to." \
            in messages(app)
        row = [str(cell) for cell in legal.query_one(DataTable).get_row_at(0)]
        assert row[4] == "anon4471: I can't do this…"  # who and what, not the id
        assert legal.sub_title == "1 escalation · acting as ben"


async def test_the_release_picker_says_which_comment_in_full(queue_store: Store) -> None:
    config = parse_config(LEGAL_ANA)
    escalate(queue_store, config, "ben", "c-privacy", "privacy_breach")
    app = make_app(queue_store, config=config)  # ana is legal here
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.press("L")
        legal = app.screen
        await pilot.press("r")
        picker = app.screen
        assert isinstance(picker, ChoiceScreen)
        title = picker.query_one(Label)
        assert str(title.content) == ("Release esc-0001 (Lena Ortiz on Facebook) from legal "
                                      "hold — the decision:")
        assert title.size.height >= 2  # wrapped at 80 columns, not cut
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is legal
        assert "Released esc-0001: Reply allowed — back to the team to answer" \
            in messages(app)
        table = legal.query_one(DataTable)
        assert str(table.get_row_at(0)[-1]) == "Reply allowed"  # the decision, as picked
        assert legal.check_action("release", ()) is None
        assert legal.check_action("close_escalation", ()) is True
