"""The settings a connector declares for its accounts, and reading them from ``[[accounts]]``.

A connector lists what an account of its platform takes in ``config.toml`` as a tuple of
:class:`Setting` (its ``SETTINGS``): the key, its type, whether it is required, its help
text, and whether it names an environment variable holding a secret. ``triage config``
checks every ``[[accounts]]`` entry against its connector's list, and the documentation of
each platform's keys in ``config.toml`` is written from the same lists
(:func:`describe`), so the two cannot drift apart.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from triage.errors import ConfigError

__all__ = ["COMMON", "ENV_NAME", "Setting", "describe", "missing", "read_settings"]

#: How a variable name looks (the value of a ``secret_env`` setting).
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TYPES = {str: "text", int: "a whole number", bool: "true or false", list: "a list of text"}


@dataclass(frozen=True, slots=True)
class Setting:
    """One key an account of a platform takes in ``config.toml``.

    ``kind`` is ``str``, ``int``, ``bool`` or ``list`` (a list of text). A ``secret_env``
    setting holds the *name* of an environment variable, whose value is a secret read
    when the account is used (never the secret itself). ``pattern`` is a regular
    expression the whole value must match, and ``shape`` says in words what it allows;
    ``example`` is a value shown in the docs.
    """

    name: str
    kind: type
    help: str
    required: bool = False
    secret_env: bool = False
    pattern: str = ""
    shape: str = ""
    example: str = ""

    @property
    def default(self) -> Any:
        return {str: "", int: 0, bool: False, list: []}[self.kind]

    def check(self, value: Any, where: str) -> Any:
        """``value`` checked against the declaration; ConfigError naming the key."""
        place = f"{where} {self.name}"
        if self.kind is list:
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise ConfigError(f"{place} must be {_TYPES[list]}, not {_kind(value)}")
            return list(value)
        if not isinstance(value, self.kind) or (self.kind is int and isinstance(value, bool)):
            raise ConfigError(f"{place} must be {_TYPES[self.kind]}, not {_kind(value)}")
        if self.secret_env and value and not ENV_NAME.match(str(value)):
            raise ConfigError(  # never echoed: it may be the secret itself
                f"{place}: must name an environment variable (letters, digits, _), not hold "
                "the secret")
        if self.pattern and value and not re.fullmatch(self.pattern, str(value)):
            raise ConfigError(f"{place}: {self.shape or 'not of the right form'}")
        return value


#: The keys every account takes, whatever its platform.
COMMON: tuple[Setting, ...] = (
    Setting("name", str, "the account's name in Triage (letters, digits, '.', '_', '-')",
            required=True),
    Setting("platform", str, "the platform's name", required=True),
    Setting("token_env", str, "the environment variable holding the account's access token",
            required=True),
    Setting("base_url", str, "the API's address (only to point at another server)"),
    Setting("poll_seconds", int, "seconds between syncs of this account; 0 uses the global "
            "poll_seconds"),
)


def read_settings(declared: Sequence[Setting], table: Mapping[str, Any], where: str,
                  platform: str) -> dict[str, Any]:
    """The platform's own keys of an ``[[accounts]]`` table, checked against ``declared``.

    The common keys are left to the caller. An unknown key, a wrong type or a malformed
    value raises ConfigError naming the key.
    """
    known = {setting.name: setting for setting in declared}
    common = {setting.name for setting in COMMON}
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key in common:
            continue
        setting = known.get(key)
        if setting is None:
            names = ", ".join([*sorted(common), *known]) or "none"
            raise ConfigError(f"{where}: unknown key {key!r} for {platform} (known: {names})")
        out[key] = setting.check(value, where)
    return out


def missing(declared: Sequence[Setting], values: Mapping[str, Any]) -> Setting | None:
    """The first required setting that has no value."""
    for setting in declared:
        if setting.required and not values.get(setting.name):
            return setting
    return None


def describe(platform: str, declared: Sequence[Setting]) -> list[str]:
    """The lines documenting ``platform``'s keys in ``config.toml`` (comments)."""
    lines = [f"# {platform}:" + ("" if declared else " no keys of its own")]
    for setting in declared:
        tags = ", ".join(t for t in ("required" if setting.required else "optional",
                                     _TYPES[setting.kind],
                                     "names an environment variable" if setting.secret_env
                                     else "") if t)
        lines += textwrap.wrap(f"{setting.name} ({tags}): {setting.help}", 86,
                               initial_indent="#   ", subsequent_indent="#     ")
    return lines


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    return {int: "an integer", float: "a number", str: "a string", list: "an array",
            dict: "a table"}.get(type(value), type(value).__name__)
