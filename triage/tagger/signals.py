"""Weighted cue classes that add up: a detector that reads weak signals together.

A signal file (``[signals]`` in a tagger data file) names cue classes, each a set of
lexicons and patterns with a weight, and the families a class speaks for ("harm",
"emergency"). Cues within ``window`` words of a core cue count together: per family,
each class gives its weight once (plus ``repeat`` of it for each further distinct cue of
the class, at most two; a word is one cue only), and the sum is the family's
combined weight. A family is flagged when that weight reaches ``threshold`` and the core
cues alone weigh ``core_min`` (context such as "tonight" or "I" only tips a real cue
over); the tag's score rises with the weight, so a bare combination scores lower than a
strong one.

A cue is dropped when a mask lexicon overlaps it ("dying to know") or, for a class
marked ``negatable``, when a negation stands just before it in its clause ("not
tonight"). Dampeners (past tense, teaching, fundraising, …) multiply the weight of the
cues in their clause, sentence or comment by a factor.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from triage.tagger.datafiles import Where
from triage.tagger.lexicon import Hit, Hits
from triage.tagger.rules import RuleFile
from triage.tagger.text import Doc

__all__ = ["Dampener", "SignalClass", "SignalFinding", "SignalScorer"]

_SCOPES = ("clause", "sentence", "comment")
#: At most this many core cues are tried as the centre of a window (bounded work).
_MAX_ANCHORS = 400
#: Characters between two words that end a clause (besides the end of a sentence).
_CLAUSE_BREAK = re.compile(r"[,;:()\[\]]|\s[-]+\s|\u2014")
_CLAUSE_WORDS = frozenset({"but", "though", "although", "however", "pero"})


@dataclass(frozen=True, slots=True)
class SignalClass:
    """One kind of cue: its lexicons (qualified names), weight and families."""

    name: str
    weight: float
    lexicons: tuple[str, ...]
    families: tuple[str, ...]
    core: bool = True
    negatable: bool = False
    evidence: bool = True
    mask: tuple[str, ...] = ()
    repeat: float | None = None
    overlaps: bool = False


@dataclass(frozen=True, slots=True)
class Dampener:
    """Lexicons whose presence in a cue's clause, sentence or comment weakens the cue."""

    name: str
    factor: float
    lexicons: tuple[str, ...]
    scope: str = "sentence"
    families: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SignalFinding:
    """The strongest combination found: family, combined weight, tag score, cues."""

    family: str
    weight: float
    score: float
    classes: tuple[str, ...]
    hits: tuple[Hit, ...]

    @property
    def source(self) -> str:
        return f"{self.family}:{'+'.join(self.classes)}"


@dataclass(slots=True)
class _Cue:
    first: int
    last: int
    weight: float


class SignalScorer:
    """Scores one comment against the ``[signals]`` table of a rule file."""

    def __init__(self, rule_file: RuleFile, known: Iterable[str]) -> None:
        where = Where(rule_file.path, "[signals]")
        raw = where.table(rule_file.raw.get("signals"), "signals")
        where.unknown_keys(raw, {"threshold", "core_min", "window", "repeat", "mask",
                                 "negation", "scores", "classes", "dampeners", "note"})
        names = set(known)
        own = rule_file.name

        def qualified(at: Where, value: Any, key: str) -> tuple[str, ...]:
            found = []
            for name in at.strings(value, key):
                full = name if "." in name else f"{own}.{name}"
                if full not in names:
                    raise at.error(f"names lexicon {full!r}, which no tagger data file defines")
                found.append(full)
            return tuple(found)

        self.threshold = where.number(raw.get("threshold", 1.0), "threshold", 0.01, 10.0)
        window = raw.get("window", 25)
        if isinstance(window, bool) or not isinstance(window, int) or window < 0:
            raise where.error("'window' must be a whole number of words")
        self.window = window
        self.repeat = where.number(raw.get("repeat", 0.0), "repeat")
        self.core_min = where.number(raw.get("core_min", 0.0), "core_min", 0.0, 10.0)
        self.mask = qualified(where, raw["mask"], "mask") if "mask" in raw else ()
        scores = where.table(raw.get("scores", {}), "scores")
        where.at("scores").unknown_keys(scores, {"flag", "top"})
        self.flag_score = where.at("scores").number(scores.get("flag", 0.75), "flag")
        self.top_score = where.at("scores").number(scores.get("top", 0.95), "top")
        classes = []
        for name, table in where.table(raw.get("classes"), "classes").items():
            at = where.at(f"class '{name}'")
            table = at.table(table, name)
            at.unknown_keys(table, {"weight", "lexicons", "families", "core", "negatable",
                                    "evidence", "mask", "repeat", "overlaps", "note"})
            classes.append(SignalClass(
                name=name,
                weight=at.number(table.get("weight"), "weight", 0.0, 10.0),
                lexicons=qualified(at, table.get("lexicons"), "lexicons"),
                families=tuple(at.strings(table.get("families"), "families")),
                core=_flag(at, table, "core", True),
                negatable=_flag(at, table, "negatable", False),
                evidence=_flag(at, table, "evidence", True),
                mask=qualified(at, table["mask"], "mask") if "mask" in table else (),
                repeat=at.number(table["repeat"], "repeat") if "repeat" in table else None,
                overlaps=_flag(at, table, "overlaps", False),
            ))
        if not classes:
            raise where.error("'classes' must name at least one cue class")
        self.classes = tuple(classes)
        self.families = tuple(sorted({f for c in classes for f in c.families}))
        dampeners = []
        for name, table in where.table(raw.get("dampeners", {}), "dampeners").items():
            at = where.at(f"dampener '{name}'")
            table = at.table(table, name)
            at.unknown_keys(table, {"factor", "lexicons", "scope", "families", "classes",
                                    "note"})
            scope = table.get("scope", "sentence")
            if scope not in _SCOPES:
                raise at.error(f"'scope' must be one of {', '.join(_SCOPES)}, not {scope!r}")
            families = tuple(at.strings(table["families"], "families")) if (
                "families" in table) else ()
            unknown = [f for f in families if f not in self.families]
            if unknown:
                raise at.error(f"names family {unknown[0]!r}, which no cue class has")
            only = tuple(at.strings(table["classes"], "classes")) if "classes" in table else ()
            strange = [c for c in only if c not in {signal.name for signal in classes}]
            if strange:
                raise at.error(f"names class {strange[0]!r}, which [signals.classes] lacks")
            dampeners.append(Dampener(
                name=name,
                factor=at.number(table.get("factor"), "factor"),
                lexicons=qualified(at, table.get("lexicons"), "lexicons"),
                scope=scope,
                families=families,
                classes=only,
            ))
        self.dampeners = tuple(dampeners)
        self.negation = (qualified(where, raw["negation"], "negation") if "negation" in raw
                         else ("common.negation",) if "common.negation" in names else ())

    def score(self, doc: Doc, hits: Hits) -> SignalFinding | None:
        """The strongest flagged combination in ``doc``, or None."""
        found = self.findings(doc, hits)
        return max(found, key=lambda f: f.weight) if found else None

    def findings(self, doc: Doc, hits: Hits) -> list[SignalFinding]:
        """The strongest flagged combination of each family, in the order of families."""
        if not any(name in hits for c in self.classes if c.core for name in c.lexicons):
            return []
        clauses = _clauses(doc)
        shared = {i for n in self.mask for a, b in hits.get(n) for i in range(a, b + 1)}
        masks = {c.name: shared | {i for n in c.mask for a, b in hits.get(n)
                                   for i in range(a, b + 1)}
                 for c in self.classes}
        neg_ends = sorted(h[1] for name in self.negation for h in hits.get(name))
        results: list[SignalFinding] = []
        for family in self.families:
            factors = self._factors(doc, hits, clauses, family)
            cues: dict[str, list[_Cue]] = {}
            for signal in self.classes:
                if family not in signal.families:
                    continue
                found = _cues(signal, doc, hits, masks[signal.name], neg_ends, clauses,
                              factors)
                if found:
                    cues[signal.name] = found
            finding = self._best(doc, family, cues)
            if finding is not None:
                results.append(finding)
        return results

    def _factors(self, doc: Doc, hits: Hits, clauses: list[int],
                 family: str) -> list[tuple[str, int, float, tuple[str, ...]]]:
        """(scope, unit, factor, classes) for every dampener found: unit is a clause or
        sentence; classes, when given, are the only ones it weakens."""
        found: list[tuple[str, int, float, tuple[str, ...]]] = []
        for dampener in self.dampeners:
            if dampener.families and family not in dampener.families:
                continue
            units: set[int] = set()
            for name in dampener.lexicons:
                for first, _last in hits.get(name):
                    if dampener.scope == "clause":
                        units.add(clauses[first])
                    elif dampener.scope == "sentence":
                        units.add(doc.tokens[first].sentence)
                    else:
                        units.add(0)
            found.extend((dampener.scope, unit, dampener.factor, dampener.classes)
                         for unit in units)
        return found

    def _best(self, doc: Doc, family: str,
              cues: dict[str, list[_Cue]]) -> SignalFinding | None:
        by_class = {c.name: c for c in self.classes}
        core = [(cue, name) for name, found in cues.items() if by_class[name].core
                for cue in found]
        if not core:
            return None
        core.sort(key=lambda pair: pair[0].first)
        starts = {name: [cue.first for cue in found] for name, found in cues.items()}
        best: SignalFinding | None = None
        order = sorted(cues, key=lambda name: (-by_class[name].weight, name))
        for anchor, _ in core[:_MAX_ANCHORS]:
            low, high = anchor.first - self.window, anchor.last + self.window
            total = core_total = 0.0
            used: list[tuple[float, str]] = []
            spans: list[Hit] = []
            claimed: list[Hit] = []
            for name in order:
                signal = by_class[name]
                found = cues[name]
                left = bisect.bisect_left(starts[name], low)
                right = bisect.bisect_right(starts[name], high)
                # One word is one cue only (of the heaviest class that has it); a class
                # marked ``overlaps`` (who it is about: "I", "my son") may sit inside
                # another cue.
                near = [
                    cue for cue in found[left:right]
                    if cue.last <= high and cue.weight > 0
                    and not (not signal.overlaps and any(
                        c[0] <= cue.last and cue.first <= c[1] for c in claimed))
                ]
                if not near:
                    continue
                kept = _distinct(near)
                weights = sorted((cue.weight for cue in kept), reverse=True)
                repeat = self.repeat if signal.repeat is None else signal.repeat
                gained = weights[0] + sum(w * repeat for w in weights[1:3])
                total += gained
                if signal.core:
                    core_total += weights[0]  # repeats of one kind do not make it core
                used.append((gained, name))
                if not signal.overlaps:
                    claimed.extend((cue.first, cue.last) for cue in kept)
                if signal.evidence:
                    spans.extend((cue.first, cue.last) for cue in kept)
            if core_total < self.core_min or total < self.threshold:
                continue
            if best is None or total > best.weight:
                names = tuple(name for _, name in sorted(used, key=lambda p: (-p[0], p[1])))
                best = SignalFinding(family, round(total, 3), self._tag_score(total), names,
                                     tuple(sorted(set(spans))))
        return best

    def _tag_score(self, weight: float) -> float:
        """From ``flag`` at the threshold up to ``top`` at twice the threshold."""
        reach = min(1.0, max(0.0, weight / self.threshold - 1.0))
        return round(self.flag_score + (self.top_score - self.flag_score) * reach, 3)


def _cues(signal: SignalClass, doc: Doc, hits: Hits, masks: set[int], neg_ends: list[int],
          clauses: list[int],
          factors: list[tuple[str, int, float, tuple[str, ...]]]) -> list[_Cue]:
    found: list[_Cue] = []
    seen: set[Hit] = set()
    for name in signal.lexicons:
        for hit in hits.get(name):
            if hit in seen:
                continue
            seen.add(hit)
            first, last = hit
            if masks and any(i in masks for i in range(first, last + 1)):
                continue  # a figure of speech or another sense of the words
            if signal.negatable and _negated(first, neg_ends, clauses):
                continue
            weight = signal.weight
            for scope, unit, factor, only in factors:
                if only and signal.name not in only:
                    continue
                if (scope == "comment"
                        or (scope == "clause" and clauses[first] == unit)
                        or (scope == "sentence" and doc.tokens[first].sentence == unit)):
                    weight *= factor
            found.append(_Cue(first, last, weight))
    found.sort(key=lambda cue: (cue.first, cue.last))
    return found


def _negated(first: int, neg_ends: list[int], clauses: list[int]) -> bool:
    """Whether a negation ends one or two words before token ``first``, in its clause
    ("not tonight", "I'm not going to hurt myself")."""
    index = bisect.bisect_left(neg_ends, first) - 1
    while index >= 0 and first - neg_ends[index] <= 2:
        if clauses[neg_ends[index]] == clauses[first]:
            return True
        index -= 1
    return False


def _distinct(found: list[_Cue]) -> list[_Cue]:
    """Cues that do not overlap the one kept before (sorted by start), strongest kept."""
    kept: list[_Cue] = []
    for cue in found:
        if kept and cue.first <= kept[-1].last:
            if cue.weight > kept[-1].weight:
                kept[-1] = cue
            continue
        kept.append(cue)
    return kept


def _clauses(doc: Doc) -> list[int]:
    """The clause number of every token: sentences, split at commas, brackets and 'but'."""
    numbers: list[int] = []
    clause = 0
    previous = None
    for token in doc.tokens:
        if previous is not None and (
            token.sentence != previous.sentence
            or _CLAUSE_BREAK.search(doc.folded, previous.end, token.start) is not None
            or token.key in _CLAUSE_WORDS
        ):
            clause += 1
        numbers.append(clause)
        previous = token
    return numbers


def _flag(where: Where, table: dict[str, Any], key: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise where.error(f"'{key}' must be true or false")
    return value
