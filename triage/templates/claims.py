"""The claim ids and fact-based resources of the claim library, as templates need them."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from triage.config import Config
from triage.errors import DataFileError
from triage.tomlread import read_toml

__all__ = ["ClaimRef", "builtin_claims_path", "claim_files", "load_claim_refs"]


@dataclass(frozen=True, slots=True)
class ClaimRef:
    """What a template needs of one myth: its id, topic and the page that refutes it."""

    id: str
    topic: str
    resource_title: str
    resource_url: str


def builtin_claims_path() -> Path:
    """The claim library shipped with Triage (``triage/data/claims.toml``)."""
    return Path(str(resources.files("triage").joinpath("data", "claims.toml")))


def claim_files(config: Config) -> list[Path]:
    """The built-in claim library, then the extra files of ``[tagger] claims``."""
    return [builtin_claims_path(), *(config.resolve(p) for p in config.tagger.claims)]


def _read(path: Path) -> list[ClaimRef]:
    raw = read_toml(path, DataFileError, "claim file")
    entries = raw.get("claims", [])
    if not isinstance(entries, list):
        raise DataFileError(f"{path}: claims must be an array of [[claims]] tables")
    refs = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: [[claims]] #{number}"
        if not isinstance(entry, dict):
            raise DataFileError(f"{where}: must be a table")
        values = {}
        for key in ("id", "topic", "resource_title", "resource_url"):
            value = entry.get(key)
            if not isinstance(value, str) or not value:
                raise DataFileError(f"{where} {key}: must be a non-empty string")
            values[key] = value
        refs.append(ClaimRef(**values))
    return refs


def load_claim_refs(config: Config) -> dict[str, ClaimRef]:
    """Every claim of the library and of the config's extra files, by id.

    A missing or broken file raises :class:`DataFileError` naming the file and entry.
    """
    found: dict[str, ClaimRef] = {}
    for path in claim_files(config):
        for ref in _read(path):
            found.setdefault(ref.id, ref)
    return found
