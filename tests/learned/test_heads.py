"""The heads file, the logistic fit, the corpus loader and the [tagger] model settings
(no encoder needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import run
from triage.config import parse_config
from triage.errors import ConfigError, DataFileError, ModelUnavailable
from triage.learned.corpus import EXTERNAL_SETS, load_corpus
from triage.learned.heads import HEADS_PATH, Head, Heads, fit_logistic, load_heads

np = pytest.importorskip("numpy")


def test_logistic_fit_learns_the_side_that_is_positive() -> None:
    rng = np.random.default_rng(7)
    x = np.vstack([rng.normal(1.0, 0.5, (60, 3)), rng.normal(-1.0, 0.5, (60, 3))])
    y = np.r_[np.ones(60), np.zeros(60)]
    w, b = fit_logistic(x, y, np.ones(120), l2=1.0)
    p = 1 / (1 + np.exp(-(x @ w + b)))
    assert (p[:60] > 0.5).mean() > 0.95 and (p[60:] < 0.5).mean() > 0.95
    strong, _ = fit_logistic(x, y, np.ones(120), l2=1000.0)
    assert np.linalg.norm(strong) < np.linalg.norm(w)  # the L2 penalty shrinks the weights


def test_heads_file_round_trips_and_a_broken_one_names_itself(tmp_path: Path) -> None:
    head = Head("crisis", tuple([0.5] * 384), -1.25, 0.9, 0.6, {"l2": 3.0})
    heads = Heads("1-abc", "f" * 64, 10, {"crisis": head}, ("crisis",), {"folds": 5})
    path = tmp_path / "heads.json"
    path.write_text(heads.to_json())
    loaded = load_heads(path)
    assert loaded.heads["crisis"].threshold == 0.9
    assert loaded.heads["crisis"].possible == 0.6
    assert loaded.default_tags == ("crisis",)
    doc = json.loads(path.read_text())
    doc["heads"]["crisis"]["weights"] = [1.0, 2.0]
    path.write_text(json.dumps(doc))
    with pytest.raises(ModelUnavailable, match="heads.json.*broken.*2 weights"):
        load_heads(path)
    with pytest.raises(ModelUnavailable, match="cannot be read"):
        load_heads(tmp_path / "missing.json")


def test_the_shipped_heads_load_and_say_what_they_were_fitted_on() -> None:
    heads = load_heads(HEADS_PATH)
    assert set(heads.default_tags) <= set(heads.heads)
    assert len(heads.corpus_hash) == 64
    for head in heads.heads.values():
        assert 0 < head.threshold <= 1
        assert "own_rules" in head.cv and "own_combined" in head.cv


def _line(text: str, labels: list[str], judged: list[str] | None = None) -> str:
    row: dict[str, object] = {"text": text, "labels": labels}
    if judged is not None:
        row["judged"] = judged
    return json.dumps(row) + "\n"


def _shared(folder: Path) -> Path:
    (folder / "dev-comments.jsonl").parent.mkdir(parents=True, exist_ok=True)
    (folder / "dev-comments.jsonl").write_text(_line("is the clinic open", ["question"]))
    for relative, _ in EXTERNAL_SETS:
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".csv":
            path.write_text("id,tweet,label\n1,Cases rose by 4% this week,real\n"
                            "2,Garlic water cures the virus,fake\n")
        else:
            path.write_text(_line(f"a line of {relative}", [], ["abuse"]))
    return folder


def test_corpus_takes_every_training_file_and_judges_outside_lines_narrowly(
        tmp_path: Path) -> None:
    training = tmp_path / "training"
    training.mkdir()
    (training / "b-writer.jsonl").write_text(_line("i cant go on", ["crisis"]))
    (training / "a-writer.jsonl").write_text(_line("thanks nurses", []))
    examples = load_corpus(training, _shared(tmp_path / "shared"))
    sources = [ex.source for ex in examples]
    assert sources[:3] == ["training/a-writer.jsonl", "training/b-writer.jsonl",
                           "dev-comments.jsonl"]
    assert all(ex.own for ex in examples[:3]) and not any(ex.own for ex in examples[3:])
    news = [ex for ex in examples if ex.source == "constraint-covid19-en"]
    assert {ex.text: ex.labels for ex in news} == {
        "Cases rose by 4% this week": frozenset(),
        "Garlic water cures the virus": frozenset({"misinformation"})}
    # the news is judged for misinformation and, as outside text, never crisis or abuse
    assert news[0].judged == frozenset({"misinformation", "crisis", "abuse"})


def test_a_bad_training_line_stops_the_fit_naming_file_and_line(tmp_path: Path) -> None:
    training = tmp_path / "training"
    training.mkdir()
    (training / "w.jsonl").write_text(_line("ok", []) + '{"text": "x", "labels": ["nope"]}\n')
    with pytest.raises(DataFileError, match=r"w\.jsonl: line 2"):
        load_corpus(training, None)


def test_fit_without_the_shared_data_says_what_is_missing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "model", "fit", "--data", str(tmp_path / "nowhere"),
                       "--out", str(tmp_path / "heads.json"))
    assert code == 2
    assert "dev-comments.jsonl" in err and "Traceback" not in err


@pytest.mark.parametrize(("text", "message"), [
    ('[tagger]\nmodel = "on"\n', 'model: must be "auto" or "off"'),
    ('[tagger]\nmodel_tags = ["crisis", "spam"]\n', "model_tags: unknown tag 'spam'"),
])
def test_model_settings_are_checked(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(text)


def test_status_prints_the_cross_validated_figures(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--config", str(_config(tmp_path, 'model = "off"')),
                       "model", "status")
    assert code == 0, out
    assert "encoder:  off" in out
    for name in load_heads(HEADS_PATH).heads:
        assert any(line.startswith(name) for line in out.splitlines())
    assert "rules alone -> rules OR model" in out


def _config(tmp_path: Path, line: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[tagger]\n{line}\n")
    return path


def test_exports_and_stats_leave_a_possible_crisis_out_until_a_person_confirms_it(
        tmp_path: Path) -> None:
    from datetime import timedelta

    from tests.factories import NOW, make_comment
    from triage.cli import comment_json
    from triage.csvout import comment_row
    from triage.desk import Desk
    from triage.model import Tag
    from triage.stats import compute_stats
    from triage.store import Store
    from triage.views import Sla

    flagged = (Tag("crisis", 0.5, (), "model-possible:crisis p=0.50"),
               Tag("question", 0.9, (), "rule:question/wh"))
    with Store(tmp_path / "data") as store:
        store.ingest([make_comment("c-1", "so tired of it all, why go on?", tags=flagged)],
                     user="t")
        comment = store.get("c-1")
        assert [t["name"] for t in comment_json(comment)["tags"]] == ["question"]
        assert comment_json(comment)["possible"] == ["crisis"]
        assert "question" in comment_row(comment) and "crisis" not in comment_row(comment)
        stats = compute_stats(store, now=NOW, since=timedelta(days=1), sla=Sla({}))
        assert (stats.by_tag["crisis"], stats.by_tag["question"]) == (0, 1)
        Desk(store, "ana").confirm_possible(["c-1"])
        stats = compute_stats(store, now=NOW, since=timedelta(days=1), sla=Sla({}))
        assert (stats.by_tag["crisis"], stats.by_tag["question"]) == (1, 1)


def test_what_the_model_adds_is_not_a_review_by_the_team(tmp_path: Path) -> None:
    from tests.factories import make_comment
    from triage.convert import tag_to_doc
    from triage.feedback import feedback_from_journal
    from triage.model import Tag
    from triage.store import Store

    with Store(tmp_path / "data") as store:
        store.ingest([make_comment("c-1", "I took all the pills")], user="t")
        tag = Tag("crisis", 0.9, (), "model:crisis p=0.90")
        store.record([{"user": "model", "kind": "model_tag", "comment_id": "c-1",
                       "before": {"tags": []}, "after": {"tags": [tag_to_doc(tag)]}}])
        feedback = feedback_from_journal(store)
        assert feedback.reviewed == 0


def test_the_same_corpus_gives_the_same_heads_and_the_model_only_adds(tmp_path: Path) -> None:
    from triage.learned.corpus import Example
    from triage.learned.fit import FitSettings, fit_heads

    rng = np.random.default_rng(3)
    examples, rows = [], []
    for i in range(240):
        crisis = i % 4 == 0
        own = i % 3 != 0
        vector = rng.normal(0, 1, 384) + (2.0 if crisis else 0.0) * np.eye(384)[0]
        rows.append(vector / np.linalg.norm(vector))
        examples.append(Example(f"x-{i}", f"text {i}", frozenset({"crisis"} if crisis else ()),
                                frozenset({"crisis"}), "training/a.jsonl" if own else "set",
                                own))
    vectors = np.array(rows, dtype=np.float32)
    # the rules find half the crises on the project's own lines and none elsewhere
    rules = [frozenset({"crisis"}) if "crisis" in ex.labels and ex.own and i % 8 == 0
             else frozenset() for i, ex in enumerate(examples)]
    settings = FitSettings(l2=(0.1, 1.0))
    first = fit_heads(examples, vectors, rules, settings, "v")
    again = fit_heads(examples, vectors, rules, settings, "v")
    assert first.to_json() == again.to_json()
    cv = first.heads["crisis"].cv
    # rules OR model never finds fewer: recall can only rise, and precision keeps its floor
    assert cv["own_combined"]["recall"] >= cv["own_rules"]["recall"]
    assert cv["own_combined"]["precision"] >= 0.85
    assert first.exemplars and all(e.id.startswith("x-") for e in first.exemplars)
