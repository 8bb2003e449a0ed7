"""The legal package keeps the house rules: no Textual or Rich, one declared public face."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import triage.legal

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(
    ["triage.legal", "triage.cli_legal",
     *(i.name for i in pkgutil.walk_packages(triage.legal.__path__, prefix="triage.legal."))]
)


def test_legal_never_imports_textual_or_rich() -> None:
    assert "triage.legal.delivery" in MODULES
    code = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'rich'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.strip() == "", f"triage.legal pulled in: {result.stdout.strip()}"


def test_every_public_name_exists_and_is_re_exported() -> None:
    package = set(triage.legal.__all__)
    for name in MODULES:
        module = importlib.import_module(name)
        for public in getattr(module, "__all__", ()):
            assert hasattr(module, public), f"{name}.__all__ names missing {public}"
    for public in ("escalate", "release", "close", "add_note", "deliver_pending", "mask_text",
                   "reveal", "apply_retention", "export_packet", "require_role"):
        assert public in package
