"""The domain never imports Textual or Rich; public faces are declared."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import triage

ROOT = Path(__file__).resolve().parents[2]


def _domain_modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(triage.__path__, prefix="triage.")
        if not info.name.startswith("triage.standins")
        or True
    )


def test_the_domain_never_imports_textual_or_rich() -> None:
    modules = _domain_modules()
    assert "triage.store" in modules and "triage.cli" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "", f"the domain pulled in: {result.stdout.strip()}"


def test_every_public_name_exists() -> None:
    for name in _domain_modules():
        module = importlib.import_module(name)
        for public in getattr(module, "__all__", ()):
            assert hasattr(module, public), f"{name}.__all__ names missing {public}"
