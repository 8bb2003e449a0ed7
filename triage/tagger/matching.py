"""Claim matching: anchors pick the candidate myths, BM25 over paraphrases ranks them.

A claim is a candidate when the comment touches every one of its anchor groups within a
short stretch of words. Its similarity is the best BM25 score of the comment against the
claim's statement and paraphrases, divided by that paraphrase's score against itself, so
that it reads from 0 (nothing shared) to about 1 (the comment says the same thing).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from triage.tagger.claims import Claim, ClaimLibrary
from triage.tagger.lexicon import Hit, PhraseIndex
from triage.tagger.text import Doc, phrase_keys

__all__ = ["ClaimIndex", "ClaimMatch", "Terms"]

_K1 = 1.2
_B = 0.75
#: Anchor groups must fall within this many words of each other.
ANCHOR_WINDOW = 30


class Terms:
    """Turns words into index terms: stop words out, light stemming, synonyms folded."""

    def __init__(self, stopwords: Iterable[str], synonyms: Mapping[str, str],
                 aliases: Mapping[str, str] | None = None) -> None:
        self.aliases = dict(aliases or {})
        self.stopwords = frozenset(stopwords)
        self.synonyms = {self.stem(k): v for k, v in synonyms.items()}
        self._cache: dict[str, str | None] = {}

    @staticmethod
    def stem(word: str) -> str:
        if len(word) > 4 and word.endswith("ies"):
            return word[:-3] + "y"
        if len(word) > 5 and word.endswith("ing"):
            return word[:-3]
        if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
            return word[:-2]
        if len(word) > 4 and word.endswith(("ses", "xes", "ches", "shes")):
            return word[:-2]
        if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            return word[:-1]
        return word

    def term(self, key: str) -> str | None:
        """The index term of one token key, or None for stop words and symbols."""
        cached = self._cache.get(key, "")
        if cached != "":
            return cached
        term: str | None
        if not key[0].isalnum() or key in self.stopwords or len(key) < 2:
            term = None
        else:
            stemmed = self.stem(key)
            term = self.synonyms.get(stemmed, stemmed)
        if len(self._cache) < 200_000:
            self._cache[key] = term
        return term

    def of_keys(self, keys: Iterable[str]) -> list[str]:
        return [t for t in (self.term(k) for k in keys) if t is not None]

    def of_text(self, text: str) -> list[str]:
        return self.of_keys(self.aliases.get(k, k) for k in phrase_keys(text))


@dataclass(frozen=True, slots=True)
class ClaimMatch:
    """A candidate myth in a comment: the anchor matches and the similarity."""

    claim: Claim
    similarity: float
    hits: tuple[Hit, ...]


class ClaimIndex:
    """Every claim's anchors (a phrase trie) and paraphrases (a BM25 index)."""

    def __init__(self, library: ClaimLibrary, terms: Terms) -> None:
        self.library = library
        self.terms = terms
        self.claims: list[Claim] = list(library)
        self.anchors = PhraseIndex(terms.aliases)
        for number, claim in enumerate(self.claims):
            for group, phrases in enumerate(claim.anchors):
                self.anchors.add_all(phrases, f"{number}/{group}")
        # One BM25 document per statement or paraphrase.
        self._docs: list[tuple[int, Counter[str], int]] = []
        frequency: Counter[str] = Counter()
        for number, claim in enumerate(self.claims):
            for text in (claim.claim, *claim.paraphrases):
                counts = Counter(terms.of_text(text))
                if counts:
                    self._docs.append((number, counts, sum(counts.values())))
                    frequency.update(counts.keys())
        total = max(len(self._docs), 1)
        self._avg = sum(length for _, _, length in self._docs) / total if self._docs else 1.0
        self.idf = {
            term: math.log(1 + (total - df + 0.5) / (df + 0.5)) for term, df in frequency.items()
        }
        self._by_claim: dict[int, list[int]] = {}
        for position, (number, _, _) in enumerate(self._docs):
            self._by_claim.setdefault(number, []).append(position)
        self._self_scores = [
            self._score(set(counts), counts, length) for _, counts, length in self._docs
        ]

    def _score(self, query: set[str], counts: Counter[str], length: int) -> float:
        norm = _K1 * (1 - _B + _B * length / self._avg)
        score = 0.0
        for term in query:
            tf = counts.get(term)
            if tf:
                score += self.idf.get(term, 0.0) * tf * (_K1 + 1) / (tf + norm)
        return score

    def similarity(self, number: int, query: set[str]) -> float:
        """Best normalised BM25 score of ``query`` against claim ``number``'s texts."""
        best = 0.0
        for position in self._by_claim.get(number, ()):
            _, counts, length = self._docs[position]
            own = self._self_scores[position]
            if own > 0:
                best = max(best, self._score(query, counts, length) / own)
        return min(best, 1.0)

    def match(self, doc: Doc) -> list[ClaimMatch]:
        """The claims whose every anchor group the comment touches, best first."""
        hits = self.anchors.match(doc)
        by_claim: dict[int, dict[int, list[Hit]]] = {}
        for name, found in hits.by_name.items():
            claim_part, group_part = name.split("/")
            by_claim.setdefault(int(claim_part), {})[int(group_part)] = found
        matches: list[ClaimMatch] = []
        query: set[str] | None = None
        for number, groups in by_claim.items():
            claim = self.claims[number]
            if len(groups) < len(claim.anchors):
                continue
            chosen = _near(groups, len(claim.anchors))
            if chosen is None:
                continue
            if query is None:
                query = set(self.terms.of_keys(doc.keys))
            matches.append(ClaimMatch(claim, self.similarity(number, query), chosen))
        matches.sort(key=lambda m: (-m.similarity, m.claim.id))
        return matches


def _near(groups: dict[int, list[Hit]], count: int) -> tuple[Hit, ...] | None:
    """One hit per anchor group, all within ANCHOR_WINDOW words; None if impossible."""
    best: tuple[Hit, ...] | None = None
    best_width = ANCHOR_WINDOW + 1
    for anchor in groups[0]:
        picked = [anchor]
        for group in range(1, count):
            candidates = groups[group]
            nearest = min(
                candidates,
                key=lambda hit: max(0, hit[0] - anchor[1], anchor[0] - hit[1]),
            )
            picked.append(nearest)
        width = max(h[1] for h in picked) - min(h[0] for h in picked)
        if width < best_width:
            best, best_width = tuple(picked), width
    return best
