"""`triage templates lint|ls`, the config key for the folder, and finding the installed copy."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest

from tests.clirun import run
from tests.factories import FLU_POST, NOW, sample_comments
from triage.config import Config, parse_config
from triage.errors import ConfigError
from triage.store import Store
from triage.templates import find_templates_dir, installed_templates_dir

ROOT = Path(__file__).resolve().parents[2]
AS_OF = ["--as-of", NOW.date().isoformat()]
CONFIG = """\
[org]
name = "Riverside Health"
contact_phone = "1-800-555-0199"
contact_url = "https://www.example.org/contact"
"""



@pytest.fixture
def setup(tmp_path: Path) -> list[str]:
    """Global options for a config with the organisation's contacts and the sample queue."""
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    with Store(tmp_path / "data") as store:
        store.ingest(sample_comments(), [FLU_POST], user="t")
    return ["--config", str(config), "--data-dir", str(tmp_path / "data")]


def test_the_shipped_templates_lint_clean_from_the_command(
    capsys: pytest.CaptureFixture[str], setup: list[str]
) -> None:
    code, out, err = run(capsys, *setup, "templates", "lint", *AS_OF)
    count = len(list((ROOT / "templates").glob("*.toml")))
    assert (code, out, err) == (0, "", f"{count} templates clean ({ROOT / 'templates'})\n")


def test_ls_json_lists_every_template(capsys: pytest.CaptureFixture[str],
                                      setup: list[str]) -> None:
    code, out, _ = run(capsys, *setup, "templates", "ls", "--json", *AS_OF)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert len(rows) == len(list((ROOT / "templates").glob("*.toml")))
    assert {"id", "title", "tags", "phi_safe", "review_by", "platforms", "language"} <= set(rows[0])
    crisis = next(r for r in rows if r["id"] == "crisis-988-short")
    assert crisis["tags"] == ["crisis"] and crisis["phi_safe"] is True
    assert crisis["platforms"] == "all" and crisis["review_by"] == "2027-04-05"
    assert crisis["lapsed"] is False


def test_ls_marks_lapsed_templates(capsys: pytest.CaptureFixture[str], setup: list[str]) -> None:
    code, out, _ = run(capsys, *setup, "templates", "ls", "--as-of", "2027-05-01")
    lines = {line.split("\t")[0]: line for line in out.splitlines()}
    assert code == 0
    assert "\tLAPSED 2027-04-05\t" in lines["crisis-988"]
    assert "\tuntil 2027-10-05\t" in lines["myth-vaccines"]


def test_ls_for_a_myth_ranks_and_renders(capsys: pytest.CaptureFixture[str],
                                         setup: list[str]) -> None:
    code, out, _ = run(capsys, *setup, "templates", "ls", "--json", "--for", "c-myth", *AS_OF)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [r["id"] for r in rows[:2]] == ["myth-vaccines", "myth-general"]
    assert rows[0]["rank"] == 1 and rows[0]["relevant"] is True
    assert rows[0]["reasons"][0] == "answers the myth flu-shot-gives-flu"
    assert rows[0]["text"].startswith("Hi Rob Keller, many people have heard this")
    assert "Flu vaccine safety (CDC): https://www.cdc.gov/flu/vaccine-safety/index.html" in (
        rows[0]["text"])


def test_ls_for_a_privacy_risk_offers_phi_safe_only(capsys: pytest.CaptureFixture[str],
                                                   setup: list[str]) -> None:
    code, out, _ = run(capsys, *setup, "templates", "ls", "--for", "c-privacy", *AS_OF)
    rows = [line.split("\t") for line in out.splitlines()]
    assert code == 0
    assert rows[0][:2] == ["1", "privacy-move-private"]
    assert all(row[3] == "phi-safe" for row in rows)


def test_ls_for_an_unknown_comment(capsys: pytest.CaptureFixture[str], setup: list[str]) -> None:
    code, out, err = run(capsys, *setup, "templates", "ls", "--for", "nope")
    assert (code, out) == (1, "")
    assert err == "triage: no comment with id 'nope'\n"


def test_the_config_points_at_another_folder(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "ours"
    folder.mkdir()
    (folder / "thanks.toml").write_text(
        'id = "thanks"\ntitle = "Thanks"\ntags = []\nplatforms = "all"\nlanguage = "en"\n'
        'phi_safe = false\nbody = "Thank you, {author}."\napproved_by = "Compliance"\n'
        "approved_on = 2026-10-01\nreview_by = 2027-10-01\n", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(CONFIG + '[replies]\ntemplates_dir = "ours"\n', encoding="utf-8")
    code, out, _ = run(capsys, "--config", str(config), "templates", "ls", *AS_OF)
    assert (code, out.split("\t")[0]) == (0, "thanks")
    config.write_text(CONFIG + '[replies]\ntemplates_dir = "gone"\n', encoding="utf-8")
    code, out, err = run(capsys, "--config", str(config), "templates", "ls")
    assert (code, out) == (2, "")  # a folder that is not there is bad input
    assert err == (f"triage: config.toml [replies] templates_dir: no such folder: "
                   f"{tmp_path / 'gone'}\n")


def test_the_replies_section_is_validated() -> None:
    assert parse_config('[replies]\ntemplates_dir = "t"\n').replies.templates_dir == "t"
    with pytest.raises(ConfigError, match="unknown key 'template_dir' in \\[replies\\]"):
        parse_config('[replies]\ntemplate_dir = "t"\n')
    with pytest.raises(ConfigError, match="templates_dir must be a string, not an integer"):
        parse_config("[replies]\ntemplates_dir = 3\n")


def test_running_from_the_project_finds_its_templates_folder() -> None:
    assert find_templates_dir(Config()) == ROOT / "templates"


def test_an_install_is_found_through_its_file_list(tmp_path: Path) -> None:
    """A wheel puts the templates under the prefix's share/ and lists them in RECORD."""
    site = tmp_path / "prefix" / "lib" / "python3.11" / "site-packages"
    info = site / "triage_desk-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: triage-desk\nVersion: 0.1.0\n")
    shared = tmp_path / "prefix" / "share" / "triage-desk" / "templates"
    shared.mkdir(parents=True)
    (shared / "crisis-988.toml").write_text("id = 'crisis-988'\n")
    (info / "RECORD").write_text(
        "triage/__init__.py,,\n"
        "../../../share/triage-desk/templates/crisis-988.toml,,\n"
        "triage_desk-0.1.0.dist-info/RECORD,,\n"
    )
    assert installed_templates_dir(metadata.PathDistribution(info)) == shared.resolve()
    (info / "RECORD").write_text("triage/__init__.py,,\n")
    assert installed_templates_dir(metadata.PathDistribution(info)) is None


def test_lint_of_a_folder_that_does_not_exist(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "templates", "lint", str(tmp_path / "none"))
    assert (code, out) == (2, "")
    assert err == f"triage: {tmp_path / 'none'}: no such templates folder\n"


def test_lint_flags_a_language_that_reaches_fewer_platforms_than_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: list[str]
) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    for name in ("myth-vaccines", "myth-vaccines-short", "es-myth-vaccines"):
        (folder / f"{name}.toml").write_text(
            (ROOT / "templates" / f"{name}.toml").read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = run(capsys, *setup, "templates", "lint", str(folder), *AS_OF)
    assert code == 2
    assert out == ("templates in 'es': platforms of misinformation: the es templates for "
                   "misinformation do not cover x, bluesky, which the en ones do: add a "
                   "template in es for them (or list them in one)\n")
    (folder / "es-myth-vaccines-short.toml").write_text(
        (ROOT / "templates" / "es-myth-vaccines-short.toml").read_text(encoding="utf-8"),
        encoding="utf-8")
    code, out, _ = run(capsys, *setup, "templates", "lint", str(folder), *AS_OF)
    assert (code, out) == (0, "")
