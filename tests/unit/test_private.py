"""The data folder and everything in it are readable by their owner only, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clirun import run
from tests.factories import FLU_POST, sample_comments
from triage.desk import Desk
from triage.store import Store


@pytest.fixture(autouse=True)
def loose_umask() -> Iterator[None]:
    """The common default umask, under which plain open() makes files others can read."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _modes(folder: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def _assert_private(folder: Path) -> None:
    modes = _modes(folder)
    loose = {name: oct(mode) for name, mode in modes.items()
             if mode != (0o700 if (folder / name).is_dir() else 0o600)}
    assert loose == {}


def _use(data: Path) -> None:
    """Write everything a store writes: journal, shards, head, meta, posts, state, records."""
    with Store(data, flush_every=1) as store:
        store.ingest(sample_comments(), [FLU_POST], user="test")
        Desk(store, "ana").dismiss(["c-plain"])
        store.set_state("cursor", {"at": "x"})
    with (data / "journal.jsonl").open("ab") as journal:
        journal.write(b'{"torn": ')  # a write cut short: moved aside at the next open
    with Store(data) as store:
        assert store.get("c-plain").status == "dismissed"


def test_a_new_data_folder_and_its_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _use(data)
    names = set(_modes(data))
    assert {"journal.jsonl", "journal.jsonl.torn", "triage.lock", "triage.pid", "store",
            "store/meta.json", "store/head.json", "store/posts.json",
            "store/state.json"} <= names
    assert any(name.startswith("store/comments-") for name in names)
    _assert_private(data)


def test_an_older_folder_readable_by_others_is_made_private_at_open(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _use(data)
    for path in [data, *data.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    (data / "notes.txt").write_text("not Triage's")  # a stranger's file is left alone
    (data / "notes.txt").chmod(0o644)
    with Store(data) as store:
        warnings = list(store.warnings)
    (data / "notes.txt").rename(tmp_path / "notes.txt")
    _assert_private(data)
    assert stat.S_IMODE((tmp_path / "notes.txt").stat().st_mode) == 0o644
    assert len(warnings) == 1
    assert "were readable by other users; they are now private to you" in warnings[0]


def test_the_sandbox_folder_is_private(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TRIAGE_CONFIG", "TRIAGE_DATA_DIR", "TRIAGE_USER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "sbx"
    code, _, err = run(capsys, "--data-dir", str(folder), "sandbox", "--size", "40", "--no-tui")
    assert code == 0, err
    assert (folder / "sandbox.json").exists() and (folder / "journal.jsonl").exists()
    _assert_private(folder)
