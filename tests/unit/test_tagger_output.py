"""What a tag carries: score, evidence that points into the text, source, claim; bad input."""

from __future__ import annotations

import random

import pytest

from triage.model import TAG_NAMES
from triage.tagger import Tagger


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(org_phones=["(555) 010-4400"], org_emails=["appointments@example.org"],
                  org_addresses=["1200 River Road"])


def by_name(tagger: Tagger, text: str) -> dict[str, object]:
    return {tag.name: tag for tag in tagger.tag(text)}


STANCE = [
    # (text, misinformation?, question?, claim id on the tag that has it)
    ("Chemo is poison, my uncle died from it not the cancer", True, False, "chemo-is-poison"),
    ("is chemo just poison? my mom starts next week", False, True, "chemo-is-poison"),
    ("Chemo isn't poison, it's why I'm alive 9 years later", False, False, None),
    ('The "chemo is poison" crowd never met my oncologist', False, False, None),
    ("Since 5G spreads covid, should we turn off the wifi in the clinic?", True, True,
     "5g-spreads-covid"),
    ("I heard the covid vaccine has a microchip in it, is that true?", False, True,
     "covid-vaccine-microchip"),
    ("No, the covid vaccine does not contain a microchip.", False, False, None),
]


@pytest.mark.parametrize(("text", "myth", "asked", "claim"), STANCE)
def test_stance_decides_between_myth_question_and_neither(
    tagger: Tagger, text: str, myth: bool, asked: bool, claim: str | None
) -> None:
    tags = by_name(tagger, text)
    assert ("misinformation" in tags) is myth
    assert ("question" in tags) is asked
    if claim is not None:
        carrier = tags["misinformation"] if myth else tags["question"]
        assert carrier.claim_id == claim  # type: ignore[attr-defined]
        assert carrier.resource_url.startswith("https://")  # type: ignore[attr-defined]


def test_a_misinformation_tag_points_at_the_myth_and_its_resource(tagger: Tagger) -> None:
    text = "Love this clinic. But the flu shot gives you the flu, so I skip it."
    myth = by_name(tagger, text)["misinformation"]
    quoted = " ".join(text[a:b] for a, b in myth.evidence)  # type: ignore[attr-defined]
    assert "flu shot" in quoted and "gives you the flu" in quoted
    assert "Love this clinic" not in quoted
    assert myth.claim_id == "flu-shot-gives-flu"  # type: ignore[attr-defined]
    assert myth.resource_title and myth.resource_url.startswith("https://www.cdc.gov/")  # type: ignore[attr-defined]
    assert 0.5 < myth.score <= 1.0  # type: ignore[attr-defined]


IDENTIFIERS = [
    ("text me at 617-555-0142 tonight", "617-555-0142"),
    ("mobile +33 6 12 34 56 78", "+33 6 12 34 56 78"),
    ("ring (02) 9374 4000 ext. 12 anytime", "(02) 9374 4000 ext. 12"),
    ("my email is lena.k@mailbox.example.org", "lena.k@mailbox.example.org"),
    ("write to rmiller [at] yahoo [dot] com", "rmiller [at] yahoo [dot] com"),
    ("SSN 078-05-1120", "078-05-1120"),
    ("member ID: ZK-22819040 keeps getting rejected", "ZK-22819040"),
    ("born 3/14/1957, still waiting", "3/14/1957"),
    ("date of birth march fourteenth nineteen fifty", "march fourteenth nineteen fifty"),
    ("nine one nine, five five five, zero one two three",
     "nine one nine, five five five, zero one two three"),
]


@pytest.mark.parametrize(("text", "identifier"), IDENTIFIERS)
def test_privacy_evidence_is_the_identifier(tagger: Tagger, text: str, identifier: str) -> None:
    privacy = by_name(tagger, text)["privacy"]
    quoted = [text[a:b] for a, b in privacy.evidence]  # type: ignore[attr-defined]
    assert identifier in quoted


ORG_CONTACTS = [
    "The clinic line (555) 010-4400 never picks up",
    "I called 555.010.4400 twice",
    "email appointments@example.org for a slot",
    "They moved to 1200 River Rd last year",
]


@pytest.mark.parametrize("text", ORG_CONTACTS)
def test_the_organisations_own_contacts_are_not_a_risk(tagger: Tagger, text: str) -> None:
    assert "privacy" not in by_name(tagger, text)


def test_the_same_contact_is_a_risk_for_an_organisation_that_does_not_own_it() -> None:
    assert "privacy" in by_name(Tagger(), "I called 555.010.4400 twice, call me back")


def test_tags_come_in_the_teams_order_with_valid_evidence(tagger: Tagger) -> None:
    text = ("My wife is having chest pain right now!! call me at 617-555-0142. "
            "Also the flu shot gives you the flu. What do we do?")
    tags = tagger.tag(text)
    names = [tag.name for tag in tags]
    assert names == [name for name in TAG_NAMES if name in names]
    assert {"crisis", "privacy", "misinformation", "question"} <= set(names)
    for tag in tags:
        assert tag.source and 0 < tag.score <= 1
        for start, end in tag.evidence:
            assert 0 <= start < end <= len(text) and text[start:end].strip()


def _garbage(seed: int, size: int) -> str:
    rng = random.Random(seed)
    return "".join(chr(rng.randrange(0, 0x3000)) for _ in range(size))


BAD_INPUT = [
    "",
    "   \n\t  ",
    "😂🙏🔥" * 400,
    "Ce vaccin est fabriqué en France, merci pour l'information.",
    "这个诊所周六开门吗",
    "شكرا للممرضات على الرعاية الممتازة",
    "Я хочу умереть от смеха",
    _garbage(1, 50_000),
    "\x00\x01\x02 binary \xff\xfe" * 2000,
    ("a" * 49_000) + " kill",
    "1-" * 25_000,
    "'" * 50_000,
    '"' * 50_000,
    "(" * 50_000,
    "@" * 50_000,
    "x@" * 25_000,
    " at " * 12_000,
]


@pytest.mark.parametrize("text", BAD_INPUT, ids=range(len(BAD_INPUT)))
def test_bad_input_gets_no_crisis_from_unknown_words(tagger: Tagger, text: str) -> None:
    tags = tagger.tag(text)
    assert "crisis" not in [tag.name for tag in tags]
    for tag in tags:
        assert all(0 <= a < b <= len(text) for a, b in tag.evidence)


def test_a_long_comment_is_still_read_to_its_end(tagger: Tagger) -> None:
    text = "Thanks for the update. " * 2000 + "I'm going to kill myself tonight."
    assert len(text) > 45_000
    crisis = by_name(tagger, text)["crisis"]
    assert crisis.evidence[-1][1] > 45_000  # type: ignore[attr-defined]
