"""The legal parts of config.toml: [escalation], [retention] and [[team]], every mistake named."""

from __future__ import annotations

import pytest

from triage.config import parse_config
from triage.errors import ConfigError

SMTP = 'smtp_host = "127.0.0.1"\nemail_from = "t@example.org"\nemail_to = ["l@example.org"]\n'


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[escalation]\nwebhok_url = "http://x"\n', "unknown key 'webhok_url' in [escalation]"),
        ('[escalation]\nwebhook_url = "ftp://x"\n', "[escalation] webhook_url: must be an http"),
        ('[escalation]\nsmtp_port = "25"\n' + SMTP,
         "[escalation] smtp_port must be an integer, not a string"),
        ("[escalation]\nsmtp_port = 70000\n" + SMTP,
         "[escalation] smtp_port: must be between 1 and 65535"),
        ('[escalation]\nsmtp_starttls = "yes"\n' + SMTP,
         "[escalation] smtp_starttls must be true or false, not a string"),
        ('[escalation]\nsmtp_host = "127.0.0.1"\n',
         "smtp_host is set, so email_from and email_to are needed"),
        ('[escalation]\nemail_to = ["l@example.org"]\n',
         "e-mail addresses are set, so smtp_host is needed"),
        ('[escalation]\nsmtp_host = "h"\nemail_from = "t@x.org"\nemail_to = "l@x.org"\n',
         "[escalation] email_to must be an array, not a string"),
        ('[escalation]\nsmtp_host = "h"\nemail_from = "t@x.org"\nemail_to = ["legal"]\n',
         "'legal' is not an e-mail address"),
        ('[escalation]\nsmtp_password_env = "PW"\n' + SMTP,
         "smtp_password_env is set, so smtp_user_env is needed"),
        ("[retention]\ndays = -1\n", "[retention] days: must be 0 (keep for ever) or up to 36500"),
        ("[retention]\ndays = 1000000000\n",
         "[retention] days: must be 0 (keep for ever) or up to 36500 (a hundred years), "
         "not 1000000000"),
        ('[retention]\ndays = "30"\n', "[retention] days must be an integer, not a string"),
        ("[retention]\nday = 30\n", "unknown key 'day' in [retention]"),
        ('[[team]]\nname = "x"\nroles = ["lawyer"]\n',
         "[[team]] #1 (x) roles: unknown role 'lawyer' (one of agent, approver, legal, admin, "
         "pharmacovigilance)"),
        ('[[team]]\nroles = ["legal"]\n', "[[team]] #1 is missing 'name'"),
        ('[[team]]\nname = "lee"\n[[team]]\nname = "lee"\nroles = ["legal"]\n',
         "[[team]] #2 (lee): the name is used twice"),
        ('[[team]]\nname = "lee"\nemail = "lee at example"\n',
         "[[team]] #1 (lee) email: 'lee at example' is not an e-mail address"),
        ('[[team]]\nname = " "\n', "[[team]] #1 ( ) name: must not be empty"),
    ],
)
def test_mistakes_are_named(toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(toml)
    assert message in str(error.value)


@pytest.mark.parametrize("secret", ["hunter2!", "sk-live abc", "pa$$word"])
def test_a_secret_in_place_of_a_variable_name_is_refused_and_not_echoed(secret: str) -> None:
    for key in ("webhook_token_env", "smtp_user_env"):
        with pytest.raises(ConfigError) as error:
            parse_config(f'[escalation]\n{key} = "{secret}"\n')
        assert f"{key}: must name an environment variable" in str(error.value)
        assert secret not in str(error.value)


def test_a_full_legal_config() -> None:
    config = parse_config(
        '[escalation]\nwebhook_url = "https://hooks.example.org/legal"\n'
        'webhook_token_env = "TRIAGE_HOOK_TOKEN"\nsmtp_host = "smtp.example.org"\n'
        "smtp_port = 465\nsmtp_starttls = false\n"
        'smtp_user_env = "TRIAGE_SMTP_USER"\nsmtp_password_env = "TRIAGE_SMTP_PASSWORD"\n'
        'email_from = "triage@example.org"\nemail_to = ["legal@example.org"]\n'
        "[retention]\ndays = 90\n"
        '[[team]]\nname = "lee"\nemail = "lee@example.org"\nroles = ["legal", "admin"]\n'
    )
    assert config.escalation.smtp_port == 465 and config.escalation.smtp_starttls is False
    assert config.retention.days == 90
    member = config.member("lee")
    assert member is not None and member.roles == ["legal", "admin"]


@pytest.mark.parametrize(
    "url",
    ["http://hooks.example.org/legal", "http://10.0.0.5:8080/x", "http://[2001:db8::1]/x",
     "http://127.example.org/x", "http://localhost.example.org/x"],
)
def test_plain_http_off_this_machine_is_refused_unless_allowed(url: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(f'[escalation]\nwebhook_url = "{url}"\n')
    message = str(error.value)
    assert "[escalation] webhook_url: plain http would send the case and the bearer" in message
    assert "allow_insecure_webhook = true" in message and url not in message
    config = parse_config(f'[escalation]\nwebhook_url = "{url}"\nallow_insecure_webhook = true\n')
    assert config.escalation.webhook_url == url


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/hook", "http://127.8.9.10/x", "http://localhost/x",
     "http://LOCALHOST:9/x", "http://[::1]:8080/x", "https://hooks.example.org/legal"],
)
def test_https_or_this_machine_needs_no_permission(url: str) -> None:
    assert parse_config(f'[escalation]\nwebhook_url = "{url}"\n').escalation.webhook_url == url


def test_allow_insecure_webhook_must_be_true_or_false() -> None:
    with pytest.raises(ConfigError, match="allow_insecure_webhook must be true or false"):
        parse_config('[escalation]\nallow_insecure_webhook = "yes"\n')
