"""`triage tagger lint`, the gap syntax (``x ~N y``) and lexicon entries with their reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import run
from triage.errors import DataFileError
from triage.tagger.lexicon import PhraseError, PhraseIndex, expand_phrase
from triage.tagger.rules import RuleBook
from triage.tagger.text import Doc

PLANTED = """\
[lexicons]
intent = [
  "kill myself",
  "going to kill myself",
  "end it all",
  "Kill  Myself",
  { phrase = "zorblax quintuple", why = "a known real-world wording, kept though unseen" },
]
other = ["end it all", "took pills", "took _ pills", "took _ _ pills", "know where _ lives",
         "know where _ _ lives"]
"""


def _planted(tmp_path: Path) -> tuple[Path, Path]:
    rules = tmp_path / "planted.toml"
    rules.write_text(PLANTED, encoding="utf-8")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        json.dumps({"text": "I am going to kill myself. I want to end it all."}) + "\n"
        + "She took pills\nShe took the pills\nShe took all the pills\n"
        + "I know where she lives, I know where the nurse lives\n", encoding="utf-8")
    return rules, corpus


def test_lint_names_a_planted_duplicate_covered_gap_family_and_dead_phrase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules, corpus = _planted(tmp_path)
    code, out, _ = run(capsys, "tagger", "lint", str(rules), "--corpus", str(corpus),
                       "--show-dead")
    assert code == 1
    lines = out.splitlines()
    assert ("error: planted.toml: lexicon 'intent': 'Kill  Myself' adds nothing: "
            "'kill myself' already matches it") in lines
    assert ("note: planted.toml: lexicon 'intent': 'going to kill myself' is covered by "
            "'kill myself'") in lines
    assert ("note: planted.toml: lexicon 'other': 'took pills', 'took _ pills', "
            "'took _ _ pills' could be one phrase: 'took ~2 pills'") in lines
    assert ("note: planted.toml: lexicon 'intent': 'zorblax quintuple' matches no text in "
            "the corpora (why: a known real-world wording, kept though unseen)") in lines
    # "end it all" in two lexicons is no duplicate; "took _ _ pills" matched the corpus.
    assert not any("'end it all' adds" in line or "'took _ _ pills' matches" in line
                   for line in lines)
    assert ("note: planted.toml: lexicon 'other': 'know where _ lives', 'know where _ _ lives' "
            "could be one phrase: 'know where _ ~1 lives'") in lines
    assert "  planted.toml: 1 of 11" in lines
    assert lines[-1] == ("11 entries in 1 files: 1 duplicate (errors), 1 covered, "
                         "2 gap families, 1 dead, 1 with reasons")


def test_lint_json_and_exit_code_zero_with_notes_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules, corpus = _planted(tmp_path)
    rules.write_text(PLANTED.replace('  "Kill  Myself",\n', ""), encoding="utf-8")
    code, out, _ = run(capsys, "tagger", "lint", str(rules), "--corpus", str(corpus), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["errors"] == []
    dead = [n for n in report["notes"] if n["kind"] == "dead"]
    assert [(n["lexicon"], n["phrase"], n["entry"]) for n in dead] == [
        ("intent", "zorblax quintuple", 4)]
    assert report["summary"]["dead_per_file"] == {"planted.toml": 1}
    assert report["reasons"] == [{"file": str(rules), "lexicon": "intent",
                                  "phrase": "zorblax quintuple",
                                  "why": "a known real-world wording, kept though unseen"}]


def test_lint_without_a_corpus_says_dead_phrases_were_not_looked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules, _ = _planted(tmp_path)
    code, out, _ = run(capsys, "tagger", "lint", str(rules), "--no-corpus", "--reasons")
    assert code == 1
    assert "dead phrases: not looked for (--no-corpus)" in out
    assert ("why: planted.toml: lexicon 'intent': 'zorblax quintuple': a known real-world "
            "wording, kept though unseen") in out


def test_the_shipped_lexicons_lint_without_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "tagger", "lint", "--no-corpus")
    assert code == 0, out
    assert "error:" not in out
    assert " 0 duplicates (errors)" in out.splitlines()[-1]


def _matches(phrase: str, text: str) -> list[str]:
    index = PhraseIndex()
    index.add(phrase, "x")
    doc = Doc(text)
    return [text[doc.span(a, b)[0]:doc.span(a, b)[1]] for a, b in index.match(doc).get("x")]


@pytest.mark.parametrize(("text", "found"), [
    ("she took pills", ["took pills"]),
    ("she took the pills", ["took the pills"]),
    ("she took all of the pills", ["took all of the pills"]),
    ("she took all of her sleeping pills", []),  # four words between: one too many
    ("she took them. Pills are bad", []),  # not across a sentence's end
])
def test_a_gap_matches_none_to_n_words_within_a_sentence(text: str, found: list[str]) -> None:
    assert _matches("took ~3 pills", text) == found


def test_a_gap_expands_to_one_plain_phrase_per_length() -> None:
    assert expand_phrase("took ~2 pills") == [
        expand_phrase("took pills")[0], expand_phrase("took _ pills")[0],
        expand_phrase("took _ _ pills")[0]]
    assert len(expand_phrase("a ~1 b ~2 c")) == 6


@pytest.mark.parametrize(("phrase", "message"), [
    ("~2 pills", "a gap '~2' needs a word on each side"),
    ("took ~2", "a gap '~2' needs a word on each side"),
    ("took ~9 pills", "a gap '~9' must be ~1 to ~6"),
    ("a ~1 ~1 b", "a gap '~1' needs a word on each side"),
    ("a ~6 b ~6 c ~6 d", "its gaps make 343 phrases (at most 64)"),
])
def test_a_bad_gap_is_refused_with_a_reason(phrase: str, message: str) -> None:
    with pytest.raises(PhraseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        expand_phrase(phrase)


def test_table_entries_load_beside_plain_phrases(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text('[lexicons]\nwords = ["took ~2 pills", { phrase = "end it all", '
                    'why = "stated intent" }]\n', encoding="utf-8")
    book = RuleBook()
    book.load(path, "t")
    doc = Doc("I took the pills to end it all")
    assert book.match(doc).get("t.words") == [(1, 3), (5, 7)]


@pytest.mark.parametrize(("entry", "message"), [
    ('{ phrase = "x", because = "y" }', "lexicon 'words' entry 2: unknown key 'because'"),
    ('{ why = "y" }', "lexicon 'words' entry 2: 'phrase' must be a non-empty string"),
    ('{ phrase = "x", why = 3 }', "lexicon 'words' entry 2: 'why' of 'x' must be a string"),
    ("42", "lexicon 'words' entry 2: must be a non-empty string or a table"),
    ('{ phrase = "x ~9 y" }', "lexicon 'words': phrase 'x ~9 y': a gap '~9' must be ~1 to ~6"),
])
def test_a_bad_table_entry_is_named_in_the_error(tmp_path: Path, entry: str,
                                                 message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f'[lexicons]\nwords = ["fine", {entry}]\n', encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        RuleBook().load(path, "bad")
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
