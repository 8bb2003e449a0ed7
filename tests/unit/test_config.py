"""Configuration: the example validates; every mistake names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.cli import main
from triage.config import load_config, parse_config
from triage.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_config_validates() -> None:
    config = load_config(str(ROOT / "config.toml"))
    assert config.org.name
    assert config.team and all(member.roles for member in config.team)


def test_every_commented_example_in_the_config_is_valid_too() -> None:
    """Uncommenting the examples (accounts, escalation, views) gives a valid config."""
    lines = []
    for line in (ROOT / "config.toml").read_text().splitlines():
        body = line[2:] if line.startswith("# ") else line
        is_toml = body.startswith(("[", '"')) or ("=" in body and not body.startswith("#"))
        lines.append(body if line.startswith("# ") and is_toml else line)
    config = parse_config("\n".join(lines))
    assert {a.platform for a in config.accounts} == {
        "mastodon", "facebook", "instagram", "youtube", "x", "reddit", "tiktok", "linkedin",
        "bluesky"}
    assert config.escalation.smtp_host and config.escalation.webhook_url
    assert [v.name for v in config.views] == ["Oncology questions"]
    assert config.keymap == {"queue.dismiss": "x,d"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[bogus_section]\nx = 1", "config.toml: unknown section [bogus_section]"),
        ("[[bogus]]\nx = 1", "config.toml: unknown section [[bogus]]"),
        ("colour = 'red'", "config.toml: unknown key 'colour'"),
        ("[org]\nnmae = 'x'", "config.toml: unknown key 'nmae' in [org]"),
        ("[org]\nname = 3", "config.toml: [org] name must be a string, not an integer"),
        ("poll_seconds = 'often'", "config.toml: poll_seconds must be an integer, not a string"),
        ("poll_seconds = 1", "config.toml: poll_seconds must be between 5 and 86400"),
        ("poll_seconds = 99999999999", "config.toml: poll_seconds must be between 5 and 86400"),
        ('[sla]\ncrisis = "99999999999999d"',
         "config.toml: [sla] crisis: '99999999999999d' is not a duration"),
        ('[sla]\ncrisis = "99999999d"', "config.toml: [sla] crisis: '99999999d' is longer than "
         "3650 days"),
        pytest.param("x = " + "[" * 40 + "]" * 40, "config.toml: x[0][0][0]", id="nested-40"),
        pytest.param("x = " + "[" * 5000 + "]" * 5000,
                     "config.toml: not valid TOML: arrays or tables nested", id="nested-5000"),
        ("[org]\nname = 'x' y", "config.toml: not valid TOML: Expected newline or end of "
         "document after a statement (at line 2, column 12)"),
        ("org = 3", "config.toml: org must be a table, not an integer"),
        ("[[accounts]]\nname = 'a'\ntoken_env = 'T'",
         "config.toml: [[accounts]] #1 is missing 'platform'"),
        ("[[accounts]]\nname = 'a'\nplatform = 'myspace'\ntoken_env = 'T'",
         "unknown platform 'myspace'"),
        ("[[team]]\nname = 'ana'\nroles = ['boss']", "unknown role 'boss'"),
        ("[keymap]\n'queue.dismiss' = 4", "config.toml: [keymap] queue.dismiss must be a string"),
        ("[org\nname = 'x'", "config.toml: not valid TOML"),
    ],
)
def test_mistakes_name_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_a_broken_config_exits_2_naming_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "my.toml"
    broken.write_text("[bogus_section]\nx = 1\n")
    with pytest.raises(SystemExit) as stopped:
        main(["--config", str(broken), "config"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert f"{broken}: unknown section [bogus_section]" in err
    assert "Traceback" not in err


def test_a_missing_config_file_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--config", str(tmp_path / "nope.toml"), "config"])
    assert stopped.value.code == 2
    assert "nope.toml: no such config file" in capsys.readouterr().err


def test_no_config_runs_on_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRIAGE_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    config = load_config(None)
    assert config.accounts == [] and config.source is None


def test_data_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from triage.config import data_dir_for

    config_file = tmp_path / "c.toml"
    config_file.write_text("data_dir = 'queue-data'\n")
    config = load_config(str(config_file))
    monkeypatch.delenv("TRIAGE_DATA_DIR", raising=False)
    assert data_dir_for(config, None) == tmp_path.resolve() / "queue-data"
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "env"))
    assert data_dir_for(config, None) == tmp_path / "env"
    assert data_dir_for(config, str(tmp_path / "opt")) == tmp_path / "opt"


def test_config_warns_of_each_token_variable_that_is_not_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "team.toml"
    path.write_text(
        '[[accounts]]\nname = "fb-main"\nplatform = "facebook"\n'
        'token_env = "FB_TOKEN_FOR_TEST"\npage_id = "1"\n'
        '[[accounts]]\nname = "masto"\nplatform = "mastodon"\n'
        'token_env = "MASTO_TOKEN_FOR_TEST"\nbase_url = "https://example.social"\n'
    )
    monkeypatch.delenv("FB_TOKEN_FOR_TEST", raising=False)
    monkeypatch.setenv("MASTO_TOKEN_FOR_TEST", "set")
    main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "config"])
    err = capsys.readouterr().err
    assert "account 'fb-main': the environment variable FB_TOKEN_FOR_TEST" in err
    assert "MASTO_TOKEN_FOR_TEST" not in err


def test_huge_retention_days_and_sla_exit_2_instead_of_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for text, message in [
        ("[retention]\ndays = 1000000000\n", "[retention] days: must be 0 (keep for ever)"),
        ('[sla]\ncrisis = "99999999999999d"\n', "[sla] crisis:"),
        ("x = " + "[" * 3000 + "]" * 3000 + "\n", "nested more than 16 deep"),
    ]:
        broken = tmp_path / "big.toml"
        broken.write_text(text)
        for command in (["config"], ["retention", "apply"], ["ls"]):
            with pytest.raises(SystemExit) as stopped:
                main(["--config", str(broken), "--data-dir", str(tmp_path / "d"), *command])
            err = capsys.readouterr().err
            assert stopped.value.code == 2, (text[:30], command, err)
            assert message in err and "Traceback" not in err


@pytest.mark.parametrize("url", [
    "postgresql://ana:s3cret@db.example.org/triage",
    "postgres://ana:s3cret@db.example.org:5432/triage?sslmode=require",
    "postgresql://ana@db.example.org/triage?sslmode=require&password=s3cret",
    "host=db.example.org user=ana password=s3cret dbname=triage",
])
def test_a_store_url_holding_a_password_is_refused_naming_the_key(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(f'[store]\nurl = "{url}"\n')
    assert str(caught.value).startswith("config.toml: [store] url: holds a password")
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize("url", [
    "postgresql://ana@db.example.org/triage",
    "postgresql:///triage?host=/run/postgresql&sslmode=verify-full",
    "service=triage",
])
def test_a_store_url_without_a_password_is_accepted(url: str) -> None:
    assert parse_config(f'[store]\nurl = "{url}"\n').store.url == url


def test_a_store_url_of_another_kind_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"\[store\] url: must be a postgresql:// URL"):
        parse_config('[store]\nurl = "mysql://ana@db/triage"\n')


_REDDIT = ('[[accounts]]\nname = "rd"\nplatform = "reddit"\ntoken_env = "RD_SECRET_FOR_TEST"\n'
           'client_id_env = "RD_ID_FOR_TEST"\npassword_env = "RD_PASSWORD_FOR_TEST"\n')


def test_config_checks_a_reddit_account_and_warns_of_each_of_its_variables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "reddit.toml"
    path.write_text(_REDDIT)
    for name in ("RD_SECRET_FOR_TEST", "RD_ID_FOR_TEST", "RD_PASSWORD_FOR_TEST"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as stopped:
        main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "config"])
    assert stopped.value.code == 2
    assert ("account rd: username is needed for reddit (the account's Reddit user name, "
            "without u/)") in capsys.readouterr().err

    path.write_text(_REDDIT + 'username = "RiversideHealth"\nmoderates = true\n')
    monkeypatch.setenv("RD_SECRET_FOR_TEST", "set")
    main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "config"])
    err = capsys.readouterr().err
    assert ("account 'rd': the environment variable RD_ID_FOR_TEST (its client_id_env) is not "
            "set") in err
    assert "RD_PASSWORD_FOR_TEST (its password_env) is not set" in err
    assert "RD_SECRET_FOR_TEST" not in err


@pytest.mark.parametrize(("line", "message"), [
    ('password_env = "hunter2!"', "password_env: must name an environment variable"),
    ('client_id_env = "a b"', "client_id_env: must name an environment variable"),
    ('username = "u/Riverside"', "username: 3 to 20 letters, digits, '_' or '-'"),
    ("moderates = 'yes'", "moderates"),
])
def test_reddit_settings_of_the_wrong_form_name_the_key(line: str, message: str) -> None:
    text = '[[accounts]]\nname = "rd"\nplatform = "reddit"\ntoken_env = "RD"\n' + line + "\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert message in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_config_toml_documents_each_platforms_keys_as_its_connector_declares_them() -> None:
    from triage.connectors.registry import platforms, settings_doc

    text = (ROOT / "config.toml").read_text()
    start = text.index("# -- each platform's own keys")
    end = text.index("# -- end of the platforms' keys --")
    written = text[start:end].splitlines()[1:]
    assert written == settings_doc()
    assert {"tiktok", "linkedin", "reddit"} <= set(platforms())
    assert "#   business_id (required, text): the business account's id" in written[
        written.index("# tiktok:") + 1]


_TIKTOK = '[[accounts]]\nname = "tt"\nplatform = "tiktok"\ntoken_env = "TT_TOKEN_FOR_TEST"\n'


@pytest.mark.parametrize(("extra", "message"), [
    ("", "account tt: business_id is needed for tiktok (the business account's id"),
    ('business_id = "b1"\nbusines_id = "b1"\n',
     "[[accounts]] #1 (tt): unknown key 'busines_id' for tiktok (known: base_url, name, "
     "platform, poll_seconds, token_env, business_id)"),
    ("business_id = 12\n", "[[accounts]] #1 (tt) business_id must be text, not an integer"),
    ('business_id = "b1"\npage_id = "1"\n', "unknown key 'page_id' for tiktok"),
])
def test_config_checks_an_account_by_its_connectors_settings_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str, message: str
) -> None:
    path = tmp_path / "tiktok.toml"
    path.write_text(_TIKTOK + extra)
    with pytest.raises(SystemExit) as stopped:
        main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "config"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_config_checks_a_linkedin_organisation_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "li.toml"
    base = '[[accounts]]\nname = "li"\nplatform = "linkedin"\ntoken_env = "LI_TOKEN_T"\n'
    path.write_text(base + 'organization_id = "urn:li:organization:18364502"\n')
    with pytest.raises(SystemExit) as stopped:
        main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "config"])
    assert stopped.value.code == 2
    assert ("[[accounts]] #1 (li) organization_id: digits only (the number in "
            "urn:li:organization:NUMBER)") in capsys.readouterr().err
    path.write_text(base + 'organization_id = "18364502"\napi_version = "202510"\n')
    main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "config"])
    assert "accounts: 1" in capsys.readouterr().out


def test_config_checks_a_bluesky_account_has_a_handle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bluesky.toml"
    text = ('[[accounts]]\nname = "bs"\nplatform = "bluesky"\n'
            'token_env = "BS_APP_PASSWORD_FOR_TEST"\n')
    path.write_text(text + 'handle = "@riverside.bsky.social"\n')
    monkeypatch.delenv("BS_APP_PASSWORD_FOR_TEST", raising=False)
    with pytest.raises(SystemExit) as stopped:
        main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "config"])
    assert stopped.value.code == 2
    assert ("account bs: handle is needed for bluesky: the account's handle, such as "
            "name.bsky.social (without @), or its DID") in capsys.readouterr().err

    path.write_text(text + 'handle = "riverside.bsky.social"\n')
    main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "config"])
    assert ("account 'bs': the environment variable BS_APP_PASSWORD_FOR_TEST (its token_env) "
            "is not set") in capsys.readouterr().err
