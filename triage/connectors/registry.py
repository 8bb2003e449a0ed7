"""The connector registry: entry points in the ``triage.connectors`` group, one per platform.

The built-in connectors are declared in Triage's own ``pyproject.toml`` exactly as an
outside package declares its own::

    [project.entry-points."triage.connectors"]
    mastodon = "triage.connectors.mastodon:MastodonConnector"

The entry point's name is the platform name used in ``config.toml``; it must equal the
class's ``platform``. Nothing is imported until a platform is asked for.
"""

from __future__ import annotations

import sys
import tempfile
import tomllib
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from triage.errors import ConfigError

if TYPE_CHECKING:
    from triage.connectors.base import Connector
    from triage.model import Comment

__all__ = ["GROUP", "clear_cache", "connector_class", "declare_checkout", "platforms",
           "reply_prefix", "settings_doc"]

GROUP = "triage.connectors"


@cache
def _entry_points() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for point in entry_points(group=GROUP):
        found.setdefault(point.name, point)  # the first installed wins, consistently
    return found


def platforms() -> tuple[str, ...]:
    """The platforms a connector is installed for, sorted."""
    return tuple(sorted(_entry_points()))


def connector_class(platform: str) -> type[Connector]:
    """The connector class registered for ``platform``; ConfigError when there is none."""
    from triage.connectors.base import Connector

    point = _entry_points().get(platform)
    if point is None:
        installed = ", ".join(platforms()) or "none"
        raise ConfigError(f"no connector is installed for platform {platform!r} "
                          f"(installed: {installed})")
    try:
        loaded = point.load()
    except Exception as exc:  # an outside package may be broken in any way
        raise ConfigError(f"the connector for {platform!r} ({point.value}) cannot be "
                          f"loaded: {type(exc).__name__}: {exc}") from exc
    if not (isinstance(loaded, type) and issubclass(loaded, Connector)):
        raise ConfigError(f"the connector for {platform!r} ({point.value}) is not a "
                          "Connector subclass")
    if loaded.platform != platform:
        raise ConfigError(f"the connector registered as {platform!r} ({point.value}) says it "
                          f"is for {loaded.platform!r}")
    return loaded


def reply_prefix(comment: Comment, text: str) -> str:
    """What the platform's connector puts in front of ``text`` when it replies to
    ``comment`` (:meth:`Connector.reply_prefix`); "" when no connector is installed for
    the comment's platform."""
    try:
        cls = connector_class(comment.platform)
    except ConfigError:
        return ""
    return cls.reply_prefix(comment, text)


def settings_doc() -> list[str]:
    """The comment lines documenting every installed platform's account keys, from their
    connectors' ``SETTINGS`` (``config.toml`` holds them; a test keeps the two equal)."""
    from triage.account_settings import describe

    lines: list[str] = []
    for platform in platforms():
        lines += describe(platform, connector_class(platform).SETTINGS)
    return lines


def declare_checkout(root: Path) -> Path:
    """Make the connectors the source checkout at ``root`` declares (its pyproject.toml)
    the installed ones, for this process; returns the metadata folder made for it.

    An editable install keeps the entry points of the day it was installed, so a connector
    added since would not be found; a metadata folder first on ``sys.path`` declares the
    checkout's own (``importlib.metadata`` takes the first distribution of a name). Used
    by the tests and the benchmarks run from a checkout."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    declared = project["project"]["entry-points"][GROUP]
    folder = Path(tempfile.mkdtemp(prefix="triage-entry-points-"))
    info = folder / "triage_desk-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: triage-desk\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(
        f"[{GROUP}]\n" + "".join(f"{name} = {value}\n" for name, value in declared.items()))
    sys.path.insert(0, str(folder))
    clear_cache()
    return folder


def clear_cache() -> None:
    """Forget the installed entry points (after installing a package at run time)."""
    _entry_points.cache_clear()
