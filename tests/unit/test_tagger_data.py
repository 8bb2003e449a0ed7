"""Tagger data files: the team edits them; a broken one is an error naming file and entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from triage.errors import DataFileError
from triage.tagger import DATA_DIR, Tagger, load_claims

FIXTURE_CLAIM = '''
[[claims]]
id = "{id}"
topic = "remedies"
claim = "Gargling salt water cures the flu."
paraphrases = [
  "salt water gargle cures the flu overnight",
  "gargle warm salt water and the flu is gone, no meds",
]
anchors = [["gargl*", "salt water"], ["flu", "influenza"]]
resource_title = "Flu treatment (CDC)"
resource_url = "https://www.cdc.gov/flu/treatment/index.html"
'''


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "tagger"
    shutil.copytree(DATA_DIR, copy)
    return copy


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BROKEN_RULE_FILES = [
    ("crisis.toml", "[lexicons]", "[lexicons\n", ["crisis.toml", "not valid TOML"]),
    ("crisis.toml", 'all = ["intent"]', 'all = ["intnet"]',
     ["crisis.toml", "rule 1", "suicidal-intent", "crisis.intnet"]),
    ("abuse.toml", "money = [", "money = ['(unclosed', ",
     ["abuse.toml", "pattern 'money'", "not a valid regular expression"]),
    ("question.toml", "openers = [", 'openers = ["!!", ',
     ["question.toml", "lexicon 'openers'", "'!!'"]),
    ("adverse.toml", "score = 0.8", "score = 8", ["adverse.toml", "'score'", "between"]),
    ("misinformation.toml", "window = 12", 'window = "wide"',
     ["misinformation.toml", "remedy-cures-disease", "'window'"]),
    ("privacy.toml", "\n[identifiers]\n", "\n[identifiers]\nfax = ['x']\n",
     ["privacy.toml", "[identifiers]", "unknown key 'fax'"]),
    ("crisis.toml", "score = 0.95", "score = 0.95\nweight = 2",
     ["crisis.toml", "suicidal-intent", "unknown key 'weight'"]),
]


@pytest.mark.parametrize(("name", "old", "new", "expected"), BROKEN_RULE_FILES)
def test_a_broken_rule_file_names_the_file_and_the_entry(
    data_dir: Path, name: str, old: str, new: str, expected: list[str]
) -> None:
    replace_in(data_dir / name, old, new)
    with pytest.raises(DataFileError) as raised:
        Tagger(data_dir=data_dir)
    message = str(raised.value)
    for part in expected:
        assert part in message, message


def test_a_missing_data_file_is_named(data_dir: Path) -> None:
    (data_dir / "stance.toml").unlink()
    with pytest.raises(DataFileError, match=r"stance\.toml: tagger data file not found"):
        Tagger(data_dir=data_dir)


BROKEN_CLAIMS = [
    ('resource_url = "https://www.cdc.gov/flu/treatment/index.html"',
     'resource_url = "https://example.com/flu"', ["'gargle-cures-flu'", "resource_url"]),
    ('resource_url = "https://www.cdc.gov/flu/treatment/index.html"',
     'resource_url = "http://www.cdc.gov/flu"', ["'gargle-cures-flu'", "https"]),
    ('topic = "remedies"', 'topic = "gossip"', ["'gargle-cures-flu'", "topic 'gossip'"]),
    ('anchors = [["gargl*", "salt water"], ["flu", "influenza"]]', "anchors = []",
     ["'gargle-cures-flu'", "'anchors'"]),
    ('anchors = [["gargl*", "salt water"], ["flu", "influenza"]]',
     'anchors = [["gargl*"], ["!!"]]', ["'gargle-cures-flu'", "anchors group 2", "'!!'"]),
    ('claim = "Gargling salt water cures the flu."\n', "",
     ["'gargle-cures-flu'", "'claim' is missing"]),
    ('id = "gargle-cures-flu"', 'id = "Gargle Cures Flu"', ["kebab-case"]),
]


@pytest.mark.parametrize(("old", "new", "expected"), BROKEN_CLAIMS)
def test_a_broken_claim_names_the_file_and_the_claim(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    extra = tmp_path / "more-claims.toml"
    extra.write_text(FIXTURE_CLAIM.format(id="gargle-cures-flu"), encoding="utf-8")
    replace_in(extra, old, new)
    with pytest.raises(DataFileError) as raised:
        load_claims([extra])
    message = str(raised.value)
    assert "more-claims.toml" in message, message
    for part in expected:
        assert part in message, message


def test_a_claim_id_used_twice_across_files_is_an_error(tmp_path: Path) -> None:
    extra = tmp_path / "dupe.toml"
    extra.write_text(FIXTURE_CLAIM.format(id="flu-shot-gives-flu"), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"dupe\.toml: claim 'flu-shot-gives-flu'.*already"):
        load_claims([extra])


def test_the_built_in_library_loads_with_its_ids_and_resources() -> None:
    library = load_claims()
    assert len(library) >= 60
    claim = library.get("flu-shot-gives-flu")
    assert claim is not None and claim.resource_url.startswith("https://")
    assert library.get("no-such-claim") is None
    assert "mmr-causes-autism" in library and len(list(library)) == len(library)


def test_an_extra_claim_file_from_config_adds_a_myth(tmp_path: Path) -> None:
    extra = tmp_path / "local-myths.toml"
    extra.write_text(FIXTURE_CLAIM.format(id="gargle-cures-flu"), encoding="utf-8")
    text = "just gargle salt water, it cures the flu in a day"
    assert "misinformation" not in {t.name for t in Tagger().tag(text)}
    tags = {t.name: t for t in Tagger(extra_claim_files=[extra]).tag(text)}
    myth = tags["misinformation"]
    assert myth.claim_id == "gargle-cures-flu"
    assert myth.resource_url == "https://www.cdc.gov/flu/treatment/index.html"
    assert myth.source == "claim:gargle-cures-flu"


def test_an_edited_lexicon_takes_effect_without_a_release(data_dir: Path) -> None:
    text = "the flux capacitor ate my homework"
    assert "abuse" not in {t.name for t in Tagger(data_dir=data_dir).tag(text)}
    replace_in(data_dir / "abuse.toml", "threat = [", 'threat = [\n  "flux capacitor",')
    tags = {t.name: t for t in Tagger(data_dir=data_dir).tag(text)}
    assert tags["abuse"].source == "rule:abuse/threat"
    assert [text[a:b] for a, b in tags["abuse"].evidence] == ["flux capacitor"]
