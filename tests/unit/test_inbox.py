"""What people expect of an inbox, from the command line and the desk: notes on any
comment, an author's history, and CSV exports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.clirun import run
from tests.factories import FLU_POST, make_comment, sample_comments
from tests.legal.conftest import make_config
from triage.desk import Desk
from triage.errors import ActionRefused, NotFound
from triage.journal import verify
from triage.legal import escalate, export_packet
from triage.model import Tag
from triage.store import Store


@pytest.fixture
def queue_dir(tmp_path: Path) -> Path:
    with Store(tmp_path / "data") as store:
        store.ingest(sample_comments(), [FLU_POST], user="t")
    return tmp_path / "data"


# -- notes -------------------------------------------------------------------------------

def test_a_note_is_journaled_and_read_back_by_comment(store: Store) -> None:
    desk = Desk(store, "ana")
    desk.add_note("c-question", "  Called the clinic: opens at 9.  ")
    Desk(store, "ben").add_note("c-question", "[bold]ben[/] checked too")
    notes = desk.notes("c-question")
    assert [(n.by, n.text) for n in notes] == [
        ("ana", "Called the clinic: opens at 9."), ("ben", "[bold]ben[/] checked too")]
    assert desk.notes("c-myth") == []
    kinds = [e["kind"] for _, e in store.journal.read() if e.get("comment_id") == "c-question"]
    assert kinds[-2:] == ["note", "note"]
    assert verify(store.journal.path).ok


def test_notes_survive_a_restart(data_dir: Path) -> None:
    with Store(data_dir) as store:
        store.ingest(sample_comments(), [FLU_POST], user="t")
        Desk(store, "ana").add_note("c-plain", "send flowers?")
    with Store(data_dir) as store:
        assert [n.text for n in Desk(store, "ben").notes("c-plain")] == ["send flowers?"]


@pytest.mark.parametrize(("comment_id", "text", "error", "says"), [
    ("c-plain", "   ", ActionRefused, "the note is empty"),
    ("c-plain", "x" * 4001, ActionRefused, "at most 4,000"),
    ("c-nope", "hello", NotFound, "no comment with id 'c-nope'"),
])
def test_a_bad_note_is_refused_saying_why(store: Store, comment_id: str, text: str,
                                          error: type[Exception], says: str) -> None:
    with pytest.raises(error, match=says):
        Desk(store, "ana").add_note(comment_id, text)
    assert Desk(store, "ana").notes(comment_id) == []


def test_triage_note_from_the_command_line(queue_dir: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--data-dir", str(queue_dir), "--user", "ana"]
    code, out, _ = run(capsys, *base, "note", "c-myth", "Rob posts this every week")
    assert code == 0 and "noted on c-myth by ana" in out
    code, _, err = run(capsys, *base, "note", "c-myth", "  ")
    assert code != 0 and "the note is empty" in err and "Traceback" not in err
    code, _, err = run(capsys, *base, "note", "c-nope", "hi")
    assert code != 0 and "no comment with id 'c-nope'" in err
    with Store(queue_dir) as store:
        assert [n.text for n in Desk(store, "x").notes("c-myth")] == ["Rob posts this every week"]


def test_the_case_packet_holds_the_teams_notes(store: Store) -> None:
    Desk(store, "ana").add_note("c-privacy", "Her daughter called us too")
    esc = escalate(store, make_config(), "ana", "c-privacy", "privacy_breach")
    packet = json.loads(export_packet(store, make_config(), "lee", esc.id, "json"))
    assert [(n["by"], n["text"]) for n in packet["comment_notes"]] == [
        ("ana", "Her daughter called us too")]
    markdown = export_packet(store, make_config(), "lee", esc.id, "md")
    section = markdown.split("## Team notes on the comment")[1].split("##")[0]
    assert "ana: Her daughter called us too" in section


# -- the author's history ----------------------------------------------------------------

def test_an_authors_history_spans_accounts_with_what_was_done(store: Store) -> None:
    store.ingest([
        make_comment("c-rob-2", "Flu shots are poison", minutes_ago=600, author="Rob Keller",
                     account="oncology-fb"),
        make_comment("c-rob-3", "Still think so", minutes_ago=900, author="Rob Keller"),
        make_comment("c-rob-x", "Other platform", minutes_ago=50, author="Rob Keller",
                     platform="x", account="riverside-x"),
    ], user="sync")
    Desk(store, "ana").dismiss(["c-rob-2"])
    Desk(store, "ben").correct_tag(["c-rob-2"], "misinformation", add=True)
    Desk(store, "ben").assign(["c-rob-3"], "ana")
    history = Desk(store, "lee").author_history(store.get("c-myth"))
    assert [h.comment.id for h in history] == ["c-rob-2", "c-rob-3"]  # newest first
    first = history[0]
    assert first.comment.account == "oncology-fb" and first.comment.status == "dismissed"
    assert first.comment.tag_names == ("misinformation",)
    assert [a.kind for a in first.actions] == ["dismiss", "tag"]
    assert first.acted_by == ("ana", "ben")
    assert history[1].comment.assignee == "ana" and history[1].acted_by == ("ben",)


def test_a_first_time_author_has_no_history(store: Store) -> None:
    assert Desk(store, "ana").author_history(store.get("c-plain")) == []


# -- exports -----------------------------------------------------------------------------

def test_ls_csv_is_masked_like_ls(queue_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--data-dir", str(queue_dir), "--user", "ana"]
    run(capsys, *base, "bulk", "assign", "ben", "--query", "tag:privacy", "--yes")
    code, out, _ = run(capsys, *base, "ls", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(sample_comments())
    privacy = next(r for r in rows if r["id"] == "c-privacy")
    assert "555-201" not in out and privacy["text"].endswith("•••-•••-8834")
    assert privacy["assignee"] == "ben" and privacy["tags"] == "privacy"
    assert privacy["author"] == "Lena Ortiz" and privacy["created_at"].startswith("2026-11-20")


def test_ls_csv_keeps_a_formula_as_text(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    with Store(tmp_path / "d") as store:
        store.ingest([make_comment("c-f", '=HYPERLINK("http://x","click")', author="@eve",
                                   tags=(Tag("question", 0.5),))], user="t")
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "d"), "ls", "--csv")
    row = next(csv.DictReader(io.StringIO(out)))
    assert code == 0 and row["text"] == '\'=HYPERLINK("http://x","click")' \
        and row["author"] == "'@eve"


def test_ls_refuses_csv_and_json_together(queue_dir: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--data-dir", str(queue_dir), "ls", "--csv", "--json")
    assert code == 2 and "choose one of --json and --csv" in err


def test_stats_csv(queue_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--data-dir", str(queue_dir), "stats", "--csv", "--since", "3650d")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["section", "name", "value"]
    figures = {(s, n): v for s, n, v in rows[1:]}
    assert figures["total", "comments"] == str(len(sample_comments()))
    assert figures["tag", "crisis"] == "1" and figures["platform", "facebook"] == "5"
    assert figures["day", "2026-11-20"] == str(len(sample_comments()))
