"""Delivering escalations to legal: a JSON webhook and/or e-mail, retried until they land.

Each escalation gets one delivery record per configured channel (table ``deliveries``,
key ``<escalation>:<channel>``). A delivery stays ``pending`` until the endpoint accepts
it; only then is it marked ``delivered``, through the journal. A failure is journaled
with its reason and retried with exponential backoff. Every payload carries the
delivery's idempotency key (``Idempotency-Key`` header, ``Message-ID``) so a receiver
can drop the copy it may get if Triage stops between sending and recording.

Sending touches no store: :func:`pending_deliveries` (store, UI thread) plans the jobs,
:func:`attempt` (network, any thread) sends one, :func:`record_attempts` (store) writes
what happened. :func:`deliver_pending` does all three in turn.

Secrets (the webhook token, the SMTP login) are read from the environment variables the
config names, at the moment of sending, and never written anywhere; error messages name
the variable or the host, never a secret or the webhook's URL (which may hold a token).
"""

from __future__ import annotations

import os
import smtplib
import ssl
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import orjson

from triage import __version__
from triage.config import Config
from triage.convert import iso, parse_time
from triage.model import Action
from triage.store import Store

__all__ = [
    "CHANNELS",
    "DELIVERIES",
    "Attempt",
    "Delivery",
    "DeliveryJob",
    "DeliveryReport",
    "attempt",
    "backoff",
    "configured_channels",
    "deliver_pending",
    "deliveries_of",
    "delivery_entry",
    "pending_deliveries",
    "record_attempts",
]

DELIVERIES = "deliveries"
CHANNELS = ("webhook", "email")
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(minutes=30)
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Delivery:
    """One escalation's delivery through one channel."""

    key: str
    escalation_id: str
    comment_id: str
    channel: str
    status: str
    idempotency_key: str
    created_at: datetime
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_error: str = ""
    delivered_at: datetime | None = None


def _delivery_to_doc(d: Delivery) -> dict[str, Any]:
    def when(moment: datetime | None) -> str | None:
        return iso(moment) if moment is not None else None

    return {
        "key": d.key, "escalation_id": d.escalation_id, "comment_id": d.comment_id,
        "channel": d.channel, "status": d.status, "idempotency_key": d.idempotency_key,
        "created_at": iso(d.created_at), "attempts": d.attempts,
        "next_attempt_at": when(d.next_attempt_at), "last_attempt_at": when(d.last_attempt_at),
        "last_error": d.last_error, "delivered_at": when(d.delivered_at),
    }


def _delivery_from_doc(doc: dict[str, Any]) -> Delivery:
    def when(value: Any) -> datetime | None:
        return parse_time(value) if isinstance(value, str) and value else None

    return Delivery(
        key=str(doc["key"]), escalation_id=str(doc["escalation_id"]),
        comment_id=str(doc["comment_id"]), channel=str(doc["channel"]),
        status=str(doc["status"]), idempotency_key=str(doc["idempotency_key"]),
        created_at=parse_time(doc["created_at"]), attempts=int(doc.get("attempts", 0)),
        next_attempt_at=when(doc.get("next_attempt_at")),
        last_attempt_at=when(doc.get("last_attempt_at")),
        last_error=str(doc.get("last_error", "")), delivered_at=when(doc.get("delivered_at")),
    )


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """A delivery due now, with what to send: the JSON payload and the e-mail's text."""

    delivery: Delivery
    payload: dict[str, Any]
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one try gave: sent (``ok``), or the reason it failed."""

    delivery: Delivery
    ok: bool
    error: str = ""


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What :func:`deliver_pending` did."""

    delivered: int = 0
    failed: int = 0
    waiting: int = 0
    errors: tuple[str, ...] = ()


def configured_channels(config: Config) -> list[str]:
    """The channels ``[escalation]`` configures, in a fixed order."""
    esc = config.escalation
    channels = []
    if esc.webhook_url:
        channels.append("webhook")
    if esc.smtp_host and esc.email_to:
        channels.append("email")
    return channels


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: 30 s, 1 min, 2 min, … 30 min."""
    return min(BACKOFF_FIRST * (2 ** max(0, min(attempts - 1, 16))), BACKOFF_MAX)


def delivery_entry(
    user: str, escalation_id: str, comment_id: str, channel: str, now: datetime
) -> dict[str, Any]:
    """The journal entry that queues a new pending delivery."""
    delivery = Delivery(
        key=f"{escalation_id}:{channel}", escalation_id=escalation_id, comment_id=comment_id,
        channel=channel, status="pending", idempotency_key=uuid.uuid4().hex, created_at=now,
        next_attempt_at=now,
    )
    return _entry(user, "delivery_queued", delivery)


def _entry(user: str, kind: str, delivery: Delivery) -> dict[str, Any]:
    data: dict[str, Any] = {
        "record": {"table": DELIVERIES, "key": delivery.key, "doc": _delivery_to_doc(delivery)},
        "escalation": delivery.escalation_id,
        "channel": delivery.channel,
    }
    if delivery.last_error and kind == "delivery_failed":
        data["error"] = delivery.last_error
    return {"user": user, "kind": kind, "comment_id": delivery.comment_id, "data": data}


def deliveries_of(store: Store, escalation_id: str | None = None) -> list[Delivery]:
    """The deliveries of one escalation (or all), in channel order."""
    found = [
        _delivery_from_doc(doc)
        for doc in store.records(DELIVERIES).values()
        if escalation_id is None or doc.get("escalation_id") == escalation_id
    ]
    found.sort(key=lambda d: (d.escalation_id, d.channel))
    return found


def _message(config: Config, delivery: Delivery, esc: dict[str, Any]) -> DeliveryJob:
    summary = {
        "id": esc["id"], "comment_id": esc["comment_id"], "reason": esc["reason"],
        "severity": esc["severity"], "note": esc.get("note", ""), "escalated_by": esc["by"],
        "escalated_at": esc["at"], "platform": esc.get("platform", ""),
        "account": esc.get("account", ""), "author": esc.get("author", ""),
        "permalink": esc.get("permalink", ""), "sha256": esc["sha256"],
        "text_masked": esc.get("masked_text", ""),
    }
    payload = {
        "type": "triage.escalation", "idempotency_key": delivery.idempotency_key,
        "delivery": delivery.key, "org": config.org.name, "escalation": summary,
        "case_packet": f"triage escalation export {esc['id']} --format md",
    }
    subject = (f"[Triage] {esc['severity'].upper()} escalation {esc['id']}: "
               f"{esc['reason']} on {esc.get('platform', '?')}")
    lines = [
        f"A comment was escalated to legal by {summary['escalated_by']} "
        f"at {summary['escalated_at']}.", "",
        f"Escalation:  {summary['id']}", f"Reason:      {summary['reason']}",
        f"Severity:    {summary['severity']}", f"Comment:     {summary['comment_id']}",
        f"Platform:    {summary['platform']} ({summary['account']})",
        f"Author:      {summary['author']}", f"Link:        {summary['permalink']}",
        f"SHA-256:     {summary['sha256']}", "", "Note:", summary["note"] or "(none)", "",
        "Comment (identifiers masked; the case packet has the text as captured):",
        summary["text_masked"], "",
        f"The comment is on legal hold. Case packet: {payload['case_packet']}",
        f"Delivery id: {delivery.idempotency_key}",
    ]
    return DeliveryJob(delivery, payload, subject, "\n".join(lines) + "\n")


def pending_deliveries(
    store: Store, config: Config, *, now: datetime, force: bool = False
) -> list[DeliveryJob]:
    """The pending deliveries due at ``now`` (every pending one with ``force``)."""
    jobs = []
    for delivery in deliveries_of(store):
        if delivery.status != "pending":
            continue
        if not force and delivery.next_attempt_at and delivery.next_attempt_at > now:
            continue
        esc = store.get_record("escalations", delivery.escalation_id)
        if esc is not None:
            jobs.append(_message(config, delivery, esc))
    return jobs


def attempt(
    config: Config, job: DeliveryJob, *, environ: Mapping[str, str] | None = None
) -> Attempt:
    """Send one delivery now. Touches no store; safe in a worker thread."""
    env = os.environ if environ is None else environ
    channel = job.delivery.channel
    if channel not in configured_channels(config):
        return Attempt(job.delivery, False, f"{channel}: not configured in [escalation] now")
    secrets: list[str] = []
    try:
        if channel == "webhook":
            error = _post_webhook(config, job, env, secrets)
        else:
            error = _send_email(config, job, env, secrets)
    except Exception as exc:  # any failure leaves the delivery pending, to retry
        error = f"{channel}: {type(exc).__name__}"
    return Attempt(job.delivery, not error, _scrub(error, secrets, config))


def _scrub(message: str, secrets: Iterable[str], config: Config) -> str:
    for secret in [*secrets, config.escalation.webhook_url]:
        if secret:
            message = message.replace(secret, "•••")
    return message[:300]


def _post_webhook(
    config: Config, job: DeliveryJob, env: Mapping[str, str], secrets: list[str]
) -> str:
    import httpx  # here, not at the top: importing httpx pulls in rich (httpx._main)

    url = config.escalation.webhook_url
    host = urlsplit(url).hostname or "the webhook"
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": job.delivery.idempotency_key,
        "User-Agent": f"triage/{__version__}",
    }
    token_env = config.escalation.webhook_token_env
    if token_env:
        token = env.get(token_env, "")
        if not token:
            return f"webhook: the environment variable {token_env} is not set"
        secrets.append(token)
        headers["Authorization"] = f"Bearer {token}"
    try:
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = client.post(url, content=orjson.dumps(job.payload), headers=headers)
    except httpx.TimeoutException:
        return f"webhook: {host} did not answer in {TIMEOUT_SECONDS:g} s"
    except httpx.HTTPError as exc:
        return f"webhook: cannot reach {host} ({type(exc).__name__})"
    if 200 <= response.status_code < 300:
        return ""
    return f"webhook: {host} answered HTTP {response.status_code}"


def _send_email(
    config: Config, job: DeliveryJob, env: Mapping[str, str], secrets: list[str]
) -> str:
    esc = config.escalation
    where = f"{esc.smtp_host}:{esc.smtp_port}"
    login: tuple[str, str] | None = None
    if esc.smtp_user_env:
        user = env.get(esc.smtp_user_env, "")
        password = env.get(esc.smtp_password_env, "") if esc.smtp_password_env else ""
        missing = [n for n, v in ((esc.smtp_user_env, user), (esc.smtp_password_env, password))
                   if n and not v]
        if missing:
            return f"e-mail: the environment variable {' and '.join(missing)} is not set"
        secrets.extend(v for v in (password,) if v)
        login = (user, password)
    message = EmailMessage()
    message["Subject"] = job.subject
    message["From"] = esc.email_from
    message["To"] = ", ".join(esc.email_to)
    domain = esc.email_from.rpartition("@")[2] or "triage.invalid"
    message["Message-ID"] = f"<{job.delivery.idempotency_key}@{domain}>"
    message["X-Triage-Idempotency-Key"] = job.delivery.idempotency_key
    message.set_content(job.body)
    step = "connect"
    try:
        with smtplib.SMTP(esc.smtp_host, esc.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.ehlo()
            if esc.smtp_starttls:
                step = "starttls"
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if login is not None:
                step = "login"
                _login(smtp, *login)
            step = "send"
            smtp.send_message(message)
    except smtplib.SMTPNotSupportedError:
        if step == "starttls":
            return f"e-mail: {where} does not offer STARTTLS (smtp_starttls = true)"
        return f"e-mail: {where} does not offer a login (smtp_user_env is set)"
    except smtplib.SMTPAuthenticationError as exc:
        return f"e-mail: {where} refused the login (SMTP {exc.smtp_code})"
    except smtplib.SMTPRecipientsRefused:
        return f"e-mail: {where} refused the recipients"
    except smtplib.SMTPResponseException as exc:
        return f"e-mail: {where} answered SMTP {exc.smtp_code} at {step}"
    except ssl.SSLError as exc:
        return f"e-mail: TLS with {where} failed ({exc.reason or type(exc).__name__})"
    except (smtplib.SMTPException, OSError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        return f"e-mail: {where} failed at {step} ({reason})"
    return ""


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """Log in once, with the best mechanism the server offers.

    ``SMTP.login`` tries every mechanism in turn after a refusal; one refused login is
    the answer (and some servers stall on the second try until the timeout).
    """
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("AUTH")
    offered = smtp.esmtp_features["auth"].upper().split()
    for mechanism in ("CRAM-MD5", "PLAIN", "LOGIN"):  # smtplib's order of preference
        if mechanism in offered:
            smtp.user, smtp.password = user, password
            method = getattr(smtp, "auth_" + mechanism.lower().replace("-", "_"))
            code, answer = smtp.auth(mechanism, method)
            if code not in (235, 503):
                raise smtplib.SMTPAuthenticationError(code, answer)
            return
    raise smtplib.SMTPException("the server offers no login mechanism Triage knows")


def record_attempts(
    store: Store, user: str, attempts: Sequence[Attempt], *, now: datetime
) -> list[Action]:
    """Journal what the attempts gave; a delivery already marked delivered is left alone."""
    entries = []
    for tried in attempts:
        doc = store.get_record(DELIVERIES, tried.delivery.key)
        if doc is None:
            continue
        current = _delivery_from_doc(doc)
        if current.status == "delivered":
            continue
        count = current.attempts + 1
        if tried.ok:
            done = replace(current, status="delivered", attempts=count, last_attempt_at=now,
                            delivered_at=now, next_attempt_at=None, last_error="")
            entries.append(_entry(user, "delivered", done))
        else:
            failed = replace(current, attempts=count, last_attempt_at=now,
                              next_attempt_at=now + backoff(count), last_error=tried.error)
            entries.append(_entry(user, "delivery_failed", failed))
    return store.record(entries) if entries else []


def deliver_pending(
    store: Store,
    config: Config,
    *,
    user: str = "triage",
    force: bool = False,
    now: datetime | None = None,
    environ: Mapping[str, str] | None = None,
) -> DeliveryReport:
    """Try every due pending delivery (every pending one with ``force``) and record it."""
    moment = now or store.clock()
    jobs = pending_deliveries(store, config, now=moment, force=force)
    attempts = [attempt(config, job, environ=environ) for job in jobs]
    record_attempts(store, user, attempts, now=moment)
    waiting = sum(1 for d in deliveries_of(store) if d.status == "pending")
    failed = [a for a in attempts if not a.ok]
    return DeliveryReport(
        delivered=len(attempts) - len(failed), failed=len(failed), waiting=waiting,
        errors=tuple(f"{a.delivery.escalation_id}: {a.error}" for a in failed),
    )
