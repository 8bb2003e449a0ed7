"""Shared fixtures: local time is UTC, and a temporary store holding the sample queue."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import FLU_POST, sample_comments
from triage.store import Store

os.environ["TZ"] = "UTC"
time.tzset()


def _declared_entry_points() -> None:
    """Make the connectors this checkout's pyproject.toml declares the installed ones.

    An editable install keeps the entry points of the day it was installed, so a connector
    added since would not be found; a metadata folder first on ``sys.path`` declares the
    checkout's own (``importlib.metadata`` takes the first distribution of a name)."""
    from triage.connectors.registry import GROUP, clear_cache

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    declared = project["project"]["entry-points"][GROUP]
    folder = Path(tempfile.mkdtemp(prefix="triage-entry-points-"))
    atexit.register(shutil.rmtree, folder, True)
    info = folder / "triage_desk-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: triage-desk\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(
        f"[{GROUP}]\n" + "".join(f"{name} = {value}\n" for name, value in declared.items()))
    sys.path.insert(0, str(folder))
    clear_cache()


_declared_entry_points()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    with Store(data_dir) as opened:
        opened.ingest(sample_comments(), [FLU_POST], user="test")
        yield opened
