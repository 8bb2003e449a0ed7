"""Misinformation: a known myth (claim library) or a general false-claim pattern, asserted.

Claims are matched by anchors and ranked by BM25 similarity (see ``matching``); general
patterns ("X cures cancer", "they don't want you to know") are rules in
``tagger/misinformation.toml``. Either counts only when the comment asserts or
recommends it (``stance``): asking about a myth is a question, refuting it is neither.
"""

from __future__ import annotations

from dataclasses import dataclass

from triage.tagger.lexicon import Hit, Hits
from triage.tagger.matching import ClaimIndex, ClaimMatch
from triage.tagger.rules import RuleFile
from triage.tagger.stance import Stance, stance_of
from triage.tagger.text import Doc

__all__ = ["MisinfoFinding", "MisinfoFinder"]

#: Similarity at which a claim's score reaches its top.
_FULL_SIMILARITY = 0.6
#: A myth this close to a claim, asked about or refuted, speaks for its whole sentence.
_SETTLES_SENTENCE = 0.3


@dataclass(frozen=True, slots=True)
class MisinfoFinding:
    """What the misinformation detector concluded about one comment."""

    score: float
    hits: tuple[Hit, ...]
    source: str
    claim: ClaimMatch | None
    asked: tuple[ClaimMatch, ...] = ()


class MisinfoFinder:
    """Claims first, then general rules; the stance decides."""

    def __init__(self, claims: ClaimIndex, rules: RuleFile) -> None:
        self.claims = claims
        self.rules = rules

    def find(self, doc: Doc, hits: Hits, question_starts: dict[int, int]) -> MisinfoFinding | None:
        asserted: list[tuple[float, ClaimMatch]] = []
        asked: list[ClaimMatch] = []
        settled: set[int] = set()  # sentences of myths asked about, refuted or quoted
        for match in self.claims.match(doc):
            stance = stance_of(doc, hits, match.hits, question_starts)
            if stance is Stance.ASSERTS:
                closeness = min(match.similarity / _FULL_SIMILARITY, 1.0)
                asserted.append((0.6 + 0.35 * closeness, match))
                continue
            if stance is Stance.ASKS:
                asked.append(match)
            settled.update(i for first, last in match.hits for i in range(first, last + 1))
            if match.similarity >= _SETTLES_SENTENCE:
                for sentence in {doc.tokens[first].sentence for first, _ in match.hits}:
                    settled.update(doc.token_range(sentence))
        if asserted:
            score, best = max(asserted, key=lambda pair: pair[0])
            return MisinfoFinding(
                score, best.hits, f"claim:{best.claim.id}", best, tuple(asked)
            )
        best_rule: tuple[float, tuple[Hit, ...], str] | None = None
        for firing in self.rules.fire(doc, hits):
            if any(i in settled for first, last in firing.hits for i in range(first, last + 1)):
                continue  # the same words were already read as asking or refuting a myth
            stance = stance_of(doc, hits, firing.hits, question_starts)
            if stance is not Stance.ASSERTS:
                continue
            if best_rule is None or firing.rule.score > best_rule[0]:
                best_rule = (firing.rule.score, firing.hits, f"rule:{firing.rule.id}")
        if best_rule is not None:
            return MisinfoFinding(best_rule[0], best_rule[1], best_rule[2], None, tuple(asked))
        if asked:
            return MisinfoFinding(0.0, (), "", None, tuple(asked))
        return None
