"""Masking the identifiers the privacy tagger found (phone, e-mail, SSN, …) until revealed.

The privacy tag's evidence spans hold the direct identifiers it found (phone, e-mail,
address, date of birth, record, member or social security number) and the words that
tie a person to care here ("my dad", "room 412", "chemo"). The identifiers are masked:
a span with a digit or an ``@``, or a number or e-mail address spelt out in words. The
other words stay readable, so the team can still tell what the comment is about. A
masked text has the same length as the original, character for character, so every
other tag's evidence offsets still point at the right place:

    555-201-8834         →  •••-•••-8834     numbers keep their last four digits
    pat.lee@example.org  →  •••••••@example.org   e-mail keeps its domain
    DOB 03/14/1962       →  ••• ••/••/••••   a span with a date is masked whole
    room 412, five five five two oh one …  →  every letter and digit

Revealing a comment's identifiers is journaled (kind ``reveal``): who looked, and when.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from triage.config import Config
from triage.legal.people import require_role
from triage.model import Action, Comment
from triage.store import Store

__all__ = [
    "MASK",
    "Identifier",
    "has_identifiers",
    "identifiers",
    "mask_text",
    "masked",
    "reveal",
    "reveal_data",
    "reveal_many",
]

MASK = "•"
_DATE = re.compile(
    r"(?<!\d)(?:\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})(?!\d)"
)
_DATE_KINDS = frozenset({"dob", "date", "birth", "birthdate", "date_of_birth"})
_KINDS = re.compile(r"[,+|/ ]+")


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier in a comment's text: ``text[start:end]``, of a ``kind``.

    ``kind`` is ``email``, ``number`` (phone, SSN, record or member number), ``date``
    or ``other`` (a name, an address, a room).
    """

    start: int
    end: int
    kind: str


def _source_kinds(source: str) -> frozenset[str]:
    tail = source.rsplit(":", 1)[-1].casefold()
    return frozenset(k for k in _KINDS.split(tail) if k)


def _kind(span: str, hinted: frozenset[str]) -> str:
    if "@" in span:
        return "email"
    digits = sum(ch.isdigit() for ch in span)
    if digits and (_DATE.search(span) or (hinted and hinted <= _DATE_KINDS)):
        return "date"
    if digits >= 4:
        return "number"
    return "other"


_NUMBER_WORDS = frozenset({
    "zero", "oh", "o", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve",
})
_WORD = re.compile(r"[^\W\d_]+")


def _identifying(span: str) -> bool:
    """Whether a span of privacy evidence is an identifier, not the words around one."""
    if "@" in span or any(ch.isdigit() for ch in span):
        return True
    words = [w.casefold() for w in _WORD.findall(span)]
    if sum(w in _NUMBER_WORDS for w in words) >= 3:  # a number spelt out
        return True
    return "dot" in words and ("at" in words or "arroba" in words)  # pat dot lee at …


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """The span grown to whole words, so a span that cuts an identifier masks all of it."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def identifiers(comment: Comment) -> list[Identifier]:
    """The identifiers in the comment's text, in order, overlapping spans merged."""
    tag = comment.tag("privacy")
    if tag is None or not comment.text:
        return []
    text, size = comment.text, len(comment.text)
    widened = (_widen(text, max(0, s), min(size, e)) for s, e in tag.evidence
               if s < e and s < size)
    spans = sorted((s, e) for s, e in widened if _identifying(text[s:e]))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    hinted = _source_kinds(tag.source)
    return [
        Identifier(start, end, _kind(comment.text[start:end], hinted))
        for start, end in merged
        if end > start
    ]


def has_identifiers(comment: Comment) -> bool:
    """Whether the comment has anything to mask."""
    return bool(identifiers(comment))


def _mask_span(span: str, kind: str) -> str:
    chars = list(span)
    if kind == "email":
        for at in [i for i, ch in enumerate(chars) if ch == "@"]:
            i = at - 1
            while i >= 0 and not chars[i].isspace() and chars[i] != "@":
                chars[i] = MASK
                i -= 1
        return "".join(chars)
    keep: set[int] = set()
    if kind == "number":
        keep = set([i for i, ch in enumerate(chars) if ch.isdigit()][-4:])
    return "".join(
        MASK if ch.isalnum() and i not in keep else ch for i, ch in enumerate(chars)
    )


def mask_text(comment: Comment) -> str:
    """The comment's text with its identifiers masked, one character for one."""
    found = identifiers(comment)
    if not found:
        return comment.text
    text = comment.text
    parts: list[str] = []
    last = 0
    for ident in found:
        parts.append(text[last : ident.start])
        parts.append(_mask_span(text[ident.start : ident.end], ident.kind))
        last = ident.end
    parts.append(text[last:])
    return "".join(parts)


def masked(comment: Comment) -> Comment:
    """The comment as it is shown before its identifiers are revealed."""
    text = mask_text(comment)
    return comment if text == comment.text else replace(comment, text=text)


def reveal_data(comment: Comment, where: str) -> dict[str, Any]:
    """What a reveal of ``comment`` journals: how many identifiers, their kinds, where."""
    found = identifiers(comment)
    data: dict[str, Any] = {"identifiers": len(found),
                            "kinds": sorted({ident.kind for ident in found})}
    if where:
        data["where"] = where
    return data


def _reveal_entry(user: str, comment: Comment, where: str) -> dict[str, Any]:
    return {"user": user, "kind": "reveal", "comment_id": comment.id,
            "data": reveal_data(comment, where)}


def reveal(
    store: Store, config: Config, user: str, comment_id: str, *, where: str = ""
) -> Action:
    """Journal that ``user`` revealed the identifiers of a comment (``where``: the screen).

    Only the legal role may reveal, wherever it is asked for (the queue, the Legal screen,
    ``triage ls --reveal``): one rule, checked here.
    """
    comment = store.get(comment_id)
    require_role(config, user, "legal", "reveal the identifiers of a comment")
    (action,) = store.record([_reveal_entry(user, comment, where)])
    return action


def reveal_many(
    store: Store, config: Config, user: str, comments: Iterable[Comment], *, where: str = ""
) -> list[Action]:
    """Journal, in one write, that ``user`` revealed the identifiers of ``comments``.

    Comments with nothing masked are left out: only a real reveal is journaled. Only the
    legal role may reveal.
    """
    require_role(config, user, "legal", "reveal the identifiers of comments")
    entries = [_reveal_entry(user, c, where) for c in comments if has_identifiers(c)]
    return store.record(entries) if entries else []
