"""Privacy: direct identifiers, and an identifiable person's care at the organisation.

Identifiers come from ``identifiers``; the organisation's own published phone numbers,
e-mail addresses and street addresses (config) are not a risk, nor is a number or
address that the comment gives as some organisation's public line ("the nurse line is
…"). Care at the organisation is a rule of ``tagger/privacy.toml``: a person (the
commenter or someone they name) with a condition, treatment, visit, room or clinician,
tied to the organisation.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from triage.tagger.identifiers import Identifier, IdentifierFinder, digits_of
from triage.tagger.lexicon import Hit, Hits
from triage.tagger.rules import RuleFile
from triage.tagger.text import Doc, fold

__all__ = ["OrgContacts", "PrivacyFinder", "PrivacyFinding"]

PUBLIC_CONTEXT = "privacy.public_context"
PERSONAL_CONTEXT = "privacy.personal_context"

_SPACES = re.compile(r"\s+")
_STREET_WORDS = {
    "street": "st", "avenue": "ave", "road": "rd", "lane": "ln", "drive": "dr",
    "boulevard": "blvd", "court": "ct", "place": "pl", "highway": "hwy", "parkway": "pkwy",
    "suite": "ste", "apartment": "apt",
}
_SCORES = {"ssn": 0.97, "email": 0.92, "phone": 0.9, "record": 0.9, "dob": 0.9,
           "address": 0.85}


def _address_key(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", fold(text))
    return " ".join(_STREET_WORDS.get(w, w) for w in words)


class OrgContacts:
    """The organisation's own published contacts, compared loosely."""

    def __init__(self, phones: Iterable[str] = (), emails: Iterable[str] = (),
                 addresses: Iterable[str] = ()) -> None:
        self.phones = {d[-10:] for d in (digits_of(p) for p in phones) if len(d) >= 7}
        self.emails = {e.strip().lower() for e in emails if e.strip()}
        self.addresses = [key for key in (_address_key(a) for a in addresses) if key]

    def owns(self, found: Identifier) -> bool:
        if found.kind == "phone":
            digits = digits_of(found.value)[-10:]
            return any(
                digits == own or (len(digits) >= 7 and own.endswith(digits))
                for own in self.phones
            )
        if found.kind == "email":
            return found.value.strip().lower() in self.emails
        if found.kind == "address":
            key = _address_key(found.value)
            return any(key.startswith(own) or own.startswith(key) for own in self.addresses)
        return False


@dataclass(frozen=True, slots=True)
class PrivacyFinding:
    score: float
    spans: tuple[tuple[int, int], ...]
    source: str


class PrivacyFinder:
    """Identifiers first (strongest), then care at the organisation."""

    def __init__(self, identifiers: IdentifierFinder, rules: RuleFile, org: OrgContacts):
        self.identifiers = identifiers
        self.rules = rules
        self.org = org

    def find(self, doc: Doc, hits: Hits) -> PrivacyFinding | None:
        risky: list[Identifier] = []
        for found in self.identifiers.find(doc):
            if self.org.owns(found):
                continue
            if found.kind in ("phone", "address", "email") and self._public(doc, hits, found):
                continue
            risky.append(found)
        spans: list[tuple[int, int]] = [(f.start, f.end) for f in risky]
        best = max(risky, key=lambda f: _SCORES.get(f.kind, 0.8), default=None)
        score = _SCORES.get(best.kind, 0.8) if best else 0.0
        source = f"pattern:privacy/{best.kind}" if best else ""
        for firing in self.rules.fire(doc, hits):
            spans.extend(_char_spans(doc, firing.hits))
            if firing.rule.score > score:
                score, source = firing.rule.score, f"rule:{firing.rule.id}"
        if not spans:
            return None
        return PrivacyFinding(score, tuple(sorted(set(spans))), source)

    @staticmethod
    def _public(doc: Doc, hits: Hits, found: Identifier) -> bool:
        """Whether the comment gives this contact as an organisation's public one.

        The public cue may stand just before the contact or just after it ("… 555-0100
        (it's on their website)"); a personal cue before it ("call me at …") wins unless
        a public cue stands nearer ("tell me if the clinic at 400 Main St …").
        """
        tokens = doc.tokens
        ends = [t.end for t in tokens]
        count = bisect.bisect_right(ends, found.start)
        after = bisect.bisect_left([t.start for t in tokens], found.end)
        if not count and after >= len(tokens):
            return False
        sentence = tokens[count - 1].sentence if count else tokens[after].sentence
        before = set(range(max(0, count - 8), count))
        following = set(range(after, min(len(tokens), after + 8)))

        personal = [h for h in hits.get(PERSONAL_CONTEXT) if tokens[h[0]].sentence == sentence]

        def nearest(name: str, window: set[int]) -> int:
            """The last token of the cue nearest the contact, or -1. A public cue inside a
            personal one ("my number is") does not count."""
            return max(
                (h[1] for h in hits.get(name)
                 if h[0] in window and tokens[h[0]].sentence == sentence
                 and (name == PERSONAL_CONTEXT or not any(
                     p[0] <= h[1] and h[0] <= p[1] for p in personal))),
                default=-1,
            )

        public_before = nearest(PUBLIC_CONTEXT, before)
        personal_before = nearest(PERSONAL_CONTEXT, before)
        if personal_before < 0:
            return public_before >= 0 or nearest(PUBLIC_CONTEXT, following) >= 0
        return public_before > personal_before


def _char_spans(doc: Doc, found: Iterable[Hit]) -> list[tuple[int, int]]:
    return [doc.span(first, last) for first, last in found]
