"""The hold check other commands call, who is acting, and that every journal entry says who."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.legal.conftest import CliRun, Webhook, make_config
from triage.desk import Desk
from triage.errors import ActionRefused, StoreError
from triage.holds import HELD_ACTIONS, held_ids, hold_of, require_not_held
from triage.legal import close, escalate, release
from triage.store import Store


@pytest.mark.parametrize("action", HELD_ACTIONS)
def test_require_not_held_names_the_escalation_reason_and_who(
    legal_store: Store, action: str
) -> None:
    config = make_config()
    require_not_held(legal_store, "c-phi", action)  # not held: returns quietly
    esc = escalate(legal_store, config, "ana", "c-phi", "adverse_event")
    with pytest.raises(ActionRefused) as refused:
        require_not_held(legal_store, "c-phi", action)
    assert str(refused.value) == (
        f"cannot {action}: the comment is on legal hold (adverse_event, escalated by ana) — "
        f"c-phi is evidence in {esc.id} until legal releases it")
    require_not_held(legal_store, "c-myth", action)  # other comments are free
    release(legal_store, config, "lee", esc.id, "hide")
    require_not_held(legal_store, "c-phi", action)  # released: allowed again


def test_held_ids_follow_escalation_and_release(legal_store: Store) -> None:
    config = make_config()
    assert held_ids(legal_store) == set()
    first = escalate(legal_store, config, "ana", "c-phi", "privacy_breach")
    escalate(legal_store, config, "ana", "c-myth", "defamation")
    assert held_ids(legal_store) == {"c-phi", "c-myth"}
    release(legal_store, config, "lee", first.id, "reply_allowed")
    close(legal_store, config, "lee", first.id)
    assert held_ids(legal_store) == {"c-myth"}
    assert hold_of(legal_store, "c-phi") is None


def test_the_store_refuses_an_entry_that_names_no_user(legal_store: Store) -> None:
    seq = legal_store.journal.last_seq
    for entry in ({"kind": "dismiss", "comment_id": "c-phi"},
                  {"user": " ", "kind": "dismiss", "comment_id": "c-phi"}):
        with pytest.raises(StoreError, match="'dismiss' entry names no user"):
            legal_store.record([{"user": "ana", "kind": "note"}, entry])
    assert legal_store.journal.last_seq == seq  # nothing of the batch was written


def _users(data_dir: Path) -> list[tuple[str, str]]:
    lines = (data_dir / "journal.jsonl").read_text().splitlines()
    return [(json.loads(line)["kind"], json.loads(line)["user"]) for line in lines]


def test_user_option_environment_and_os_user_in_that_order(
    prepared: Path, run_cli: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LOGNAME", "osperson")
    assert run_cli("escalate", "c-phi", "--reason", "other", user=None)[0] == 0
    monkeypatch.setenv("TRIAGE_USER", "lee")
    assert run_cli("escalation", "note", "c-phi", "looking", user=None)[0] == 0
    assert run_cli("escalation", "release", "c-phi", "--decision", "hide", user="zed")[0] == 1
    assert run_cli("escalation", "release", "c-phi", "--decision", "hide", user=None)[0] == 0
    users = _users(prepared)
    assert ("escalate", "osperson") in users and ("hold", "osperson") in users
    assert ("escalation_note", "lee") in users and ("release", "lee") in users
    assert all(user != "zed" for _, user in users)


def test_every_command_journals_who_acted(
    prepared: Path, run_cli: CliRun, webhook: Webhook
) -> None:
    """``--user`` goes before the subcommand, like ``--config``, for every command."""
    config = f'[escalation]\nwebhook_url = "{webhook.url}"\n'
    steps = [
        ("ana", ("escalate", "c-phi", "--reason", "privacy_breach", "--note", "posted")),
        ("ana", ("escalations", "deliver")),  # down: a failure is journaled too
        ("lee", ("escalation", "note", "esc-0001", "reading")),
        ("lee", ("escalation", "release", "esc-0001", "--decision", "no_action")),
        ("lee", ("escalation", "close", "esc-0001")),
        ("lee", ("escalation", "export", "esc-0001", "--format", "json")),
        ("lee", ("ls", "--reveal")),
        ("ben", ("bulk", "dismiss", "--query", "author:rob", "--yes")),
    ]
    for user, args in steps:
        run_cli(*args, user=user, config=config)
    webhook.start()
    assert run_cli("escalations", "deliver", user="ben", config=config)[0] == 0
    users = _users(prepared)
    assert all(isinstance(user, str) and user.strip() for _, user in users)
    acted = {kind: user for kind, user in users if kind != "capture"}
    assert acted == {
        "escalate": "ana", "hold": "ana", "delivery_queued": "ana", "delivery_failed": "ana",
        "escalation_note": "lee", "release": "lee", "hold_release": "lee",
        "escalation_close": "lee", "packet_export": "lee", "reveal": "lee", "dismiss": "ben",
        "delivered": "ben",
    }


def test_the_desk_leaves_a_held_comments_status_to_legal(legal_store: Store) -> None:
    escalate(legal_store, make_config(), "ana", "c-privacy", "privacy_breach")
    desk = Desk(legal_store, "ben")
    with pytest.raises(ActionRefused, match="cannot dismiss: the comment is on legal hold"):
        desk.dismiss(["c-privacy"])
    done = desk.dismiss(["c-privacy", "c-question", "c-plain"])
    assert sorted(a.comment_id for a in done if a.comment_id) == ["c-plain", "c-question"]
    assert legal_store.get("c-privacy").status == "escalated"
    assert desk.held_among(["c-privacy", "c-question"]) == 1


def test_bulk_dismiss_says_how_many_held_comments_it_left(prepared: Path, run_cli: CliRun) -> None:
    assert run_cli("escalate", "c-privacy", "--reason", "privacy_breach")[0] == 0
    code, out, _ = run_cli("bulk", "dismiss", "--query", "status:new,escalated",
                           "--reason", "on-call", "--yes")
    assert code == 0
    assert "1 on legal hold left as they are" in out
    code, out, _ = run_cli("ls", "--json", "--query", "id:c-privacy")
    assert '"status":"escalated"' in out
