"""Stand-in servers seeded with the same small world on every platform."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.standins.helpers import build_seed
from triage.standins import StandinServer


@pytest.fixture
def server() -> Iterator[StandinServer]:
    with StandinServer(build_seed()) as running:
        yield running


@pytest.fixture(scope="session")
def client() -> Iterator[httpx.Client]:
    """One client for every test (each server has its own port, so nothing is shared)."""
    with httpx.Client(timeout=5) as opened:
        yield opened
