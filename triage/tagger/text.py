"""Text normalisation for the tagger: folded text, word tokens and sentences, offsets kept.

The folded text has exactly the length of the original (every character maps to one
character), so a span found in it is a span of the comment as given.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping
from typing import NamedTuple

__all__ = ["Doc", "Token", "fold", "phrase_keys"]

#: Characters folded to one ASCII character when decomposition alone does not do it.
_SPECIAL = {
    "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " ",
    "\u00df": "s", "\u00f8": "o", "\u0131": "i", "\u0142": "l", "\u00e6": "a", "\u0153": "o",
    "\u00a1": " ",
    # Zero-width characters hidden inside words ("D\u200bM me") join the word like an
    # apostrophe does, and drop out of its key.
    "\u200b": "'", "\u200c": "'", "\u2060": "'", "\ufeff": "'",
    # So do middle dots put inside words to dodge filters ("D\u00b7M me for the c\u00b7ure").
    "\u00b7": "'", "\u2027": "'",
}


class _FoldTable(dict[int, int]):
    """A ``str.translate`` table built on demand: lower case, accents off, one for one."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        folded = _SPECIAL.get(char)
        if folded is None:
            lowered = char.lower()
            if len(lowered) != 1:
                lowered = char
            decomposed = unicodedata.normalize("NFKD", lowered)
            base = "".join(c for c in decomposed if not unicodedata.combining(c))
            folded = base if len(base) == 1 else lowered
        value = ord(folded)
        if len(self) < 65536:  # bound the cache on hostile input
            self[code] = value
        return value


_TABLE = _FoldTable()
# Letters and digits, with apostrophes inside a word (dropped from its key); single
# symbols (emoji and the like) and question marks are tokens of their own.
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[?]|[^\w\s!-/:-@\[-`{-~\u00a0-\u00be\ufe0f\u200d]")
_SENTENCE_END = re.compile(r"[.!?;:]+(?=[\s\"']|$)|\n|[.]{3}|\u2026")
#: Words whose full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "dr mr mrs ms st mt jr sr vs no approx dept apt ste prof rev fr gen col lt sgt e.g i.e"
    " etc inc co ltd ave blvd rd".split()
)


def fold(text: str) -> str:
    """``text`` lower-cased and with accents and typographic quotes and dashes folded.

    The result has the same length as ``text``.
    """
    if text.isascii():
        return text.lower()
    return text.translate(_TABLE)


class Token(NamedTuple):
    """One word (or symbol) of a comment: its key for matching and where it stands
    (a named tuple: a comment makes dozens, and tuples are the quickest to make)."""

    key: str
    start: int
    end: int
    sentence: int


class Doc:
    """A comment prepared for the detectors: original, folded text, tokens, sentences."""

    __slots__ = ("_ranges", "folded", "keys", "sentences", "text", "tokens")

    def __init__(self, text: str, aliases: Mapping[str, str] | None = None) -> None:
        self.text = text
        self.folded = fold(text)
        bounds = self._sentence_bounds()
        matches = list(_TOKEN.finditer(self.folded))
        keys = [match.group() for match in matches]
        if "'" in self.folded:
            keys = [key.replace("'", "") if "'" in key else key for key in keys]
        if aliases:
            keys = list(map(aliases.get, keys, keys))
        starts = [match.start() for match in matches]
        if len(bounds) == 1:
            sentences = [0] * len(keys)
        else:
            last = len(bounds) - 1
            ends = [end for _, end in bounds]
            sentences = [min(bisect_right(ends, start), last) for start in starts]
        tokens = list(map(Token, keys, starts, [match.end() for match in matches], sentences))
        self.tokens: tuple[Token, ...] = tuple(tokens)
        self.keys: tuple[str, ...] = tuple(keys)
        self.sentences: tuple[tuple[int, int], ...] = bounds
        self._ranges: list[range] | None = None

    def _sentence_bounds(self) -> tuple[tuple[int, int], ...]:
        folded = self.folded
        bounds: list[tuple[int, int]] = []
        start = 0
        for match in _SENTENCE_END.finditer(folded):
            if match.group() == "." and _is_abbreviation(self.text, folded, match.start()):
                continue
            end = match.end()
            if folded[start:end].strip(" \t\n.!?;\u2026"):
                bounds.append((start, end))
                start = end
        if folded[start:].strip() or not bounds:
            bounds.append((start, len(folded)))
        elif bounds:
            bounds[-1] = (bounds[-1][0], len(folded))
        return tuple(bounds)

    def sentence_text(self, index: int) -> str:
        """The folded text of sentence ``index``."""
        start, end = self.sentences[index]
        return self.folded[start:end]

    def token_range(self, sentence: int) -> range:
        """Indices of the tokens of sentence ``sentence``."""
        if self._ranges is None:
            ranges = [[0, 0] for _ in self.sentences]
            seen: set[int] = set()
            for index, token in enumerate(self.tokens):
                if token.sentence not in seen:
                    seen.add(token.sentence)
                    ranges[token.sentence][0] = index
                ranges[token.sentence][1] = index + 1
            self._ranges = [range(a, b) for a, b in ranges]
        return self._ranges[sentence]

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Character span from token ``first`` to token ``last`` (inclusive)."""
        return (self.tokens[first].start, self.tokens[last].end)


def _is_abbreviation(text: str, folded: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and (folded[word_start - 1].isalpha() or folded[word_start - 1] == "."):
        word_start -= 1
    word = folded[word_start:dot]
    if word in _ABBREVIATIONS:
        return True
    # An initial: "Janka M. Szasz".
    return len(word) == 1 and dot + 2 < len(text) and text[dot + 2].isupper()


def phrase_keys(phrase: str) -> tuple[str, ...]:
    """The token keys of a lexicon phrase, tokenised exactly as comments are."""
    return tuple(
        m.group().replace("'", "") for m in _TOKEN.finditer(fold(phrase))
    )
