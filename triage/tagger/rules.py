"""Rule files: named lexicons and patterns, and rules over them, loaded from TOML.

A rule fires when every lexicon in ``all`` (and one of ``any``, if given; ``any`` may
also be a list of such lists, each needing one match) matches inside
one scope (a sentence, or the whole comment), within ``window`` words of each other if
set, while no lexicon in ``none`` matches in the sentences of those matches and none in
``none_comment`` anywhere. A match right after a word of a ``not_after`` lexicon does not count
("don't want to die" is not "want to die"), nor one that overlaps a match of a ``mask``
lexicon ("yellow fever" is a vaccine there, not a symptom).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.tagger.datafiles import Where, read_toml
from triage.tagger.gates import PatternScan
from triage.tagger.lexicon import Hit, Hits, PhraseError, PhraseIndex, read_entries
from triage.tagger.text import Doc

__all__ = ["Firing", "Rule", "RuleBook", "RuleFile"]

_RULE_KEYS = {
    "id", "all", "any", "none", "none_comment", "not_after", "not_after_within", "scope",
    "window", "score", "note", "min_hits", "mask", "ordered", "family",
}


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of a rule file; lexicon names are qualified (``file.lexicon``)."""

    id: str
    all: tuple[str, ...]
    any: tuple[tuple[str, ...], ...] = ()
    none: tuple[str, ...] = ()
    none_comment: tuple[str, ...] = ()
    not_after: tuple[str, ...] = ()
    not_after_within: int = 3
    scope: str = "sentence"
    window: int | None = None
    score: float = 0.8
    min_hits: int = 1
    mask: tuple[str, ...] = ()
    ordered: bool = False
    family: str = ""


@dataclass(frozen=True, slots=True)
class Firing:
    """A rule that fired, with the matches that made it fire (token ranges)."""

    rule: Rule
    hits: tuple[Hit, ...]
    sentence: int | None


@dataclass(frozen=True, slots=True)
class RuleFile:
    """The rules of one data file, in file order."""

    name: str
    path: Path
    rules: tuple[Rule, ...]
    raw: dict[str, Any]
    #: Each rule's lexicons that must all be in a comment, and its groups of which one
    #: must be: a rule without them cannot fire and is not tried.
    needs: tuple[tuple[frozenset[str], tuple[frozenset[str], ...]], ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", tuple(
            (frozenset(rule.all), tuple(frozenset(group) for group in rule.any))
            for rule in self.rules
        ))

    def fire(self, doc: Doc, hits: Hits) -> list[Firing]:
        found: list[Firing] = []
        names = hits.by_name.keys()
        for rule, (every, groups) in zip(self.rules, self.needs, strict=True):
            if not every <= names:
                continue
            if groups and any(names.isdisjoint(group) for group in groups):
                continue
            found.extend(_fire(rule, doc, hits))
        return found


class RuleBook:
    """Every lexicon and pattern of every rule file, compiled together."""

    def __init__(self, aliases: Mapping[str, str] | None = None) -> None:
        self.index = PhraseIndex(aliases)
        self.patterns = PatternScan()
        self.names: set[str] = set()
        self.files: dict[str, RuleFile] = {}

    def load(self, path: Path, name: str) -> RuleFile:
        """Load the rule file ``path`` as ``name`` (its lexicons become ``name.<lexicon>``)."""
        data = read_toml(path)
        where = Where(path)
        lexicons = where.table(data.get("lexicons"), "lexicons", required=False)
        for lexicon, phrases in lexicons.items():
            at = where.at(f"lexicon '{lexicon}'")
            for entry in read_entries(at, phrases, lexicon):
                try:
                    self.index.add(entry.phrase, f"{name}.{lexicon}")
                except PhraseError as exc:
                    raise at.error(f"phrase {entry.phrase!r}: {exc}") from None
            self.names.add(f"{name}.{lexicon}")
        for table_name, cased in (("patterns", False), ("patterns_cased", True)):
            patterns = where.table(data.get(table_name), table_name, required=False)
            for pattern_name, regexes in patterns.items():
                label = "pattern" if table_name == "patterns" else "cased pattern"
                at = where.at(f"{label} '{pattern_name}'")
                for regex in at.strings(regexes, pattern_name):
                    compiled = at.regex(regex, pattern_name, cased=cased)
                    self.patterns.add(f"{name}.{pattern_name}", compiled, cased)
                self.names.add(f"{name}.{pattern_name}")
        rules = []
        raw_rules = data.get("rules", [])
        if not isinstance(raw_rules, list):
            raise where.error("'rules' must be an array of tables ([[rules]])")
        seen: set[str] = set()
        for number, raw in enumerate(raw_rules, 1):
            rule = self._rule(where.at(f"rule {number}"), raw, name)
            if rule.id in seen:
                raise where.at(f"rule {number}").error(f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
            rules.append(rule)
        known = {"lexicons", "patterns", "patterns_cased", "rules"}
        values = {key: value for key, value in data.items() if not isinstance(value, dict)}
        where.unknown_keys(values, known)  # tables such as [identifiers] have own readers
        rule_file = RuleFile(name, path, tuple(rules), data)
        self.files[name] = rule_file
        return rule_file

    def _rule(self, where: Where, raw: Any, file_name: str) -> Rule:
        table = where.table(raw, "rule")
        rule_id = where.string(table.get("id"), "id")
        where = where.at(f"({rule_id!r})")
        where.unknown_keys(table, _RULE_KEYS)

        def names(key: str, *, required: bool = False, value: Any = None) -> tuple[str, ...]:
            if value is None:
                if key not in table:
                    if required:
                        raise where.error(f"'{key}' is missing")
                    return ()
                value = table[key]
            listed = where.strings(value, key)
            return tuple(name if "." in name else f"{file_name}.{name}" for name in listed)

        raw_any = table.get("any", [])
        if isinstance(raw_any, list) and raw_any and all(isinstance(g, list) for g in raw_any):
            any_groups = tuple(names("any", value=group) for group in raw_any)
        else:
            any_groups = (names("any"),) if "any" in table else ()

        scope = table.get("scope", "sentence")
        if scope not in ("sentence", "comment"):
            raise where.error(f"'scope' must be \"sentence\" or \"comment\", not {scope!r}")
        window = table.get("window")
        if window is not None and (
            isinstance(window, bool) or not isinstance(window, int) or window < 0
        ):
            raise where.error("'window' must be a whole number of words")
        min_hits = table.get("min_hits", 1)
        if isinstance(min_hits, bool) or not isinstance(min_hits, int) or min_hits < 1:
            raise where.error("'min_hits' must be a whole number, 1 or more")
        within = table.get("not_after_within", 3)
        if isinstance(within, bool) or not isinstance(within, int) or within < 1:
            raise where.error("'not_after_within' must be a whole number of words")
        family = table.get("family", "")
        if not isinstance(family, str):
            raise where.error("'family' must be a string such as \"harm\" or \"emergency\"")
        all_names = names("all")
        if not all_names and not any_groups:
            raise where.error("'all' or 'any' must name at least one lexicon")
        return Rule(
            id=f"{file_name}/{rule_id}",
            all=all_names,
            any=any_groups,
            none=names("none"),
            none_comment=names("none_comment"),
            not_after=names("not_after"),
            not_after_within=within,
            scope=scope,
            window=window,
            score=where.number(table.get("score", 0.8), "score"),
            min_hits=min_hits,
            mask=names("mask"),
            ordered=_flag(where, table, "ordered"),
            family=family,
        )

    def check_names(self) -> None:
        """Every lexicon a rule names must exist (named in the message if not)."""
        for rule_file in self.files.values():
            for number, rule in enumerate(rule_file.rules, 1):
                for name in (*rule.all, *(n for g in rule.any for n in g), *rule.none,
                             *rule.none_comment,
                             *rule.not_after, *rule.mask):
                    if name not in self.names:
                        raise Where(rule_file.path, f"rule {number} ({rule.id!r})").error(
                            f"names lexicon {name!r}, which no tagger data file defines"
                        )

    def match(self, doc: Doc) -> Hits:
        """Lexicon and pattern matches of ``doc``."""
        hits = self.index.match(doc)
        if self.patterns and doc.tokens:
            starts = [token.start for token in doc.tokens]
            ends = [token.end for token in doc.tokens]
            by_name = hits.by_name
            for name, start, end in self.patterns.scan(doc.folded, doc.text):
                first = bisect.bisect_right(ends, start)
                last = bisect.bisect_left(starts, end) - 1
                if first <= last:
                    by_name[name].append((first, last))
        return hits


def _flag(where: Where, table: dict[str, Any], key: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise where.error(f"'{key}' must be true or false")
    return value


def _distance(a: Hit, b: Hit) -> int:
    return max(0, b[0] - a[1], a[0] - b[1])


def _usable(rule: Rule, doc: Doc, hits: Hits, name: str) -> list[Hit]:
    found = hits.get(name)
    if found and rule.mask and name not in rule.mask:
        # Words inside a masking match mean something else there ("yellow fever" shot).
        covered = {i for mask in rule.mask for first, last in hits.get(mask)
                   for i in range(first, last + 1)}
        if covered:
            found = [
                hit for hit in found
                if not any(i in covered for i in range(hit[0], hit[1] + 1))
            ]
    if not found or not rule.not_after:
        return found
    blockers = [hit for blocker in rule.not_after for hit in hits.get(blocker)]
    if not blockers:
        return found
    tokens = doc.tokens
    kept = []
    for hit in found:
        first = hit[0]
        blocked = any(
            0 < first - b[1] <= rule.not_after_within
            and tokens[b[1]].sentence == tokens[first].sentence
            for b in blockers
        )
        if not blocked:
            kept.append(hit)
    return kept


def _fire(rule: Rule, doc: Doc, hits: Hits) -> list[Firing]:
    for name in rule.none_comment:
        if name in hits:
            return []
    groups: list[list[Hit]] = []
    for name in rule.all:
        found = _usable(rule, doc, hits, name)
        if not found:
            return []
        groups.append(found)
    for group in rule.any:
        anyhits = [hit for name in group for hit in _usable(rule, doc, hits, name)]
        if not anyhits:
            return []
        groups.append(anyhits)
    tokens = doc.tokens
    if rule.scope == "comment":
        if _distinct(groups[0]) < rule.min_hits:
            return []
        chosen = _choose(groups, rule.window, rule.ordered)
        if not chosen:
            return []
        # "none" looks at the sentences the chosen matches are in.
        used = {tokens[hit[0]].sentence for hit in chosen}
        if any(tokens[h[0]].sentence in used for name in rule.none for h in hits.get(name)):
            return []
        return [Firing(rule, chosen, None)]
    firings = []
    for sentence in sorted({tokens[hit[0]].sentence for hit in groups[0]}):
        local = [[h for h in group if tokens[h[0]].sentence == sentence] for group in groups]
        if not all(local) or _distinct(local[0]) < rule.min_hits:
            continue
        if any(
            tokens[h[0]].sentence == sentence for name in rule.none for h in hits.get(name)
        ):
            continue
        chosen = _choose(local, rule.window, rule.ordered)
        if chosen:
            firings.append(Firing(rule, chosen, sentence))
    return firings


def _distinct(found: list[Hit]) -> int:
    """How many of ``found`` do not overlap the one before (sorted by start)."""
    count, reach = 0, -1
    for first, last in sorted(found):
        if first > reach:
            count += 1
            reach = last
    return count


def _choose(groups: list[list[Hit]], window: int | None, ordered: bool) -> tuple[Hit, ...]:
    """One hit per group, each the nearest to a hit of the first group.

    With ``window``, all within that many words of it; with ``ordered``, each group's hit
    after the one before. No two picked matches overlap.
    """
    limit = window if window is not None else 1 << 30
    for anchor in groups[0]:
        picked = [anchor]
        for group in groups[1:]:
            # One match cannot stand for two groups ("the infusion suite" is not both the
            # care and the place).
            options = [
                hit for hit in group
                if all(hit[1] < p[0] or p[1] < hit[0] for p in picked)
                and (not ordered or hit[0] > picked[-1][1])
            ]
            if not options:
                break
            best = min(options, key=lambda hit: _distance(anchor, hit))
            if _distance(anchor, best) > limit:
                break
            picked.append(best)
        else:
            return tuple(picked)
    return ()
