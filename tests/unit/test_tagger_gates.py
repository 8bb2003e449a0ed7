"""Pattern gates: a regex is skipped only when no word it can start with is in the comment."""

from __future__ import annotations

import re

import pytest

from triage.tagger import Tagger
from triage.tagger.rules import literal_gate
from triage.tagger.text import fold


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"\b(?:lips?|face)\s{1,3}blue", ("face", "lip")),
        (r"\bbreath(?:ing|es)\s{1,3}slow", ("breath",)),
        (r"(?<![\w+/])\$\s?\d", ("$",)),
        (r"\b(?:Dr|Doctor)\s[A-Z]", ("d",)),  # the common start is factored out
        (r"\b[a-z]{3,}(?:mab|pril)\b", None),  # starts with a class: always run
        (r"\b(?:sugar|\d{2})\b", None),  # one alternative has no literal start
        (r"\s*x", None),
    ],
)
def test_literal_gate(regex: str, expected: tuple[str, ...] | None) -> None:
    assert literal_gate(re.compile(regex, re.IGNORECASE)) == expected


# Comments of every kind, written for this test; each builtin pattern that matches one
# must have a gate word in it, or tagging would change.
TEXTS = [
    "my son's lips look kinda blue and he's breathing really slow",
    "dad's sugar is 38 and he got into grandma's pills, took like 12 of them",
    "Earn $400/day from home!! bit.ly/cash-now or https://example.net/x",
    "we know where your kids go to school. keep it up and see what happens",
    "my hair is coming out in clumps since the new pill, heart keeps racing",
    "can't take this anymore, giving away all my stuff tonight",
    "Doctor Alvarez at the Northfield Clinic told nurse Tamara about my mom",
    "fever of 103.5 on chemo, my 3 week old newborn too",
    "you people are trash, go back to your country [slur]",
    "lose 20 lbs in 10 days with these drops, follow @slimfast_now",
]


def test_every_match_of_a_gated_pattern_contains_a_gate_word() -> None:
    book = Tagger().data.book
    checked = 0
    for (name, pattern, cased), gate in zip(book.patterns, book.gates, strict=True):
        if gate is None:
            continue
        for text in TEXTS:
            haystack = text.lower() if cased else fold(text)
            if pattern.search(text if cased else fold(text)):
                checked += 1
                assert any(word in haystack for word in gate), (name, pattern.pattern, text)
    assert checked >= 15  # the texts do exercise the gated patterns
