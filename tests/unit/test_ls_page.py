"""`triage ls --limit N` reads a page (the newest comments kept in head.json) and prints
exactly what loading the whole store prints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.clirun import run
from tests.factories import make_comment
from triage import store as store_module
from triage.desk import Desk
from triage.model import Comment, Tag
from triage.store import Store

COUNT = 1000  # more than the head holds


def _queue() -> list[Comment]:
    comments = []
    for i in range(COUNT):
        tags: tuple[Tag, ...] = ()
        if i % 3 == 0:
            tags = (Tag("question", 0.9, ((0, 4),), "test"),)
        if i >= 900 and i % 10 == 0:  # a rare tag, only on old comments
            tags += (Tag("abuse", 0.8, ((0, 4),), "test"),)
        # Pairs share a creation time: the order falls back on the id, as a full load's.
        comments.append(make_comment(f"m{i:04d}", f"comment {i}?", minutes_ago=i // 2 * 3,
                                     platform="reddit" if i % 7 == 0 else "facebook",
                                     tags=tags))
    return comments


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    with Store(folder) as store:
        store.ingest(_queue(), user="t")
        desk = Desk(store, "ana")
        desk.dismiss([f"m{i:04d}" for i in range(0, 40, 4)])
        desk.assign([f"m{i:04d}" for i in range(1, 60, 5)], "ben")
    monkeypatch.setenv("TRIAGE_USER", "ana")
    return folder


class ShardSpy:
    """Counts the comment shards opened and the full loads done while it is in place."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.shards = 0
        self.full_loads = 0
        real_open, real_read_all = store_module.open_tinydb, Store.read_all

        def open_tinydb(path: Path) -> Any:
            self.shards += path.name.startswith("comments-")
            return real_open(path)

        def read_all(store: Store) -> Any:
            self.full_loads += 1
            return real_read_all(store)

        monkeypatch.setattr(store_module, "open_tinydb", open_tinydb)
        monkeypatch.setattr(Store, "read_all", read_all)


def _ls(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> list[str]:
    code, out, err = run(capsys, "--data-dir", str(data), "ls", "--json", *args)
    assert code == 0, err
    return out.splitlines()


QUERIES = [
    ([], 10),
    ([], 400),
    (["--status", "new"], 25),
    (["--status", "dismissed"], 5),
    (["--tag", "question"], 50),
    (["--query", "platform:reddit"], 20),
    (["--query", "assignee:ben status:new"], 3),
]


@pytest.mark.parametrize(("args", "limit"), QUERIES)
def test_a_page_from_the_head_is_what_a_full_load_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, data: Path,
    args: list[str], limit: int,
) -> None:
    full = _ls(capsys, data, *args)
    spy = ShardSpy(monkeypatch)
    page = _ls(capsys, data, *args, "--limit", str(limit))
    assert len(page) == limit
    assert page == full[:limit]
    assert (spy.shards, spy.full_loads) == (0, 0)  # no comment shard was read


@pytest.mark.parametrize(("args", "limit"), [
    (["--tag", "abuse"], 5),  # only old comments carry it: not in the head
    (["--status", "dismissed"], 50),  # fewer in the head than asked for
    ([], 2000),  # more than the store holds
])
def test_a_page_the_head_cannot_prove_complete_loads_everything(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, data: Path,
    args: list[str], limit: int,
) -> None:
    full = _ls(capsys, data, *args)
    assert full
    spy = ShardSpy(monkeypatch)
    assert _ls(capsys, data, *args, "--limit", str(limit)) == full[:limit]
    assert spy.full_loads == 1


def test_actions_taken_while_the_desk_was_loading_reach_the_page(
    capsys: pytest.CaptureFixture[str], data: Path,
) -> None:
    with Store(data, defer_load=True) as desk_store:  # the desk, closed before it loaded all
        Desk(desk_store, "ana").dismiss(["m0001"])
        Desk(desk_store, "ana").assign(["m0002"], "ben")
    page = _ls(capsys, data, "--limit", "3")
    assert page == _ls(capsys, data)[:3]
    assert [orjson.loads(line)["id"] for line in page] == ["m0001", "m0000", "m0003"]
    assert [orjson.loads(line)["status"] for line in page] == ["dismissed"] * 2 + ["new"]
    assert _ls(capsys, data, "--status", "new", "--limit", "20") == \
        _ls(capsys, data, "--status", "new")[:20]
    ben = _ls(capsys, data, "--query", "assignee:ben", "--limit", "2")
    assert [orjson.loads(line)["id"] for line in ben] == ["m0001", "m0002"]


def test_a_head_from_an_older_triage_is_not_trusted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, data: Path,
) -> None:
    head_path = data / "store" / "head.json"
    head = orjson.loads(head_path.read_bytes())
    del head["applied_seq"]  # no anchor: it may predate actions the shards hold
    head["comments"][0]["status"] = "escalated"
    head_path.write_bytes(orjson.dumps(head))
    spy = ShardSpy(monkeypatch)
    page = _ls(capsys, data, "--limit", "1")
    shown = orjson.loads(page[0])
    assert (shown["id"], shown["status"]) == (head["comments"][0]["id"], "new")  # its shard's
    assert spy.full_loads == 0 and spy.shards > 0
