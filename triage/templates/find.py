"""Where the approved templates live: the config's folder, the source tree, or the install."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from triage.config import Config
from triage.errors import TemplateFileError
from triage.shipped import DISTRIBUTION, installed_dir, source_dir

__all__ = ["DISTRIBUTION", "INSTALLED_PATH", "find_templates_dir", "installed_templates_dir"]

#: Where the templates go in the install (``[tool.setuptools.data-files]`` in
#: pyproject.toml, relative to the prefix).
INSTALLED_PATH = ("share", "triage-desk", "templates")


def installed_templates_dir(distribution: metadata.Distribution | None = None) -> Path | None:
    """The templates folder an install of Triage (``pip install``) put under its prefix."""
    return installed_dir(INSTALLED_PATH[-1], distribution)


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
    for found in (source_dir("templates"), installed_templates_dir()):
        if found is not None:
            return found
    raise TemplateFileError(
        "no templates folder found: set [replies] templates_dir in config.toml "
        "to the folder of approved templates"
    )
