"""The typed record of one approved reply template, and the placeholders a body may use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

__all__ = [
    "CRISIS_KINDS",
    "ORG_PLACEHOLDERS",
    "PLACEHOLDERS",
    "PLACEHOLDER_RE",
    "Resource",
    "Template",
    "placeholders_in",
]

#: Placeholders filled from ``config.toml`` ``[org]``: placeholder name → config key.
ORG_PLACEHOLDERS: dict[str, str] = {
    "org_name": "name",
    "contact_phone": "contact_phone",
    "contact_url": "contact_url",
    "contact_email": "contact_email",
}

#: Every placeholder a template body may use, written ``{name}`` in the body.
PLACEHOLDERS: tuple[str, ...] = (
    "author",
    "resource_title",
    "resource_url",
    *ORG_PLACEHOLDERS,
)

#: The kinds of crisis a crisis template may be written for (``crisis_kind``), named as
#: the tagger's crisis families: a medical emergency (911) and self-harm (988).
CRISIS_KINDS: tuple[str, ...] = ("emergency", "harm")

PLACEHOLDER_RE = re.compile(r"\{([^{}\n]*)\}")


def placeholders_in(body: str) -> tuple[str, ...]:
    """The names written ``{name}`` in ``body``, in order of first use."""
    seen: dict[str, None] = {}
    for match in PLACEHOLDER_RE.finditer(body):
        seen.setdefault(match.group(1), None)
    return tuple(seen)


@dataclass(frozen=True, slots=True)
class Resource:
    """A fact-based page a template links to (the fallback for ``{resource_url}``)."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Template:
    """One approved reply template, as compliance wrote and signed it.

    ``platforms`` always lists the platforms it may be posted on (every platform when
    the file says ``"all"``, which ``all_platforms`` remembers). ``claims`` names the
    claim-library myths a misinformation template answers (empty: any myth). The
    approval lapses on ``review_by``: from that day on the template is never offered
    and never sent. ``phi_safe`` means the wording neither confirms nor implies a
    patient relationship, so it may answer a comment that is a privacy risk.
    ``crisis_kind`` names the kind of crisis a crisis template is written for
    (``"emergency"`` or ``"harm"``; empty: any).
    """

    id: str
    title: str
    tags: tuple[str, ...]
    platforms: tuple[str, ...]
    body: str
    approved_by: str
    approved_on: date
    review_by: date
    phi_safe: bool
    language: str
    claims: tuple[str, ...] = ()
    resources: tuple[Resource, ...] = ()
    all_platforms: bool = False
    crisis_kind: str = ""
    source: Path | None = None

    def lapsed(self, today: date) -> bool:
        """Whether the approval has lapsed on ``today`` (it lapses on ``review_by``)."""
        return today >= self.review_by

    def serves(self, platform: str) -> bool:
        """Whether the template may be posted on ``platform``."""
        return platform in self.platforms

    @property
    def placeholders(self) -> tuple[str, ...]:
        return placeholders_in(self.body)
