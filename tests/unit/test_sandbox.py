"""The sandbox generator and ``triage sandbox``: a realistic, deterministic queue."""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from tests.factories import NOW
from triage import cli as cli_module
from triage.errors import DataFileError
from triage.model import TAG_NAMES, Comment
from triage.sandbox import DATA_DIR, DEFAULT_SIZE, SandboxData, generate, load_banks


@pytest.fixture(scope="module")
def default() -> SandboxData:
    return generate(DEFAULT_SIZE, 7, now=NOW)


def _depth(comment: Comment, by_id: dict[str, Comment]) -> int:
    depth = 0
    while comment.parent_id is not None:
        comment = by_id[comment.parent_id]
        depth += 1
    return depth


# -- the generator -----------------------------------------------------------------------


def test_the_same_seed_gives_the_same_sandbox_and_another_seed_another() -> None:
    first = generate(300, 5, now=NOW)
    assert generate(300, 5, now=NOW) == first
    other = generate(300, 6, now=NOW)
    assert [c.text for c in other.comments] != [c.text for c in first.comments]
    assert {c.id for c in other.comments}.isdisjoint({c.id for c in first.comments})


@pytest.mark.parametrize("size", [0, 1, 9, 10, 120, DEFAULT_SIZE, 2000])
def test_the_sandbox_has_exactly_the_size_asked_for(size: int) -> None:
    assert len(generate(size, 1, now=NOW).comments) == size


def test_the_default_size_is_300() -> None:
    assert DEFAULT_SIZE == 300
    assert len(generate(now=NOW).comments) == 300


def test_accounts_of_three_units_on_at_least_six_platforms(default: SandboxData) -> None:
    assert len(default.accounts) >= 3
    assert len({a.unit for a in default.accounts}) >= 3
    assert len({c.platform for c in default.comments}) >= 6
    assert {c.account for c in default.comments} == {a.name for a in default.accounts}
    names = [a.name for a in default.accounts]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(("platform", "needed"), [
    ("facebook", "page_id"), ("instagram", "user_id"), ("youtube", "channel_id"),
    ("x", "user_id"), ("mastodon", "instance"), ("bluesky", "did"), ("reddit", "subreddit"),
])
def test_accounts_carry_the_platforms_own_ids(default: SandboxData, platform: str,
                                              needed: str) -> None:
    accounts = [a for a in default.accounts if a.platform == platform]
    assert accounts and all(getattr(a, needed) for a in accounts)


def test_every_account_has_four_to_eight_posts_on_the_health_topics(
    default: SandboxData,
) -> None:
    per_account = Counter(p.account for p in default.posts)
    assert set(per_account) == {a.name for a in default.accounts}
    assert all(4 <= n <= 8 for n in per_account.values())
    words = {"flu": "flu", "hpv": "hpv", "mammogram": "mammogra", "infusion": "infusion suite",
             "trial": "study", "nurses": "nurse"}
    seen = {topic for topic, word in words.items()
            for post in default.posts if word in post.text.lower()}
    assert len(seen) >= 4, seen


def test_ids_are_unique_and_in_each_platforms_own_style() -> None:
    data = generate(3000, 2, now=NOW)
    ids = [c.id for c in data.comments]
    assert len(set(ids)) == len(ids)
    assert len({p.id for p in data.posts}) == len(data.posts)
    for comment in data.comments:
        assert comment.id == f"{comment.platform}:{comment.native_id}"
        assert re.fullmatch(NATIVE[comment.platform], comment.native_id), comment.native_id
        assert comment.permalink.startswith(LINKS[comment.platform]), comment.permalink


NATIVE = {
    "facebook": r"\d{15,16}_\d{16}",
    "instagram": r"1[78]\d{15}",
    "youtube": r"Ug[w-z][A-Za-z0-9]{19}4AaABAg(\.[A-Za-z0-9]{22})?",
    "x": r"\d{19}",
    "tiktok": r"\d{19}",
    "mastodon": r"\d{18}",
    "bluesky": r"at://did:plc:[a-z2-7]{24}/app\.bsky\.feed\.post/[2-7a-z]{13}",
    "reddit": r"t1_[0-9a-z]{7}",
    "linkedin": r"urn:li:comment:\(urn:li:activity:\d{19},\d{19}\)",
}
LINKS = {
    "facebook": "https://www.facebook.com/", "instagram": "https://www.instagram.com/p/",
    "youtube": "https://www.youtube.com/watch?v=", "x": "https://x.com/",
    "tiktok": "https://www.tiktok.com/@", "mastodon": "https://", "bluesky": "https://bsky.app/",
    "reddit": "https://www.reddit.com/r/", "linkedin": "https://www.linkedin.com/feed/update/",
}


def test_threads_nest_and_replies_come_after_what_they_answer(default: SandboxData) -> None:
    by_id = {c.id: c for c in default.comments}
    posts = {p.id: p for p in default.posts}
    replies = [c for c in default.comments if c.parent_id is not None]
    assert 0.25 <= len(replies) / len(default.comments) <= 0.35
    for comment in default.comments:
        post = posts[comment.post_id or ""]
        assert post.created_at < comment.created_at
        assert (post.platform, post.account) == (comment.platform, comment.account)
    for reply in replies:
        parent = by_id[reply.parent_id or ""]
        assert parent.created_at < reply.created_at
        assert (parent.post_id, parent.platform) == (reply.post_id, reply.platform)
    depths = Counter(_depth(c, by_id) for c in default.comments)
    assert max(depths) >= 3 and max(depths) <= 4, depths


def test_times_are_utc_within_the_last_five_days_and_denser_recently(
    default: SandboxData,
) -> None:
    times = [c.created_at for c in default.comments]
    assert all(t.tzinfo is UTC for t in times)
    assert all(NOW - timedelta(days=5) <= t < NOW for t in times)
    last_day = sum(t > NOW - timedelta(days=1) for t in times)
    first_day = sum(t < NOW - timedelta(days=4) for t in times)
    assert last_day > 2 * first_day


def test_now_defaults_to_the_current_minute() -> None:
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    data = generate(50, 3)
    after = datetime.now(UTC)
    (now,) = {c.captured_at for c in data.comments}
    assert before <= now <= after and now.second == now.microsecond == 0
    assert all(now - timedelta(days=5) <= c.created_at < now for c in data.comments)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        generate(10, 1, now=datetime(2026, 1, 1))


def test_people_come_back_and_write_in_their_platforms_style(default: SandboxData) -> None:
    per_author = Counter((c.platform, c.author.id) for c in default.comments)
    assert max(per_author.values()) >= 3
    assert len(per_author) > len(default.comments) / 3
    for comment in default.comments:
        assert comment.author.name and comment.author.id
        if comment.platform in ("x", "instagram", "tiktok", "youtube", "mastodon", "bluesky",
                                "reddit"):
            assert comment.author.handle


def test_every_kind_of_comment_is_in_the_default_sandbox(default: SandboxData) -> None:
    kinds = default.kind_counts()
    top_level = {key for key, kind in load_banks().kinds.items() if kind.weight > 0}
    assert top_level <= set(kinds), top_level - set(kinds)
    assert kinds["crisis_self_harm"] + kinds["crisis_emergency"] <= 6
    assert kinds["question"] == max(kinds.values())


def _right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL", "RLE", "RLO", "RLI") for ch in text)


@pytest.mark.parametrize(("what", "found"), [
    ("Rich markup", lambda t: re.search(r"\[/?[a-z][a-z =]*\]", t) is not None),
    ("a click action", lambda t: "[@click=" in t),
    ("an ANSI escape", lambda t: "\x1b[" in t or "\x1b]" in t),
    ("a zero-width character", lambda t: any(ch in t for ch in "\u200b\u200c\u200d\u2060\ufeff")),
    ("a right-to-left character", _right_to_left),
    ("a very long comment", lambda t: len(t) > 2000),
    ("emoji only", lambda t: any(ord(ch) >= 0x1F300 for ch in t)
     and all(ord(ch) >= 0x2190 or ch.isspace() for ch in t)),
    ("Spanish", lambda t: "¿" in t or "gracias" in t.lower()),
])
def test_the_default_sandbox_holds_hostile_and_unusual_texts(default: SandboxData, what: str,
                                                             found: object) -> None:
    assert any(found(c.text) for c in default.comments), what  # type: ignore[operator]


def test_contacts_in_texts_are_fictional() -> None:
    data = generate(3000, 4, now=NOW)
    texts = "\n".join(c.text for c in data.comments)
    phones = re.findall(r"\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}|\b\d{3}-\d{4}\b", texts)
    assert phones and all("555" in p for p in phones), [p for p in phones if "555" not in p]
    domains = {e.split("@")[-1] for e in re.findall(r"[\w.+-]+@[\w.-]+\.\w+", texts)}
    # e-mail at example.com/.org; Mastodon handles on made-up .example servers
    assert {"example.com", "example.org"} <= domains
    assert all(d in ("example.com", "example.org") or d.endswith(".example") for d in domains)


def test_the_texts_stay_varied_at_scale() -> None:
    data = generate(20_000, 11, now=NOW)
    assert len({c.text for c in data.comments}) > 5_000


# -- the data files ------------------------------------------------------------------------


def _broken(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "sandbox"
    shutil.copytree(DATA_DIR, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("comments.toml", "Is there parking at {place}?", "Is there parking at {plaec}?",
     "comments.toml: kinds.question.texts[5]: unknown slot {plaec}"),
    ("comments.toml", "Is there parking at {place}?", "Is there parking at { place }?",
     "comments.toml: kinds.question.texts[5]: bad slot"),
    ("comments.toml", "weight = 20\n", "wieght = 20\n", "kinds.question: unknown key 'wieght'"),
    ("comments.toml", "weight = 20\n", "weight = -1\n", "kinds.question.weight"),
    ("comments.toml", "question = { answer = 5", "question = { anser = 5",
     "replies.question: unknown kind 'anser'"),
    ("comments.toml", 'tags = ["question"]\nweight = 20', 'tags = ["questions"]\nweight = 20',
     "kinds.question.tags"),
    ("comments.toml", "[kinds.question.topics]\nflu_clinic", "[kinds.question.topics]\nflu",
     "kinds.question.topics: unknown topic 'flu'"),
    ("org.toml", 'page_id = "104873215566120"\n', "",
     "accounts[0] (riverside-fb): a facebook account needs 'page_id'"),
    ("org.toml", 'platform = "facebook"', 'platform = "myspace"', "unknown platform 'myspace'"),
    ("posts.toml", 'units = ["cancer"]', 'units = ["oncology"]', "unknown unit 'oncology'"),
    ("slots.toml", 'name = ["{first} {last}"]', 'name = ["{name2} {last}"]',
     "name: refers to itself (name -> name)"),
    ("slots.toml", "[\n", "[[\n", "slots.toml: not valid TOML: Unclosed array (at line 19"),
])
def test_a_broken_data_file_is_named_with_the_entry(tmp_path: Path, file: str, old: str,
                                                    new: str, message: str) -> None:
    folder = _broken(tmp_path, file, old, new)
    with pytest.raises(DataFileError) as caught:
        load_banks(folder)
    assert message in str(caught.value)
    assert str(folder / file) in str(caught.value) or file in str(caught.value)


def test_a_missing_data_file_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "sandbox"
    shutil.copytree(DATA_DIR, folder)
    (folder / "posts.toml").unlink()
    with pytest.raises(DataFileError, match="posts.toml: sandbox data file not found"):
        load_banks(folder)


# -- the command ---------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        cli_module.main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run where no config.toml is found, as a first-time user would."""
    for name in ("TRIAGE_CONFIG", "TRIAGE_DATA_DIR", "TRIAGE_USER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def _listed(capsys: pytest.CaptureFixture[str], folder: Path, *extra: str) -> list[dict]:
    code, out, err = _run(capsys, "--data-dir", str(folder), "ls", "--json", *extra)
    assert code == 0, err
    return [orjson.loads(line) for line in out.splitlines()]


@pytest.mark.usefixtures("no_config")
def test_the_sandbox_command_builds_a_store_once_and_keeps_its_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "sbx"
    build = ("--data-dir", str(folder), "sandbox", "--size", "120", "--seed", "3", "--no-tui")
    code, _, err = _run(capsys, *build)
    assert code == 0, err
    assert "Sandbox ready" in err and "120 comments" in err
    rows = _listed(capsys, folder)
    assert len(rows) == 120
    assert len({r["platform"] for r in rows}) >= 6

    code, out, err = _run(capsys, "--data-dir", str(folder), "bulk", "dismiss",
                          "--query", "platform:facebook", "--reason", "on-call", "--yes")
    assert code == 0, err
    dismissed = {r["id"] for r in _listed(capsys, folder, "--status", "dismissed")}
    assert dismissed

    code, _, err = _run(capsys, *build)
    assert code == 0 and "Sandbox ready" not in err
    assert {r["id"] for r in _listed(capsys, folder, "--status", "dismissed")} == dismissed

    code, _, err = _run(capsys, *build, "--reset")
    assert code == 0 and "Sandbox ready" in err
    rows = _listed(capsys, folder)
    assert len(rows) == 120 and all(r["status"] == "new" for r in rows)


@pytest.mark.usefixtures("no_config")
def test_the_sandbox_never_takes_over_a_folder_with_other_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "queue"
    folder.mkdir()
    (folder / "journal.jsonl").write_text("")
    code, _, err = _run(capsys, "--data-dir", str(folder), "sandbox", "--no-tui")
    assert code == 1 and "holds data that is not a sandbox" in err
    assert (folder / "journal.jsonl").exists()


@pytest.mark.usefixtures("no_config")
def test_an_interrupted_build_is_built_again(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "sbx"
    folder.mkdir()
    (folder / "sandbox.json").write_bytes(orjson.dumps({"size": 40, "complete": False}))
    (folder / "leftover.json").write_text("{")
    code, _, err = _run(capsys, "--data-dir", str(folder), "sandbox", "--size", "40",
                        "--no-tui")
    assert code == 0, err
    assert not (folder / "leftover.json").exists()
    assert len(_listed(capsys, folder)) == 40


# -- with the tagger -----------------------------------------------------------------------


def test_every_tag_appears_in_the_tagged_default_sandbox(default: SandboxData) -> None:
    from triage.tagger import Tagger

    org = default.org
    tagger = Tagger(org_phones=org.phones, org_emails=org.emails, org_addresses=org.addresses)
    tags = Counter(tag.name for c in default.comments for tag in tagger.tag(c.text))
    assert set(tags) == set(TAG_NAMES), tags
