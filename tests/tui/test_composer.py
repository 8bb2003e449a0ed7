"""Replying from the queue: r opens the composer, ctrl+s sends through the outbox, u cancels,
h hides where the platform can; against the platform stand-ins on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App, ComposeResult
from textual.widgets import Input, Static, TextArea

from tests.connectors.conftest import FAST
from tests.outbox.conftest import (
    CDC,
    Clock,
    config_text,
    standin_accounts,
    standin_comment,
    write_templates,
)
from tests.tui.conftest import make_app, row_text
from triage.config import Config, parse_config
from triage.outbox import CANCELLED, QUEUED, SENT, WAITING, all_items
from triage.standins import StandinServer
from triage.store import Store
from triage.templates import load_library, render
from tui.app import TriageApp
from tui.approvals_screen import ApprovalsScreen
from tui.composer import FREE_TEXT, ComposerScreen
from tui.queue_list import QueueList
from tui.template_list import TemplateList

MYTH = "The flu shot gives you the flu, everyone knows it"
PRIVACY = "My dad is in room 412 since Monday, can someone check on him?"


class World:
    """A stand-in server, a config for its accounts, a store with a comment on each of
    Facebook (a myth), Facebook (a privacy risk) and Mastodon (a question)."""

    def __init__(self, server: StandinServer, tmp: Path, monkeypatch: pytest.MonkeyPatch):
        self.server = server
        accounts, self.environ = standin_accounts(server)
        for name in self.environ:  # the outbox gets the tokens; the live sync stays out
            monkeypatch.delenv(name, raising=False)
        self.config: Config = parse_config(config_text(write_templates(tmp / "tpl"), accounts))
        self.clock = Clock()
        self.store = Store(tmp / "data", clock=self.clock)
        made = [standin_comment(server, "facebook", MYTH, "facebook"),
                standin_comment(server, "facebook", PRIVACY, "facebook"),
                standin_comment(server, "mastodon", "When do you open?", "mastodon")]
        self.ids = {"myth": made[0].id, "privacy": made[1].id, "mastodon": made[2].id}
        self.store.ingest(made, user="test")

    def app(self, user: str = "ben") -> TriageApp:
        app = make_app(self.store, config=self.config, user=user)
        app.clock = self.clock
        app.outbox.environ, app.outbox.policy = self.environ, FAST
        app.outbox.background = False  # the tests send by hand, once the clock says so
        return app

    def replies(self) -> list[dict[str, object]]:
        return [p for p in self.server.posted("facebook") if p["action"] == "reply"]


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with StandinServer() as server:
        made = World(server, tmp_path, monkeypatch)
        yield made
        made.store.close()


def text_of(widget: Static) -> str:
    console = Console(width=200, record=True, color_system=None)
    console.print(widget.content)
    return console.export_text()


def messages(app: App[None]) -> list[str]:
    return [n.message for n in app._notifications]


def move_to(app: TriageApp, comment_id: str) -> None:
    app.query_one(QueueList).move_to_id(comment_id)


def status_cell(app: TriageApp, comment_id: str) -> str:
    index = app.query_one(QueueList).index_of(comment_id)
    assert index is not None
    start = row_text(app, 0).index(" Status")
    return row_text(app, index + 1)[start:start + 12].strip()


async def test_r_to_a_sent_reply(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, world.ids["myth"])
        await pilot.press("r")
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        assert composer.shown_ids[0] == "myth-any"
        text = composer.query_one(TextArea).text
        assert text.startswith("Hi Dana Whitfield, that is a common worry.") and CDC in text
        length = text_of(composer.query_one("#composer-length", Static))
        assert length.startswith(f"{len(text)} / 8000 characters on Facebook")
        verdict = text_of(composer.query_one("#composer-verdict", Static))
        assert "Approved template myth-any: ctrl+s sends it after a 10-second undo window" \
            in verdict
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, ComposerScreen)
        (item,) = all_items(world.store)
        assert (item.state, item.by, item.template_id) == (QUEUED, "ben", "myth-any")
        assert status_cell(app, world.ids["myth"]) == "sending 10s"
        assert "Sending the reply in 10 s — u cancels it." in messages(app)
        app.outbox.outbox_tick()
        await app.workers.wait_for_complete()
        assert world.replies() == []  # still in its window
        world.clock.advance(11)
        assert app.outbox.send_due()
        await app.workers.wait_for_complete()
        await pilot.pause()
        (posted,) = world.replies()
        assert posted["target"] == world.store.get(world.ids["myth"]).native_id
        assert CDC in str(posted["text"])
        assert "Reply to Dana Whitfield sent on Facebook." in messages(app)
        assert status_cell(app, world.ids["myth"]).startswith("replied")
        assert all_items(world.store)[0].state == SENT
        detail = text_of(app.screen.query_one("#detail-body", Static))
        assert f"Reply by ben posted at 15:00:11 as facebook id {posted['id']}." in detail


async def test_u_in_the_window_cancels(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, world.ids["myth"])
        await pilot.press("r", "ctrl+s")
        await pilot.pause()
        world.clock.advance(4)
        app.outbox.outbox_tick()
        assert status_cell(app, world.ids["myth"]) == "sending 6s"
        detail = text_of(app.screen.query_one("#detail-body", Static))
        assert "sending in 6 s — u cancels it" in detail
        await pilot.press("u")
        (item,) = all_items(world.store)
        assert item.state == CANCELLED
        assert world.store.get(world.ids["myth"]).status == "new"
        assert "Cancelled the reply: nothing was sent." in messages(app)
        world.clock.advance(60)
        assert not app.outbox.send_due()
        assert world.replies() == []


async def test_after_a_reply_the_cursor_moves_on_and_u_brings_it_back(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        queue = app.query_one(QueueList)
        first, second = (c.id for c in queue.rows[:2])
        move_to(app, first)
        await pilot.press("r", "ctrl+s")
        await pilot.pause()
        assert queue.selected is not None and queue.selected.id == second
        await pilot.press("u")  # cancels the reply, and shows the comment it was for
        assert queue.selected is not None and queue.selected.id == first
        detail = text_of(app.screen.query_one("#detail-body", Static))
        assert "cancelled before it was sent" in detail


async def test_the_filter_narrows_the_templates(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, world.ids["myth"])
        await pilot.press("r")
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        assert composer.shown_ids[0] == "myth-any"  # answers its tag: first
        assert set(composer.shown_ids) == {"myth-any", "thanks", "question-any",
                                           "question-old", "privacy-safe"}
        await pilot.press("ctrl+f", *"than")
        assert composer.query_one(Input).value == "than"
        assert composer.shown_ids == ["thanks"]
        # the best match is chosen as the filter narrows, and its text is in the editor
        assert composer.template_id == "thanks"
        assert composer.query_one(TextArea).text == (
            "Thank you Dana Whitfield, we will pass it on to the team!")
        await pilot.press("enter")  # enter in the filter: on to the text
        assert composer.focused is composer.query_one(TextArea)
        assert composer.template_id == "thanks"


async def test_the_count_on_mastodon_includes_the_mention_put_in_front(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, world.ids["mastodon"])
        await pilot.press("r")
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        area = composer.query_one(TextArea)
        area.load_text("a" * 494)  # 494 alone, 500 with "@dana "
        await pilot.pause()
        length = text_of(composer.query_one("#composer-length", Static))
        assert length.startswith("500 / 500 characters on Mastodon (with the @dana in front)")
        assert "too long" not in length
        area.load_text("a" * 495)
        await pilot.pause()
        length = text_of(composer.query_one("#composer-length", Static))
        assert length.startswith("501 / 500 characters on Mastodon (with the @dana in front) "
                                 "— too long")
        composer.flush()  # the checks run once typing pauses: now, for the test
        verdict = text_of(composer.query_one("#composer-verdict", Static))
        assert "the reply is 501 characters with the @dana put in front of it and mastodon " \
               "allows 500" in verdict


async def test_a_privacy_risk_is_offered_only_phi_safe_templates(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, world.ids["privacy"])
        await pilot.press("r")
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        library = load_library(world.config, today=world.clock().date())
        assert composer.shown_ids and all(library.get(i).phi_safe for i in composer.shown_ids)
        assert "thanks" not in composer.shown_ids
        notice = text_of(composer.query_one("#composer-notice", Static))
        assert "Privacy risk: only PHI-safe templates are offered" in notice


async def test_an_edit_needs_approval_and_waits_for_an_approver(world: World) -> None:
    world.config = replace(world.config, replies=replace(world.config.replies,
                                                         max_edit_share=0.0))
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, world.ids["myth"])
        await pilot.press("r")
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        editor = composer.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)
        await pilot.press(*" Truly.")
        assert composer.needs_approval
        verdict = text_of(composer.query_one("#composer-verdict", Static))
        assert verdict.startswith("NEEDS APPROVAL — template 'myth-any' edited beyond 0% of "
                                  "its words")
        assert "Changed from the template:" in verdict and "{+ Truly.+}" in verdict
        await pilot.press("ctrl+s")
        await pilot.pause()
        (item,) = all_items(world.store)
        assert item.state == WAITING and item.text.endswith("Truly.")
        assert status_cell(app, world.ids["myth"]) == "approval…"
        world.clock.advance(60)
        assert not app.outbox.send_due()
        await pilot.press("A")
        assert isinstance(app.screen, ApprovalsScreen)
        assert app.screen.check_action("approve", ()) is None  # ben is no approver
        who = text_of(app.screen.query_one("#approvals-who", Static))
        assert "Only approvers decide (ana)" in who
    assert world.replies() == []


async def write_free_text(world: World, user: str) -> None:
    """``user`` answers the myth with free text, which waits for an approver."""
    app = world.app(user=user)
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, world.ids["myth"])
        await pilot.press("r")
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        await pilot.press("end", "enter")
        assert composer.template_id is None  # free text
        composer.query_one(TextArea).insert("We hear you. Ask us anything.")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert all_items(world.store)[0].state == WAITING


async def test_an_approver_approves_and_it_is_sent(world: World) -> None:
    await write_free_text(world, "ben")
    app = world.app(user="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("A")
        screen = app.screen
        assert isinstance(screen, ApprovalsScreen)
        body = text_of(screen.query_one("#approvals-body", Static))
        assert "Reply: We hear you. Ask us anything." in body
        await pilot.press("y")
        await app.workers.wait_for_complete()
        (posted,) = world.replies()
        assert posted["text"] == "We hear you. Ask us anything."
        assert all_items(world.store)[0].decision is not None


async def test_an_approver_may_not_approve_their_own_reply(world: World) -> None:
    await write_free_text(world, "ana")
    app = world.app(user="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("A")
        assert isinstance(app.screen, ApprovalsScreen)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert ("you wrote this reply; another approver must approve it (four eyes: "
                "config.toml [replies] self_approval = false)") in messages(app)
        assert world.replies() == []
        assert all_items(world.store)[0].state == WAITING


async def test_self_approval_when_the_config_allows_it(world: World) -> None:
    await write_free_text(world, "ana")
    world.config = replace(world.config, replies=replace(world.config.replies,
                                                         self_approval=True))
    app = world.app(user="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("A", "y")
        await app.workers.wait_for_complete()
        (posted,) = world.replies()
        assert posted["text"] == "We hear you. Ask us anything."


async def test_h_hides_where_it_can_and_says_why_where_it_cannot(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, world.ids["mastodon"])
        await pilot.pause()
        assert app.screen.check_action("hide_comment", ()) is None
        detail = text_of(app.screen.query_one("#detail-body", Static))
        assert "h (hide) is not available here: Mastodon has no per-reply hide" in detail
        await pilot.press("h")
        assert any(m.startswith("cannot hide: Mastodon has no per-reply hide")
                   for m in messages(app))
        assert world.store.get(world.ids["mastodon"]).status == "new"
        move_to(app, world.ids["myth"])
        await pilot.press("h")
        await app.workers.wait_for_complete()
        assert world.store.get(world.ids["myth"]).status == "hidden"
        native = world.store.get(world.ids["myth"]).native_id
        assert ("hide", native) in [(p["action"], p["target"])
                                    for p in world.server.posted("facebook")]


async def test_the_palette_reaches_every_template(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, world.ids["myth"])
        await pilot.press("ctrl+p", *"thanks")
        await pilot.pause(0.3)
        await pilot.press("down", "enter")
        await pilot.pause()
        composer = app.screen
        assert isinstance(composer, ComposerScreen) and composer.template_id == "thanks"


async def test_r_then_ctrl_s_sends_the_top_relevant_template(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, world.ids["mastodon"])  # a question
        await pilot.press("r")
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        top = composer.shown_ids[0]
        assert top == "question-any" and composer.template_id == top
        expected = rendering(world, "mastodon", top)
        assert composer.query_one(TextArea).text == expected
        chosen = text_of(composer.query_one("#composer-chosen", Static))
        assert chosen.startswith("Question any\nquestion-any · answers question")
        await pilot.press("ctrl+s")
        await pilot.pause()
        (item,) = all_items(world.store)
        assert (item.template_id, item.text, item.state) == (top, expected, QUEUED)


async def test_the_arrow_keys_change_the_choice_and_the_preview_follows(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, world.ids["myth"])
        await pilot.press("r")
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        ids = composer.shown_ids
        options = composer.query_one(TemplateList)
        editor = composer.query_one(TextArea)
        await pilot.press("down")  # in the list
        assert composer.template_id == ids[1] == options.highlighted_option.id
        assert editor.text == rendering(world, "myth", ids[1])
        await pilot.press("ctrl+f", "up")  # from the filter
        assert composer.focused is composer.query_one(Input)
        assert composer.template_id == ids[0] == options.highlighted_option.id
        assert editor.text == rendering(world, "myth", ids[0])
        assert not composer.needs_approval
        editor.focus()
        editor.move_cursor(editor.document.end)
        await pilot.press(*" Yes.")  # an edit is kept while the choice moves …
        options.focus()
        await pilot.press("down")
        assert editor.text.endswith("Yes.") and composer.template_id == ids[0]
        assert "Your edit is kept" in text_of(composer.query_one("#composer-chosen", Static))
        await pilot.press("enter")  # … until enter puts the template's text back
        assert composer.template_id == ids[1] and editor.text == rendering(world, "myth", ids[1])
        assert composer.focused is editor


async def test_typing_on_the_list_filters_and_escape_clears_then_cancels(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, world.ids["myth"])
        await pilot.press("r")
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        assert composer.focused is composer.query_one(TemplateList)
        await pilot.press(*"thank")
        assert composer.query_one(Input).value == "thank"
        assert composer.shown_ids == ["thanks"] and composer.template_id == "thanks"
        await pilot.press("escape")  # clears the filter: the best template again
        assert composer.query_one(Input).value == "" and app.screen is composer
        assert composer.template_id == "myth-any"
        await pilot.press("escape")
        assert not isinstance(app.screen, ComposerScreen)
    assert all_items(world.store) == []


async def test_a_template_that_cannot_be_filled_in_says_why(world: World) -> None:
    config = replace(world.config, org=replace(world.config.org, contact_url=""))
    app = _Host(world, "mastodon", config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        composer = app.screen
        assert isinstance(composer, ComposerScreen)
        # no template for its tags can be filled in: it starts on free text, and says why
        assert composer.template_id is None
        assert composer.query_one(TemplateList).highlighted_option.id == FREE_TEXT
        chosen = text_of(composer.query_one("#composer-chosen", Static))
        assert "No template for its tags can be filled in: " in chosen
        assert "contact_url" in chosen
        assert any("cannot be filled in" in line for line in option_lines(composer))
        await pilot.press("home")  # question-any, which needs the contact page
        assert composer.template_id == "question-any"
        verdict = text_of(composer.query_one("#composer-verdict", Static))
        assert verdict.startswith("Template question-any cannot be filled in:")
        assert "contact_url" in verdict and "empty" not in verdict.split(":")[0]


def rendering(world: World, which: str, template_id: str) -> str:
    library = load_library(world.config, today=world.clock().date())
    return render(library.get(template_id), world.store.get(world.ids[which]), world.config)


def option_lines(composer: ComposerScreen) -> list[str]:
    options = composer.query_one(TemplateList)
    return [text_of(Static(options.get_option_at_index(i).prompt))
            for i in range(options.option_count)]


class _Host(App[None]):
    """A bare app that shows the composer, for its snapshot."""

    def __init__(self, world: World, which: str = "myth", config: Config | None = None) -> None:
        super().__init__()
        self.world = world
        self.which = which
        self.config = config or world.config

    def compose(self) -> ComposeResult:
        yield Static("")

    def on_mount(self) -> None:
        comment = self.world.store.get(self.world.ids[self.which])
        library = load_library(self.config, today=self.world.clock().date())
        self.push_screen(ComposerScreen(comment, comment, library, self.config,
                                        today=self.world.clock().date()))


def test_composer_snapshot(snap_compare, world: World) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_Host(world), terminal_size=(120, 40))
