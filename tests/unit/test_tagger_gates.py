"""Pattern gates: a regex is run only where it can match, and finds what finditer finds."""

from __future__ import annotations

import random
import re

import pytest

from triage.tagger import Tagger
from triage.tagger.gates import PatternScan, needed_words, starts_of
from triage.tagger.text import fold


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"\b(?:lips?|face)\s{1,3}blue", (("face", "lip"), True)),
        (r"\bbreath(?:ing|es)\s{1,3}slow", (("breathes", "breathing"), True)),
        (r"(?<![\w+/])\$\s?\d", (("$",), False)),
        (r"\b(?:Dr|Doctor)\s[A-Z]", (("Doctor", "Dr"), True)),
        (r"\b[Dd]octor\b", (("Doctor", "doctor"), True)),  # a small class is spelled out
        (r"\b(?:[1-3]|one)\s?weeks?", (("1", "2", "3", "one"), True)),
        (r"(?:a\d|b)c", (("a", "b"), False)),  # "a" is only the start of its branch
        (r"\bwe\x27?re\s", (("we",), True)),
        (r"\b[a-z]{3,}(?:mab|pril)\b", None),  # starts with a wide class: always run
        (r"\b(?:sugar|\d{2})\b", None),  # one alternative has no literal start
        (r"\s*x", None),
        (r"(?i)flu", None),  # inline flags are not read
    ],
)
def test_literal_starts_are_read_from_the_pattern(
    regex: str, expected: tuple[tuple[str, ...], bool] | None
) -> None:
    assert starts_of(regex) == expected


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"\b[a-z]{3,}(?:mab|pril)\b", ("mab", "pril")),
        (r"\b\d{2,3}\s?%\s?(?:off|back)", ("%",)),
        (r"\b(?:www\.)?[a-z0-9]{2,9}\.(?:com|net)", (".",)),
        (r"\d+|x", None),  # two alternatives: nothing one can say
    ],
)
def test_a_needed_word_is_found_where_the_start_is_unknown(
    regex: str, expected: tuple[str, ...] | None
) -> None:
    assert needed_words(regex) == expected


# Comments of every kind, written for this test.
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
    "'Chemo is poison' they said. \"It cures nothing\" was what he meant",
    "took 40 of my sleeping pills, 90% off $$$ at www.cheap-meds.biz today",
    "WE'RE COMING for you. We're coming!",
    "started lisinopril and atorvastatin, now ibuprofen too",
]


def _random_texts(count: int) -> list[str]:
    words = [w for text in TEXTS for w in re.split(r"(\s+)", text)]
    rng = random.Random(11)
    return ["".join(rng.choice(words) for _ in range(rng.randrange(3, 60)))
            for _ in range(count)]


def test_the_scan_finds_exactly_what_finditer_finds_for_every_builtin_pattern() -> None:
    scan = Tagger().data.book.patterns
    checked = 0
    long_texts = [" ".join(TEXTS) * 6, "\n".join(_random_texts(120))]  # the long-text path
    assert all(len(text) > 4000 for text in long_texts)
    for text in TEXTS + _random_texts(300) + long_texts:
        folded = fold(text)
        expected = [
            (plan.name, found.start(), found.end())
            for plan in scan.plans
            for found in plan.pattern.finditer(text if plan.cased else folded)
        ]
        assert list(scan.scan(folded, text)) == expected, text
        checked += len(expected)
    assert checked >= 200  # the texts do exercise the patterns


def test_overlapping_starts_and_repeated_matches() -> None:
    scan = PatternScan()
    scan.add("t.take", re.compile(r"\btake\s\w+", re.IGNORECASE), False)
    scan.add("t.taking", re.compile(r"\btaking\b", re.IGNORECASE), False)
    scan.add("t.money", re.compile(r"\$\$+"), False)
    text = "taking it, take one, take two $$$ $$"
    assert list(scan.scan(fold(text), text)) == [
        ("t.take", 11, 19), ("t.take", 21, 29), ("t.taking", 0, 6),
        ("t.money", 30, 33), ("t.money", 34, 36),
    ]
