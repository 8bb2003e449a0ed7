"""Where the approved templates live: the config's folder, the source tree, or the install."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import triage
from triage.config import Config
from triage.errors import TemplateFileError

__all__ = ["DISTRIBUTION", "INSTALLED_PATH", "find_templates_dir", "installed_templates_dir"]

#: The name Triage is installed under, and where its templates go in the install
#: (``[tool.setuptools.data-files]`` in pyproject.toml, relative to the prefix).
DISTRIBUTION = "triage-desk"
INSTALLED_PATH = ("share", "triage-desk", "templates")


def _source_templates_dir() -> Path | None:
    """``templates/`` beside the ``triage`` package when running from the project folder."""
    root = Path(triage.__file__).resolve().parent.parent
    candidate = root / "templates"
    if (root / "pyproject.toml").is_file() and candidate.is_dir():
        return candidate
    return None


def installed_templates_dir(distribution: metadata.Distribution | None = None) -> Path | None:
    """The templates folder an install of Triage (``pip install``) put under its prefix.

    Found through the install's own file list, so it works in a virtualenv, a user
    install or a system one alike.
    """
    if distribution is None:
        try:
            distribution = metadata.distribution(DISTRIBUTION)
        except metadata.PackageNotFoundError:
            return None
    for entry in distribution.files or ():
        parts = entry.parts
        if len(parts) > len(INSTALLED_PATH) and parts[-len(INSTALLED_PATH) - 1 : -1] == (
            INSTALLED_PATH
        ) and entry.name.endswith(".toml"):
            folder = Path(str(distribution.locate_file(entry))).resolve().parent
            if folder.is_dir():
                return folder
    return None


def find_templates_dir(config: Config) -> Path:
    """The folder of approved templates to use.

    In order: ``[replies] templates_dir`` from the config (relative to the config
    file), the project's ``templates/`` when running from the source tree, the
    templates installed with Triage.
    """
    chosen = config.replies.templates_dir
    if chosen:
        path = config.resolve(chosen)
        if not path.is_dir():
            raise TemplateFileError(f"config.toml [replies] templates_dir: no such folder: {path}")
        return path
    for found in (_source_templates_dir(), installed_templates_dir()):
        if found is not None:
            return found
    raise TemplateFileError(
        "no templates folder found: set [replies] templates_dir in config.toml "
        "to the folder of approved templates"
    )
