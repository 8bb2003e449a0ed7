"""Delivering escalations to real local servers: retried until they land, once, no secrets."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.factories import NOW
from tests.legal.conftest import CliRun, Mailbox, Webhook, make_config
from triage.legal import deliver_pending, deliveries_of, display_status, escalate
from triage.legal.delivery import backoff
from triage.model import content_hash
from triage.store import Store

MARKER = "S3cr3t-Marker-Do-Not-Store-71"


def webhook_config(hook: Webhook, token_env: str = "") -> str:
    token = f'webhook_token_env = "{token_env}"\n' if token_env else ""
    return f'[escalation]\nwebhook_url = "{hook.url}"\n{token}'


def mail_config(box: Mailbox, *, starttls: bool = False, login: bool = True) -> str:
    auth = ('smtp_user_env = "TRIAGE_TEST_SMTP_USER"\n'
            'smtp_password_env = "TRIAGE_TEST_SMTP_PASSWORD"\n') if login else ""
    return (f'[escalation]\nsmtp_host = "127.0.0.1"\nsmtp_port = {box.port}\n'
            f'smtp_starttls = {"true" if starttls else "false"}\n{auth}'
            'email_from = "triage@riverside.example"\n'
            'email_to = ["legal@riverside.example", "compliance@riverside.example"]\n')


def test_webhook_down_then_up_delivers_exactly_once(legal_store: Store, webhook: Webhook) -> None:
    config = make_config(webhook_config(webhook))
    esc = escalate(legal_store, config, "ana", "c-phi", "privacy_breach", "critical", now=NOW)
    report = deliver_pending(legal_store, config, user="ana", now=NOW)  # nothing listens
    assert (report.delivered, report.failed, report.waiting) == (0, 1, 1)
    assert "cannot reach 127.0.0.1" in report.errors[0]
    (pending,) = deliveries_of(legal_store, esc.id)
    assert (pending.status, pending.attempts) == ("pending", 1)
    assert pending.next_attempt_at == NOW + backoff(1)

    webhook.answers = [503]
    webhook.start()
    # not due yet: the backoff holds it back, and nothing is sent
    assert deliver_pending(legal_store, config, now=NOW + timedelta(seconds=5)).waiting == 1
    assert webhook.received == []
    report = deliver_pending(legal_store, config, now=NOW + timedelta(seconds=31))
    assert report.failed == 1 and "answered HTTP 503" in report.errors[0]
    assert deliveries_of(legal_store, esc.id)[0].next_attempt_at == (
        NOW + timedelta(seconds=31) + backoff(2))
    # forced: tried at once, whatever the backoff says
    report = deliver_pending(legal_store, config, force=True, now=NOW + timedelta(seconds=32))
    assert (report.delivered, report.waiting) == (1, 0)
    for later in (1, 2, 3):
        deliver_pending(legal_store, config, force=True, now=NOW + timedelta(hours=later))
    assert len(webhook.received) == 2 and len(webhook.accepted) == 1
    (post,) = webhook.accepted
    body = post["json"]
    assert post["path"] == "/legal-hook"
    assert post["headers"]["Idempotency-Key"] == body["idempotency_key"]
    assert webhook.received[0]["json"]["idempotency_key"] == body["idempotency_key"]
    assert body["escalation"]["id"] == esc.id and body["escalation"]["reason"] == "privacy_breach"
    assert body["escalation"]["sha256"] == content_hash(esc.text)
    assert "555-201-8834" not in post["raw"].decode() and "8834" in post["raw"].decode()
    (done,) = deliveries_of(legal_store, esc.id)
    assert (done.status, done.attempts) == ("delivered", 3)
    assert display_status(legal_store, esc) == "open"
    kinds = [e["kind"] for _, e in legal_store.journal.read() if e.get("comment_id") == "c-phi"]
    assert kinds.count("delivery_failed") == 2 and kinds.count("delivered") == 1


def test_backoff_doubles_up_to_half_an_hour() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(40) == timedelta(minutes=30)


def test_the_email_arrives_with_the_right_content(
    legal_store: Store, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_TEST_SMTP_USER", "triage-bot")
    monkeypatch.setenv("TRIAGE_TEST_SMTP_PASSWORD", MARKER)
    mailbox.password = MARKER
    config = make_config(mail_config(mailbox))
    esc = escalate(legal_store, config, "ana", "c-phi", "adverse_event", "high",
                   "she reports a reaction after the MRI contrast")
    report = deliver_pending(legal_store, config, user="ana")
    assert report.delivered == 1, report.errors
    assert mailbox.logins == [("triage-bot", MARKER)]
    (message,) = mailbox.messages
    assert message["Subject"] == f"[Triage] HIGH escalation {esc.id}: adverse_event on facebook"
    assert message["From"] == "triage@riverside.example"
    assert message["To"] == "legal@riverside.example, compliance@riverside.example"
    (delivery,) = deliveries_of(legal_store, esc.id)
    assert message["Message-ID"] == f"<{delivery.idempotency_key}@riverside.example>"
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    for expected in (esc.id, "c-phi", "Pat Lee", "escalated to legal by ana",
                     "she reports a reaction after the MRI contrast", esc.sha256,
                     "•••-•••-8834", "•••••••@example.org", f"triage escalation export {esc.id}"):
        assert expected in body
    assert "555-201-8834" not in body and "pat.lee@" not in body
    assert MARKER not in mailbox.raw[0].decode()
    assert deliveries_of(legal_store, esc.id)[0].status == "delivered"


def test_starttls_is_required_when_configured(
    legal_store: Store, mailbox: Mailbox
) -> None:
    config = make_config(mail_config(mailbox, starttls=True, login=False))
    escalate(legal_store, config, "ana", "c-phi", "other")
    report = deliver_pending(legal_store, config)
    assert report.failed == 1 and "does not offer STARTTLS" in report.errors[0]
    assert mailbox.messages == []  # never sent in the clear


def test_a_missing_secret_is_named_by_its_variable(
    legal_store: Store, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRIAGE_TEST_SMTP_USER", raising=False)
    monkeypatch.delenv("TRIAGE_TEST_SMTP_PASSWORD", raising=False)
    config = make_config(mail_config(mailbox))
    escalate(legal_store, config, "ana", "c-phi", "other")
    report = deliver_pending(legal_store, config)
    assert "TRIAGE_TEST_SMTP_USER and TRIAGE_TEST_SMTP_PASSWORD is not set" in report.errors[0]
    assert mailbox.messages == []


def test_secrets_appear_nowhere(
    prepared: Path, run_cli: CliRun, mailbox: Mailbox, webhook: Webhook,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRIAGE_TEST_SMTP_USER", "triage-bot")
    monkeypatch.setenv("TRIAGE_TEST_SMTP_PASSWORD", MARKER)
    monkeypatch.setenv("TRIAGE_TEST_HOOK_TOKEN", MARKER + "-hook")
    mailbox.password = "something else"  # the login is refused at first
    webhook.start()
    webhook.answers = [500]
    config = (mail_config(mailbox) + f'webhook_url = "{webhook.url}"\n'
              'webhook_token_env = "TRIAGE_TEST_HOOK_TOKEN"\n')
    outputs = [run_cli("escalate", "c-phi", "--reason", "privacy_breach", config=config)]
    assert f"e-mail: 127.0.0.1:{mailbox.port} refused the login (SMTP 535)" in outputs[0][2]
    assert len(mailbox.logins) == 1  # one refused login is the answer: no second guess
    assert "answered HTTP 500" in outputs[0][2]
    mailbox.password = MARKER
    outputs.append(run_cli("escalations", "deliver", config=config))
    assert outputs[-1][0] == 0 and "delivered 2" in outputs[-1][1]
    assert webhook.accepted[0]["headers"]["Authorization"] == f"Bearer {MARKER}-hook"
    for user, args in (("ana", ("escalations", "--json")), ("ana", ("audit", "log", "--json")),
                       ("lee", ("escalation", "export", "c-phi", "--format", "json")),
                       ("lee", ("escalation", "export", "c-phi", "--format", "md"))):
        outputs.append(run_cli(*args, user=user, config=config))
    for code, out, err in outputs:
        assert code == 0, err
        assert MARKER not in out and MARKER not in err
    files = [p for p in prepared.parent.rglob("*") if p.is_file() and p.name != "config.toml"]
    assert any(p.name == "journal.jsonl" for p in files)
    for path in files:
        assert MARKER.encode() not in path.read_bytes(), path
    for request in webhook.received:
        assert MARKER.encode() not in request["raw"]


def test_deliver_command_forces_retries_and_fails_loudly(
    prepared: Path, run_cli: CliRun, webhook: Webhook
) -> None:
    config = webhook_config(webhook)
    code, out, err = run_cli("escalate", "c-phi", "--reason", "regulatory", config=config)
    assert code == 0 and "1 delivery pending" in err
    code, out, err = run_cli("escalations", config=config)
    assert "\tpending delivery\t" in out
    code, out, err = run_cli("escalations", "deliver", config=config)  # still down
    assert code == 1 and "1 of 1 deliveries failed; they stay pending" in err
    webhook.start()
    code, out, err = run_cli("escalations", "deliver", config=config)  # backoff ignored
    assert code == 0 and out.strip() == "delivered 1"
    code, out, err = run_cli("escalations", "deliver", config=config)
    assert code == 0 and out.strip() == "nothing pending"
    assert len(webhook.received) == 1
    code, out, err = run_cli("escalations", config=config)
    assert "\topen\t" in out
