"""The case packet: the text exactly as captured, its hash, the thread and the journal."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import replace
from pathlib import Path

from tests.factories import make_comment
from tests.legal.conftest import PHI_TEXT, CliRun, make_config, phi_comment
from triage.legal import build_packet, escalate, export_packet, release
from triage.store import Store


def test_the_packets_hash_matches_the_captured_text(legal_store: Store) -> None:
    esc = escalate(legal_store, make_config(), "ana", "c-phi", "privacy_breach", "critical")
    packet = json.loads(export_packet(legal_store, make_config(), "lee", esc.id, "json"))
    captured = packet["captured"]
    assert captured["text"] == PHI_TEXT  # not masked: this is the evidence
    digest = hashlib.sha256(captured["text"].encode("utf-8")).hexdigest()
    assert captured["sha256"] == digest == captured["sha256_of_text"]
    assert packet["current"] == {"sha256": digest, "matches_captured": True,
                                 "text_purged": False}
    comment = packet["comment"]
    assert comment["author"]["name"] == "Pat Lee" and comment["platform"] == "facebook"
    assert comment["permalink"].endswith("comment_id=c-phi")
    assert packet["post"]["text"].startswith("Free flu shots")
    phone = next(t for t in packet["tags"] if t["name"] == "privacy")["evidence"][0]
    assert phone == {"start": 11, "end": 23, "text": "555-201-8834"}
    kinds = [line["kind"] for line in packet["journal"]]
    assert kinds == ["capture", "escalate", "hold", "packet_export"]
    assert packet["journal"][-1]["user"] == "lee"
    assert packet["journal_chain"]["ok"] is True


def test_a_later_edit_is_shown_and_the_capture_kept(legal_store: Store) -> None:
    esc = escalate(legal_store, make_config(), "ana", "c-phi", "legal_threat")
    edited = replace(phi_comment(), text="never mind, deleted my number")
    legal_store.ingest([edited], user="sync")  # the platform says the author edited it
    packet = build_packet(legal_store, esc, generated_by="lee")
    assert packet["captured"]["text"] == PHI_TEXT
    assert packet["current"]["matches_captured"] is False
    assert [line["kind"] for line in packet["journal"]][-1] == "update"


def test_thread_context_has_parent_and_siblings(legal_store: Store) -> None:
    legal_store.ingest([make_comment("c-sib", "I agree with Priya", author="Jo", minutes_ago=6,
                                     parent_id="c-myth")])
    esc = escalate(legal_store, make_config(), "ana", "c-reply", "defamation")
    packet = build_packet(legal_store, esc, generated_by="lee")
    assert packet["thread"]["parent"]["id"] == "c-myth"
    assert [s["id"] for s in packet["thread"]["siblings"]] == ["c-sib"]


def test_markdown_keeps_hostile_text_verbatim_and_inert(legal_store: Store) -> None:
    hostile = "```\n# not a heading\n<script>alert(1)</script> [x](javascript:y)"
    legal_store.ingest([make_comment("c-bad", hostile, author="*Mal* [lory](x)")])
    config = make_config()
    esc = escalate(legal_store, config, "ana", "c-bad", "other")
    release(legal_store, config, "lee", esc.id, "hide")
    text = export_packet(legal_store, make_config(), "lee", esc.id, "md")
    assert f"````text\n{hostile}\n````" in text  # a fence longer than the text's own
    assert "\\*Mal\\* \\[lory\\](x)" in text
    assert "**Decision:** hide" in text
    assert ("| lee | release | assignee=None, status=escalated → assignee=ana, status=new |"
            in text)
    assert "| ana | hold | escalation=esc-0001, record=holds/c-bad |" in text


def test_export_command_writes_the_packet(prepared: Path, run_cli: CliRun, tmp_path: Path) -> None:
    assert run_cli("escalate", "c-phi", "--reason", "privacy_breach")[0] == 0
    target = tmp_path / "packet.md"
    code, out, err = run_cli("escalation", "export", "esc-0001", "--format", "md",
                             "--output", str(target), user="lee")
    assert code == 0 and out == ""
    text = target.read_text()
    assert PHI_TEXT in text
    assert hashlib.sha256(PHI_TEXT.encode()).hexdigest() in text
    assert "**Current text matches it:** yes" in text
    code, out, err = run_cli("escalation", "export", "esc-0042", "--format", "json", user="lee")
    assert code == 1 and "no escalation with id 'esc-0042'" in err


def test_only_legal_exports_the_packet_and_the_export_is_journaled(
    prepared: Path, run_cli: CliRun, tmp_path: Path
) -> None:
    assert run_cli("escalate", "c-phi", "--reason", "privacy_breach")[0] == 0
    target = tmp_path / "packet.json"
    for user, who in (("ben", "ben is not on the team"), ("nobody", "nobody is not on the team"),
                      ("ana", "ana has the role agent")):
        code, out, err = run_cli("escalation", "export", "esc-0001", "--format", "json",
                                 "--output", str(target), user=user)
        assert code == 1
        assert "only the legal role can export the unmasked case packet" in err
        assert who in err and "ask lee" in err
        assert out == "" and PHI_TEXT not in err and not target.exists()
    code, out, err = run_cli("escalation", "export", "esc-0001", "--format", "json",
                             "--output", str(target), user="lee")
    assert code == 0 and PHI_TEXT in target.read_text()
    code, out, _ = run_cli("audit", "log", "--json", user="lee")
    exports = [json.loads(line) for line in out.splitlines()
               if json.loads(line)["kind"] == "packet_export"]
    assert len(exports) == 1
    assert exports[0]["user"] == "lee" and exports[0]["comment_id"] == "c-phi"
    assert "esc-0001" in json.dumps(exports[0]) and "json" in json.dumps(exports[0])
    assert PHI_TEXT not in out


def test_an_exported_packet_is_readable_by_its_owner_only(
    prepared: Path, run_cli: CliRun, tmp_path: Path
) -> None:
    assert run_cli("escalate", "c-phi", "--reason", "privacy_breach")[0] == 0
    target = tmp_path / "packet.md"
    target.write_text("an older file others could read")
    target.chmod(0o644)
    old = os.umask(0o022)
    try:
        code, _, err = run_cli("escalation", "export", "esc-0001", "--output", str(target),
                               user="lee")
    finally:
        os.umask(old)
    assert code == 0, err
    assert PHI_TEXT in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
