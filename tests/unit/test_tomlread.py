"""One TOML reader for every file: deep nesting, syntax errors and unknown keys are named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.clirun import run
from tests.unit.test_templates_lint import GOOD, TODAY
from triage.config import parse_config
from triage.errors import ConfigError, DataFileError
from triage.sandbox.banks import DATA_DIR as SANDBOX_DATA
from triage.sandbox.banks import load_banks
from triage.tagger import DATA_DIR as TAGGER_DATA
from triage.tagger import Tagger, load_claims
from triage.templates import load_claim_refs

DEEP = "deep = " + "[" * 3000 + "]" * 3000 + "\n"
NESTED = "deep = " + "[" * 20 + "]" * 20 + "\n"


@pytest.mark.parametrize("extra", [DEEP, NESTED], ids=["recursion", "depth"])
def test_deep_nesting_is_a_named_error_in_every_kind_of_file(
    tmp_path: Path, extra: str
) -> None:
    with pytest.raises(ConfigError, match="config.toml: .*nested more than 16 deep"):
        parse_config(extra)

    tagger = tmp_path / "tagger"
    shutil.copytree(TAGGER_DATA, tagger)
    (tagger / "crisis.toml").write_text(extra + (tagger / "crisis.toml").read_text())
    with pytest.raises(DataFileError, match=r"crisis\.toml: .*nested more than 16 deep"):
        Tagger(data_dir=tagger)

    claims = tmp_path / "claims.toml"
    claims.write_text(extra)
    with pytest.raises(DataFileError, match=r"claims\.toml: .*nested more than 16 deep"):
        load_claims([claims], include_builtin=False)
    with pytest.raises(DataFileError, match=r"claims\.toml: .*nested more than 16 deep"):
        load_claim_refs(parse_config(f'[tagger]\nclaims = ["{claims}"]\n'))

    banks = tmp_path / "sandbox"
    shutil.copytree(SANDBOX_DATA, banks)
    (banks / "org.toml").write_text(extra + (banks / "org.toml").read_text())
    with pytest.raises(DataFileError, match=r"org\.toml: .*nested more than 16 deep"):
        load_banks(banks)


@pytest.mark.parametrize("extra", [DEEP, NESTED], ids=["recursion", "depth"])
def test_a_deeply_nested_template_is_a_lint_problem_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str
) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "sample-myth.toml").write_text(extra + GOOD)
    code, out, err = run(capsys, "templates", "lint", str(folder), "--as-of", TODAY.isoformat())
    assert code == 2
    assert out.startswith(f"{folder / 'sample-myth.toml'}: toml: ")
    assert "nested more than 16 deep" in out
    assert "Traceback" not in err and err.startswith("triage: 1 problem in 1 template file")


def test_a_syntax_error_names_the_line(tmp_path: Path) -> None:
    claims = tmp_path / "claims.toml"
    claims.write_text('[[claims]]\nid = "x"\nid = \n')
    with pytest.raises(DataFileError, match=r"claims\.toml: not valid TOML: .*\(at line 3"):
        load_claims([claims], include_builtin=False)


def test_an_unknown_key_in_a_claim_file_is_named(tmp_path: Path) -> None:
    claims = tmp_path / "claims.toml"
    claims.write_text('claimz = 1\n')
    with pytest.raises(DataFileError, match=r"claims\.toml: unknown key 'claimz' \(a claim file"):
        load_claims([claims], include_builtin=False)
