"""Direct identifiers in a comment: phone numbers, e-mail addresses, SSNs, dates of birth,
record and member numbers, street addresses — each with where it stands.

The patterns are in ``tagger/privacy.toml`` (``[identifiers]``); this module checks what
they find (a phone number has 7 to 15 digits, an e-mail's domain ends in a real-looking
suffix, a bare date is old enough to be a birth date) and reads numbers written as words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from triage.tagger.datafiles import Where
from triage.tagger.text import Doc

__all__ = ["Identifier", "IdentifierFinder", "digits_of"]

_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5",
    "seis": "6", "siete": "7", "ocho": "8", "nueve": "9",
}
_DIGIT = re.compile(r"\d")
_GAP = re.compile(r"^[\s,.\-()/]{0,4}$")
_YEAR_ONLY = re.compile(r"^(?:19|20)\d\d$")
_ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_DATE_START = re.compile(r"^(?:(?:19|20)\d\d-\d\d-\d\d|\d\d-\d\d-(?:19|20)\d\d)\b")
#: Words that are never the domain of an e-mail written out ("look at this dot com").
_NOT_DOMAINS = frozenset(
    "this that the a an my your our their his her least all home work night first last"
    " school noon once times it its me you us them".split()
)
#: Words that are never part of a street's name ("3 more weeks way", "12 month shots").
_NOT_STREET = frozenset(
    "year years yr yrs old month months week weeks wks day days hour hours hrs minute"
    " minutes min mins times time more most kids kid of the a an and to in for my your our"
    " his her their is are was were at on by with from or but no not".split()
)
_KINDS = ("phone", "email", "email_words", "ssn", "ssn_cue", "dob_cue", "old_date",
          "named_date", "record", "address")
#: A person's name just before a date, in the comment as written: two to four
#: capitalised words, then a comma, a bracket or a dash ("Casey Okafor, ").
_NAME_BEFORE = re.compile(
    r"(?<![\w'’-])[A-ZÁÉÍÓÚÑ][\w'’-]+(?:[ \t]{1,2}[A-ZÁÉÍÓÚÑ][\w'’.-]*){1,3}"
    r"[ \t]{0,2}(?:,|\(|[-–—])[ \t]{0,2}\Z"
)
_LISTS = ("email_suffixes", "email_providers")


class _Found:
    """One pattern match, narrowed to its ``value`` group when the pattern has one."""

    __slots__ = ("_group", "_match")

    def __init__(self, match: re.Match[str], group: int | str) -> None:
        self._match = match
        self._group = group

    def start(self) -> int:
        return self._match.start(self._group)

    def end(self) -> int:
        return self._match.end(self._group)

    def group(self, name: int | str = 0) -> str:
        if name == 0:
            return self._match.group(self._group)
        return self._match.group(name)


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier found in a comment."""

    kind: str
    start: int
    end: int
    value: str


#: Enough to show the risk; a comment made of numbers does not make the work unbounded.
MAX_IDENTIFIERS = 50


def digits_of(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


class IdentifierFinder:
    """Runs the identifier patterns of privacy.toml over a comment."""

    def __init__(self, table: dict[str, Any], path: Path) -> None:
        where = Where(path, "[identifiers]")
        where.unknown_keys(table, set(_KINDS) | set(_LISTS))
        self.patterns: dict[str, list[re.Pattern[str]]] = {}
        for kind in _KINDS:
            regexes = where.strings(table.get(kind), kind)
            self.patterns[kind] = [where.regex(regex, kind) for regex in regexes]
        self.suffixes = frozenset(
            s.lower() for s in where.strings(table.get("email_suffixes"), "email_suffixes")
        )
        self.providers = frozenset(
            s.lower() for s in where.strings(table.get("email_providers"), "email_providers")
        )
        self.this_year = date.today().year

    def find(self, doc: Doc) -> list[Identifier]:
        text = doc.folded
        found: list[Identifier] = []
        has_digit = _DIGIT.search(text) is not None
        if "@" in text:
            for match in self._each("email", text):
                domain = match.group().rsplit(".", 1)[-1]
                if domain in self.suffixes:
                    found.append(Identifier("email", match.start(), match.end(), match.group()))
        if " at " in text or "(at)" in text or "[at]" in text:
            for match in self._each("email_words", text):
                value = match.group()
                words = [w for w in re.split(r"[^\w\-]+", value.strip()) if w]
                at = next((i for i, w in enumerate(words) if w == "at"), -1)
                domain = words[at + 1] if 0 <= at < len(words) - 1 else ""
                spelt = "dot" in words or "[at]" in value or "(at)" in value
                if (
                    words[-1] in self.suffixes
                    and domain not in _NOT_DOMAINS
                    and (spelt or domain in self.providers)
                ):
                    found.append(Identifier("email", match.start(), match.end(), match.group()))
        if has_digit:
            for kind in ("ssn", "ssn_cue", "record", "dob_cue", "address"):
                for match in self._each(kind, text):
                    name = {"ssn_cue": "ssn", "dob_cue": "dob"}.get(kind, kind)
                    if kind == "record" and len(digits_of(match.group())) < 4:
                        continue
                    if kind == "address" and _NOT_STREET & set(match.group().split()[1:-1]):
                        continue
                    found.append(Identifier(name, match.start(), match.end(), match.group()))
            for match in self._each("old_date", text):
                if self._old_enough(match.group("year")):
                    found.append(Identifier("dob", match.start(), match.end(), match.group()))
            for match in self._each("named_date", text):
                if self._old_enough(match.group("year")) and _NAME_BEFORE.search(
                        doc.text[max(0, match.start() - 80):match.start()]):
                    found.append(Identifier("dob", match.start(), match.end(), match.group()))
            for match in self._each("phone", text):
                if self._phone_like(match.group()):
                    found.append(Identifier("phone", match.start(), match.end(), match.group()))
        else:
            for kind in ("dob_cue",):
                for match in self._each(kind, text):
                    found.append(Identifier("dob", match.start(), match.end(), match.group()))
        found.extend(self._spelled_numbers(doc))
        return _without_overlaps(found)[:MAX_IDENTIFIERS]

    def _each(self, kind: str, text: str) -> list[_Found]:
        """Matches of ``kind``; a pattern's ``value`` group, if any, is the identifier."""
        found = []
        for pattern in self.patterns[kind]:
            for match in pattern.finditer(text):
                group = "value" if "value" in pattern.groupindex else 0
                if match.start(group) >= 0:
                    found.append(_Found(match, group))
                if len(found) >= 4 * MAX_IDENTIFIERS:
                    return found
        return found

    def _old_enough(self, written: str) -> bool:
        """Whether a year (two or four digits) is far enough back to be a birth year."""
        year = int(written)
        if len(written) == 2:
            year += 1900 if year > self.this_year % 100 else 2000
        return 1900 <= year <= self.this_year - 12

    @staticmethod
    def _phone_like(value: str) -> bool:
        number = value.split("x")[0].split("ext")[0]
        digits = digits_of(number)
        if not 7 <= len(digits) <= 15:
            return False
        stripped = number.strip()
        if _ISO_DATE.match(stripped) or _DATE_START.match(stripped):
            return False
        groups = re.split(r"[\s.\-()+]+", stripped)
        groups = [g for g in groups if g]
        if all(_YEAR_ONLY.match(g) for g in groups):
            return False
        if len(groups) == 1 and "+" not in number:
            return 10 <= len(digits) <= 12  # a bare run of digits: a full national number
        return True

    def _spelled_numbers(self, doc: Doc) -> list[Identifier]:
        """Numbers written digit by digit, in words or with spaces: "five five five, …"."""
        tokens = doc.tokens
        found: list[Identifier] = []
        run: list[int] = []

        def close() -> None:
            if len(run) >= 3:
                digits = "".join(
                    _DIGIT_WORDS.get(tokens[i].key, tokens[i].key) for i in run
                )
                words = sum(1 for i in run if not tokens[i].key.isdigit())
                singles = sum(1 for i in run if len(tokens[i].key) == 1)
                if 7 <= len(digits) <= 15 and (words >= 3 or singles >= 5):
                    found.append(Identifier(
                        "phone", tokens[run[0]].start, tokens[run[-1]].end, digits
                    ))
            run.clear()

        for index, token in enumerate(tokens):
            key = token.key
            usable = (key.isdigit() and len(key) <= 4) or (
                key in _DIGIT_WORDS and (key not in ("o", "oh") or run)
            )
            if usable and run and not _GAP.match(doc.text[tokens[run[-1]].end:token.start]):
                close()
            if usable:
                run.append(index)
            else:
                close()
        close()
        return found


def _without_overlaps(found: list[Identifier]) -> list[Identifier]:
    """Keep the first-listed kind where two identifiers overlap (an SSN over a phone)."""
    priority = {"email": 0, "ssn": 1, "record": 2, "dob": 3, "address": 4, "phone": 5}
    kept: list[Identifier] = []
    for item in sorted(found, key=lambda i: (priority.get(i.kind, 9), i.start)):
        if all(item.end <= other.start or item.start >= other.end for other in kept):
            kept.append(item)
    return sorted(kept, key=lambda i: i.start)
