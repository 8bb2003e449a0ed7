"""The store: one owner, durable actions, replay after a crash, clear errors when broken."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from tests.factories import FLU_POST, NOW, make_comment, sample_comments
from triage.desk import Desk
from triage.errors import ActionRefused, StoreError, StoreLockedError
from triage.journal import verify
from triage.model import Tag
from triage.query import parse_query
from triage.store import Store


def test_ingest_is_durable_and_dedupes(data_dir: Path) -> None:
    with Store(data_dir) as store:
        first = store.ingest(sample_comments(), [FLU_POST], user="t")
        again = store.ingest(sample_comments(), [FLU_POST], user="t")
    assert (first.new, again.new, again.unchanged) == (7, 0, 7)
    with Store(data_dir) as store:
        assert len(store) == 7
        assert store.get("c-myth").tag("misinformation") is not None
        assert store.posts["post-flu"].text.startswith("Free flu shots")


def test_edited_text_is_updated_and_tagged_again(data_dir: Path) -> None:
    calls: list[str] = []

    def tagger(text: str) -> tuple[Tag, ...]:
        calls.append(text)
        return (Tag("question", 0.9, ((0, 4),), "test"),) if "?" in text else ()

    with Store(data_dir, tagger=tagger) as store:
        store.ingest([make_comment("c1", "hello")], user="t")
        Desk(store, "ana").dismiss(["c1"])
        result = store.ingest([make_comment("c1", "hello, when do you open?")], user="t")
        comment = store.get("c1")
    assert result.updated == 1
    assert comment.tag_names == ("question",) and comment.status == "dismissed"
    assert calls == ["hello", "hello, when do you open?"]


def test_a_second_process_is_refused(data_dir: Path) -> None:
    with Store(data_dir):
        with pytest.raises(StoreLockedError, match="in use by another Triage"):
            Store(data_dir)
    Store(data_dir).close()  # free again once the first has closed


def test_actions_survive_without_a_flush(data_dir: Path) -> None:
    store = Store(data_dir, flush_every=10_000, flush_seconds=3600)
    store.ingest(sample_comments(), user="t")
    Desk(store, "ana").dismiss(["c-plain", "c-myth"])
    # Simulate a crash: release the lock without flushing the TinyDB files.
    store.journal.close()
    store._lock.release()
    with Store(data_dir) as reopened:
        assert reopened.replayed == 2
        assert reopened.get("c-plain").status == "dismissed"
        assert reopened.get("c-myth").status == "dismissed"
        assert reopened.get("c-question").status == "new"


def test_undo_takes_back_a_whole_batch_then_the_single_before(store: Store) -> None:
    desk = Desk(store, "ana")
    desk.dismiss(["c-plain"])
    desk.dismiss(["c-myth", "c-question"])
    undone = desk.undo()
    assert {a.comment_id for a in undone} == {"c-myth", "c-question"}
    assert store.get("c-myth").status == "new" and store.get("c-plain").status == "dismissed"
    desk.undo()
    assert store.get("c-plain").status == "new"
    with pytest.raises(ActionRefused, match="nothing to undo"):
        desk.undo()


def test_undo_is_per_person(store: Store) -> None:
    Desk(store, "ana").dismiss(["c-plain"])
    with pytest.raises(ActionRefused):
        Desk(store, "ben").undo()
    assert store.get("c-plain").status == "dismissed"


def test_undo_refuses_when_someone_changed_it_since(store: Store) -> None:
    Desk(store, "ana").dismiss(["c-plain"])
    Desk(store, "ben").restore(["c-plain"])
    with pytest.raises(ActionRefused, match="changed since"):
        Desk(store, "ana").undo()


def test_every_action_is_journaled_with_who(store: Store) -> None:
    Desk(store, "ana").dismiss(["c-plain"])
    store.flush()
    result = verify(store.journal.path)
    assert result.ok
    last = next(store.journal.read_backwards())
    assert last["user"] == "ana" and last["kind"] == "dismiss"
    assert last["before"] == {"status": "new"} and last["after"] == {"status": "dismissed"}


def test_a_corrupt_store_file_is_named_set_aside_and_the_rest_opens(data_dir: Path) -> None:
    with Store(data_dir) as store:
        store.ingest(sample_comments(), user="t")
        Desk(store, "ana").dismiss(["c-plain", "c-myth", "c-question"])
    shards = sorted((data_dir / "store").glob("comments-*.json"))
    broken = shards[0]
    lost = {doc_id for doc_id in orjson.loads(broken.read_bytes())["comments"]}
    broken.write_bytes(b"{not json")
    with Store(data_dir) as store:
        assert len(store.warnings) == 1
        assert broken.name in store.warnings[0] and "not valid JSON" in store.warnings[0]
        assert len(store) == 7 - len(lost)
        for comment_id in {"c-plain", "c-myth", "c-question"} - lost:
            assert store.get(comment_id).status == "dismissed"
    kept = list((data_dir / "store").glob(f"{broken.name}.corrupt-*"))
    assert kept and kept[0].read_bytes() == b"{not json"


def test_text_that_is_not_valid_unicode_is_stored_repaired(data_dir: Path) -> None:
    with Store(data_dir) as store:
        store.ingest([make_comment("c1", "bad \ud800 surrogate")], user="t")
    with Store(data_dir) as store:
        assert store.get("c1").text == "bad ? surrogate"


def test_records_are_journaled_and_replayed(data_dir: Path) -> None:
    store = Store(data_dir, flush_every=10_000, flush_seconds=3600)
    store.record([{"user": "ana", "kind": "outbox.queued", "comment_id": None,
                   "data": {"record": {"table": "outbox", "key": "k1",
                                       "doc": {"state": "queued", "text": "hello"}}}}])
    assert store.get_record("outbox", "k1") == {"state": "queued", "text": "hello"}
    store.journal.close()
    store._lock.release()  # crash: nothing flushed
    with Store(data_dir) as reopened:
        assert reopened.records("outbox") == {"k1": {"state": "queued", "text": "hello"}}


def test_a_held_comment_refuses_actions_with_the_reason(store: Store) -> None:
    from triage.holds import check_not_held, hold_record

    check_not_held(store, "c-privacy", "hide")  # no hold: allowed
    store.record([{"user": "ana", "kind": "escalate", "comment_id": "c-privacy",
                   "data": hold_record("c-privacy", {"active": True, "by": "ana",
                                                     "reason": "privacy_breach"})}])
    with pytest.raises(ActionRefused, match="cannot hide: the comment is on legal hold "
                                            r"\(privacy_breach, escalated by ana\)"):
        check_not_held(store, "c-privacy", "hide")


def test_assign_only_to_the_team_and_undo(store: Store) -> None:
    desk = Desk(store, "ana", team=["ana", "ben"])
    desk.assign(["c-myth"], "ben")
    assert store.get("c-myth").assignee == "ben"
    with pytest.raises(ActionRefused, match="'zed' is not on the team"):
        desk.assign(["c-myth"], "zed")
    desk.undo()
    assert store.get("c-myth").assignee is None


def test_tag_corrections_are_journaled_and_undone_as_one_batch(store: Store) -> None:
    desk = Desk(store, "ana")
    desk.correct_tag(["c-plain", "c-reply"], "question", add=True)
    assert store.get("c-plain").tag("question").source == "manual:ana"
    desk.correct_tag(["c-myth"], "misinformation", add=False)
    assert store.get("c-myth").tag("misinformation") is None
    last = next(store.journal.read_backwards())
    assert last["data"] == {"tag": "misinformation", "op": "remove", "tagger_had": True}
    desk.undo()
    assert store.get("c-myth").tag("misinformation").claim_id == "flu-shot-gives-flu"
    desk.undo()
    assert store.get("c-plain").tag("question") is None
    assert store.get("c-reply").tag("question") is None


def test_a_deferred_open_shows_the_newest_then_adopts_all_keeping_actions(
    data_dir: Path,
) -> None:
    from triage import store as store_module

    many = [make_comment(f"m{i:04d}", f"comment {i}", minutes_ago=i) for i in range(1000)]
    with Store(data_dir) as first:
        first.ingest(many, user="t")
    with Store(data_dir, defer_load=True) as opened:
        assert not opened.loaded and opened.expected_total == 1000
        assert len(opened) == store_module.HEAD
        assert "m0000" in opened.comments and "m0999" not in opened.comments
        Desk(opened, "ana").dismiss(["m0000"])  # while the rest is still loading
        comments, unreadable = opened.read_all()
        opened.adopt(comments, unreadable)
        assert opened.loaded and len(opened) == 1000
        assert opened.get("m0000").status == "dismissed"
        assert opened.index.count(parse_query("status:dismissed"), opened.comments,
                                  now=NOW, user="ana") == 1
    with Store(data_dir) as reopened:
        assert reopened.get("m0000").status == "dismissed"


def test_nothing_is_ingested_while_loading(data_dir: Path) -> None:
    with Store(data_dir) as first:
        first.ingest(sample_comments(), user="t")
    with Store(data_dir, defer_load=True) as opened:
        with pytest.raises(StoreError, match="still loading"):
            opened.ingest([make_comment("late", "x")], user="t")


def test_a_new_link_keeps_the_tags_and_their_corrections(data_dir: Path) -> None:
    with Store(data_dir) as store:
        store.ingest(sample_comments(), [FLU_POST], user="t")
        Desk(store, "ana").correct_tag(["c-myth"], "question", add=True)
        moved = [c for c in sample_comments() if c.id == "c-myth"][0]
        result = store.ingest([replace(moved, permalink="https://example.org/moved", tags=())],
                              user="sync")
        assert result.updated == 1
        kept = store.get("c-myth")
        assert kept.permalink == "https://example.org/moved"
        assert kept.tag_names == ("misinformation", "question")
