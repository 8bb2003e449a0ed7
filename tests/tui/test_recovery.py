"""The desk says what opening the data folder recovered: a torn journal line set aside."""

from __future__ import annotations

from pathlib import Path

from tests.factories import make_comment
from tests.tui.conftest import make_app
from triage.desk import Desk
from triage.store import Store


async def test_a_torn_journal_line_is_set_aside_and_said_on_screen(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store(data) as first:
        first.ingest([make_comment(f"c{i}", f"comment {i}", minutes_ago=i) for i in range(30)],
                     user="t")
        Desk(first, "ana").dismiss(["c4"])
    with open(data / "journal.jsonl", "ab") as handle:
        handle.write(b'{"kind":"escalate","text":"' + b"z" * (2 << 20))  # cut by a kill
    with Store(data, defer_load=True) as store:
        app = make_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            messages = [str(n.message) for n in app._notifications]
            assert any("moved to journal.jsonl.torn" in m and "every entry before it is kept"
                       in m for m in messages), messages
            assert store.get("c4").status == "dismissed"
