"""Data folders shipped with Triage (templates/, policies/): in the source tree or the install."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import triage

__all__ = ["DISTRIBUTION", "installed_dir", "shipped_dir", "source_dir"]

#: The name Triage is installed under; its data folders go under the install's prefix in
#: share/triage-desk/<name> (``[tool.setuptools.data-files]`` in pyproject.toml).
DISTRIBUTION = "triage-desk"


def source_dir(name: str) -> Path | None:
    """``name/`` beside the ``triage`` package when running from the project folder."""
    root = Path(triage.__file__).resolve().parent.parent
    candidate = root / name
    if (root / "pyproject.toml").is_file() and candidate.is_dir():
        return candidate
    return None


def installed_dir(name: str, distribution: metadata.Distribution | None = None) -> Path | None:
    """The folder ``share/triage-desk/<name>`` an install of Triage put under its prefix.

    Found through the install's own file list, so it works in a virtualenv, a user
    install or a system one alike.
    """
    if distribution is None:
        try:
            distribution = metadata.distribution(DISTRIBUTION)
        except metadata.PackageNotFoundError:
            return None
    wanted = ("share", DISTRIBUTION, name)
    for entry in distribution.files or ():
        parts = entry.parts
        if len(parts) > len(wanted) and parts[-len(wanted) - 1 : -1] == wanted and (
            entry.name.endswith(".toml")
        ):
            folder = Path(str(distribution.locate_file(entry))).resolve().parent
            if folder.is_dir():
                return folder
    return None


def shipped_dir(name: str) -> Path | None:
    """The source tree's ``name/`` folder, else the installed one, else None."""
    return source_dir(name) or installed_dir(name)
