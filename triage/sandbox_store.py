"""``triage sandbox``: its data folder, built once and kept, and its run on the stand-ins.

The comments of platforms that have a connector (and a stand-in) reach the store the way
a real account's do: the stand-ins serve them and the real connectors sync them. The
others (platforms without a connector yet) are stored directly when the sandbox is built.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from filelock import FileLock, Timeout

from triage.convert import iso, parse_time
from triage.errors import StoreError, StoreLockedError, TriageError
from triage.model import Tag
from triage.private import FILE_MODE, private_dir, write_private

if TYPE_CHECKING:
    from triage.cli import Env
    from triage.config import Config
    from triage.sandbox import SandboxData, SandboxOrg
    from triage.store import Store

__all__ = ["SandboxSpec", "TuiRunner", "prepare_sandbox", "run_sandbox", "sandbox_tagger"]

MARKER = "sandbox.json"
LOCK = "triage.lock"  # the store's own lock file
LOG = "standins.log"
#: The comments the feeder added, seeded again into the stand-ins at the next start.
FED = "fed.jsonl"
#: 2: comments of platforms with a connector arrive through the stand-ins (ids
#: ``platform:account:native``); 1 stored every comment directly.
FORMAT = 2

#: Opens the queue: (store, the sandbox's config, notes on accounts that are not synced,
#: the line saying who the person is on the sandbox's team).
TuiRunner = Callable[["Store", "Config", dict[str, str], str], None]


@dataclass(frozen=True, slots=True)
class SandboxSpec:
    """What a sandbox folder was built from; the same spec generates the same data."""

    size: int
    seed: int
    created: datetime
    #: Platforms whose comments are synced from the stand-ins (the rest were stored).
    synced: frozenset[str]

    def to_doc(self, org: str, *, complete: bool) -> dict[str, Any]:
        return {"format": FORMAT, "size": self.size, "seed": self.seed, "org": org,
                "created": iso(self.created), "synced": sorted(self.synced),
                "complete": complete}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> SandboxSpec | None:
        """The spec a marker holds, or None when it is from another format or unreadable."""
        try:
            if doc.get("format") != FORMAT or not doc.get("complete"):
                return None
            synced = doc["synced"]
            if not isinstance(synced, list) or not all(isinstance(p, str) for p in synced):
                return None
            return cls(int(doc["size"]), int(doc["seed"]), parse_time(str(doc["created"])),
                       frozenset(synced))
        except (KeyError, TypeError, ValueError):
            return None


def _marker(data_dir: Path) -> dict[str, Any] | None:
    """What the marker says, or None when the folder has none (or an unreadable one)."""
    try:
        value = orjson.loads((data_dir / MARKER).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def prepare_sandbox(
    env: Env, data_dir: Path, *, size: int, seed: int, reset: bool,
    platforms: Collection[str], say: Callable[[str], None] = lambda _: None,
) -> tuple[SandboxSpec, SandboxData, bool]:
    """The sandbox in ``data_dir``: built now (True) unless it holds a complete one.

    Building stores the comments of platforms not in ``platforms`` directly; the others
    come through the stand-ins at the first sync. A folder that holds data but is not a
    sandbox is never touched: its queue could be real. A sandbox whose building was
    interrupted, or that an earlier Triage built another way, is built again.
    """
    from triage.sandbox import generate

    marker = data_dir / MARKER
    if data_dir.exists() and any(data_dir.iterdir()) and not marker.exists():
        raise StoreError(
            f"{data_dir} holds data that is not a sandbox; "
            "give the sandbox an empty folder with --data-dir"
        )
    state = _marker(data_dir) if marker.exists() else None
    spec = SandboxSpec.from_doc(state) if state is not None else None
    if spec is not None and not reset:
        return spec, generate(spec.size, spec.seed, now=spec.created), False
    if state is not None and state.get("complete") and state.get("format") != FORMAT \
            and not reset:
        say(f"The sandbox in {data_dir} was built by an earlier Triage; building it anew.")
    if marker.exists():
        _clear(data_dir)
    created = datetime.now(UTC).replace(second=0, microsecond=0)
    spec = SandboxSpec(size, seed, created, frozenset(platforms))
    data = generate(size, seed, now=created)
    _build(env, data_dir, spec, data)
    return spec, data, True


def _build(env: Env, data_dir: Path, spec: SandboxSpec, data: SandboxData) -> None:
    from triage.store import Store

    marker = data_dir / MARKER
    private_dir(data_dir)
    write_private(marker, orjson.dumps(spec.to_doc(data.org.name, complete=False)))
    with Store(data_dir, tagger=sandbox_tagger(env, data.org),
               audit_key=env.audit_key(data_dir)) as store:
        store.ingest([c for c in data.comments if c.platform not in spec.synced],
                     [p for p in data.posts if p.platform not in spec.synced], user="sandbox")
    write_private(marker, orjson.dumps(spec.to_doc(data.org.name, complete=True)))


def _clear(data_dir: Path) -> None:
    """Empty a sandbox folder, unless a running Triage has it open."""
    lock = FileLock(data_dir / LOCK, timeout=0, mode=FILE_MODE)
    try:
        lock.acquire()
    except Timeout:
        raise StoreLockedError(
            f"{data_dir} is in use by another Triage; close it before regenerating the sandbox"
        ) from None
    try:
        for child in data_dir.iterdir():
            if child.name in (MARKER, LOCK):
                continue
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    except OSError as exc:
        raise StoreError(f"{data_dir}: cannot empty the sandbox folder: {exc}") from exc
    finally:
        lock.release()


def run_sandbox(env: Env, *, size: int, seed: int, reset: bool, say: Callable[[str], None],
                tui: TuiRunner | None, practice: bool = True) -> None:
    """Build or reopen the sandbox, start its platforms' stand-ins, and open the queue.

    With ``practice`` the sandbox's own organisation and practice team are used, whatever
    config file was found; without it (a config given on purpose) that file's. The queue
    opens with a line saying who the person is on that team and how to act as another.
    With ``tui`` None, sync once from the stand-ins and stop (the store is then complete).
    The stand-ins (a child process) stop when this returns, also on an error.
    """
    from triage.sandbox.run import SandboxPlatforms, connected_platforms, forget_sync_state
    from triage.sandbox.team import identity_line

    data_dir = env.data_dir(sandbox=True)
    available = connected_platforms()
    spec, data, made = prepare_sandbox(env, data_dir, size=size, seed=seed, reset=reset,
                                       platforms=available, say=say)
    synced = spec.synced & available
    local = sorted({a.platform for a in data.accounts} - synced)
    if made:
        say(f"Sandbox ready in {data_dir} ({size} comments, seed {seed}).")
    elif (size, seed) != (spec.size, spec.seed):
        say(f"The sandbox in {data_dir} has {spec.size} comments (seed {spec.seed}); "
            "add --reset to build one with the size and seed you gave.")
    say(f"Starting the platform stand-ins on 127.0.0.1: {', '.join(sorted(synced)) or 'none'}"
        + (f" (stored directly, no connector yet: {', '.join(local)})" if local else ""))
    with SandboxPlatforms(data, synced, log=data_dir / LOG,
                          keep=data_dir / FED) as platforms:
        store = env.open_store(sandbox=True, tagging=False, defer_load=tui is not None)
        store.tagger = sandbox_tagger(env, data.org)
        forget_sync_state(store, platforms.accounts)
        config = platforms.config(env.config, env.user, practice=practice)
        identity = identity_line(config, env.user, practice=practice)
        if tui is None:
            _sync_once(store, platforms.accounts, platforms.origin, say)
            say(identity)
            return
        say(identity)
        platforms.feed(spec.seed, spec.created)
        tui(store, config, platforms.notes, identity)


def _sync_once(store: Store, accounts: Collection[Any], origin: str,
               say: Callable[[str], None]) -> None:
    from triage.sync import sync_accounts
    from triage.sync_sink import StoreSink

    results = asyncio.run(sync_accounts(list(accounts), StoreSink(store)))
    for result in results:
        say(result.summary())
        if result.status is not None and result.status.failed:
            say(f"  {result.status.message}")
    new = sum(r.new for r in results)
    say(f"Synced {new} new comments from {len(results)} accounts through the stand-ins at "
        f"{origin}; the queue holds {len(store)}.")
    failed = [r.account for r in results if r.failed]
    if failed:
        raise TriageError(f"the sandbox's first sync failed for {', '.join(failed)} "
                          f"(the stand-ins' log: {store.data_dir / LOG})")


def sandbox_tagger(env: Env, org: SandboxOrg) -> Callable[[str], tuple[Tag, ...]]:
    """The configured tagger, also knowing the sandbox organisation's public contacts.

    Commenters quote the organisation's own phone number and address; with no config (or
    another organisation's) those would otherwise look like a commenter's identifiers.
    """
    from triage.tagger import Tagger

    config = env.config
    own = config.org
    return Tagger(
        extra_claim_files=[config.resolve(p) for p in config.tagger.claims],
        org_phones=[*own.phones, *([own.contact_phone] if own.contact_phone else []),
                    *org.phones],
        org_emails=[*own.emails, *([own.contact_email] if own.contact_email else []),
                    *org.emails],
        org_addresses=[*own.addresses, *org.addresses],
    ).tag
