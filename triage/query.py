"""The query language shared by search, filters, saved views and the command line.

    tag:privacy status:new platform:facebook,instagram account:oncology author:pat
    age:<2h "exact words" -tag:abuse assignee:me

Terms are ANDed. A comma inside a value means "any of". A leading ``-`` negates a term.
Bare words and "quoted phrases" must appear in the text (case-insensitive). ``age`` takes
``<N`` (younger than), ``>N`` (older than) with a unit ``m``, ``h``, ``d`` or ``w``.
``assignee:me`` is the acting person; ``assignee:none`` an unassigned comment.
``is:noise`` is a comment that needs no reply (a reaction with no tag and no question:
see :mod:`triage.noise`); the Needs reply view leaves it out with ``-is:noise``.
``legal:open`` is a comment on legal hold or with a decision still to carry out;
``legal:pending`` is a comment whose legal decision the team has yet to carry out
(``legal:decided`` any decided one, ``legal:hide`` … one decision: see
:mod:`triage.legal.decisions`); a matcher gets the comments' legal states from the store.
``ae:open`` is an adverse event whose intake is still to complete (``ae:late`` past its
reporting deadline, ``ae:done`` complete or not an AE, ``ae:complete``, ``ae:not_ae``:
see :mod:`triage.ae`); the same states function answers it, with ``ae:`` before each word.
A mistake is a :class:`QueryError` naming the bad term, never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from triage.errors import QueryError
from triage.model import PLATFORMS, STATUSES, TAG_NAMES, Comment
from triage.noise import needs_no_reply

__all__ = ["AE_VALUES", "FIELDS", "LEGAL_VALUES", "MAX_DURATION", "LegalStates", "Query", "Term",
           "parse_duration", "parse_query"]

FIELDS = ("tag", "status", "platform", "account", "author", "age", "assignee", "text", "id",
          "is", "legal", "ae")
#: What ``is:`` says of a comment.
IS_VALUES = ("noise",)
#: What ``legal:`` says of a comment: a decision still to carry out, any decision, which.
LEGAL_VALUES = ("open", "pending", "decided", "reply_allowed", "hide", "delete", "no_action")
#: What ``ae:`` says of a comment's adverse-event intake.
AE_VALUES = ("open", "late", "done", "complete", "not_ae")
#: A comment's legal states (``decided``, the decision, ``pending``); see LEGAL_VALUES.
LegalStates = Callable[[Comment], Collection[str]]
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"^(\d{1,12})\s*([mhdw])$", re.ASCII)
#: The longest duration a query or an SLA target may give: ten years.
MAX_DURATION = timedelta(days=3650)
_TOKEN = re.compile(r'(-?)(?:(\w+):)?("(?:[^"]*)"?|\S+)')


def parse_duration(text: str, where: str = "") -> timedelta:
    """``15m``, ``4h``, ``2d``, ``1w`` as a timedelta, up to :data:`MAX_DURATION`."""
    found = _DURATION.match(text.strip().lower())
    if not found:
        raise QueryError(f"{where}{text[:40]!r} is not a duration like 15m, 4h, 2d or 1w")
    seconds = int(found.group(1)) * _UNITS[found.group(2)]
    if seconds > MAX_DURATION.total_seconds():
        raise QueryError(f"{where}{text!r} is longer than {MAX_DURATION.days} days")
    return timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True)
class Term:
    """One condition of a query."""

    field: str
    values: tuple[str, ...]
    negated: bool = False
    #: For ``age``: "<" or ">" and the duration.
    op: str = ""
    span: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: every term must hold."""

    terms: tuple[Term, ...]
    source: str = ""

    def matcher(self, *, now: datetime, user: str,
                legal: LegalStates | None = None) -> Callable[[Comment], bool]:
        """A predicate for comments, with ``now`` and ``me`` fixed; ``legal`` gives the
        comments' legal states (without it no comment has any)."""
        checks = [_check(term, now, user, legal or _no_legal) for term in self.terms]
        if not checks:
            return lambda comment: True
        return lambda comment: all(check(comment) for check in checks)

    @property
    def empty(self) -> bool:
        return not self.terms

    @property
    def legal(self) -> bool:
        """Whether a term needs the comments' legal (or adverse-event) states."""
        return any(term.field in ("legal", "ae") for term in self.terms)


def _no_legal(comment: Comment) -> Collection[str]:
    return ()


def _check(term: Term, now: datetime, user: str,
           legal: LegalStates) -> Callable[[Comment], bool]:
    values = term.values
    check: Callable[[Comment], bool]
    if term.field == "tag":
        wanted = set(values)
        check = lambda c: any(t.name in wanted for t in c.tags)  # noqa: E731
    elif term.field == "status":
        check = lambda c: c.status in values  # noqa: E731
    elif term.field == "platform":
        check = lambda c: c.platform in values  # noqa: E731
    elif term.field == "account":
        check = lambda c: any(v in c.account.casefold() for v in values)  # noqa: E731
    elif term.field == "author":
        check = lambda c: any(  # noqa: E731
            v in c.author.name.casefold() or v in c.author.handle.casefold() for v in values
        )
    elif term.field == "assignee":
        names = {user if v == "me" else v for v in values}
        check = lambda c: (c.assignee or "none") in names  # noqa: E731
    elif term.field == "id":
        check = lambda c: c.id in values  # noqa: E731
    elif term.field == "is":
        check = needs_no_reply
    elif term.field == "legal":
        check = lambda c: any(  # noqa: E731
            v in legal(c) or v == "open" and (c.status == "escalated" or "pending" in legal(c))
            for v in values)
    elif term.field == "ae":
        wanted = {f"ae:{v}" for v in values}
        check = lambda c: not wanted.isdisjoint(legal(c))  # noqa: E731
    elif term.field == "age":
        limit = now - term.span
        if term.op == "<":
            check = lambda c: c.created_at > limit  # noqa: E731
        else:
            check = lambda c: c.created_at < limit  # noqa: E731
    else:  # text
        check = lambda c: any(v in c.text.casefold() for v in values)  # noqa: E731
    if term.negated:
        return lambda c: not check(c)
    return check


def _values(field: str, raw: str) -> tuple[str, ...]:
    values = tuple(v.strip().casefold() for v in raw.split(",") if v.strip())
    if not values:
        raise QueryError(f"{field}: needs a value")
    known = {"tag": TAG_NAMES, "status": STATUSES, "platform": PLATFORMS,
             "is": IS_VALUES, "legal": LEGAL_VALUES, "ae": AE_VALUES}.get(field)
    if known:
        for value in values:
            if value not in known:
                raise QueryError(f"unknown {field} {value!r} (one of {', '.join(known)})")
    return values


def parse_query(text: str) -> Query:
    """Parse a query; raise :class:`QueryError` naming the first bad term."""
    terms: list[Term] = []
    for found in _TOKEN.finditer(text):
        negated, field, raw = found.group(1) == "-", found.group(2), found.group(3)
        if raw.startswith('"'):
            if len(raw) < 2 or not raw.endswith('"'):
                raise QueryError(f"unclosed quote in {raw!r}")
            raw = raw[1:-1]
            if field is None:
                if raw.strip():
                    terms.append(Term("text", (raw.casefold(),), negated))
                continue
        if field is None and raw.endswith(":") and raw[:-1].isidentifier():
            name = raw[:-1].lower()
            if name in FIELDS:
                raise QueryError(f"{name}: needs a value")
            raise QueryError(f"unknown field {name!r} (fields: {', '.join(FIELDS)})")
        if field is None:
            terms.append(Term("text", (raw.casefold(),), negated))
            continue
        field = field.lower()
        if field not in FIELDS:
            raise QueryError(f"unknown field {field!r} (fields: {', '.join(FIELDS)})")
        if field == "age":
            op = raw[0] if raw[:1] in "<>" else "<"
            span = parse_duration(raw.lstrip("<>"), "age: ")
            terms.append(Term("age", (raw,), negated, op, span))
            continue
        if field == "text":
            terms.append(Term("text", (raw.casefold(),), negated))
            continue
        terms.append(Term(field, _values(field, raw), negated))
    return Query(tuple(terms), text)
