"""Building the sandbox's data folder from the generator, once, and keeping it after."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
from filelock import FileLock, Timeout

from triage.errors import StoreError, StoreLockedError
from triage.model import Tag

if TYPE_CHECKING:
    from triage.cli import Env
    from triage.sandbox import SandboxOrg

__all__ = ["prepare_sandbox", "sandbox_tagger"]

MARKER = "sandbox.json"
LOCK = "triage.lock"  # the store's own lock file


def _marker(data_dir: Path) -> dict[str, object] | None:
    """What the marker says, or None when the folder has none (or an unreadable one)."""
    try:
        value = orjson.loads((data_dir / MARKER).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def prepare_sandbox(env: Env, data_dir: Path, *, size: int, seed: int, reset: bool) -> bool:
    """Fill ``data_dir`` with a generated queue unless it already holds one.

    Returns True when the sandbox was (re)generated. A folder that holds data but is not
    a sandbox is never touched: its queue could be real. A sandbox whose building was
    interrupted is built again.
    """
    marker = data_dir / MARKER
    if data_dir.exists() and any(data_dir.iterdir()) and not marker.exists():
        raise StoreError(
            f"{data_dir} holds data that is not a sandbox; "
            "give the sandbox an empty folder with --data-dir"
        )
    state = _marker(data_dir) if marker.exists() else None
    if state is not None and state.get("complete", True) and not reset:
        return False
    if marker.exists():
        _clear(data_dir)
    from triage.sandbox import generate
    from triage.store import Store

    data = generate(size=size, seed=seed)
    data_dir.mkdir(parents=True, exist_ok=True)
    facts = {"size": size, "seed": seed, "org": data.org.name}
    marker.write_bytes(orjson.dumps({**facts, "complete": False}))
    with Store(data_dir, tagger=sandbox_tagger(env, data.org)) as store:
        store.ingest(data.comments, data.posts, user="sandbox")
    marker.write_bytes(orjson.dumps({**facts, "complete": True}))
    return True


def _clear(data_dir: Path) -> None:
    """Empty a sandbox folder, unless a running Triage has it open."""
    lock = FileLock(data_dir / LOCK, timeout=0)
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
