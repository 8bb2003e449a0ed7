"""Comments that need no reply (reactions) stay out of Needs reply; questions never do."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from tests.factories import NOW, make_comment
from triage.config import Config
from triage.model import Tag
from triage.noise import needs_no_reply
from triage.query import parse_query
from triage.sandbox import generate
from triage.tagger import Tagger
from triage.views import Sla, views_from_config

HELDOUT = Path(__file__).parents[2] / "benchmarks" / "heldout"


@pytest.mark.parametrize("text", [
    "😂😂", "🙏🙏🙏", "❤️", "👍", "Agreed.", "Same!", "This 👆", "Couldn't agree more 👏",
    "@samd_46 Seconding this", "@ana.r 100%", "u/GentleBadger57 so true", "+1", "lol",
    "same here honestly", "Sí, exacto", "Amen 🙏",
])
def test_a_reaction_needs_no_reply(text: str) -> None:
    assert needs_no_reply(make_comment("c", text))


@pytest.mark.parametrize("text", [
    "?", "Same?", "😂😂?", "¿Exacto?",  # a question mark is a question
    "Thank you nurses!", "Yes!! Same experience.", "Help 😭",
    "Same, my dad was turned away at the ER last night", "Robin Quintero Agreed",
    "Riverfront Park 😍", "this this this this this this",
])
def test_anything_else_needs_the_team(text: str) -> None:
    assert not needs_no_reply(make_comment("c", text))


def test_a_reply_may_name_who_it_answers_before_its_reaction() -> None:
    assert needs_no_reply(make_comment("c", "Robin Quintero Agreed", parent_id="p"))
    assert needs_no_reply(make_comment("c", "Carol McAllister 👍", parent_id="p"))
    assert not needs_no_reply(make_comment("c", "Robin Quintero get well soon",
                                            parent_id="p"))


def test_a_tagged_comment_always_needs_the_team() -> None:
    crisis = Tag("crisis", 0.9, (), "rule:test")
    assert not needs_no_reply(make_comment("c", "😭😭", tags=(crisis,)))


def test_needs_reply_leaves_out_the_sandbox_reactions_and_keeps_every_question() -> None:
    tag = Tagger().tag
    data = generate(1500, 7, now=NOW)
    comments = [replace(c, tags=tag(c.text)) for c in data.comments]
    (view,) = [v for v in views_from_config(Config()) if v.name == "Needs reply"]
    chosen = {c.id for c in view.select(comments, now=NOW, user="ana", sla=Sla({}),
                                        priority=())}
    texts = {data.kinds[c.id]: c.text for c in comments if c.id not in chosen}
    for comment in comments:
        kind = data.kinds[comment.id]
        if kind == "emoji_only":
            assert comment.id not in chosen, comment.text
        if (comment.tags or "?" in comment.text) and comment.tag("abuse") is None:
            assert comment.id in chosen, comment.text  # every question, tagged or not
    assert {"emoji_only", "agree"} <= set(texts)
    agreed = [c for c in comments if c.text == "Agreed."]
    assert agreed and not {c.id for c in agreed} & chosen
    assert [c.id for c in comments if c.text == "😂😂"]


@pytest.mark.parametrize("name", ["set-a", "set-b", "set-c", "set-d"])
def test_no_labelled_comment_with_a_question_or_a_tag_is_noise(name: str) -> None:
    tag = Tagger().tag
    rows = [orjson.loads(line) for line in (HELDOUT / f"{name}.jsonl").read_bytes().splitlines()]
    noise = []
    for row in rows:
        comment = replace(make_comment(row["id"], row["text"]), tags=tag(row["text"]))
        if needs_no_reply(comment):
            noise.append(row["text"])
            assert not row["labels"] and "?" not in row["text"]
    assert len(noise) <= 3  # emoji-only reactions: "😂😂😂", "🙏🙏🙏", "🎗️❤️"


def test_is_noise_is_a_query_term() -> None:
    match = parse_query("-is:noise").matcher(now=NOW, user="ana")
    assert not match(make_comment("c", "😂😂")) and match(make_comment("c", "When?"))
    with pytest.raises(Exception, match="unknown is 'quiet'"):
        parse_query("is:quiet")
