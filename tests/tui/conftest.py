"""Fixtures for driving the app: a store with the sample queue and an app on it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.factories import FLU_POST, NOW, sample_comments
from triage.config import Config, parse_config
from triage.store import Store
from tui.app import TriageApp
from tui.queue_list import QueueList


@pytest.fixture
def queue_store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "data") as store:
        store.ingest(sample_comments(), [FLU_POST], user="test")
        yield store


def make_app(
    store: Store,
    config: Config | None = None,
    user: str = "ana",
    now: datetime = NOW,
    view: str | None = "All",
) -> TriageApp:
    """The app on ``store``; it opens on ``view`` (most tests walk the whole queue: All;
    ``None`` opens where a desk opens, on Crisis while any crisis is open)."""
    return TriageApp(
        store=store,
        config=config or parse_config('[org]\nname = "Riverside Health"\n'),
        user=user,
        clock=lambda: now,
        show_clock=False,
        view=view,
    )


def row_text(app: TriageApp, index: int) -> str:
    """The text of a row of the queue list as drawn (index 0 is the header)."""
    queue = app.query_one(QueueList)
    return "".join(segment.text for segment in queue.render_line(index))


def selected_id(app: TriageApp) -> str | None:
    comment = app.query_one(QueueList).selected
    return comment.id if comment else None
