"""Where a rule file's regular expressions can match, found before running them.

Most patterns begin with literal text ("``\\b(?:lips?|face)\\s…``" begins with "lip" or
"face"). :func:`starts_of` reads those literal starts from the pattern's own source, with
a small reader of the regular-expression syntax the rule files use; where it cannot be
sure it says so (None) and the pattern is run over the whole comment. :class:`PatternScan`
then runs each pattern only where one of its starts stands in the comment, and a pattern
whose start is unknown only when a literal it needs is somewhere in the comment; the
matches are the ones ``finditer`` would give.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["PatternScan", "needed_words", "starts_of"]

#: A character class is spelled out letter by letter up to this size.
_CLASS_LIMIT = 12
#: Texts longer than this are scanned by every pattern in full (see PatternScan.scan).
_LONG_TEXT = 4000
#: A pattern with more places than this to try is run over the whole text instead.
_MANY_PLACES = 48
#: Literal starts beyond this many are not worth it: the pattern is run everywhere.
_STARTS_LIMIT = 200
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}
_CLASS_SHORTHANDS = set("dDwWsSbBAZ")
_WORD_CHAR = re.compile(r"\w")


class _Unknown(Exception):
    """The reader met syntax it does not follow: no literal starts are claimed."""


@dataclass(frozen=True, slots=True)
class _Item:
    """One element of a pattern: its literal alternatives (None if not literal), the
    smallest number of times it must occur, and whether it is zero-width."""

    words: tuple[str, ...] | None
    least: int
    zero_width: bool = False
    boundary: bool = False
    #: Whether ``words`` are the whole of what the element matches (not only its start).
    complete: bool = True


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.at = 0

    def peek(self) -> str:
        return self.source[self.at] if self.at < len(self.source) else ""

    def take(self) -> str:
        char = self.peek()
        self.at += 1
        return char

    def branches(self) -> list[list[_Item]]:
        """Alternatives up to the end of the group (or pattern)."""
        found = [self.sequence()]
        while self.peek() == "|":
            self.at += 1
            found.append(self.sequence())
        return found

    def sequence(self) -> list[_Item]:
        items: list[_Item] = []
        while self.peek() not in ("", "|", ")"):
            item = self.atom()
            items.append(self.quantified(item))
        return items

    def quantified(self, item: _Item) -> _Item:
        char = self.peek()
        if char in ("?", "*"):
            self.at += 1
            least = 0
        elif char == "+":
            self.at += 1
            least = min(item.least, 1)
        elif char == "{" and re.match(r"\{\d*(,\d*)?\}", self.source[self.at:]):
            end = self.source.index("}", self.at)
            low = self.source[self.at + 1:end].split(",")[0]
            self.at = end + 1
            least = int(low) if low else 0
        else:
            return item
        if self.peek() in ("?", "+"):
            self.at += 1  # lazy or possessive: the same least count
        if item.zero_width:
            raise _Unknown("a quantified assertion")
        return _Item(item.words, 0 if least == 0 else item.least, complete=False)

    def atom(self) -> _Item:
        char = self.take()
        if char == "\\":
            return self.escape()
        if char == "[":
            return self.char_class()
        if char == "(":
            return self.group()
        if char == ".":
            return _Item(None, 1)
        if char in "^$":
            return _Item(None, 1, zero_width=True)
        if char in "*+?{":
            raise _Unknown("a quantifier with nothing before it")
        return _Item((char,), 1)

    def escape(self) -> _Item:
        char = self.take()
        if char == "b":
            return _Item(None, 1, zero_width=True, boundary=True)
        if char in _CLASS_SHORTHANDS or char.isdigit() or not char:
            if char in "BAZ":
                return _Item(None, 1, zero_width=True)
            return _Item(None, 1)
        if char == "x":
            code = self.source[self.at:self.at + 2]
            self.at += 2
            return _Item((chr(int(code, 16)),), 1)
        if char in "uU" or char == "N":
            raise _Unknown("a long escape")
        return _Item((_ESCAPES.get(char, char),), 1)

    def char_class(self) -> _Item:
        members: set[str] = set()
        first = True
        literal = True
        while True:
            char = self.take()
            if not char:
                raise _Unknown("an unclosed class")
            if char == "]" and not first:
                break
            if first and char == "^":
                literal = False
            first = False
            if char == "\\":
                escaped = self.take()
                if escaped in _CLASS_SHORTHANDS or escaped in "xuUN" or escaped.isdigit():
                    literal = False
                    if escaped == "x":
                        self.at += 2
                    continue
                char = _ESCAPES.get(escaped, escaped)
            if self.peek() == "-" and self.source[self.at + 1:self.at + 2] not in ("]", ""):
                self.at += 1
                end = self.take()
                if end == "\\":
                    literal = False
                    self.take()
                    continue
                members.update(chr(c) for c in range(ord(char), ord(end) + 1))
            else:
                members.add(char)
        if not literal or len(members) > _CLASS_LIMIT:
            return _Item(None, 1)
        return _Item(tuple(sorted(members)), 1)

    def group(self) -> _Item:
        zero_width = False
        if self.peek() == "?":
            self.at += 1
            kind = self.take()
            if kind == ":":
                pass
            elif kind in "=!":
                zero_width = True
            elif kind == "<" and self.peek() in "=!":
                self.at += 1
                zero_width = True
            elif kind == "<" or (kind == "P" and self.peek() == "<"):
                self.at = self.source.index(">", self.at) + 1  # a named group
            else:
                raise _Unknown("inline flags or a conditional")
        branches = self.branches()
        if self.take() != ")":
            raise _Unknown("an unclosed group")
        if zero_width:
            return _Item(None, 1, zero_width=True)
        words: list[str] = []
        complete = True
        for branch in branches:
            starts, whole = _sequence_starts(branch)
            if starts is None:
                return _Item(None, 1)
            words.extend(starts)
            complete = complete and whole
        return _Item(tuple(words), 1, complete=complete)


def _sequence_starts(items: Sequence[_Item]) -> tuple[tuple[str, ...] | None, bool]:
    """The literal texts every match of ``items`` begins with (None if unknown), and
    whether they are the whole match."""
    position = 0
    while position < len(items) and items[position].zero_width:
        position += 1
    starts = [""]
    complete = True
    for item in items[position:]:
        if item.zero_width or item.words is None or item.least == 0:
            complete = False
            break
        starts = [start + word for start in starts for word in item.words]
        if len(starts) > _STARTS_LIMIT:
            return None, False
        if not item.complete:
            complete = False
            break
    if any(not start for start in starts):
        return None, False
    return tuple(starts), complete


def _parse(source: str) -> list[list[_Item]] | None:
    reader = _Reader(source)
    try:
        branches = reader.branches()
        if reader.peek():
            raise _Unknown("an unmatched parenthesis")
    except (_Unknown, ValueError, IndexError):
        return None
    return branches


def starts_of(source: str) -> tuple[tuple[str, ...], bool] | None:
    """The literal starts of the pattern ``source`` and whether it begins with ``\\b``.

    ``\\b(?:lips?|face)\\s`` gives (("lip", "face"), True). None when some alternative
    does not begin with literal text.
    """
    branches = _parse(source)
    if branches is None:
        return None
    found: list[str] = []
    boundary = True
    for branch in branches:
        starts, _ = _sequence_starts(branch)
        if starts is None:
            return None
        found.extend(starts)
        boundary = boundary and bool(branch) and branch[0].boundary
    return tuple(sorted(set(found))), boundary


def needed_words(source: str) -> tuple[str, ...] | None:
    """Literal texts one of which is in every match of ``source`` (None if unknown):
    those of the first element that must occur and is literal text."""
    branches = _parse(source)
    if branches is None or len(branches) != 1:
        return None
    for item in branches[0]:
        if item.words is not None and item.least > 0 and not item.zero_width:
            return tuple(sorted(set(item.words)))
    return None


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one pattern is run: at the places its starts stand, where a needed word is in
    the comment, or everywhere."""

    index: int
    name: str
    pattern: re.Pattern[str]
    cased: bool
    starts: tuple[str, ...] | None
    at_word_start: bool
    needs: tuple[str, ...] | None
    #: Finds each place where a start (or, starts unknown, a needed word) stands.
    finder: re.Pattern[str] | None


class PatternScan:
    """Many named patterns, run only where they can match."""

    def __init__(self) -> None:
        self.plans: list[_Plan] = []
        #: For patterns beginning with ``\\b`` and a word, by case: each start's patterns.
        self._at_words: tuple[dict[str, list[int]], dict[str, list[int]]] = ({}, {})
        #: Finds, at each word start, the longest start there (compiled when first used).
        self._finders: list[re.Pattern[str] | None] = [None, None]
        #: What each start stands for: its own patterns and those of its shorter starts.
        self._closure: tuple[dict[str, list[int]], dict[str, list[int]]] = ({}, {})
        self._elsewhere: list[_Plan] = []

    def add(self, name: str, pattern: re.Pattern[str], cased: bool) -> None:
        starts = starts_of(pattern.pattern)
        words: tuple[str, ...] | None = None
        at_word_start = False
        if starts is not None:
            words, boundary = starts
            if not cased:
                words = tuple(sorted({word.lower() for word in words}))
            at_word_start = boundary and all(_WORD_CHAR.fullmatch(w[0]) for w in words)
        needs = None if words is not None else needed_words(pattern.pattern)
        if needs is not None and not cased:
            needs = tuple(sorted({word.lower() for word in needs}))
        wanted = words if words is not None else needs
        finder = None if wanted is None else re.compile(
            "(?=" + "|".join(re.escape(w) for w in sorted(wanted, key=len, reverse=True)) + ")"
        )
        plan = _Plan(len(self.plans), name, pattern, cased, words, at_word_start, needs, finder)
        self.plans.append(plan)
        if at_word_start and words is not None:
            table = self._at_words[cased]
            for word in words:
                table.setdefault(word, []).append(plan.index)
            self._finders[cased] = None
        else:
            self._elsewhere.append(plan)

    def _compile(self, cased: bool) -> re.Pattern[str]:
        table = self._at_words[cased]
        closure = self._closure[cased]
        closure.clear()
        for word in table:
            closure[word] = sorted({index for size in range(1, len(word) + 1)
                                    for index in table.get(word[:size], ())})
        finder = re.compile(r"\b(?=(" + _trie_pattern(table) + "))")
        self._finders[cased] = finder
        return finder

    def __len__(self) -> int:
        return len(self.plans)

    def scan(self, folded: str, text: str) -> Iterator[tuple[str, int, int]]:
        """(name, start, end) of every match, pattern by pattern in the order added, each
        pattern's matches left to right (as ``finditer`` gives them)."""
        if len(folded) > _LONG_TEXT:
            # A long text has starts everywhere: each pattern whose start is in it runs once, in C.
            present: dict[tuple[bool, str], bool] = {}
            for plan in self.plans:
                where = text if plan.cased else folded
                wanted = plan.starts if plan.starts is not None else plan.needs
                if wanted is not None and not any(
                    _present(present, plan.cased, word, where) for word in wanted
                ):
                    continue  # none of its starts (or needed words) is in the text
                for every in plan.pattern.finditer(where):
                    yield plan.name, every.start(), every.end()
            return
        places: dict[int, list[int]] = {}
        for cased, where in ((False, folded), (True, text)):
            if not self._at_words[cased]:
                continue
            finder = self._finders[cased] or self._compile(cased)
            closure = self._closure[cased]
            for at in finder.finditer(where):
                start = at.start()
                for index in closure[at.group(1)]:
                    places.setdefault(index, []).append(start)
        for plan in self._elsewhere:
            where = text if plan.cased else folded
            if plan.finder is None:
                places[plan.index] = []  # run everywhere
            elif plan.starts is None:
                if plan.finder.search(where) is not None:
                    places[plan.index] = []  # a needed word is here: run everywhere
            else:
                spots = [match.start() for match in plan.finder.finditer(where)]
                if spots:
                    places[plan.index] = spots
        for index in sorted(places):
            plan = self.plans[index]
            where = text if plan.cased else folded
            positions = places[index]
            if not positions or len(positions) > _MANY_PLACES:
                for every in plan.pattern.finditer(where):
                    yield plan.name, every.start(), every.end()
                continue
            reach = -1
            for position in sorted(set(positions)):
                if position < reach:
                    continue
                found = plan.pattern.match(where, position)
                if found is not None:
                    yield plan.name, found.start(), found.end()
                    reach = found.end() if found.end() > position else position + 1


def _present(seen: dict[tuple[bool, str], bool], cased: bool, word: str, where: str) -> bool:
    """Whether ``word`` is in ``where`` (looked up once per text: patterns share words)."""
    key = (cased, word)
    found = seen.get(key)
    if found is None:
        found = seen[key] = word in where
    return found


def _trie_pattern(words: Iterable[str]) -> str:
    """One regular expression matching the longest of ``words`` that stands at a place
    (the words as a trie: common beginnings are tried once)."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_pattern(root)


def _node_pattern(node: dict[str, Any]) -> str:
    branches = [re.escape(char) + _node_pattern(child)
                for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:  # a word ends here: the longer ones are tried first, greedily
        return "(?:" + body + ")?"
    return body
