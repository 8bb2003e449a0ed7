"""Retention purges the text of old closed comments, never a held one, and proves what it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.factories import NOW, make_comment
from tests.legal.conftest import CliRun, make_config
from triage.desk import Desk
from triage.errors import StoreError
from triage.legal import apply_retention, escalate, release
from triage.model import content_hash, utcnow
from triage.store import Store

OLD = 60 * 24 * 45  # minutes: 45 days before NOW
RETAIN_30 = "[retention]\ndays = 30\n"
#: When the old comments were closed in these tests: long enough ago for a 30-day retention.
LONG_AGO = NOW - timedelta(days=40)


class Clock:
    """The store's clock, set by the test: actions are journaled at ``at``."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def seed(path: Path) -> Store:
    store = Store(path, clock=Clock(LONG_AGO))
    store.ingest([
        make_comment("old-dismissed", "spam spam call 555-000-1111", minutes_ago=OLD),
        make_comment("old-held", "I will sue you, Dr Reyes", minutes_ago=OLD),
        make_comment("old-new", "still waiting for an answer", minutes_ago=OLD),
        make_comment("old-released", "my record number is 88812", minutes_ago=OLD),
        make_comment("recent-dismissed", "thanks!", minutes_ago=60),
    ], user="sync")
    return store


@pytest.fixture
def aged(tmp_path: Path) -> Iterator[Store]:
    store = seed(tmp_path / "aged")
    yield store
    store.close()


def test_purges_old_closed_text_and_never_a_held_comment(aged: Store) -> None:
    config = make_config(RETAIN_30)
    desk = Desk(aged, "ana")
    desk.dismiss(["old-dismissed"])
    escalate(aged, config, "ana", "old-held", "legal_threat")
    esc = escalate(aged, config, "ana", "old-released", "privacy_breach")
    release(aged, config, "lee", esc.id, "no_action")  # dismissed, hold released
    aged.record([{"user": "ana", "kind": "status", "comment_id": "old-held",
                  "before": {"status": "escalated"}, "after": {"status": "dismissed"}}])
    aged.clock.at = NOW  # type: ignore[attr-defined]
    desk.dismiss(["recent-dismissed"])
    before = {c.id: c.text for c in aged}

    report = apply_retention(aged, config, "admin", NOW)

    assert report.purged == ("old-dismissed", "old-released")
    assert report.kept_held == ("old-held",)
    assert aged.get("old-dismissed").text == "" and aged.get("old-released").text == ""
    for kept in ("old-held", "old-new", "recent-dismissed"):
        assert aged.get(kept).text == before[kept]
    purges = [e for _, e in aged.journal.read() if e["kind"] == "purge"]
    assert [(e["comment_id"], e["user"]) for e in purges] == [
        ("old-dismissed", "admin"), ("old-released", "admin")]
    assert purges[0]["data"]["sha256"] == content_hash(before["old-dismissed"])
    assert purges[0]["after"] == {"text": ""} and "before" not in purges[0]
    assert apply_retention(aged, config, "admin", NOW).purged == ()  # nothing left to do


def test_the_purged_text_stays_gone_after_a_reopen(tmp_path: Path) -> None:
    with seed(tmp_path / "aged") as store:
        Desk(store, "ana").dismiss(["old-dismissed"])
        apply_retention(store, make_config(RETAIN_30), "admin", NOW)
    with Store(tmp_path / "aged") as again:
        assert again.get("old-dismissed").text == ""
        assert again.get("old-dismissed").status == "dismissed"


def test_off_by_default_and_dry_run_changes_nothing(aged: Store) -> None:
    Desk(aged, "ana").dismiss(["old-dismissed"])
    assert apply_retention(aged, make_config(), "admin", NOW).enabled is False
    report = apply_retention(aged, make_config(RETAIN_30), "admin", NOW, dry_run=True)
    assert report.purged == ("old-dismissed",)
    assert aged.get("old-dismissed").text.startswith("spam")


def test_it_waits_for_the_whole_queue(tmp_path: Path) -> None:
    with Store(tmp_path / "d") as store:
        store.ingest([make_comment("a", "x")], user="sync")
    with Store(tmp_path / "d", defer_load=True) as partial:
        with pytest.raises(StoreError, match="still loading"):
            apply_retention(partial, make_config(RETAIN_30), "admin", NOW + timedelta(days=99))


def test_retention_command(prepared: Path, run_cli: CliRun) -> None:
    year = 60 * 24 * 365  # the command counts age on the wall clock: make them plainly old
    closing = Clock(utcnow() - timedelta(days=301))  # c-ancient was dismissed then
    with Store(prepared, clock=closing) as store:
        store.ingest([make_comment("c-ancient", "call 555-000-1111", minutes_ago=year),
                      make_comment("c-ancient-held", "we will sue", minutes_ago=year)])
        Desk(store, "ana").dismiss(["c-ancient"])
        closing.at = utcnow()
        Desk(store, "ana").dismiss(["c-plain"])
    code, out, _ = run_cli("retention", "apply")
    assert code == 0 and out.startswith("retention is off")
    run_cli("escalate", "c-ancient-held", "--reason", "legal_threat")
    with Store(prepared, clock=Clock(utcnow() - timedelta(days=301))) as store:
        # closed while held: the desk refuses that, so write it
        store.record([{"user": "ana", "kind": "status", "comment_id": "c-ancient-held",
                       "before": {"status": "escalated"}, "after": {"status": "dismissed"}}])
    keep = "[retention]\ndays = 300\n"
    code, out, _ = run_cli("retention", "apply", "--dry-run", config=keep)
    assert code == 0 and out.strip() == (
        "would purge the text of 1 closed comments older than 300 days; kept 1 on legal hold")
    code, out, _ = run_cli("retention", "apply", user="lee", config=keep)
    assert out.startswith("purged the text of 1 closed comments")
    code, out, _ = run_cli("ls", "--json", "--status", "dismissed")
    texts = {row["id"]: row["text"] for row in map(json.loads, out.splitlines())}
    assert texts == {"c-ancient": "", "c-ancient-held": "we will sue",  # held: never purged
                     "c-plain": "Thank you nurses, you were wonderful to my mom."}
    code, out, _ = run_cli("audit", "log", "--comment", "c-ancient", "--json")
    purge = json.loads(out.splitlines()[-1])
    assert (purge["kind"], purge["user"], purge["after"]) == ("purge", "lee", {"text": ""})
    assert purge["data"]["sha256"] == content_hash("call 555-000-1111")


def test_age_counts_from_closing_not_from_writing(aged: Store) -> None:
    """Comments written 45 days ago and dismissed in bulk today keep their text for 30 days."""
    config = make_config(RETAIN_30)
    aged.clock.at = NOW  # type: ignore[attr-defined]
    Desk(aged, "ana").dismiss(["old-dismissed", "old-new"])
    assert aged.get("old-dismissed").closed_at == NOW
    assert apply_retention(aged, config, "admin", NOW + timedelta(seconds=5)).purged == ()
    assert apply_retention(aged, config, "admin", NOW + timedelta(days=29)).purged == ()
    later = apply_retention(aged, config, "admin", NOW + timedelta(days=31))
    assert later.purged == ("old-dismissed", "old-new")


def test_reopening_clears_the_close_time_and_closing_again_restarts_it(aged: Store) -> None:
    desk = Desk(aged, "ana")
    desk.dismiss(["old-new"])
    aged.clock.at = NOW  # type: ignore[attr-defined]
    desk.set_status(["old-new"], "hidden")  # closed to closed: still closed since LONG_AGO
    assert aged.get("old-new").closed_at == LONG_AGO
    desk.restore(["old-new"])
    assert aged.get("old-new").closed_at is None
    desk.dismiss(["old-new"])
    assert apply_retention(aged, make_config(RETAIN_30), "admin", NOW).purged == ()


def test_the_close_time_survives_a_reopen_and_an_older_store_reads_it_from_the_journal(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "aged", clock=Clock(LONG_AGO)) as store:
        store.ingest([replace(make_comment(cid, "call 555-000-1111", minutes_ago=OLD),
                              captured_at=LONG_AGO)
                      for cid in ("old-dismissed", "recent-dismissed")], user="sync")
        Desk(store, "ana").dismiss(["old-dismissed"])
        store.clock.at = NOW  # type: ignore[attr-defined]
        Desk(store, "ana").dismiss(["recent-dismissed"])
    with Store(tmp_path / "aged") as again:
        assert again.get("old-dismissed").closed_at == LONG_AGO
    # A store written before closed_at was kept: the shards have no such field.
    for shard in (tmp_path / "aged").rglob("*.json"):
        text = shard.read_text()
        if "closed_at" in text:
            doc = json.loads(text)
            _drop_key(doc, "closed_at")
            shard.write_text(json.dumps(doc))
    with Store(tmp_path / "aged", clock=lambda: NOW) as older:
        assert older.get("old-dismissed").closed_at is None
        report = apply_retention(older, make_config(RETAIN_30), "admin", NOW)
        assert report.purged == ("old-dismissed",)  # closed 40 days ago, by the journal


def _drop_key(doc: object, key: str) -> None:
    if isinstance(doc, dict):
        doc.pop(key, None)
        for value in doc.values():
            _drop_key(value, key)
    elif isinstance(doc, list):
        for value in doc:
            _drop_key(value, key)
