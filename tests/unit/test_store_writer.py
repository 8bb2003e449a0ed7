"""The background writer: files reach disk off the owner's thread, in an order that is safe."""

from __future__ import annotations

import threading
from pathlib import Path

import orjson
import pytest

from tests.factories import FLU_POST, make_comment, sample_comments
from triage.desk import Desk
from triage.errors import StoreError
from triage.storage import AtomicJSONStorage
from triage.store import Store


def _state_on_disk(data_dir: Path) -> dict[str, object]:
    path = data_dir / "store" / "state.json"
    if not path.exists():
        return {}
    return dict(orjson.loads(path.read_bytes()).get("state", {}))


def _comment_ids_on_disk(data_dir: Path) -> set[str]:
    found: set[str] = set()
    for path in (data_dir / "store").glob("comments-*.json"):
        found |= set(orjson.loads(path.read_bytes()).get("comments", {}))
    return found


def test_everything_written_in_the_background_is_there_after_a_reopen(data_dir: Path) -> None:
    with Store(data_dir) as store:
        store.write_in_background()
        store.ingest(sample_comments(), [FLU_POST], user="sync")
        store.set_state("sync:riverside:cursor", {"cursor": {"since_id": "9"}})
        Desk(store, "ana").dismiss(["c-question"])
    with Store(data_dir) as store:
        assert len(store) == 7
        assert store.get("c-question").status == "dismissed"
        assert store.state("sync:riverside:cursor") == {"cursor": {"since_id": "9"}}
        assert store.posts["post-flu"].text.startswith("Free flu shots")


def test_a_cursor_never_reaches_disk_before_the_comments_it_follows(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the writer is stuck on a comment file, the cursor stays off disk."""
    entered, release = threading.Event(), threading.Event()
    real_put = AtomicJSONStorage.put

    def slow_put(self: AtomicJSONStorage, payload: bytes) -> None:
        if self.path.name.startswith("comments-") and b"c-late" in payload:
            entered.set()
            release.wait(10)
        real_put(self, payload)

    monkeypatch.setattr(AtomicJSONStorage, "put", slow_put)
    with Store(data_dir) as store:
        store.write_in_background()
        result = store.ingest([make_comment("c-late", "When does the clinic open?")], user="sync")
        store.set_state("sync:riverside:cursor", {"cursor": {"since_id": "42"}})
        assert result.new == 1 and store.get("c-late").text.startswith("When")
        assert entered.wait(10), "the writer never started on the comment file"
        # A crash now would find no cursor on disk, so the comment is fetched again.
        assert "sync:riverside:cursor" not in _state_on_disk(data_dir)
        assert "c-late" not in _comment_ids_on_disk(data_dir)
        release.set()
        store.flush()
        assert "c-late" in _comment_ids_on_disk(data_dir)
        assert "sync:riverside:cursor" in _state_on_disk(data_dir)


def test_a_failed_background_write_is_reported_and_retried(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures = [1]
    real_put = AtomicJSONStorage.put

    def failing_put(self: AtomicJSONStorage, payload: bytes) -> None:
        if self.path.name.startswith("comments-") and failures:
            failures.pop()
            self.dirty = True
            raise StoreError(f"{self.path}: cannot write the store: No space left on device")
        real_put(self, payload)

    monkeypatch.setattr(AtomicJSONStorage, "put", failing_put)
    with Store(data_dir) as store:
        store.write_in_background()
        store.ingest([make_comment("c-full", "Is the flu clinic open today?")], user="sync")
        with pytest.raises(StoreError, match="No space left on device"):
            store.flush()
        store.flush()  # the data was kept as changed: the next pass writes it
        assert "c-full" in _comment_ids_on_disk(data_dir)
    with Store(data_dir) as store:
        assert store.get("c-full").text == "Is the flu clinic open today?"
