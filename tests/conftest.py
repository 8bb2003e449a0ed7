"""Shared fixtures: local time is UTC, and a temporary store holding the sample queue."""

from __future__ import annotations

import atexit
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import FLU_POST, sample_comments
from triage.store import Store

os.environ["TZ"] = "UTC"
time.tzset()


def _declared_entry_points() -> None:
    """Make the connectors this checkout's pyproject.toml declares the installed ones
    (see :func:`~triage.connectors.registry.declare_checkout`)."""
    from triage.connectors.registry import declare_checkout

    atexit.register(shutil.rmtree, declare_checkout(Path(__file__).parent.parent), True)


_declared_entry_points()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    with Store(data_dir) as opened:
        opened.ingest(sample_comments(), [FLU_POST], user="test")
        yield opened
