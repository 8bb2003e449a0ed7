"""What people expect of an inbox, on screen: notes (N), the author's history (H), our
own reply in the thread, and the comment's link (o)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from tests.factories import make_comment
from tests.tui.conftest import make_app
from tests.tui.test_composer import World, messages, move_to, text_of
from triage.desk import Desk
from triage.standins import StandinServer
from triage.store import Store
from tui.author_screen import AuthorScreen
from tui.help_screen import HelpScreen
from tui.link_screen import LinkScreen
from tui.queue_list import QueueList


def detail(app: object) -> str:
    return text_of(app.screen.query_one("#detail-body", Static))  # type: ignore[attr-defined]


# -- 20: notes on any comment ------------------------------------------------------------

async def test_n_writes_a_note_shown_as_text_under_the_thread(queue_store: Store) -> None:
    app = make_app(queue_store, user="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, "c-question")
        await pilot.pause()
        await pilot.press("N")
        await pilot.pause()
        field = app.screen.query_one(Input)
        field.value = "[bold red]Called[/] the clinic: opens at 9"
        await pilot.press("enter")
        await pilot.pause()
        shown = detail(app)
        assert "Notes (1)" in shown
        assert "\nana · " in shown  # who, then when
        assert "[bold red]Called[/] the clinic: opens at 9" in shown  # text, not markup
        assert "Noted, for the team only (shown under the thread)" in messages(app)
    (note,) = Desk(queue_store, "x").notes("c-question")
    assert (note.by, note.text) == ("ana", "[bold red]Called[/] the clinic: opens at 9")


async def test_an_empty_note_is_refused_saying_why(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, "c-question")
        await pilot.press("N")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "the note is empty" in messages(app)
        assert "Notes (" not in detail(app)


async def test_notes_keys_are_listed_in_help(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = "".join(text_of(s) for s in app.screen.query(Static))
        for ident in ("queue.note", "queue.author", "queue.open_link"):
            assert ident in shown
        assert "Write an internal note on the comment" in shown


# -- 21: the author's history ------------------------------------------------------------

async def test_h_opens_the_authors_history_and_enter_goes_there(queue_store: Store) -> None:
    queue_store.ingest([
        make_comment("c-rob-2", "Flu shots are [b]poison[/b]", minutes_ago=600,
                     author="Rob Keller", account="oncology-fb"),
        make_comment("c-rob-3", "Still think so", minutes_ago=900, author="Rob Keller"),
    ], user="sync")
    Desk(queue_store, "ben").dismiss(["c-rob-2"])
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, "c-myth")
        await pilot.pause()
        await pilot.press("H")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AuthorScreen)
        title = text_of(screen.query_one("#author-title", Static))
        assert "Rob Keller: 2 other comments on Facebook, on 2 accounts" in title
        table = screen.query_one(DataTable)
        first = [str(cell) for cell in table.get_row_at(0)]
        assert first[1:5] == ["oncology-fb", "dismissed", "—", "ben"]
        assert first[5] == "Flu shots are [b]poison[/b]"
        below = text_of(screen.query_one("#author-detail-body", Static))
        assert "oncology-fb" in below and "Flu shots are [b]poison[/b]" in below
        assert "dismiss by ben" in below  # what was done, by whom
        second = [str(cell) for cell in table.get_row_at(1)]
        assert second[2] == "new" and second[4] == "nobody yet"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, AuthorScreen)
        assert app.query_one(QueueList).selected.id == "c-rob-3"  # type: ignore[union-attr]


async def test_h_on_a_first_time_author_says_so(queue_store: Store) -> None:
    app = make_app(queue_store)
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, "c-plain")
        await pilot.pause()
        await pilot.press("H")
        await pilot.pause()
        title = text_of(app.screen.query_one("#author-title", Static))
        assert "Sam Lee: no other comment on Facebook in the queue" in title
        await pilot.press("escape")
        assert not isinstance(app.screen, AuthorScreen)


# -- 22: our own reply in the thread -----------------------------------------------------

@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with StandinServer() as server:
        made = World(server, tmp_path, monkeypatch)
        yield made
        made.store.close()


async def test_our_sent_reply_shows_in_the_thread_marked_as_ours(world: World) -> None:
    app = world.app(user="ben")
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, world.ids["myth"])
        await pilot.press("r", "ctrl+s")
        await pilot.pause()
        assert "our reply" not in detail(app)  # not sent yet: not in the thread
        world.clock.advance(11)
        assert app.outbox.send_due()
        await app.workers.wait_for_complete()
        await pilot.pause()
        (posted,) = world.replies()
        move_to(app, world.ids["myth"])
        await pilot.pause()
        shown = detail(app)
        thread = shown.split("Thread")[1]
        assert "our reply by ben · sent just now" in thread
        first_line = str(posted["text"]).splitlines()[0]
        assert first_line in thread


# -- 23: the link ------------------------------------------------------------------------

async def test_o_over_ssh_shows_the_link_to_copy(queue_store: Store,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 51000 10.0.0.1 22")
    app = make_app(queue_store)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, "c-question")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, LinkScreen)
        url = text_of(app.screen.query_one("#link-url", Static))
        assert "https://www.facebook.com/riverside/posts/1?comment_id=c-question" in url
        assert opened == []
        await pilot.press("escape")
        assert not isinstance(app.screen, LinkScreen)


async def test_o_with_a_browser_opens_it(queue_store: Store,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SSH_CONNECTION", "SSH_TTY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr("webbrowser.get", lambda using=None: object())
    app = make_app(queue_store)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=(120, 40)) as pilot:
        move_to(app, "c-question")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert opened == ["https://www.facebook.com/riverside/posts/1?comment_id=c-question"]
        assert not isinstance(app.screen, LinkScreen)


async def test_o_without_a_link_says_so(tmp_path: Path) -> None:
    from dataclasses import replace

    with Store(tmp_path / "data") as store:
        store.ingest([replace(make_comment("c-none", "hello"), permalink="")], user="t")
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("o")
            await pilot.pause()
            assert "This comment has no link: the platform gave none." in messages(app)
            assert not isinstance(app.screen, LinkScreen)
