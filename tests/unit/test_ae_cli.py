"""`triage ae …` and the refusals of dismiss, hide and delete on an open intake, from a shell."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.clirun import run
from tests.factories import make_comment
from tests.unit.test_ae import CONFIG
from triage.model import utcnow
from triage.store import Store
from triage.tagger import Tagger

AE_TEXT = "My son (7) had a seizure the night after his Shingrix shot, call me 555-201-8834"


@pytest.fixture
def shell(tmp_path: Path) -> list[str]:
    """The global options of a `triage` run on a queue holding an adverse event."""
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    data = tmp_path / "data"
    tagger = Tagger()
    with Store(data) as store:
        store.ingest([replace(make_comment(cid, text, tags=tagger.tag(text)),
                              captured_at=utcnow())
                      for cid, text in (("c-ae", AE_TEXT),
                                        ("c-q", "What time does the flu clinic open?"))],
                     user="test")
    return ["--config", str(config), "--data-dir", str(data)]


def journal_kinds(shell: list[str]) -> list[str]:
    lines = (Path(shell[3]) / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["kind"] for line in lines]


def test_dismiss_hide_and_delete_are_refused_from_the_command_line(
        capsys: pytest.CaptureFixture[str], shell: list[str]) -> None:
    refusal = ("c-ae is an adverse event whose intake is open — pharmacovigilance must "
               "complete it, or mark it not an AE with a reason, first")
    code, _, err = run(capsys, *shell, "--user", "ben", "bulk", "dismiss", "--query",
                       "tag:adverse_event", "--yes")
    assert code == 1 and f"triage: cannot dismiss: {refusal}" in err
    code, _, err = run(capsys, *shell, "--user", "ben", "delete", "c-ae", "--yes")
    assert code == 1 and f"triage: cannot delete: {refusal}" in err
    code, out, err = run(capsys, *shell, "--user", "ben", "bulk", "hide", "--query",
                         "tag:adverse_event", "--yes")
    assert code == 1 and f"c-ae: cannot hide: {refusal}" in err
    code, out, _ = run(capsys, *shell, "--user", "ben", "bulk", "dismiss", "--query",
                       "status:new", "--yes")
    assert code == 0 and out.startswith("dismiss: 1 changed, 0 already so, 1 adverse event "
                                         "with an open intake left as they are")
    assert "dismiss" in journal_kinds(shell)


def test_fill_complete_and_export_masked_and_journaled(
        capsys: pytest.CaptureFixture[str], shell: list[str]) -> None:
    code, out, _ = run(capsys, *shell, "--user", "ben", "ae", "list")
    assert code == 0 and out.startswith("c-ae  AE 15d left") and "0/4 confirmed" in out
    code, out, _ = run(capsys, *shell, "--user", "ben", "ae", "show", "c-ae")
    assert "[ ] product  Shingrix (zoster vaccine recombinant)" in out
    assert "[ ] patient  the commenter's son, 7 years old" in out
    code, out, _ = run(capsys, *shell, "--user", "ben", "ae", "fill", "c-ae", "--event",
                       "seizure (call back on 555-201-8834)", *[
                           a for n in ("patient", "reporter", "product", "event")
                           for a in ("--confirm", n)])
    assert code == 0 and out == "saved the intake of c-ae: 4/4 confirmed\n"
    code, _, err = run(capsys, *shell, "--user", "ben", "ae", "complete", "c-ae")
    assert code == 1 and "only the pharmacovigilance role can complete an adverse-event " \
        "intake (ben has the role agent; ask pat)" in err
    code, out, _ = run(capsys, *shell, "--user", "pat", "ae", "complete", "c-ae")
    assert code == 0 and out == "intake of c-ae complete on day 0\n"

    code, out, err = run(capsys, *shell, "--user", "pat", "ae", "export", "--since", "7d",
                         "--format", "csv")
    assert code == 0 and "exported 1 intake (csv, since 7d); the export is journaled" in err
    (row,) = csv.DictReader(io.StringIO(out))
    assert (row["comment_id"], row["state"], row["closed_by"]) == ("c-ae", "complete", "pat")
    assert row["product"] == "Shingrix (zoster vaccine recombinant)"
    assert row["product_confirmed"] == "yes" and row["late"] == "no"
    assert "555-201" not in out and "•••-•••-8834" in row["text"]
    assert row["event"] == "seizure (call back on •••-•••-8834)"

    code, out, _ = run(capsys, *shell, "--user", "pat", "ae", "export", "--format", "json")
    (record,) = json.loads(out)["intakes"]
    assert record["patient"] == "the commenter's son, 7 years old"
    assert record["text"].endswith("call me •••-•••-8834") and "555-201" not in out
    assert journal_kinds(shell)[-4:] == ["ae_intake", "ae_complete", "ae_export", "ae_export"]
    code, out, _ = run(capsys, *shell, "--user", "ben", "bulk", "dismiss", "--query",
                       "tag:adverse_event", "--yes")
    assert code == 0 and out.startswith("dismiss: 1 changed")


@pytest.mark.parametrize(("args", "message"), [
    (["--since", "7x"], "Invalid value for --since: '7x' is not a duration like 15m, 4h, 2d"),
    (["--format", "xml"], "Invalid value for '--format': 'xml' is not one of 'csv', 'json'"),
])
def test_export_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str], shell: list[str],
                                     args: list[str], message: str) -> None:
    code, out, err = run(capsys, *shell, "--user", "pat", "ae", "export", *args)
    assert code == 2 and message in err and out == ""
    assert "ae_export" not in journal_kinds(shell)


def test_export_is_for_pharmacovigilance_and_not_ae_needs_a_reason(
        capsys: pytest.CaptureFixture[str], shell: list[str]) -> None:
    code, _, err = run(capsys, *shell, "--user", "ben", "ae", "export")
    assert code == 1 and "only the pharmacovigilance role can export" in err
    code, _, err = run(capsys, *shell, "--user", "pat", "ae", "not-ae", "c-ae")
    assert code == 2 and "Missing option '--reason'" in err
    code, out, _ = run(capsys, *shell, "--user", "pat", "ae", "not-ae", "c-ae", "--reason",
                       "asking about a friend's story, not a report")
    assert code == 0 and "marked not an adverse event" in out
    code, out, _ = run(capsys, *shell, "ae", "list", "--state", "not_ae")
    assert out.startswith("c-ae  not an AE")
