"""The sandbox's generated comments read right: slots combine into sentences a person writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from triage.errors import DataFileError
from triage.sandbox import DATA_DIR, generate, load_banks
from triage.sandbox.slots import Template

DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
#: A weekday, then (in the same sentence) another one: "sunday's walk start on tuesday".
TWO_DAYS = re.compile(rf"\b({DAYS})\b[^.?!\n]*\b(?!\1)({DAYS})\b", re.IGNORECASE)


def _plain(template: Template) -> str:
    return "".join(part for part in template if isinstance(part, str))


def _wrong_phrases() -> list[str]:
    """Phrases that pair a myth or a booking with a topic's word that is neither: "billions
    off the urgent care", "an appointment for the nurses"."""
    phrases = []
    for topic in load_banks().topics.values():
        things = [_plain(t).casefold() for t in topic.slots["thing"]]
        if "treatment" not in topic.slots:
            phrases += [f"{p} the {t}" for t in things
                        for p in ("billions off", "same job as", "lying about")]
        if "service" not in topic.slots:
            phrases += [phrase.format(t) for t in things
                        for phrase in ("appointment for the {}", "is the {} covered",
                                       "does the {} cost", "making the {} so easy")]
    return phrases


def test_five_thousand_comments_across_seeds_read_right() -> None:
    wrong = _wrong_phrases()
    assert "billions off the urgent care" in wrong and "appointment for the nurses" in wrong
    bad: list[str] = []
    written = 0
    for seed in range(1, 11):
        for comment in generate(500, seed).comments:
            written += 1
            text = " ".join(comment.text.casefold().split())
            if TWO_DAYS.search(text) or re.search(r"\b(the|a|an) (the|a|an)\b", text):
                bad.append(comment.text)
            bad += [f"{phrase!r} in {comment.text!r}" for phrase in wrong
                    if re.search(rf"\b{re.escape(phrase)}\b(?!-)", text)]
    assert written == 5000
    assert bad == []


def test_a_topic_text_naming_a_slot_its_topic_lacks_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "sandbox"
    folder.mkdir()
    for source in DATA_DIR.iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    comments = folder / "comments.toml"
    text = comments.read_text(encoding="utf-8")
    start = text.index("[kinds.question.topics]")
    at = text.index("\nheat_safety = [\n", start) + len("\nheat_safety = [\n")
    comments.write_text(text[:at] + '  "Is the {service} free?",\n' + text[at:],
                        encoding="utf-8")
    with pytest.raises(DataFileError, match=r"topic 'heat_safety' has no slot \{service\}"):
        load_banks(folder)
