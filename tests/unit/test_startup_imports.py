"""The desk's first screen imports only what it draws: not the tagger's rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(code: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_opening_the_desk_app_does_not_load_the_tagger_rules() -> None:
    found = _modules_after(
        "import json, sys, tui.app; "
        "print(json.dumps({m: 1 for m in sys.modules if m.startswith('triage.tagger')}))")
    assert "triage.tagger.text" in found  # what grouping near-copies needs
    assert "triage.tagger.tagger" not in found and "triage.tagger.misinfo" not in found


def test_the_tagger_package_still_offers_every_public_name() -> None:
    found = _modules_after(
        "import json, triage.tagger as t; from triage.tagger import *; "
        "print(json.dumps({n: type(getattr(t, n)).__name__ for n in t.__all__}))")
    assert found["Tagger"] == "type" and found["evaluate"] == "function"
    assert found["load_claims"] == "function" and found["DATA_DIR"].endswith("Path")


def test_the_desk_opens_without_building_the_tagger_and_tags_at_the_first_sync(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.factories import make_comment
    from triage.cli import Env
    from triage.tagger import tagger as tagger_module

    built: list[int] = []
    real_init = tagger_module.Tagger.__init__

    def counting(self: object, *args: object, **kwargs: object) -> None:
        built.append(1)
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tagger_module.Tagger, "__init__", counting)
    monkeypatch.delenv("TRIAGE_CONFIG", raising=False)
    env = Env(None, str(data_dir), "ana")
    try:
        store = env.open_store(defer_load=True)
        assert built == []  # the first screen waited for no tagger
        store.adopt(*store.read_all())
        store.ingest([make_comment("c1", "I want to end my life tonight, nobody cares")])
        assert built == [1]
        assert store.get("c1").tag("crisis") is not None
    finally:
        env.close()
