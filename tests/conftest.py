"""Shared fixtures: local time is UTC, and a temporary store holding the sample queue."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import FLU_POST, sample_comments
from triage.store import Store

os.environ["TZ"] = "UTC"
time.tzset()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    with Store(data_dir) as opened:
        opened.ingest(sample_comments(), [FLU_POST], user="test")
        yield opened
