"""Reading one template file: its schema checked field by field, every problem named."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from triage.model import PLATFORMS, TAG_NAMES
from triage.templates.record import (
    CRISIS_KINDS,
    PLACEHOLDERS,
    Resource,
    Template,
    placeholders_in,
)
from triage.tomlread import as_date, parse_toml, unknown_keys

__all__ = ["OPTIONAL_KEYS", "REQUIRED_KEYS", "Problem", "parse_template"]

REQUIRED_KEYS: tuple[str, ...] = (
    "id",
    "title",
    "tags",
    "platforms",
    "body",
    "approved_by",
    "approved_on",
    "review_by",
    "phi_safe",
    "language",
)
OPTIONAL_KEYS: tuple[str, ...] = ("claims", "resources", "crisis_kind")

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_LANGUAGE = re.compile(r"[a-z]{2}\Z")
_LINK = re.compile(r"(?<![\w/.@])(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"]*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a template, located by file and field.

    ``blocking`` problems keep the template out of use; a lapsed approval is reported
    but the template stays listed (and is never offered or sent).
    """

    file: str
    field: str
    message: str
    blocking: bool = True

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, date):
        return "a date"
    return type(value).__name__


class _Reader:
    """Pulls typed fields out of one parsed file, noting a problem for each bad one."""

    def __init__(self, file: str, raw: dict[str, Any]) -> None:
        self.file = file
        self.raw = raw
        self.problems: list[Problem] = []

    def problem(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, field, message))

    def text(self, key: str) -> str:
        value = self.raw.get(key)
        if not isinstance(value, str):
            self.problem(key, f"must be a string, not {_kind(value)}")
            return ""
        if not value.strip():
            self.problem(key, "must not be empty")
        return value

    def words(self, key: str, known: tuple[str, ...], what: str) -> tuple[str, ...]:
        value = self.raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, f"must be an array of strings, not {_kind(value)}")
            return ()
        for item in value:
            if known and item not in known:
                self.problem(key, f"unknown {what} {item!r} (one of {', '.join(known)})")
        if len(set(value)) != len(value):
            self.problem(key, "lists the same value twice")
        return tuple(value)

    def day(self, key: str) -> date | None:
        value = self.raw.get(key)
        found = as_date(value)
        if found is None:
            self.problem(key, f"must be a date like 2027-03-31, not {_kind(value)} {value!r}")
        return found


def _check_links(reader: _Reader, field: str, text: str) -> None:
    for match in _LINK.finditer(text):
        link = match.group(0).rstrip(".,;:!?)")
        if not link.lower().startswith("https://"):
            reader.problem(field, f"link {link!r} must start with https://")
        elif "{" in link or "}" in link:
            reader.problem(field, f"link {link!r} runs into a placeholder: put a space between")


def _check_body(reader: _Reader, body: str) -> None:
    names = placeholders_in(body)
    for name in names:
        if name not in PLACEHOLDERS:
            reader.problem(
                "body",
                f"unknown placeholder {{{name}}} (known: "
                + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
                + ")",
            )
    stray = re.sub(r"\{[^{}\n]*\}", "", body)
    if "{" in stray or "}" in stray:
        reader.problem("body", "has a brace that is not part of a {placeholder}")
    _check_links(reader, "body", body)


def _resources(reader: _Reader) -> tuple[Resource, ...]:
    value = reader.raw.get("resources", [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        reader.problem("resources", f"must be an array of [[resources]] tables, not {_kind(value)}")
        return ()
    found = []
    for number, entry in enumerate(value, start=1):
        where = f"resources #{number}"
        unknown = unknown_keys(entry, ("title", "url"))
        if unknown:
            reader.problem(where, f"unknown key {unknown[0]!r} (keys: title, url)")
        title, url = entry.get("title"), entry.get("url")
        if not isinstance(title, str) or not title.strip():
            reader.problem(f"{where} title", "must be a non-empty string")
            continue
        if not isinstance(url, str) or not url.strip():
            reader.problem(f"{where} url", "must be a non-empty string")
            continue
        if not url.startswith("https://") or any(c.isspace() for c in url):
            reader.problem(f"{where} url", f"must be an https:// link, not {url!r}")
        found.append(Resource(title.strip(), url.strip()))
    return tuple(found)


def parse_template(path: Path, text: str, label: str | None = None) -> tuple[
    Template | None, list[Problem]
]:
    """The template in ``text`` (read from ``path``), or ``None``, and its problems.

    The checks here need nothing but the file: TOML, keys, types, tags, platforms,
    placeholders, links, dates in order. Claim ids, lapsed approvals and lengths are
    checked with the claim library, the date and the config (see ``lint``).
    """
    file = label or str(path)
    raw, problem = parse_toml(text)
    if raw is None:
        return None, [Problem(file, "toml", problem)]
    reader = _Reader(file, raw)
    for key in unknown_keys(raw, REQUIRED_KEYS + OPTIONAL_KEYS):
        reader.problem(key, f"unknown key (keys: {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)})")
    missing = [key for key in REQUIRED_KEYS if key not in raw]
    for key in missing:
        reader.problem(key, "missing")
    if missing:
        return None, reader.problems

    template_id = reader.text("id")
    if template_id and not _ID.match(template_id):
        reader.problem("id", f"{template_id!r} must be kebab-case: a-z, 0-9 and single dashes")
    elif template_id and template_id != path.stem:
        reader.problem("id", f"{template_id!r} must match the file name ({path.stem}.toml)")
    title = reader.text("title")
    tags = reader.words("tags", TAG_NAMES, "tag")
    claims = reader.words("claims", (), "claim")
    if claims and "misinformation" not in tags:
        reader.problem("claims", "only a template tagged misinformation answers claims")
    crisis_kind = raw.get("crisis_kind", "")
    if crisis_kind not in ("", *CRISIS_KINDS):
        reader.problem("crisis_kind", f"must be one of {', '.join(CRISIS_KINDS)}, not "
                       f"{crisis_kind!r}")
        crisis_kind = ""
    elif crisis_kind and "crisis" not in tags:
        reader.problem("crisis_kind", "only a template tagged crisis answers a kind of crisis")
    all_platforms = raw.get("platforms") == "all"
    if all_platforms:
        platforms: tuple[str, ...] = PLATFORMS
    elif isinstance(raw.get("platforms"), str):
        reader.problem("platforms", f'must be "all" or an array of platforms, not '
                       f'{raw["platforms"]!r}')
        platforms = ()
    else:
        platforms = reader.words("platforms", PLATFORMS, "platform")
        if not platforms and isinstance(raw.get("platforms"), list):
            reader.problem("platforms", 'must list at least one platform (or be "all")')
    body = reader.text("body")
    _check_body(reader, body)
    resources = _resources(reader)
    if not resources and {"resource_title", "resource_url"} & set(placeholders_in(body)):
        reader.problem(
            "resources", "the body links {resource_url}/{resource_title}, so list at least "
            "one [[resources]] to fall back on when a comment has no matched myth"
        )
    approved_by = reader.text("approved_by")
    approved_on, review_by = reader.day("approved_on"), reader.day("review_by")
    if approved_on and review_by and review_by <= approved_on:
        reader.problem("review_by", f"{review_by} must come after approved_on ({approved_on})")
    phi_safe = raw.get("phi_safe")
    if not isinstance(phi_safe, bool):
        reader.problem("phi_safe", f"must be true or false, not {_kind(phi_safe)}")
    language = reader.text("language")
    if language and not _LANGUAGE.match(language):
        reader.problem("language", f"{language!r} must be a two-letter code such as en or es")
    if reader.problems or approved_on is None or review_by is None:
        return None, reader.problems
    assert isinstance(phi_safe, bool)
    template = Template(
        id=template_id,
        title=title.strip(),
        tags=tags,
        platforms=platforms,
        body=body.strip(),
        approved_by=approved_by.strip(),
        approved_on=approved_on,
        review_by=review_by,
        phi_safe=phi_safe,
        language=language,
        claims=claims,
        resources=resources,
        all_platforms=all_platforms,
        crisis_kind=crisis_kind,
        source=path,
    )
    return template, []
