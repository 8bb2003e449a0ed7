"""Snapshots of the screens people look at, at 120×40, on a fixed queue and clock."""

from __future__ import annotations

from pathlib import Path

from tests.factories import FLU_POST, sample_comments
from tests.tui.conftest import make_app
from triage.store import Store


def test_queue_screen(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with Store(tmp_path / "data") as store:
        store.ingest(sample_comments(), [FLU_POST], user="test")
        app = make_app(store)
        assert snap_compare(app, terminal_size=(120, 40), press=["j", "j", "j"])
