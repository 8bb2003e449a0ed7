"""The claim library: known health myths, how people write them, and where the facts are.

Claims live in ``triage/data/claims.toml`` (edited by the team without a release) and in
any extra files named in config (``[tagger] claims``). The format is the same for all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from triage.tagger.datafiles import Where, builtin_path, read_toml
from triage.tagger.lexicon import PhraseError, expand_phrase

__all__ = [
    "BUILTIN_CLAIMS",
    "RESOURCE_HOSTS",
    "TOPICS",
    "Claim",
    "ClaimLibrary",
    "load_claims",
]

#: The claim library shipped with Triage.
BUILTIN_CLAIMS = builtin_path("claims.toml")

TOPICS = frozenset(
    {"vaccines", "covid", "cancer", "screening", "fluoride", "nutrition", "remedies", "drugs",
     "other"}
)
#: Sites whose pages a claim may route to (and their subdomains).
RESOURCE_HOSTS = ("cdc.gov", "cancer.gov", "who.int", "fda.gov", "nih.gov")

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KEYS = {"id", "topic", "claim", "paraphrases", "anchors", "resource_title", "resource_url"}


@dataclass(frozen=True, slots=True)
class Claim:
    """One known myth."""

    id: str
    topic: str
    claim: str
    paraphrases: tuple[str, ...]
    anchors: tuple[tuple[str, ...], ...]
    resource_title: str
    resource_url: str
    source: Path | None = None


class ClaimLibrary:
    """The claims of one or more files, by id, in file order."""

    def __init__(self, claims: Iterable[Claim], paths: Sequence[Path] = ()) -> None:
        self._claims: dict[str, Claim] = {}
        for claim in claims:
            self._claims[claim.id] = claim
        self.paths = tuple(paths)

    def get(self, claim_id: str) -> Claim | None:
        """The claim with this id, or None."""
        return self._claims.get(claim_id)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._claims

    def __iter__(self) -> Iterator[Claim]:
        return iter(self._claims.values())

    def __len__(self) -> int:
        return len(self._claims)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._claims)


def load_claims(
    extra_files: Iterable[Path | str] = (), *, include_builtin: bool = True
) -> ClaimLibrary:
    """The built-in claim library plus ``extra_files``.

    A broken file or entry raises DataFileError naming the file and the claim; an id used
    twice (in one file or across files) is an error too.
    """
    paths = [BUILTIN_CLAIMS] if include_builtin else []
    paths.extend(Path(p) for p in extra_files)
    claims: list[Claim] = []
    seen: dict[str, Path] = {}
    for path in paths:
        for claim in _read_file(path):
            if claim.id in seen:
                where = Where(path, f"claim {claim.id!r}")
                raise where.error(f"the id is already used in {seen[claim.id]}")
            seen[claim.id] = path
            claims.append(claim)
    return ClaimLibrary(claims, paths)


def _read_file(path: Path) -> list[Claim]:
    data = read_toml(path)
    where = Where(path)
    where.unknown_keys(data, ("claims",), hint="a claim file holds [[claims]] tables")
    raw = data.get("claims", [])
    if not isinstance(raw, list):
        raise where.error("'claims' must be an array of tables ([[claims]])")
    return [_claim(where, number, entry) for number, entry in enumerate(raw, 1)]


def _claim(where: Where, number: int, entry: Any) -> Claim:
    at = where.at(f"claim {number}")
    table = at.table(entry, "claims")
    claim_id = table.get("id")
    if isinstance(claim_id, str) and claim_id:
        at = where.at(f"claim {claim_id!r}")
    at.unknown_keys(table, _KEYS)
    for key in sorted(_KEYS):
        if key not in table:
            raise at.error(f"'{key}' is missing")
    claim_id = at.string(table["id"], "id")
    if not _ID.match(claim_id):
        raise at.error(f"id {claim_id!r} must be kebab-case (lower-case words and hyphens)")
    topic = at.string(table["topic"], "topic")
    if topic not in TOPICS:
        raise at.error(f"topic {topic!r} is not one of {', '.join(sorted(TOPICS))}")
    paraphrases = at.strings(table["paraphrases"], "paraphrases")
    anchors = _anchors(at, table["anchors"])
    url = at.string(table["resource_url"], "resource_url")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not any(
        host == allowed or host.endswith("." + allowed) for allowed in RESOURCE_HOSTS
    ):
        raise at.error(
            f"resource_url {url!r} must be an https page on {', '.join(RESOURCE_HOSTS)}"
        )
    return Claim(
        id=claim_id,
        topic=topic,
        claim=at.string(table["claim"], "claim"),
        paraphrases=tuple(paraphrases),
        anchors=anchors,
        resource_title=at.string(table["resource_title"], "resource_title"),
        resource_url=url,
        source=where.path,
    )


def _anchors(at: Where, value: Any) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= 4:
        raise at.error("'anchors' must be a list of 1 to 4 groups (lists of phrases)")
    groups = []
    for index, group in enumerate(value, 1):
        phrases = at.strings(group, f"anchors group {index}")
        for phrase in phrases:
            try:
                expand_phrase(phrase)
            except PhraseError as exc:
                raise at.error(f"anchors group {index}: phrase {phrase!r}: {exc}") from None
        groups.append(tuple(phrases))
    return tuple(groups)
