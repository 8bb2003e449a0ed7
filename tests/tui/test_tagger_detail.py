"""The detail pane shows why the tagger tagged a comment: evidence lit, myth and resource."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text
from textual.widgets import Static

from tests.factories import FLU_POST, make_comment
from tests.tui.conftest import make_app, selected_id
from triage.store import Store
from triage.tagger import Tagger
from tui.chips import evidence_style

MYTH = "Skip it. The flu shot gives you the flu, every single time."


def shown(body: Static) -> str:
    console = Console(width=118, record=True, color_system=None)
    console.print(body.content)
    return console.export_text()


def lit_words(body: Static, text: str, tag: str) -> list[str]:
    """The words of the comment drawn in the tag's evidence colour."""
    content = body.content
    style = evidence_style(tag)
    found: list[str] = []
    for part in content.renderables if hasattr(content, "renderables") else [content]:
        if isinstance(part, Text) and part.plain.startswith(text[:20]):
            found.extend(part.plain[span.start:span.end] for span in part.spans
                         if span.style == style)
    return found


async def test_the_detail_lights_the_evidence_and_names_the_myth(tmp_path: Path) -> None:
    tagger = Tagger()
    with Store(tmp_path / "data", tagger=tagger.tag) as store:
        store.ingest([make_comment("c-myth", MYTH, minutes_ago=1)], [FLU_POST], user="t")
        tags = store.get("c-myth").tags
        assert [tag.name for tag in tags] == ["misinformation"]
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert selected_id(app) == "c-myth"
            body = app.screen.query_one("#detail-body", Static)
            text = shown(body)
            assert "matched myth: flu-shot-gives-flu" in text
            assert "“The flu shot gives you the flu.”" in text  # the claim as the library says
            assert tags[0].resource_url and tags[0].resource_url in text
            lit = lit_words(body, MYTH, "misinformation")
            assert "flu shot" in lit and "gives you the flu" in lit
            assert not any("Skip it" in words for words in lit)
