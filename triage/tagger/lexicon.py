"""Phrase lexicons matched over a comment's tokens in one pass (a token trie).

A phrase is written in plain words; ``word*`` matches any word starting with ``word``,
``_`` matches any one word, ``#`` any word with a digit in it. Phrases are folded and
tokenised as comments are, so case, accents and apostrophes do not matter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from triage.tagger.text import Doc, phrase_keys

__all__ = ["Hit", "Hits", "PhraseError", "PhraseIndex", "parse_phrase"]

_WILD = "\x00any"
_NUM = "\x00num"
#: At most this many words' first steps are kept (bounded on hostile input).
_FIRST_STEPS_KEPT = 100_000

#: (first token index, last token index), inclusive.
Hit = tuple[int, int]


class PhraseError(ValueError):
    """A phrase that cannot be matched (empty, or only wildcards)."""


def parse_phrase(
    phrase: str, aliases: Mapping[str, str] | None = None
) -> tuple[tuple[str, bool], ...]:
    """The steps of ``phrase``: (key, is_prefix) each; wildcards as special keys."""
    steps: list[tuple[str, bool]] = []
    for raw in phrase.split():
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
        self._first_steps.clear()
        node = self._root
        for key, prefix in parse_phrase(phrase, self.aliases):
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
