"""Building the sandbox's data folder from the generator, once, and keeping it after."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from triage.errors import StoreError

if TYPE_CHECKING:
    from triage.cli import Env

__all__ = ["prepare_sandbox"]

MARKER = "sandbox.json"


def prepare_sandbox(env: Env, data_dir: Path, *, size: int, seed: int, reset: bool) -> bool:
    """Fill ``data_dir`` with a generated queue unless it already holds one.

    Returns True when the sandbox was (re)generated. A folder that holds data but is not
    a sandbox is never touched: its queue could be real.
    """
    marker = data_dir / MARKER
    if data_dir.exists() and any(data_dir.iterdir()) and not marker.exists():
        raise StoreError(
            f"{data_dir} holds data that is not a sandbox; "
            "give the sandbox an empty folder with --data-dir"
        )
    if marker.exists() and not reset:
        return False
    if reset and marker.exists():
        for child in data_dir.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    from triage.sandbox import generate

    data = generate(size=size, seed=seed)
    data_dir.mkdir(parents=True, exist_ok=True)
    store = env.open_store(sandbox=True)
    try:
        store.ingest(data.comments, data.posts, user="sandbox")
    finally:
        env._stores.remove(store)
        store.close()
    marker.write_bytes(orjson.dumps({"size": size, "seed": seed}))
    return True
