"""The AT Protocol's reference servers for the Bluesky tests, started by the suite itself.

``.ci/bluesky/network.js`` runs ``@atproto/dev-env``'s ``TestNetwork`` (PLC, PDS, AppView)
under Node 20, with Debian's PostgreSQL (with its contrib extensions) and a
``redis-server`` on loopback, all in a temporary folder that goes when the session ends.
The npm packages come from ``.ci/bluesky/node_modules`` (``npm ci`` there, as ``.ci/run``
does) or from the folder ``TRIAGE_BLUESKY_MODULES`` names. Where something is missing the
tests are skipped saying what, except under CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / ".ci" / "bluesky" / "network.js"
#: How long the network may take to start (it makes three servers and a database schema).
START_TIMEOUT = 240.0
#: How long each server start took, for the report at the end of the session.
STARTED: dict[str, float] = {}


@dataclass(frozen=True)
class Network:
    """The running servers: the PDS (what Triage talks to) and the AppView behind it."""

    pds: str
    appview: str


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the Bluesky reference-server tests cannot run under CI: {reason}",
                    pytrace=False)
    pytest.skip(f"Bluesky reference server not available: {reason}")


def _modules() -> Path | None:
    for folder in (os.environ.get("TRIAGE_BLUESKY_MODULES", ""),
                   str(SCRIPT.parent / "node_modules")):
        if folder and (Path(folder) / "@atproto" / "dev-env" / "package.json").is_file():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    process = subprocess.Popen(
        [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    _missing("redis-server did not answer within 20 s")
    raise AssertionError("unreachable")


def _start_postgres(folder: Path) -> tuple[str, Callable[[], None]]:
    """Debian's PostgreSQL (the AppView needs the ``pg_trgm`` extension of its contrib
    package, which the ``pgserver`` wheel lacks) on a free loopback port; as root, run as
    the ``postgres`` user, since ``initdb`` refuses root."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found or not glob.glob("/usr/share/postgresql/*/extension/pg_trgm.control"):
        _missing("no PostgreSQL with pg_trgm (apt-get install postgresql postgresql-contrib)")
    bindir = Path(found[-1]).parent
    data, port = folder / "pg", _free_port()
    data.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            _missing("running as root without runuser to start PostgreSQL as postgres")
        folder.chmod(0o755)
        shutil.chown(data, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                        "-A", "trust"], check=True, capture_output=True)
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l",
                        str(data / "log"), "-o", f"-p {port} -k {data} "
                        "-c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                       check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        _missing(f"PostgreSQL did not start: {exc} {detail.decode(errors='replace')[-500:]}")

    def stop() -> None:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True)

    return f"postgresql://postgres@127.0.0.1:{port}/postgres", stop


def _read_line(stream: IO[bytes], process: subprocess.Popen[bytes], log: Path) -> bytes:
    """The network's first line of output, or a failure quoting its log."""
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            line = stream.readline()
            if line:
                return line
        if process.poll() is not None:
            break
    process.kill()
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    pytest.fail(f"the Bluesky test network did not start:\n{tail}", pytrace=False)
    raise AssertionError("unreachable")


def _stop(process: subprocess.Popen[bytes], grace: float) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def bluesky_network() -> Iterator[Network]:
    """A PLC, a PDS and an AppView on loopback for this test session."""
    node, modules = shutil.which("node"), _modules()
    if node is None:
        _missing("node is not installed (Node 20)")
    if modules is None:
        _missing("the npm packages are not installed (cd .ci/bluesky && npm ci)")
    folder = Path(tempfile.mkdtemp(prefix="triage-bsky-"))
    (folder / "tmp").mkdir()
    redis = stop_pg = network = None
    try:
        started = time.monotonic()
        redis, port = _start_redis(folder)
        pg_url, stop_pg = _start_postgres(folder)
        STARTED["redis and PostgreSQL"] = time.monotonic() - started
        started = time.monotonic()
        log = folder / "network.log"
        env = {**os.environ, "DB_POSTGRES_URL": pg_url, "REDIS_HOST": f"127.0.0.1:{port}",
               "NODE_PATH": str(modules), "TMPDIR": str(folder / "tmp"),
               "LOG_ENABLED": "false", "NODE_ENV": "test"}
        with log.open("wb") as errors:
            network = subprocess.Popen([str(node), str(SCRIPT)], cwd=folder, env=env,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=errors)
        assert network.stdout is not None
        found = json.loads(_read_line(network.stdout, network, log))
        STARTED["the PDS and AppView (@atproto/dev-env)"] = time.monotonic() - started
        yield Network(pds=found["pds"], appview=found["appview"])
    finally:
        if network is not None:
            if network.stdin is not None:
                network.stdin.close()  # the script stops its servers and exits
            _stop(network, 30)
        if redis is not None:
            _stop(redis, 10)
        if stop_pg is not None:
            stop_pg()
        shutil.rmtree(folder, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for name, seconds in STARTED.items():
        terminalreporter.write_line(f"bluesky reference-server tests: {name} started in "
                                    f"{seconds:.1f} s")
