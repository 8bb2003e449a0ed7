"""Reading the tagger's data files (TOML), with errors that name the file and the entry."""

from __future__ import annotations

import re
from collections.abc import Collection
from importlib import resources
from pathlib import Path
from typing import Any

from triage import tomlread
from triage.errors import DataFileError

__all__ = [
    "DATA_DIR",
    "Where",
    "builtin_path",
    "read_toml",
]

#: The folder of the built-in lexicons and patterns.
DATA_DIR = Path(str(resources.files("triage") / "data" / "tagger"))


def builtin_path(name: str) -> Path:
    """The path of a built-in data file: ``tagger/<name>`` or, for the claims, ``claims.toml``."""
    if name == "claims.toml":
        return DATA_DIR.parent / "claims.toml"
    return DATA_DIR / name


def read_toml(path: Path) -> dict[str, Any]:
    """Parse ``path`` as TOML; a missing or broken file is a DataFileError naming it."""
    return tomlread.read_toml(path, DataFileError, "tagger data file")


class Where:
    """A place in a data file, for messages: ``file: entry: what is wrong``."""

    __slots__ = ("entry", "path")

    def __init__(self, path: Path, entry: str = "") -> None:
        self.path = path
        self.entry = entry

    def at(self, entry: str) -> Where:
        return Where(self.path, f"{self.entry} {entry}".strip())

    @property
    def place(self) -> str:
        return f"{self.path}: {self.entry}" if self.entry else str(self.path)

    def error(self, message: str) -> DataFileError:
        return DataFileError(f"{self.place}: {message}")

    def table(self, value: Any, key: str, *, required: bool = True) -> dict[str, Any]:
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.error(f"'{key}' must be a table")
        return value

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"'{key}' must be a non-empty string")
        return value

    def number(self, value: Any, key: str, low: float = 0.0, high: float = 1.0) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(f"'{key}' must be a number")
        if not low <= float(value) <= high:
            raise self.error(f"'{key}' must be between {low} and {high}, not {value}")
        return float(value)

    def strings(self, value: Any, key: str, *, allow_empty: bool = False) -> list[str]:
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            raise self.error(f"'{key}' must be a list of non-empty strings")
        if not value and not allow_empty:
            raise self.error(f"'{key}' must not be empty")
        return list(value)

    def regex(self, value: Any, key: str, *, cased: bool = False) -> re.Pattern[str]:
        text = self.string(value, key)
        try:
            return re.compile(text, 0 if cased else re.IGNORECASE)
        except re.error as exc:
            raise self.error(f"{text!r} is not a valid regular expression: {exc}") from None

    def unknown_keys(self, table: dict[str, Any], allowed: Collection[str], *,
                     hint: str = "") -> None:
        tomlread.check_keys(table, sorted(allowed), self.place, DataFileError, hint=hint)
