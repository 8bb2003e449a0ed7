"""A reply policy, and a hit: where a reply's text breaks one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["BLOCK", "IDENTIFIER_KINDS", "REVIEW", "SEVERITIES", "Hit", "Policy"]

#: A block hit stops the reply; a review hit sends it to an approver.
BLOCK = "block"
REVIEW = "review"
SEVERITIES = (BLOCK, REVIEW)
#: The identifiers the privacy tagger finds in a comment, with how a person names them.
IDENTIFIER_KINDS = {
    "phone": "phone number", "email": "e-mail address", "record": "record or member number",
    "ssn": "Social Security number", "dob": "date of birth", "address": "street address",
}


@dataclass(frozen=True, slots=True)
class Policy:
    """One policy: what must not appear in a reply, why, and how hard it stops it.

    ``phrases`` match as whole words, in any case, with any spacing; ``patterns`` are
    regular expressions (case-insensitive); ``identifiers`` are kinds of identifier that
    must not be copied from the comment into the reply.
    """

    id: str
    title: str
    reason: str
    severity: str
    phrases: tuple[str, ...]
    patterns: tuple[str, ...]
    identifiers: tuple[str, ...]
    approved_by: str
    approved_on: date
    review_by: date
    source: Path | None = None

    @property
    def blocks(self) -> bool:
        return self.severity == BLOCK


@dataclass(frozen=True, slots=True)
class Hit:
    """Where a reply breaks a policy: characters ``start``..``end`` of the reply."""

    policy: str
    severity: str
    reason: str
    start: int
    end: int
    #: The reply's words that broke it.
    text: str
    #: What it is, when more than the words say ("phone number from the comment").
    detail: str = ""

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    @property
    def blocks(self) -> bool:
        return self.severity == BLOCK

    def describe(self) -> str:
        """One line for a person: the policy, the words, and the policy's reason."""
        what = f" ({self.detail})" if self.detail else ""
        return f"{self.policy}: {self.text!r}{what}: {self.reason}"

    def to_doc(self) -> dict[str, Any]:
        return {"policy": self.policy, "severity": self.severity, "reason": self.reason,
                "span": [self.start, self.end], "text": self.text, "detail": self.detail}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Hit:
        start, end = doc.get("span", [0, 0])
        return cls(str(doc["policy"]), str(doc["severity"]), str(doc.get("reason", "")),
                   int(start), int(end), str(doc.get("text", "")), str(doc.get("detail", "")))
