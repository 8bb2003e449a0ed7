"""Near-duplicate grouping: what groups (copies with typos, emoji, moved words, other case,
punctuation and links), what must not (short texts, other comments on the same topic, the
same words saying the opposite), and groups kept current as comments arrive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_comment
from triage.desk import Desk
from triage.groups import Grouper, features, near_duplicate_groups, similarity
from triage.store import Store

ROOT = Path(__file__).resolve().parents[2]
MYTH = ("Mammograms SPREAD cancer. Squeezing a tumor pushes the cells everywhere. "
        "Thermography is safer and they don't want you to know.")


def grouped(a: str, b: str) -> bool:
    grouper = Grouper()
    grouper.add("a", a)
    grouper.add("b", b)
    return grouper.group_of("a") == ("a", "b") or grouper.group_of("a") == ("b", "a")


@pytest.mark.parametrize("copy", [
    MYTH,
    MYTH.lower(),
    MYTH.upper().replace(".", "!!!"),
    "Mamograms SPREAD cancer. Squeezing a tumor pushes the cels everywhere. Thermography "
    "is safer and they don't want u to know.",
    "😡😡 " + MYTH + " 🙏🙏🙏",
    MYTH + " https://truth.example/thermo?ref=share @everyone #wakeup",
    "Thermography is safer and they don't want you to know. Mammograms SPREAD cancer. "
    "Squeezing a tumor pushes the cells everywhere.",
    "Ladies please read and share: " + MYTH,
    MYTH.replace("don't", "dont").replace("tumor", "tumour"),
    MYTH.replace("SPREAD", "SPREAAAAD"),
], ids=["same", "lower", "upper", "typos", "emoji", "links", "moved", "prefix", "spelling",
        "stretched"])
def test_near_copies_group(copy: str) -> None:
    assert grouped(MYTH, copy)


@pytest.mark.parametrize("other", [
    "Mammograms do not spread cancer. The compression is uncomfortable but it does not push "
    "tumour cells anywhere; thermography misses cancers.",
    "My mammogram caught my cancer at stage 1. Squeezing hurt for ten seconds, chemo would "
    "have hurt for a year. Please book yours.",
    "I'm 41, is it time for my first mammogram or should I wait until 45? My doctor and my "
    "insurance say different things.",
    "Mammograms don't SPREAD cancer. Squeezing a tumor pushes the cells everywhere? No. "
    "Thermography is safer? No, and they want you to know.",
], ids=["debunk", "story", "question", "negated"])
def test_other_comments_on_the_same_topic_do_not_group(other: str) -> None:
    assert not grouped(MYTH, other)


@pytest.mark.parametrize("short", [
    "thank you!", "😍", "😍😍😍", "Is it free?", "Great info, thanks for sharing!",
    "Where do I park for the clinic on Saturday?", "Amen 🙏", "Does the van take walk-ins "
    "or only appointments? 🙏", "Comment 00: when is the flu clinic open on Saturday?",
])
def test_short_texts_never_group_however_many_copies(short: str) -> None:
    grouper = Grouper()
    for n in range(30):
        grouper.add(f"c{n}", short)
    assert features(short) is None
    assert grouper.group_of("c0") == ()
    assert grouper.key_of("c0") is None


def test_similarity_is_symmetric_and_zero_for_different_negations() -> None:
    a, b = features(MYTH), features(MYTH.replace("SPREAD", "do not spread"))
    assert a is not None and b is not None
    assert similarity(a, b) == similarity(b, a) == 0.0
    assert similarity(a, a) >= 1.0


def test_groups_say_size_platforms_posts_first_and_last_seen() -> None:
    wave = [make_comment(f"w{n}", MYTH + " 🙏" * (n % 3), minutes_ago=100 - n,
                         platform=("facebook", "x", "youtube", "instagram")[n % 4],
                         post_id=f"post-{n % 12}") for n in range(20)]
    others = [make_comment("o1", "Thank you!"),
              make_comment("o2", "Is the Eastside clinic open on Saturday mornings for flu "
                                 "shots, or only weekdays? The website doesn't say.")]
    groups = near_duplicate_groups([*others, *wave])
    assert len(groups) == 1
    group = groups[0]
    assert group.size == 20
    assert group.ids[0] == "w0" and group.ids[-1] == "w19"  # oldest first
    assert group.first_seen == wave[0].created_at
    assert group.last_seen == wave[-1].created_at
    assert group.platforms == ("facebook", "instagram", "x", "youtube")
    assert group.posts == 12


def test_the_desk_keeps_groups_current_as_comments_arrive(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        desk = Desk(store, "ana")
        store.ingest([make_comment("a", MYTH), make_comment("b", "Thank you!")], user="sync")
        assert desk.groups() == []
        store.ingest([make_comment("c", MYTH.lower(), platform="x")], user="sync")
        assert [(g.ids, g.platforms) for g in desk.groups()] == [
            (("a", "c"), ("facebook", "x"))]
        store.ingest([make_comment(f"d{n}", "😍 " + MYTH) for n in range(3)], user="sync")
        assert [g.size for g in desk.groups()] == [5]
        assert desk.groups(min_size=6) == []


def test_two_waves_stay_two_groups() -> None:
    other = ("They are putting microchips in the vaccines to track you with 5G. Bill Gates "
             "admitted it on camera. Wake up people before it's too late.")
    comments = [make_comment(f"m{n}", MYTH) for n in range(5)]
    comments += [make_comment(f"v{n}", other) for n in range(7)]
    assert sorted(g.size for g in near_duplicate_groups(comments)) == [5, 7]


def test_the_labelled_set_script_prints_precision_and_recall() -> None:
    out = subprocess.run([sys.executable, "benchmarks/neardup/evaluate.py"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines[0].startswith("190 items, 24 clusters of near-copies")
    precision = float(lines[1].split()[1])
    recall = float(lines[2].split()[1])
    assert precision >= 0.95 and recall >= 0.95
