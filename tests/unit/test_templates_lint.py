"""Template lint: the shipped templates are clean; each kind of broken template is named."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.factories import NOW
from triage.cli import main
from triage.config import Config, OrgConfig
from triage.errors import TemplateError
from triage.model import PLATFORMS, TAG_NAMES
from triage.templates import ClaimRef, find_templates_dir, lint_templates, load_claim_refs

TODAY = NOW.date()
ROOT = Path(__file__).resolve().parents[2]
CONFIG = Config(org=OrgConfig(name="Riverside Health", contact_phone="1-800-555-0199",
                              contact_url="https://www.example.org/contact"))
CLAIMS = {
    "flu-shot-gives-flu": ClaimRef("flu-shot-gives-flu", "vaccines", "Flu vaccine facts (CDC)",
                                   "https://www.cdc.gov/flu/vaccines/keyfacts.html"),
}

GOOD = '''\
id = "sample-myth"
title = "Sample myth reply"
tags = ["misinformation"]
claims = ["flu-shot-gives-flu"]
platforms = ["facebook", "x"]
language = "en"
phi_safe = true
body = """
Hi {author}, here is what the evidence shows: {resource_url}
"""
approved_by = "Maya Okafor (Compliance)"
approved_on = 2026-10-01
review_by = 2027-10-01

[[resources]]
title = "Flu vaccine facts"
url = "https://www.cdc.gov/flu/index.html"
'''

#: An extra claim file, as config.toml [tagger] claims names them.
CLAIM_FILE = """\
[[claims]]
id = "test-only-claim"
topic = "vaccines"
claim = "A myth only these tests know."
paraphrases = ["only the tests know it", "a myth for tests", "tests believe it",
               "the test myth is true", "tests say so"]
anchors = [["test myth"], ["is true"]]
resource_title = "Flu vaccine facts (CDC)"
resource_url = "https://www.cdc.gov/flu/vaccines/keyfacts.html"
"""

# 5 x 54 characters, less the last space: 269; with "Hi ", a 40-character name and ", ": 314.
LONG_BODY = "the research on flu vaccines is clear and reassuring. " * 5


def sub(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)

    return edit


KNOWN = ", ".join(f"{{{p}}}" for p in ("author", "resource_title", "resource_url", "org_name",
                                        "contact_phone", "contact_url", "contact_email"))

#: (what is broken, the edit to the good file, the field named, the message after it)
BROKEN = [
    ("bad toml", sub('title = "Sample myth reply"', 'title = "Sample myth reply'),
     "toml", "not valid TOML: "),
    ("unknown key", sub('language = "en"', 'language = "en"\nnotes = "x"'),
     "notes", "unknown key (keys: id, title, tags, platforms, body, approved_by, approved_on, "
     "review_by, phi_safe, language, claims, resources, crisis_kind)"),
    ("missing key", sub("review_by = 2027-10-01\n", ""), "review_by", "missing"),
    ("wrong type", sub("phi_safe = true", 'phi_safe = "yes"'),
     "phi_safe", "must be true or false, not a string"),
    ("wrong date", sub("approved_on = 2026-10-01", 'approved_on = "last week"'),
     "approved_on", "must be a date like 2027-03-31, not a string 'last week'"),
    ("dates out of order", sub("review_by = 2027-10-01", "review_by = 2026-09-01"),
     "review_by", "2026-09-01 must come after approved_on (2026-10-01)"),
    ("approved in the future", sub("approved_on = 2026-10-01", "approved_on = 2026-12-01"),
     "approved_on", "2026-12-01 is in the future"),
    ("unknown placeholder", sub("Hi {author}", "Hi {first_name}"),
     "body", f"unknown placeholder {{first_name}} (known: {KNOWN})"),
    ("format field", sub("Hi {author}", "Hi {author.__class__}"),
     "body", f"unknown placeholder {{author.__class__}} (known: {KNOWN})"),
    ("stray brace", sub("Hi {author},", "Hi {author}, }"),
     "body", "has a brace that is not part of a {placeholder}"),
    ("http link in body", sub("shows: {resource_url}", "shows: http://www.cdc.gov/flu"),
     "body", "link 'http://www.cdc.gov/flu' must start with https://"),
    ("bare www link", sub("shows: {resource_url}", "shows: www.cdc.gov/flu"),
     "body", "link 'www.cdc.gov/flu' must start with https://"),
    ("http resource", sub('url = "https://www.cdc.gov/flu/index.html"',
                          'url = "http://www.cdc.gov/flu/index.html"'),
     "resources #1 url", "must be an https:// link, not 'http://www.cdc.gov/flu/index.html'"),
    ("no fallback resource", sub('[[resources]]\ntitle = "Flu vaccine facts"\n'
                                 'url = "https://www.cdc.gov/flu/index.html"\n', ""),
     "resources", "the body links {resource_url}/{resource_title}, so list at least one "
     "[[resources]] to fall back on when a comment has no matched myth"),
    ("lapsed", sub("review_by = 2027-10-01", "review_by = 2026-11-20"),
     "review_by", "the approval lapsed on 2026-11-20: compliance must review and renew it"),
    ("unknown tag", sub('tags = ["misinformation"]', 'tags = ["misinformation", "rumour"]'),
     "tags", f"unknown tag 'rumour' (one of {', '.join(TAG_NAMES)})"),
    ("unknown claim id", sub('"flu-shot-gives-flu"', '"flu-shot-causes-flu"'),
     "claims", "unknown claim id 'flu-shot-causes-flu' (not in the claim library nor the "
     "[tagger] claims files)"),
    ("claims without the myth tag", sub('tags = ["misinformation"]', 'tags = ["question"]'),
     "claims", "only a template tagged misinformation answers claims"),
    ("unknown platform", sub('platforms = ["facebook", "x"]',
                             'platforms = ["facebook", "myspace"]'),
     "platforms", f"unknown platform 'myspace' (one of {', '.join(PLATFORMS)})"),
    ("platforms not all", sub('platforms = ["facebook", "x"]', 'platforms = "everywhere"'),
     "platforms", "must be \"all\" or an array of platforms, not 'everywhere'"),
    ("too long for x", sub("here is what the evidence shows: {resource_url}", LONG_BODY),
     "body", "renders to 314 characters on x (limit 280) with long sample values: shorten it "
     "or drop x from platforms"),
    ("id not the file name", sub('id = "sample-myth"', 'id = "other-myth"'),
     "id", "'other-myth' must match the file name (sample-myth.toml)"),
    ("id not kebab-case", sub('id = "sample-myth"', 'id = "Sample_Myth"'),
     "id", "'Sample_Myth' must be kebab-case: a-z, 0-9 and single dashes"),
    ("bad language", sub('language = "en"', 'language = "english"'),
     "language", "'english' must be a two-letter code such as en or es"),
    ("empty title", sub('title = "Sample myth reply"', 'title = "  "'), "title",
     "must not be empty"),
]


def write(folder: Path, text: str, name: str = "sample-myth.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_good_sample_is_clean(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    library = lint_templates(tmp_path, config=CONFIG, today=TODAY, claims=CLAIMS)
    assert library.problems == ()
    assert [t.id for t in library] == ["sample-myth"]


@pytest.mark.parametrize(("case", "edit", "field", "message"), BROKEN,
                         ids=[case[0] for case in BROKEN])
def test_each_broken_template_gets_one_line_naming_file_and_field(
    tmp_path: Path, case: str, edit: Callable[[str], str], field: str, message: str
) -> None:
    path = write(tmp_path, edit(GOOD))
    library = lint_templates(tmp_path, config=CONFIG, today=TODAY, claims=CLAIMS)
    lines = [str(problem) for problem in library.problems]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}: {field}: {message}")
    lapsed_only = case == "lapsed"
    assert [t.id for t in library] == (["sample-myth"] if lapsed_only else [])


@pytest.mark.parametrize(("case", "edit", "field", "message"),
                         [c for c in BROKEN if c[0] != "unknown claim id"],
                         ids=[c[0] for c in BROKEN if c[0] != "unknown claim id"])
def test_the_lint_command_prints_the_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str,
    edit: Callable[[str], str], field: str, message: str
) -> None:
    folder = tmp_path / "tpl"
    write(folder, edit(GOOD).replace('"flu-shot-gives-flu"', '"test-only-claim"'))
    claims = write(tmp_path, CLAIM_FILE, "claims.toml")
    config = write(tmp_path, '[org]\nname = "Riverside Health"\ncontact_phone = "1-800-555-0199"'
                   '\ncontact_url = "https://www.example.org/contact"\n'
                   f'[tagger]\nclaims = ["{claims}"]\n', "config.toml")
    with pytest.raises(SystemExit) as stopped:
        main(["--config", str(config), "templates", "lint", str(folder),
              "--as-of", TODAY.isoformat()])
    out, err = capsys.readouterr()
    assert stopped.value.code == 2
    assert out.splitlines()[0].startswith(f"{folder / 'sample-myth.toml'}: {field}: {message}")
    assert len(out.splitlines()) == 1, out
    assert err == f"triage: 1 problem in 1 template file ({folder})\n"


def test_an_empty_folder_and_a_missing_one(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path / "empty" / "nested", GOOD)  # only the folder's own files count
    empty = lint_templates(tmp_path / "empty", config=CONFIG, today=TODAY, claims=CLAIMS)
    assert [str(p) for p in empty.problems] == [
        f"{tmp_path / 'empty'}: files: no templates (*.toml) here"
    ]
    with pytest.raises(TemplateError, match="no such templates folder"):
        lint_templates(tmp_path / "missing", config=CONFIG, today=TODAY, claims=CLAIMS)


def test_a_config_contact_url_that_is_not_https_is_named(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    config = Config(org=OrgConfig(contact_url="http://www.example.org/contact"))
    library = lint_templates(tmp_path, config=config, today=TODAY, claims=CLAIMS)
    assert [str(p) for p in library.problems] == [
        "config.toml: [org] contact_url: must be an https:// link, not "
        "'http://www.example.org/contact'"
    ]


def test_the_shipped_templates_lint_clean() -> None:
    folder = find_templates_dir(Config())
    assert folder == ROOT / "templates"
    library = lint_templates(folder, config=Config(), today=TODAY, claims=load_claim_refs(Config()))
    assert [str(p) for p in library.problems] == []
    assert len(library) >= 18


def test_the_shipped_templates_cover_the_issue() -> None:
    library = lint_templates(ROOT / "templates", config=Config(), today=TODAY,
                             claims=load_claim_refs(Config()))
    by_tag = {tag: [t for t in library if tag in t.tags] for tag in TAG_NAMES}
    assert by_tag["crisis"] and all(t.phi_safe for t in by_tag["crisis"])
    assert all("988" in t.body and "911" in t.body for t in by_tag["crisis"]
               if "988" in t.title)
    assert any("medwatch" in t.body.lower() and "vaers.hhs.gov" in t.body
               for t in by_tag["adverse_event"])
    assert all(t.phi_safe for t in by_tag["privacy"])
    spanish = {tag for t in library if t.language == "es" for tag in t.tags}
    assert {"crisis", "privacy", "question", "misinformation"} <= spanish
    assert any(t.serves("x") for t in by_tag["misinformation"])
    assert any(t.serves("tiktok") for t in by_tag["crisis"])
    assert any(not t.phi_safe for t in library)
