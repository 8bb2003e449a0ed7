"""Fixtures for the legal tests: a queue, configs with a team, and real local servers."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.factories import FLU_POST, make_comment, sample_comments
from triage import cli as cli_module
from triage.cli_legal import (
    audit_group,
    escalate_command,
    escalation_group,
    escalations_group,
    retention_group,
)
from triage.config import Config, parse_config
from triage.model import Tag
from triage.store import Store

PHI_TEXT = "Call me at 555-201-8834 or pat.lee@example.org about my MRI results"
PHONE = (11, 23)
EMAIL = (27, 46)
TEAM = """
[[team]]
name = "ana"
roles = ["agent"]

[[team]]
name = "lee"
roles = ["legal"]
"""


def phi_comment() -> Any:
    assert PHI_TEXT[PHONE[0]:PHONE[1]] == "555-201-8834"
    assert PHI_TEXT[EMAIL[0]:EMAIL[1]] == "pat.lee@example.org"
    return make_comment(
        "c-phi", PHI_TEXT, minutes_ago=20, author="Pat Lee",
        tags=(Tag("privacy", 0.97, (PHONE, EMAIL), "pattern:phone,email"),
              Tag("question", 0.6, ((56, 67),), "rule:request")),
    )


def make_config(extra: str = "") -> Config:
    return parse_config(f'[org]\nname = "Riverside Health"\n{TEAM}\n{extra}')


@pytest.fixture
def legal_store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "data") as store:
        store.ingest([*sample_comments(), phi_comment()], [FLU_POST], user="test")
        yield store


@pytest.fixture
def prepared(tmp_path: Path) -> Path:
    """A data folder holding the queue, closed again (for commands that open it)."""
    with Store(tmp_path / "data") as store:
        store.ingest([*sample_comments(), phi_comment()], [FLU_POST], user="test")
    return tmp_path / "data"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Webhook:
    """A local receiver: answers each POST with the next status of ``answers`` (then 200)."""

    port: int
    answers: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/legal-hook"

    def start(self) -> None:
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = {"path": self.path, "headers": dict(self.headers),
                           "json": json.loads(body), "raw": body}
                hook.received.append(request)
                status = hook.answers.pop(0) if hook.answers else 200
                if status == 200:
                    hook.accepted.append(request)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    """A receiver on a free port, not yet listening: call ``start()``."""
    hook = Webhook(free_port())
    yield hook
    hook.stop()


@dataclass
class Mailbox:
    """An SMTP server on loopback that keeps what it receives and the logins it saw."""

    port: int
    messages: list[Message] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    password: str = ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.raw.append(envelope.content)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=password == self.password, handled=False)  # 535 if refused


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port,
                            authenticator=box.authenticate, auth_require_tls=False)
    controller.start()
    yield box
    controller.stop()


CliRun = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> CliRun:
    """Run ``triage`` as a user does, on the test's data folder; returns (code, out, err)."""
    for name in ("TRIAGE_USER", "TRIAGE_CONFIG", "TRIAGE_DATA_DIR", "TRIAGE_AUDIT_KEY",
                 "TRIAGE_AUDIT_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    for command in (escalate_command, escalations_group, escalation_group, audit_group,
                    retention_group):
        cli_module.cli.add_command(command)

    def run(*args: str, user: str | None = "ana", config: str = "") -> tuple[int, str, str]:
        """``user=None`` leaves out ``--user`` (then TRIAGE_USER or the OS user acts)."""
        config_path = tmp_path / "config.toml"
        config_path.write_text(f'[org]\nname = "Riverside Health"\n{TEAM}\n{config}')
        argv = ["--config", str(config_path), "--data-dir", str(tmp_path / "data"),
                *(["--user", user] if user is not None else []), *args]
        try:
            cli_module.main(argv)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
