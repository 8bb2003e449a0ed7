"""Escalating a comment: evidence frozen, legal hold, roles, release and close."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.legal.conftest import PHI_TEXT, make_config
from triage.errors import ActionRefused, NotFound
from triage.holds import check_not_held, hold_of
from triage.legal import (
    add_note,
    all_escalations,
    close,
    deliveries_of,
    display_status,
    escalate,
    find_escalation,
    release,
)
from triage.model import content_hash
from triage.store import Store

CHANNELS = """
[escalation]
webhook_url = "http://127.0.0.1:9/hook"
smtp_host = "127.0.0.1"
smtp_port = 2525
email_from = "triage@example.org"
email_to = ["legal@example.org"]
"""


def test_escalating_freezes_holds_and_queues_one_delivery_per_channel(
    legal_store: Store,
) -> None:
    config = make_config(CHANNELS)
    esc = escalate(legal_store, config, "ana", "c-phi", "privacy_breach", "critical",
                   "patient posted her phone")
    assert legal_store.get("c-phi").status == "escalated"
    assert esc.text == PHI_TEXT and esc.sha256 == content_hash(PHI_TEXT)
    assert "555-201-8834" not in esc.masked_text and "8834" in esc.masked_text
    hold = hold_of(legal_store, "c-phi")
    assert hold is not None and hold["escalation"] == esc.id and hold["by"] == "ana"
    assert [(d.channel, d.status) for d in deliveries_of(legal_store, esc.id)] == [
        ("email", "pending"), ("webhook", "pending")]
    assert display_status(legal_store, esc) == "pending delivery"
    # one journaled batch, every entry naming who acted
    entries = [e for _, e in legal_store.journal.read() if e.get("comment_id") == "c-phi"]
    kinds = [e["kind"] for e in entries]
    assert kinds == ["capture", "escalate", "hold", "delivery_queued", "delivery_queued"]
    assert len({e["batch"] for e in entries[1:]}) == 1
    assert {e["user"] for e in entries[1:]} == {"ana"}


def test_without_channels_it_is_open_with_no_delivery(legal_store: Store) -> None:
    esc = escalate(legal_store, make_config(), "ana", "c-phi", "legal_threat")
    assert deliveries_of(legal_store, esc.id) == []
    assert display_status(legal_store, esc) == "open"
    assert esc.severity == "high"


def test_the_hold_blocks_hide_and_reply_naming_the_reason(legal_store: Store) -> None:
    check_not_held(legal_store, "c-phi", "hide")  # not held yet: allowed
    escalate(legal_store, make_config(), "ana", "c-phi", "adverse_event", "high")
    for action in ("hide", "reply"):
        with pytest.raises(ActionRefused) as refused:
            check_not_held(legal_store, "c-phi", action)
        assert f"cannot {action}" in str(refused.value)
        assert "adverse_event" in str(refused.value) and "ana" in str(refused.value)


def test_everything_survives_a_reopen(prepared: Path) -> None:
    with Store(prepared) as store:
        esc = escalate(store, make_config(CHANNELS), "ana", "c-phi", "regulatory")
    with Store(prepared) as again:
        assert again.get("c-phi").status == "escalated"
        assert find_escalation(again, esc.id).text == PHI_TEXT
        assert hold_of(again, "c-phi") is not None
        assert len(deliveries_of(again, esc.id)) == 2


CRASH = """
import os, sys
from pathlib import Path
from tests.legal.conftest import make_config
from triage.legal import escalate
from triage.store import Store

store = Store(Path(sys.argv[1]), flush_every=100_000, flush_seconds=3600)
escalate(store, make_config(sys.argv[2]), "ana", "c-phi", "legal_threat", "critical")
os._exit(0)  # dies before anything but the journal reached the disk
"""


def test_an_escalation_acknowledged_before_a_crash_is_replayed(prepared: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", CRASH, str(prepared), CHANNELS], cwd=root,
                   check=True, timeout=60)
    assert not (prepared / "store" / "records-escalations.json").exists()
    with Store(prepared) as store:
        assert store.replayed == 4  # escalate, hold, two deliveries
        (esc,) = all_escalations(store)
        assert (esc.reason, esc.severity, esc.text) == ("legal_threat", "critical", PHI_TEXT)
        assert store.get("c-phi").status == "escalated"
        assert hold_of(store, "c-phi") is not None
        assert len(deliveries_of(store, esc.id)) == 2


@pytest.mark.parametrize(
    ("reason", "severity", "message"),
    [("gossip", "high", "unknown reason 'gossip'"),
     ("other", "urgent", "unknown severity 'urgent'")],
)
def test_bad_reason_or_severity_is_named(
    legal_store: Store, reason: str, severity: str, message: str
) -> None:
    with pytest.raises(ActionRefused, match=message):
        escalate(legal_store, make_config(), "ana", "c-phi", reason, severity)
    assert legal_store.get("c-phi").status == "new"


def test_a_held_comment_cannot_be_escalated_twice(legal_store: Store) -> None:
    escalate(legal_store, make_config(), "ana", "c-phi", "other")
    with pytest.raises(ActionRefused, match="already escalated"):
        escalate(legal_store, make_config(), "ben", "c-phi", "other")
    assert len(all_escalations(legal_store)) == 1
    with pytest.raises(NotFound):
        escalate(legal_store, make_config(), "ana", "c-nope", "other")


def test_only_legal_releases_and_closes(legal_store: Store) -> None:
    config = make_config()
    esc = escalate(legal_store, config, "ana", "c-phi", "privacy_breach")
    for user in ("ana", "zed"):
        with pytest.raises(ActionRefused, match="only the legal role can release") as refused:
            release(legal_store, config, user, esc.id, "hide")
        assert "ask lee" in str(refused.value)
    with pytest.raises(ActionRefused, match="only the legal role can close"):
        close(legal_store, config, "ana", esc.id)
    assert hold_of(legal_store, "c-phi") is not None
    assert find_escalation(legal_store, esc.id).status == "open"


def test_legal_reviews_releases_with_a_decision_and_closes(legal_store: Store) -> None:
    config = make_config()
    esc = escalate(legal_store, config, "ana", "c-phi", "privacy_breach")
    add_note(legal_store, config, "ana", esc.id, "she asked for her results")
    assert find_escalation(legal_store, esc.id).status == "open"  # a note by an agent
    reviewed = add_note(legal_store, config, "lee", "c-phi", "calling the patient")
    assert reviewed.status == "under_review"
    assert [n.by for n in reviewed.notes] == ["ana", "lee"]
    with pytest.raises(ActionRefused, match="release it first"):
        close(legal_store, config, "lee", esc.id)
    released = release(legal_store, config, "lee", esc.id, "reply_allowed")
    assert released.decision == "reply_allowed" and released.decided_by == "lee"
    assert hold_of(legal_store, "c-phi") is None
    check_not_held(legal_store, "c-phi", "reply")
    comment = legal_store.get("c-phi")
    assert (comment.status, comment.assignee) == ("new", "ana")  # back to who escalated
    with pytest.raises(ActionRefused, match="already released"):
        release(legal_store, config, "lee", esc.id, "hide")
    assert close(legal_store, config, "lee", esc.id).status == "closed"
    assert display_status(legal_store, find_escalation(legal_store, esc.id)) == "closed"
    # escalating again after the case is closed opens a new one
    again = escalate(legal_store, config, "ana", "c-phi", "other")
    assert again.id != esc.id and again.status == "open"


def test_no_action_dismisses_the_comment(legal_store: Store) -> None:
    config = make_config()
    esc = escalate(legal_store, config, "ana", "c-myth", "defamation")
    release(legal_store, config, "lee", esc.id, "no_action")
    assert legal_store.get("c-myth").status == "dismissed"


def test_an_empty_note_is_refused(legal_store: Store) -> None:
    esc = escalate(legal_store, make_config(), "ana", "c-phi", "other")
    with pytest.raises(ActionRefused, match="empty"):
        add_note(legal_store, make_config(), "lee", esc.id, "   ")
    with pytest.raises(NotFound, match="no escalation"):
        add_note(legal_store, make_config(), "lee", "esc-9999", "hello")
