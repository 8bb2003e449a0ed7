"""Reading TOML: one loader and one typed table reader, every error naming the file and key.

Every TOML file Triage reads (``config.toml``, the tagger's data files and claim files,
the sandbox's banks, reply templates) goes through :func:`load_toml`, :func:`read_toml`
or (collecting problems) :func:`parse_toml`:
a syntax error names the file and the line, and nesting deeper than :data:`MAX_DEPTH` is
refused (it would otherwise exhaust Python's recursion). Keys are checked with
:func:`unknown_keys` / :func:`check_keys`, and typed records are built with
:func:`build`, which names the key path of anything unknown, missing or of the wrong type.
Each caller passes the error class its users expect (``ConfigError``, ``DataFileError``,
``TemplateError``).
"""

from __future__ import annotations

import tomllib
import typing
from collections.abc import Collection, Iterable, Mapping
from dataclasses import MISSING, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from triage.errors import TriageError

__all__ = [
    "MAX_DEPTH",
    "as_date",
    "build",
    "file_stamps",
    "check_keys",
    "load_toml",
    "parse_toml",
    "read_toml",
    "type_name",
    "unknown_keys",
]

#: How deep arrays and tables may nest; no file Triage reads needs more than four levels.
MAX_DEPTH = 16

T = TypeVar("T")


def parse_toml(text: str) -> tuple[dict[str, Any] | None, str]:
    """The document in ``text`` and ``""``, or ``None`` and what is wrong with it.

    For readers that collect problems instead of stopping at the first (templates).
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:  # its message ends "(at line N, column M)"
        return None, f"not valid TOML: {exc}"
    except RecursionError:
        return None, f"not valid TOML: arrays or tables nested more than {MAX_DEPTH} deep"
    too_deep = _too_deep(doc)
    if too_deep:
        return None, f"{too_deep}: nested more than {MAX_DEPTH} deep"
    return doc, ""


def load_toml(text: str, label: str, error: type[TriageError]) -> dict[str, Any]:
    """Parse ``text`` (from the file ``label``); a syntax error or deep nesting is ``error``."""
    doc, problem = parse_toml(text)
    if doc is None:
        raise error(f"{label}: {problem}")
    return doc


def read_toml(path: Path, error: type[TriageError], what: str = "file") -> dict[str, Any]:
    """Read and parse the TOML file ``path``; missing, unreadable or broken is ``error``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text") from None
    return load_toml(text, str(path), error)


def _too_deep(doc: dict[str, Any]) -> str:
    """The key path of the first value nested deeper than :data:`MAX_DEPTH`, or ``""``."""
    stack: list[tuple[Any, str, int]] = [(doc, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return path
        if isinstance(value, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k), depth + 1)
                         for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value))
    return ""


def as_date(value: Any) -> date | None:
    """A TOML date (or an ISO date string) as a date; None for anything else."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def file_stamps(paths: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    """Each file's path, modification time and size (-1 when it is gone): a cache of what
    was read from the files is good while these stay the same."""
    stamps = []
    for path in paths:
        try:
            stat = path.stat()
            stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
        except OSError:
            stamps.append((str(path), -1, -1))
    return tuple(stamps)


def unknown_keys(table: Mapping[str, Any], allowed: Collection[str]) -> list[str]:
    """The keys of ``table`` that are not ``allowed``, in the file's order."""
    return [key for key in table if key not in allowed]


def check_keys(table: Mapping[str, Any], allowed: Collection[str], where: str,
               error: type[TriageError], *, required: Collection[str] = (),
               section: str = "", hint: str = "") -> None:
    """Raise ``error`` naming ``where`` (and ``section``) for an unknown or missing key.

    The message lists the known keys unless ``hint`` says something more useful.
    """
    extra = unknown_keys(table, allowed)
    if extra:
        place = f" in {section}" if section else ""
        known = hint or f"known: {', '.join(allowed)}"
        raise error(f"{where}: unknown key {extra[0]!r}{place} ({known})")
    for key in required:
        if key not in table:
            raise error(f"{where}: {section + ' ' if section else ''}{key!r} is missing")


def type_name(value: Any) -> str:
    """How a TOML value's type reads in a message: "a string", "an array", …"""
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _where(label: str, section: str, key: str) -> str:
    return f"{label}: {section} {key}" if section else f"{label}: {key}"


def _convert(annotation: Any, value: Any, label: str, section: str, key: str,
             error: type[TriageError]) -> Any:
    """Check ``value`` against ``annotation``; ``section``/``key`` locate it for messages."""
    where = _where(label, section, key)
    if annotation in (str, int, float, bool):
        ok = isinstance(value, annotation) and not (
            annotation is not bool and isinstance(value, bool)
        )
        if annotation is float and isinstance(value, int) and not isinstance(value, bool):
            ok, value = True, float(value)
        if not ok:
            wanted = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
            raise error(f"{where} must be {wanted[annotation]}, not {type_name(value)}")
        return value
    origin = typing.get_origin(annotation)
    if origin is list:
        (item_type,) = typing.get_args(annotation)
        if not isinstance(value, list):
            raise error(f"{where} must be an array, not {type_name(value)}")
        if hasattr(item_type, "from_table"):  # a type that reads its own tables
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    raise error(f"{label}: [[{key}]] #{i + 1} must be a table, "
                                f"not {type_name(item)}")
            return [item_type.from_table(item, label, f"[[{key}]] #{i + 1}")
                    for i, item in enumerate(value)]
        if hasattr(item_type, "__dataclass_fields__"):
            # A plain string stands for a table that gives only a name ("Ozempic").
            named = "name" in item_type.__dataclass_fields__
            return [
                _convert(item_type, {"name": item} if named and isinstance(item, str) else item,
                         label, f"[[{key}]] #{i + 1}", "", error)
                for i, item in enumerate(value)
            ]
        return [
            _convert(item_type, item, label, section, f"{key}[{i}]", error)
            for i, item in enumerate(value)
        ]
    if origin is dict:
        _, item_type = typing.get_args(annotation)
        if not isinstance(value, dict):
            raise error(f"{where} must be a table, not {type_name(value)}")
        table = f"[{key}]" if not section else section
        return {str(k): _convert(item_type, v, label, table, str(k), error)
                for k, v in value.items()}
    if hasattr(annotation, "__dataclass_fields__"):
        if not isinstance(value, dict):
            raise error(f"{where.strip()} must be a table, not {type_name(value)}")
        return build(annotation, value, label, section or f"[{key}]", error)
    raise error(f"{where}: unsupported type {annotation!r}")  # pragma: no cover


def build(cls: type[T], table: dict[str, Any], label: str, section: str,
          error: type[TriageError]) -> T:
    """The dataclass ``cls`` from ``table``: every key known, typed and present if required.

    ``section`` is where the table sits (``""`` for the top of the file, ``[org]``,
    ``[[accounts]] #2``); fields marked ``metadata={"internal": True}`` are not read.
    """
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls) if not f.metadata.get("internal")}  # type: ignore[arg-type]
    extra = unknown_keys(table, known)
    if extra and not section:  # at the top of the file, an unknown table is a section
        key, value = extra[0], table[extra[0]]
        if isinstance(value, dict):
            raise error(f"{label}: unknown section [{key}]")
        if isinstance(value, list) and value and isinstance(value[0], dict):
            raise error(f"{label}: unknown section [[{key}]]")
    check_keys(table, known, label, error, section=section)
    values: dict[str, Any] = {}
    for name, spec in known.items():
        if name in table:
            values[name] = _convert(hints[name], table[name], label, section, name, error)
        elif spec.default is MISSING and spec.default_factory is MISSING:
            raise error(f"{label}: {section or 'the file'} is missing {name!r}")
    return cls(**values)
