"""Reading policy files: each field checked, every problem named by file and entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from triage.policies.check import phrase_words
from triage.policies.record import IDENTIFIER_KINDS, SEVERITIES, Policy
from triage.tomlread import as_date, parse_toml, type_name, unknown_keys

__all__ = ["KEYS", "PolicyProblem", "parse_policy"]

REQUIRED = ("id", "title", "reason", "severity", "approved_by", "approved_on", "review_by")
MATCHERS = ("phrases", "patterns", "identifiers")
KEYS = REQUIRED + MATCHERS
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """One thing wrong with a policy file; ``blocking`` ones keep it from being used."""

    file: str
    entry: str
    message: str
    blocking: bool = True

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.message}"


class _Reader:
    def __init__(self, file: str, raw: dict[str, Any]) -> None:
        self.file, self.raw = file, raw
        self.problems: list[PolicyProblem] = []

    def problem(self, entry: str, message: str) -> None:
        self.problems.append(PolicyProblem(self.file, entry, message))

    def text(self, key: str) -> str:
        value = self.raw.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(key, f"must be a non-empty string, not {type_name(value)} {value!r}")
            return ""
        return value.strip()

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.raw.get(key, [])
        if not isinstance(value, list):
            self.problem(key, f"must be an array of strings, not {type_name(value)}")
            return ()
        found = []
        for number, item in enumerate(value, start=1):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{key} #{number}", f"must be a non-empty string, not "
                             f"{type_name(item)} {item!r}")
                continue
            if item.strip() in found:
                self.problem(f"{key} #{number}", f"{item!r} is listed twice")
            found.append(item.strip())
        return tuple(found)

    def day(self, key: str) -> date | None:
        value = self.raw.get(key)
        found = as_date(value)
        if found is None:
            self.problem(key, f"must be a date like 2027-03-31, not {type_name(value)} {value!r}")
        return found


def _check_patterns(reader: _Reader, patterns: tuple[str, ...]) -> None:
    for number, pattern in enumerate(patterns, start=1):
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            reader.problem(f"patterns #{number}", f"not a valid regular expression: {exc}")
            continue
        if compiled.search("") is not None:
            reader.problem(f"patterns #{number}", f"{pattern!r} matches empty text, so it "
                           "would match every reply")


def parse_policy(path: Path, text: str, today: date | None = None) -> tuple[
    Policy | None, list[PolicyProblem]
]:
    """The policy in ``text`` (read from ``path``), or None, and its problems.

    A review date that has passed is a problem that does not block: the policy stays in
    force until someone reviews it.
    """
    file = str(path)
    raw, problem = parse_toml(text)
    if raw is None:
        return None, [PolicyProblem(file, "toml", problem)]
    reader = _Reader(file, raw)
    for key in unknown_keys(raw, KEYS):
        reader.problem(key, f"unknown key (keys: {', '.join(KEYS)})")
    for key in REQUIRED:
        if key not in raw:
            reader.problem(key, "missing")
    if reader.problems:
        return None, reader.problems
    policy_id = reader.text("id")
    if policy_id and not _ID.match(policy_id):
        reader.problem("id", f"{policy_id!r} must be kebab-case: a-z, 0-9 and single dashes")
    elif policy_id and policy_id != path.stem:
        reader.problem("id", f"{policy_id!r} must match the file name ({path.stem}.toml)")
    title, reason = reader.text("title"), reader.text("reason")
    severity = reader.text("severity")
    if severity and severity not in SEVERITIES:
        reader.problem("severity", f"must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    phrases, patterns = reader.strings("phrases"), reader.strings("patterns")
    identifiers = reader.strings("identifiers")
    for number, kind in enumerate(identifiers, start=1):
        if kind not in IDENTIFIER_KINDS:
            reader.problem(f"identifiers #{number}", f"unknown identifier {kind!r} (one of "
                           f"{', '.join(IDENTIFIER_KINDS)})")
    _check_patterns(reader, patterns)
    for number, phrase in enumerate(phrases, start=1):
        if not phrase_words(phrase):
            reader.problem(f"phrases #{number}", f"{phrase!r} has no word to match")
    if not (phrases or patterns or identifiers):
        reader.problem("phrases", "the policy matches nothing: give phrases, patterns or "
                       "identifiers")
    approved_by = reader.text("approved_by")
    approved_on, review_by = reader.day("approved_on"), reader.day("review_by")
    if approved_on and review_by and review_by <= approved_on:
        reader.problem("review_by", f"{review_by} must come after approved_on ({approved_on})")
    if reader.problems or approved_on is None or review_by is None:
        return None, reader.problems
    if today is not None and review_by < today:
        reader.problems.append(PolicyProblem(
            file, "review_by", f"its review was due on {review_by}: it is still enforced; "
            "have it reviewed and the date moved", blocking=False))
    policy = Policy(id=policy_id, title=title, reason=reason, severity=severity,
                    phrases=phrases, patterns=patterns, identifiers=identifiers,
                    approved_by=approved_by, approved_on=approved_on, review_by=review_by,
                    source=path)
    return policy, reader.problems
