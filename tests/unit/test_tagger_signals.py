"""Crisis signals: weak cues that no single rule lists add up to a crisis, and the words
that make them something else (the past, a figure of speech, a negation) take them away."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from triage.errors import DataFileError
from triage.tagger import DATA_DIR, Tagger


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger()


def crisis(tagger: Tagger, text: str):
    return next((tag for tag in tagger.tag(text) if tag.name == "crisis"), None)


ADDED_UP = [
    # hopelessness, a means at hand, and who it is about: none a crisis rule alone
    "can't see any reason to keep going, I have a whole bottle of my mom's sleeping pills",
    "nobody would even notice if I was gone. I have saved up my pills and I am alone tonight",
    "what's the point of going on, I have a bottle of pills right here",
    # an emergency told by its signs rather than by a call for help
    "my dad collapsed in the kitchen and he is turning blue, what do I do",
]


@pytest.mark.parametrize("text", ADDED_UP)
def test_weak_cues_together_are_a_crisis_with_their_words_as_evidence(
    tagger: Tagger, text: str
) -> None:
    tag = crisis(tagger, text)
    assert tag is not None, text
    assert tag.source.startswith("signals:crisis/")
    assert 0.7 <= tag.score <= 0.95
    quoted = [text[start:end].lower() for start, end in tag.evidence]
    assert any("pill" in q or "blue" in q or "collapsed" in q for q in quoted), quoted


NOT_A_CRISIS = [
    # over and long past, told to help others
    "Years ago I saved up pills and wrote goodbye letters. Today I'm a peer counselor "
    "and this clinic helped me.",
    "I was a burden to everyone back in 2015, now I run a support group here",
    # figures of speech and complaints
    "This queue is killing me, I could just die waiting here lol",
    "I can't see any reason to keep going to physio, it isn't helping my knee",
    # said not to be so
    "I'm not going to hurt myself, I just wanted to say the nurses were kind",
]


@pytest.mark.parametrize("text", NOT_A_CRISIS)
def test_the_same_words_in_the_past_in_jest_or_denied_are_not_a_crisis(
    tagger: Tagger, text: str
) -> None:
    assert crisis(tagger, text) is None, text


def test_a_strong_rule_keeps_its_own_source_and_score(tagger: Tagger) -> None:
    tag = crisis(tagger, "I am going to kill myself tonight")
    assert tag is not None
    assert tag.source == "rule:crisis/suicidal-intent"
    assert tag.score == 0.95


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("threshold = 1.0", 'threshold = "high"', ["crisis_signals.toml", "'threshold'"]),
        ('lexicons = ["crisis.means", "means"]', 'lexicons = ["crisis.meens"]',
         ["crisis_signals.toml", "class 'means'", "crisis.meens"]),
        ("[signals.classes.intent]\n", "[signals.classes.intent]\nwieght = 2\n",
         ["crisis_signals.toml", "class 'intent'", "unknown key 'wieght'"]),
    ],
)
def test_a_broken_signal_file_names_the_file_and_the_entry(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    data = tmp_path / "tagger"
    shutil.copytree(DATA_DIR, data)
    path = data / "crisis_signals.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFileError) as raised:
        Tagger(data_dir=data)
    for part in expected:
        assert part in str(raised.value), str(raised.value)
