"""Phrase lexicons matched over a comment's tokens in one pass (a token trie).

A phrase is written in plain words; ``word*`` matches any word starting with ``word``,
``_`` matches any one word, ``#`` any word with a digit in it, and ``~N`` (N from 1 to 6)
up to N words of any kind: ``took ~3 pills`` is "took", then none to three words, then
"pills" ("took pills", "took all the pills"; never across a sentence's end). A gap is
expanded when the phrase is loaded, into one plain phrase per length. Phrases are folded
and tokenised as comments are, so case, accents and apostrophes do not matter.

In a data file a lexicon is a list whose entries are either a phrase or a table keeping
the phrase's reason beside it: ``{ phrase = "took ~3 pills", why = "..." }``.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from triage.tagger.datafiles import Where
from triage.tagger.text import Doc, phrase_keys

__all__ = ["Entry", "Hit", "Hits", "PhraseError", "PhraseIndex", "Steps", "expand_phrase",
           "parse_phrase", "read_entries"]

_WILD = "\x00any"
_NUM = "\x00num"
#: At most this many words' first steps are kept (bounded on hostile input).
_FIRST_STEPS_KEPT = 100_000

#: The longest gap ``~N`` a phrase may have, and how many plain phrases one may become.
MAX_GAP = 6
_MAX_VARIANTS = 64
_GAP = re.compile(r"~(\d+)")
_ENTRY_KEYS = ("phrase", "why")

#: (first token index, last token index), inclusive.
Hit = tuple[int, int]
#: A plain phrase as matched: (key, is_prefix) per word; wildcards as special keys.
Steps = tuple[tuple[str, bool], ...]


class PhraseError(ValueError):
    """A phrase that cannot be matched (empty, only wildcards, or a bad gap)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a lexicon: the phrase and, where the file gives it, why it is there."""

    phrase: str
    why: str = ""


def read_entries(where: Where, value: Any, lexicon: str) -> list[Entry]:
    """The entries of the lexicon ``lexicon``: strings, or ``{ phrase, why }`` tables."""
    if not isinstance(value, list) or not value:
        raise where.error(f"'{lexicon}' must be a non-empty list of phrases")
    entries = []
    for number, item in enumerate(value, 1):
        if isinstance(item, str) and item.strip():
            entries.append(Entry(item))
            continue
        at = where.at(f"entry {number}")
        if not isinstance(item, dict):
            raise at.error("must be a non-empty string or a table { phrase = \"...\", "
                           "why = \"...\" }")
        at.unknown_keys(item, _ENTRY_KEYS)
        phrase = at.string(item.get("phrase"), "phrase")
        why = item.get("why", "")
        if not isinstance(why, str):
            raise at.error(f"'why' of {phrase!r} must be a string")
        entries.append(Entry(phrase, why.strip()))
    return entries


def expand_phrase(phrase: str, aliases: Mapping[str, str] | None = None) -> list[Steps]:
    """Every plain phrase ``phrase`` stands for: one, or one per length of each gap."""
    parts: list[list[str]] = []
    words = phrase.split()
    for index, raw in enumerate(words):
        gap = _GAP.fullmatch(raw)
        if gap is None:
            parts.append([raw])
            continue
        size = int(gap.group(1))
        if not 1 <= size <= MAX_GAP:
            raise PhraseError(f"a gap {raw!r} must be ~1 to ~{MAX_GAP}")
        if index == 0 or index == len(words) - 1 or _GAP.fullmatch(words[index - 1]):
            raise PhraseError(f"a gap {raw!r} needs a word on each side")
        parts.append([" ".join("_" * count) for count in range(size + 1)])
    variants = 1
    for choices in parts:
        variants *= len(choices)
    if variants > _MAX_VARIANTS:
        raise PhraseError(f"its gaps make {variants} phrases (at most {_MAX_VARIANTS})")
    return [parse_phrase(" ".join(choice), aliases) for choice in itertools.product(*parts)]


def parse_phrase(phrase: str, aliases: Mapping[str, str] | None = None) -> Steps:
    """The steps of ``phrase`` (without gaps): (key, is_prefix) each."""
    steps: list[tuple[str, bool]] = []
    for raw in phrase.split():
        if _GAP.fullmatch(raw):
            raise PhraseError(f"a gap {raw!r} is not allowed here")
        if raw == "_":
            steps.append((_WILD, False))
            continue
        if raw == "#":
            steps.append((_NUM, False))
            continue
        prefix = raw.endswith("*")
        keys = phrase_keys(raw.rstrip("*"))
        if aliases and not prefix:
            keys = tuple(aliases.get(key, key) for key in keys)
        if not keys:
            raise PhraseError(f"{raw!r} has no letters or digits")
        steps.extend((key, False) for key in keys[:-1])
        steps.append((keys[-1], prefix))
    if not any(key not in (_WILD, _NUM) for key, _ in steps):
        raise PhraseError("a phrase needs at least one word")
    if steps[0][0] == _WILD:
        raise PhraseError("a phrase cannot start with _")
    return tuple(steps)


class _Node:
    __slots__ = ("exact", "num", "payloads", "prefixes", "wild")

    def __init__(self) -> None:
        self.exact: dict[str, _Node] = {}
        # Prefix steps, bucketed by their first three letters (shorter ones under "").
        self.prefixes: dict[str, list[tuple[str, _Node]]] = {}
        self.wild: _Node | None = None
        self.num: _Node | None = None
        self.payloads: list[str] = []


class Hits:
    """Where each lexicon matched in one comment."""

    __slots__ = ("by_name",)

    def __init__(self) -> None:
        self.by_name: dict[str, list[Hit]] = defaultdict(list)

    def get(self, name: str) -> list[Hit]:
        return self.by_name.get(name, [])

    def __contains__(self, name: str) -> bool:
        return bool(self.by_name.get(name))


class PhraseIndex:
    """Many named lexicons compiled into one token trie."""

    def __init__(self, aliases: Mapping[str, str] | None = None) -> None:
        self._root = _Node()
        #: Where each word leads from the root (most words lead nowhere), kept per word.
        self._first_steps: dict[str, list[_Node]] = {}
        self.size = 0
        self.aliases = aliases

    def add(self, phrase: str, name: str) -> None:
        """Add ``phrase`` to the lexicon ``name`` (raises PhraseError if unusable)."""
        for steps in expand_phrase(phrase, self.aliases):
            self._add_steps(steps, name)

    def _add_steps(self, steps: Steps, name: str) -> None:
        self._first_steps.clear()
        node = self._root
        for key, prefix in steps:
            if key == _WILD:
                node.wild = node.wild or _Node()
                node = node.wild
            elif key == _NUM:
                node.num = node.num or _Node()
                node = node.num
            elif prefix:
                bucket = node.prefixes.setdefault(key[:3] if len(key) >= 3 else "", [])
                for existing, child in bucket:
                    if existing == key:
                        node = child
                        break
                else:
                    child = _Node()
                    bucket.append((key, child))
                    node = child
            else:
                node = node.exact.setdefault(key, _Node())
        if name not in node.payloads:
            node.payloads.append(name)
            self.size += 1

    def add_all(self, phrases: Iterable[str], name: str) -> None:
        for phrase in phrases:
            self.add(phrase, name)

    def match(self, doc: Doc) -> Hits:
        """Every match of every lexicon in ``doc`` (overlaps included), within sentences."""
        hits = Hits()
        by_name = hits.by_name
        keys = doc.keys
        tokens = doc.tokens
        count = len(keys)
        first_steps = self._first_steps
        root = self._root
        unseen = set(keys).difference(first_steps)
        if unseen:
            if len(first_steps) + len(unseen) > _FIRST_STEPS_KEPT:
                first_steps.clear()  # bounded on hostile input
            for key in unseen:
                first_steps[key] = _step(root, key)
        steps = list(map(first_steps.get, keys))
        # Most words begin no phrase; None only if another thread emptied the memo.
        for first in [i for i, step in enumerate(steps) if step is None or step]:
            frontier = steps[first] or _step(root, keys[first])
            if not frontier:
                continue
            sentence = tokens[first].sentence
            position = first
            while True:
                for node in frontier:
                    for name in node.payloads:
                        by_name[name].append((first, position))
                position += 1
                if position >= count or tokens[position].sentence != sentence:
                    break
                key = keys[position]
                following: list[_Node] = []
                for node in frontier:
                    following.extend(_step(node, key))
                if not following:
                    break
                frontier = following
        return hits


def _step(node: _Node, key: str) -> list[_Node]:
    """The nodes one word ``key`` leads to from ``node``."""
    following: list[_Node] = []
    child = node.exact.get(key)
    if child is not None:
        following.append(child)
    prefixes = node.prefixes
    if prefixes:
        for bucket in (prefixes.get(key[:3]), prefixes.get("")):
            if bucket:
                for prefix, grandchild in bucket:
                    if key.startswith(prefix):
                        following.append(grandchild)
    if node.wild is not None:
        following.append(node.wild)
    if node.num is not None and not key.isalpha() and any(c.isdigit() for c in key):
        following.append(node.num)
    return following
