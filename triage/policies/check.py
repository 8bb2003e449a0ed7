"""The policy check: every place a reply's text breaks a policy, fast enough to run per key.

Phrases are matched word by word: the reply is cut into words once, and each word looks
up the phrases that start with it (so a hundred phrases cost no more than ten); patterns
are compiled into one regular expression per policy. Identifiers
copied from the comment are found with the privacy tagger's identifier finder (run once
per comment and kept), then looked for in the reply: a number by its digits, whatever
spaces, dots, dashes or brackets stand between them; an e-mail or an address by its text.
The organisation's own published contacts (config ``[org]``) never count.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from triage.model import Comment
from triage.policies.record import IDENTIFIER_KINDS, Hit, Policy
from triage.tagger.datafiles import DATA_DIR, Where, read_toml
from triage.tagger.identifiers import Identifier, IdentifierFinder, digits_of
from triage.tagger.privacy import OrgContacts
from triage.tagger.text import Doc, fold

__all__ = ["PolicySet", "check_reply", "identifier_finder", "phrase_words"]

#: A run of digits as a reply might write a number: 555-201-8890, (555) 201 8890, 555.2018.
_DIGIT_RUN = re.compile(r"\(?\d(?:[\s().\-/+]{0,3}\d)*")
_NUMERIC = frozenset({"phone", "ssn", "record"})
#: Comments whose identifiers are kept (the composer checks one comment many times).
_KEEP = 64


#: A word of a reply as phrases are matched: letters and digits, inner apostrophes,
#: dashes and per cent signs ("don't", "off-label", "100%").
_WORD = re.compile(r"\w[\w%'’-]*")


def phrase_words(phrase: str) -> tuple[str, ...]:
    """The words of a phrase (or a reply), lower-cased, as they are compared."""
    return tuple(m.group().lower().replace("’", "'") for m in _WORD.finditer(phrase))


@lru_cache(maxsize=2)
def identifier_finder(data_dir: str = str(DATA_DIR)) -> IdentifierFinder:
    """The privacy tagger's identifier finder, built from its privacy.toml."""
    path = Path(data_dir) / "privacy.toml"
    raw = read_toml(path)
    return IdentifierFinder(Where(path).table(raw.get("identifiers"), "identifiers"), path)


class PolicySet:
    """Policies compiled for checking; build once, check many replies."""

    def __init__(self, policies: Sequence[Policy], *, org: OrgContacts | None = None,
                 finder: IdentifierFinder | None = None) -> None:
        self.policies = tuple(policies)
        self.org = org or OrgContacts()
        self._finder = finder
        self._matchers: list[tuple[Policy, re.Pattern[str]]] = []
        #: First word of a phrase -> (its words, the policy) for every phrase it starts.
        self._phrases: dict[str, list[tuple[tuple[str, ...], Policy]]] = {}
        for policy in self.policies:
            for phrase in policy.phrases:
                words = phrase_words(phrase)
                if words:
                    self._phrases.setdefault(words[0], []).append((words, policy))
            if policy.patterns:
                joined = "|".join(f"(?:{p})" for p in policy.patterns)
                self._matchers.append((policy, re.compile(joined, re.IGNORECASE)))
        self._guards = [p for p in self.policies if p.identifiers]
        self._seen: OrderedDict[str, tuple[Identifier, ...]] = OrderedDict()

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.policies]

    def comment_identifiers(self, comment_text: str) -> tuple[Identifier, ...]:
        """The identifiers in a comment that are not the organisation's own (kept)."""
        kept = self._seen.get(comment_text)
        if kept is not None:
            self._seen.move_to_end(comment_text)
            return kept
        finder = self._finder or identifier_finder()
        found = tuple(i for i in finder.find(Doc(comment_text)) if not self.org.owns(i))
        self._seen[comment_text] = found
        if len(self._seen) > _KEEP:
            self._seen.popitem(last=False)
        return found

    def check(self, text: str, comment_text: str = "") -> list[Hit]:
        hits = self._phrase_hits(text)
        for policy, matcher in self._matchers:
            for match in matcher.finditer(text):
                if match.end() > match.start():
                    hits.append(Hit(policy.id, policy.severity, policy.reason, match.start(),
                                    match.end(), match.group()))
        if self._guards and comment_text:
            found = self.comment_identifiers(comment_text)
            if found:
                hits.extend(self._copied(text, found))
        hits.sort(key=lambda h: (h.start, h.end, h.policy))
        return _merged(hits, text)

    def _phrase_hits(self, text: str) -> list[Hit]:
        """Every phrase in ``text``: the same words in order, only spaces between them."""
        hits: list[Hit] = []
        spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        words = [text[a:b].lower().replace("’", "'") for a, b in spans]
        count = len(words)
        for index, word in enumerate(words):
            for phrase, policy in self._phrases.get(word, ()):
                last = index + len(phrase) - 1
                if last >= count or tuple(words[index:last + 1]) != phrase:
                    continue
                if any(not text[spans[k][1]:spans[k + 1][0]].isspace()
                       for k in range(index, last)):
                    continue
                start, end = spans[index][0], spans[last][1]
                hits.append(Hit(policy.id, policy.severity, policy.reason, start, end,
                                text[start:end]))
        return hits

    def _copied(self, text: str, found: Iterable[Identifier]) -> list[Hit]:
        hits: list[Hit] = []
        runs: list[tuple[int, int, str]] | None = None
        folded = fold(text)
        for identifier in found:
            for policy in self._guards:
                if identifier.kind not in policy.identifiers:
                    continue
                name = IDENTIFIER_KINDS.get(identifier.kind, identifier.kind)
                detail = f"{name} from the comment"
                digits = digits_of(identifier.value)
                if identifier.kind in _NUMERIC or (identifier.kind == "dob" and len(digits) >= 6):
                    if runs is None:
                        runs = [(m.start(), m.end(), digits_of(m.group()))
                                for m in _DIGIT_RUN.finditer(text)]
                    spans = [(a, b) for a, b, run in runs if _same_number(run, digits)]
                else:
                    words = identifier.value.split()
                    if not words:
                        continue
                    pattern = r"[\s,]+".join(re.escape(w) for w in words)
                    spans = [m.span() for m in re.finditer(pattern, folded)]
                hits.extend(Hit(policy.id, policy.severity, policy.reason, a, b, text[a:b],
                                detail) for a, b in spans)
        return hits


def _merged(hits: list[Hit], text: str) -> list[Hit]:
    """One hit where hits of one policy overlap ("will cure" and "cure your")."""
    kept: list[Hit] = []
    for hit in hits:
        overlapping = next((i for i in range(len(kept) - 1, -1, -1)
                            if kept[i].policy == hit.policy and kept[i].end > hit.start
                            and kept[i].detail == hit.detail), None)
        if overlapping is None:
            kept.append(hit)
            continue
        first = kept[overlapping]
        end = max(first.end, hit.end)
        kept[overlapping] = replace(first, end=end, text=text[first.start:end])
    return kept


def _same_number(run: str, digits: str) -> bool:
    """Whether a number in the reply is the comment's (or at least seven digits of it)."""
    if not run or not digits:
        return False
    return run == digits or (len(run) >= 7 and run in digits) or (
        len(digits) >= 7 and digits in run)


def check_reply(text: str, comment: Comment | str | None, policies: PolicySet) -> list[Hit]:
    """Every hit of ``policies`` in the reply ``text`` to ``comment`` (its text, or None
    when there is no comment: then nothing can be copied from it), in reading order."""
    comment_text = comment.text if isinstance(comment, Comment) else (comment or "")
    return policies.check(text, comment_text)
