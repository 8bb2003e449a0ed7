"""Keys that keep their word: h toggles on the same comment, u undoes the last action
whatever it was, marks are acted on or refused, D moves on, a key that cannot work says
why (and ? says the same), the composer's filter matches words, no key after q prints a
traceback, and quitting with a reply queued asks first; against the stand-ins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App
from textual.widgets import Input, Label, OptionList, Static, TextArea

from tests.clirun import run
from tests.connectors.conftest import FAST
from tests.outbox.conftest import (
    Clock,
    config_text,
    standin_accounts,
    standin_comment,
    write_templates,
)
from tests.tui.conftest import make_app
from tests.tui.test_composer import status_cell, text_of
from tests.tui.test_legal import LEGAL_ANA
from triage.config import parse_config
from triage.legal import escalate
from triage.outbox import all_items
from triage.standins import StandinServer
from triage.store import Store
from tui.app import TriageApp
from tui.approvals_screen import ApprovalsScreen
from tui.composer import ComposerScreen
from tui.escalate_form import EscalateForm
from tui.help_screen import HelpScreen
from tui.legal_screen import LegalScreen
from tui.pickers import ChoiceScreen, ConfirmScreen
from tui.queue_list import QueueList
from tui.template_list import word_match


class World:
    """The stand-ins, a config for their accounts, three comments on Facebook and one on
    YouTube (which can hide, but not delete)."""

    def __init__(self, server: StandinServer, tmp: Path, monkeypatch: pytest.MonkeyPatch):
        self.server = server
        accounts, self.environ = standin_accounts(server)
        for name in self.environ:
            monkeypatch.delenv(name, raising=False)
        self.config_text = config_text(write_templates(tmp / "tpl"), accounts)
        self.config = parse_config(self.config_text)
        self.clock = Clock()
        self.store = Store(tmp / "data", clock=self.clock)
        made = [standin_comment(server, "facebook", f"Comment number {n} about parking",
                                "facebook") for n in range(3)]
        made.append(standin_comment(server, "youtube", "Great video about parking",
                                    "youtube"))
        self.store.ingest(made, user="test")
        self.youtube = made[3].id

    def app(self, user: str = "ben") -> TriageApp:
        app = make_app(self.store, config=self.config, user=user)
        app.clock = self.clock
        app.outbox.environ, app.outbox.policy = self.environ, FAST
        app.outbox.background = False
        return app

    def moderated(self) -> list[tuple[str, str]]:
        return [(p["action"], p["target"]) for p in self.server.posted("facebook")
                if p["action"] in ("hide", "unhide", "delete")]

    def native(self, comment_id: str) -> str:
        return self.store.get(comment_id).native_id


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with StandinServer() as server:
        made = World(server, tmp_path, monkeypatch)
        yield made
        made.store.close()


def said(app: App[None]) -> list[str]:
    return [str(n.message) for n in app._notifications]


def facebook_rows(app: TriageApp) -> list[str]:
    return [c.id for c in app.query_one(QueueList).rows if c.platform == "facebook"]


def selected(app: TriageApp) -> str | None:
    comment = app.query_one(QueueList).selected
    return comment.id if comment is not None else None


async def settle(app: TriageApp, pilot: object) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


# -- 7: h toggles, on the same comment ----------------------------------------------------


@pytest.mark.parametrize("view", ["All", "Needs reply"])
async def test_h_h_h_hides_shows_and_hides_the_same_comment(world: World, view: str) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        queue = app.queue_screen.view
        queue.switch_view(next(i for i, v in enumerate(queue.views) if v.name == view))
        first, *others = facebook_rows(app)
        app.query_one(QueueList).move_to_id(first)
        await pilot.press("h")
        await settle(app, pilot)
        assert world.store.get(first).status == "hidden"
        assert selected(app) == first  # still there: a second h takes it back
        assert "Hid the comment on Facebook (h again shows it) — u to undo" in said(app)
        await pilot.press("h")
        await settle(app, pilot)
        assert world.store.get(first).status == "new"
        assert selected(app) == first
        await pilot.press("h")
        await settle(app, pilot)
        assert [world.store.get(i).status for i in others] == ["new", "new"]
        native = world.native(first)
        assert world.moderated() == [("hide", native), ("unhide", native), ("hide", native)]


# -- 8: u undoes the last action, whatever it was ------------------------------------------


async def test_u_after_a_hide_shows_that_comment_again_not_an_older_action(
        world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        first, second, third = facebook_rows(app)
        queue = app.query_one(QueueList)
        queue.move_to_id(second)
        await pilot.press("a")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("enter")  # assigned to ana (the first of the team)
        await pilot.pause()
        assert world.store.get(second).assignee == "ana"
        queue.move_to_id(first)
        await pilot.press("h")
        await settle(app, pilot)
        queue.move_to_id(third)  # elsewhere now
        await pilot.press("u")
        await settle(app, pilot)
        assert world.store.get(first).status == "new"  # shown again, at the source too
        assert world.moderated()[-1] == ("unhide", world.native(first))
        assert world.store.get(second).assignee == "ana"  # the older action stays
        assert selected(app) == first
        assert "Undid hide of the comment" in said(app)
        await pilot.press("u")  # and then the one before
        await pilot.pause()
        assert world.store.get(second).assignee is None
        assert selected(app) == second


async def test_u_after_a_delete_says_it_cannot_and_does_nothing_else(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        first, second, _ = facebook_rows(app)
        queue = app.query_one(QueueList)
        queue.move_to_id(second)
        await pilot.press("x")
        await pilot.pause()
        queue.move_to_id(first)
        await pilot.press("D", "y")
        await settle(app, pilot)
        assert world.store.get(first).status == "deleted"
        await pilot.press("u")
        await settle(app, pilot)
        assert ("cannot undo a delete: the comment was removed from its platform for "
                "everyone") in said(app)
        assert world.store.get(second).status == "dismissed"
        assert world.store.get(first).status == "deleted"


# -- 9: marks: acted on, or refused --------------------------------------------------------


async def test_h_with_marks_hides_the_marked_ones_and_one_u_undoes_them(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        queue = app.query_one(QueueList)
        first, second, third = facebook_rows(app)
        queue.mark({first, second})
        queue.move_to_id(third)  # the cursor on a comment that is not marked
        await pilot.press("h")
        await settle(app, pilot)
        assert [world.store.get(i).status for i in (first, second, third)] == [
            "hidden", "hidden", "new"]
        assert "Hid 2 comments — u to undo" in said(app)
        assert not queue.marked
        await pilot.press("u")
        await settle(app, pilot)
        assert [world.store.get(i).status for i in (first, second, third)] == [
            "new", "new", "new"]
        assert "Undid hide of 2 comments" in said(app)


async def test_r_d_e_v_with_marks_refuse_saying_why(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        queue = app.query_one(QueueList)
        first, _, third = facebook_rows(app)
        queue.mark({first})
        queue.move_to_id(third)
        await pilot.pause()
        for key, message in (("r", "r replies to"), ("D", "D deletes"), ("e", "e escalates"),
                             ("v", "v reveals")):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, ComposerScreen | ConfirmScreen | EscalateForm)
            assert (f"{message} one comment at a time: clear the marks first (escape)"
                    in said(app)), key
        assert world.moderated() == []
        assert world.store.get(third).status == "new"


def test_bulk_hide_on_the_command_line_then_one_undo(
        capsys: pytest.CaptureFixture[str], world: World, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in world.environ.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "config.toml").write_text(world.config_text, "utf-8")
    world.store.close()
    options = ["--config", str(tmp_path / "config.toml"), "--data-dir", str(tmp_path / "data"),
               "--user", "ben"]
    code, out, err = run(capsys, *options, "bulk", "hide", "--query", "parking", "--yes")
    assert code == 0, err
    assert "hide: 4 changed, 0 left as they are" in out + err
    assert len([a for a, _ in world.moderated() if a == "hide"]) == 3
    code, out, err = run(capsys, *options, "undo")
    assert code == 0, err
    assert "undid hide of 4 comments" in out + err
    with Store(tmp_path / "data") as store:
        assert {c.status for c in store} == {"new"}


# -- 10: D moves on ------------------------------------------------------------------------


async def test_d_moves_on_to_the_next_comment(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        queue = app.query_one(QueueList)
        first = facebook_rows(app)[0]
        following = queue.following(first)
        queue.move_to_id(first)
        await pilot.press("D", "y")
        await settle(app, pilot)
        assert world.store.get(first).status == "deleted"
        assert selected(app) == following


# -- 11: a key that cannot work says why, and ? says the same ------------------------------


def help_lines(app: TriageApp) -> dict[str, str]:
    """The help screen's rows, by the binding id that ends each."""


    assert isinstance(app.screen, HelpScreen)
    console = Console(width=400, record=True, color_system=None)
    for widget in app.screen.query(Static):
        console.print(widget.content)
    rows = {}
    for line in console.export_text().splitlines():
        words = line.split()
        if words:
            rows[words[-1]] = " ".join(words)
    return rows


async def test_help_tells_which_keys_work_on_the_comment_and_why_not(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(QueueList).move_to_id(facebook_rows(app)[0])
        await pilot.press("question_mark")
        rows = help_lines(app)
        for ident in ("queue.reply", "queue.hide", "queue.delete", "queue.escalate"):
            assert "not available" not in rows[ident], rows[ident]
        await pilot.press("escape")
        app.query_one(QueueList).move_to_id(world.youtube)
        await pilot.press("question_mark")
        rows = help_lines(app)
        assert "not available" not in rows["queue.reply"]
        assert "not available" not in rows["queue.hide"]
        assert ("(not available here: cannot delete: YouTube lets a channel delete only its "
                "own comments") in rows["queue.delete"]


async def test_y_in_approvals_for_someone_not_an_approver_says_why(world: World) -> None:
    app = world.app(user="ben")
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(QueueList).move_to_id(facebook_rows(app)[0])
        await pilot.press("r", "end", "enter")
        composer = app.screen
        assert isinstance(composer, ComposerScreen) and composer.template_id is None
        composer.query_one(TextArea).insert("We hear you.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("A")
        assert isinstance(app.screen, ApprovalsScreen)
        await pilot.press("y")
        await pilot.pause()
        refusal = "only the approver role can approve a reply (ben has the role agent; ask ana)"
        assert refusal in said(app)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ApprovalsScreen)  # no prompt for a reason
        assert ("only the approver role can reject a reply (ben has the role agent; ask ana)"
                in said(app))
        await pilot.press("question_mark")
        assert f"(not available here: {refusal})" in help_lines(app)["approvals.approve"]


async def test_legal_keys_say_why_for_someone_not_legal_and_work_for_legal(
        queue_store: Store) -> None:
    config = parse_config(LEGAL_ANA)
    escalate(queue_store, config, "ana", "c-privacy", "other", "low", "")
    app = make_app(queue_store, config=config, user="ben")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("L")
        assert isinstance(app.screen, LegalScreen)
        await pilot.press("r", "c")
        await pilot.pause()
        refusal = "only the legal role can release a legal hold (ben has the role agent; ask ana)"
        assert refusal in said(app)
        assert ("only the legal role can close an escalation (ben has the role agent; ask ana)"
                in said(app))
        await pilot.press("question_mark")
        assert f"(not available here: {refusal})" in help_lines(app)["legal.release"]
    app = make_app(queue_store, config=config, user="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("L", "question_mark")
        rows = help_lines(app)
        assert "not available" not in rows["legal.release"]
        assert "(not available here: esc-0001 still holds the comment: release it first (r))" \
            in rows["legal.close_escalation"]


# -- 12: the composer's filter matches words -----------------------------------------------


async def test_the_template_filter_matches_words_and_word_beginnings(
        world: World, tmp_path: Path) -> None:
    templates = Path(__file__).resolve().parents[2] / "templates"
    accounts, _ = standin_accounts(world.server)
    world.config = parse_config(config_text(templates, accounts))  # the app is built on it
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(QueueList).move_to_id(facebook_rows(app)[0])
        await pilot.press("r")
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        field = composer.query_one("#composer-filter", Input)

        async def typed(text: str) -> list[str]:
            field.value = ""
            await pilot.press("ctrl+f", *text)
            await pilot.pause()
            return composer.shown_ids

        assert await typed("thanks") == ["thanks-kind-words"]  # not "what causes cancer"
        assert await typed("than") == ["thanks-kind-words"]
        cancer = await typed("cancer")
        assert set(cancer) == {"myth-cancer-risk", "myth-cancer-treatment"}
        assert await typed("cancer risk") == ["myth-cancer-risk"]  # every word must match
        assert await typed("xyz") == []


@pytest.mark.parametrize(("query", "text", "found"), [
    ("thanks", "Myth about what causes cancer myth-cancer-risk misinformation", None),
    ("thanks", "Thank you for your kind words thanks-kind-words", (1, 0)),
    ("than kind", "Thank you for your kind words thanks-kind-words", (1, 1)),
    ("Kind THAN", "Thank you for your kind words thanks-kind-words", (1, 1)),
    ("hours", "Opening hours and locations question-hours-locations", (1, 0)),
    ("hour", "Opening hours and locations question-hours-locations", (0, 1)),
    ("", "anything", (0, 0)),
])
def test_word_match_counts_whole_words_then_beginnings(
        query: str, text: str, found: tuple[int, int] | None) -> None:
    assert word_match(query, text) == found


# -- 13: no key sequence prints a traceback ------------------------------------------------


@pytest.mark.parametrize("key", ["e", "h", "x", "u", "r", "a", "t", "D", "A", "L", "S", "v",
                                 "slash", "question_mark", "enter", "space", "1"])
async def test_a_key_right_after_q_does_nothing(world: World, key: str) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(QueueList).move_to_id(facebook_rows(app)[0])
        await pilot.pause()
        app.simulate_key("q")
        app.simulate_key(key)  # before the app has finished quitting
        app.simulate_key(key)
        await pilot.pause()
    assert app._exception is None
    assert app.return_code == 0


# -- 14: quitting with a reply still to be sent asks first ---------------------------------


async def queue_a_reply(app: TriageApp, pilot: object) -> str:
    comment = facebook_rows(app)[0]
    app.query_one(QueueList).move_to_id(comment)
    await pilot.press("r", "ctrl+s")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    return comment


def replies_posted(world: World) -> list[str]:
    return [str(p["text"]) for p in world.server.posted("facebook") if p["action"] == "reply"]


@pytest.mark.parametrize(("choice", "running", "state"), [
    ("Cancel — stay in Triage", True, "queued"),
    ("Keep queued — sent at the next start of Triage", False, "queued"),
    ("Send now, then quit", False, "sent"),
])
async def test_q_with_a_reply_in_its_window_asks_first(
        world: World, choice: str, running: bool, state: str) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        await queue_a_reply(app, pilot)
        await pilot.press("q")
        modal = app.screen
        assert isinstance(modal, ChoiceScreen)
        assert str(modal.query_one(Label).content) == (
            "1 reply is waiting to be sent. Quit how?")
        options = modal.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt)
                  for i in range(options.option_count)]
        await pilot.press(*["down"] * labels.index(choice), "enter")
        await settle(app, pilot)
        assert app.is_running is running
        (item,) = all_items(world.store)
        assert item.state == state
    assert app._exception is None
    assert len(replies_posted(world)) == (1 if state == "sent" else 0)


async def test_a_reply_past_its_window_with_no_sender_says_queued(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        comment = await queue_a_reply(app, pilot)
        app.query_one(QueueList).move_to_id(comment)
        world.clock.advance(5)
        app.outbox.outbox_tick()
        await pilot.pause()
        assert status_cell(app, comment) == "sending 5s"
        world.clock.advance(60)  # the window passed; no sender runs in this app
        app.outbox.outbox_tick()
        await pilot.pause()
        assert status_cell(app, comment) == "queued"
        detail = text_of(app.screen.query_one("#detail-body", Static))
        assert "sending in" not in detail
        assert "queued (outbox" in detail and "it is sent at the next start of Triage" in detail


async def test_a_closing_queue_screen_answers_its_keys_without_an_error(
        queue_store: Store) -> None:
    """The footer asks for the keys' state after a delay, which can fall while the screen
    is taking its widgets down: no error then, the keys are simply not offered."""
    from tui.queue_list import QueueList

    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.queue_screen
        assert screen.check_action("open_detail", ()) is True
        await screen.query_one(QueueList).remove()
        assert screen.check_action("open_detail", ()) is None
        assert screen.check_action("note", ()) is None
