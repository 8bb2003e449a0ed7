"""Sandbox texts fill each slot once: a post (or a comment) names one day, one clinic."""

from __future__ import annotations

import re
from random import Random

import pytest

from tests.factories import NOW
from triage.sandbox import generate, load_banks
from triage.sandbox.slots import PRIMITIVE_SLOTS, Filler, Template, compile_template

BANKS = load_banks()
DAYS = [value for (value,) in BANKS.slots["day"]]
CLINICS = [value for (value,) in BANKS.slots["clinic"]]
_HASHTAGS = re.compile(r"(?:\s+#\w+)+$")


def _pattern(*templates: Template) -> re.Pattern[str]:
    """The texts ``templates`` (joined by a blank line) give when every slot that comes
    back has the value it had the first time (case aside: ``{day:lower}``)."""
    out: list[str] = []
    named: set[str] = set()
    for index, template in enumerate(templates):
        if index:
            out.append(re.escape("\n\n"))
        for part in template:
            if isinstance(part, str):
                out.append(re.escape(part))
            elif part.base in PRIMITIVE_SLOTS:
                out.append(r"\w")
            elif part.base + part.suffix in named:
                out.append(f"(?i:(?P={part.base + part.suffix}))")
            else:
                named.add(part.base + part.suffix)
                out.append(f"(?P<{part.base + part.suffix}>.+?)")
    return re.compile("".join(out))


#: Every text a post can be: a short or long text of one topic, or a Reddit post's
#: headline (short) and body (long) of the same topic.
POST_SHAPES = [
    _pattern(*shape)
    for topic in BANKS.topics.values()
    for shape in [*((t,) for t in (*topic.short, *topic.long)),
                  *((s, long) for s in topic.short for long in topic.long)]
]


@pytest.mark.parametrize("seed", [1, 7, 11, 23, 42])
def test_no_post_names_two_days_or_two_clinics_for_one_slot(seed: int) -> None:
    posts = generate(120, seed, now=NOW).posts
    assert any("\n\n" in p.text and p.platform == "reddit" for p in posts)
    for post in posts:
        text = _HASHTAGS.sub("", post.text)
        assert any(shape.fullmatch(text) for shape in POST_SHAPES), (
            f"{post.id} fills a slot twice with different values: {post.text!r}")


@pytest.mark.parametrize(("pieces", "bank"), [
    (["Catch-up clinic {day} at {clinic}.", "Come on {day} to {clinic}."], "day"),
    (["Catch-up clinic {day} at {clinic}.", "Come on {day} to {clinic}."], "clinic"),
    (["{clinic:cap} is open.", "See you at {clinic}!"], "clinic"),
])
def test_one_scope_keeps_each_slot_across_fills(pieces: list[str], bank: str) -> None:
    values = [value for (value,) in BANKS.slots[bank]]
    for seed in range(30):
        filler = Filler(BANKS.slots, Random(seed))
        scope: dict[str, str] = {}
        texts = [filler.fill(compile_template(piece), {}, scope) for piece in pieces]
        named = {value.lower() for value in values if any(value.lower() in t.lower()
                                                          for t in texts)}
        assert len(named) == 1, texts


def test_without_a_scope_each_fill_draws_again() -> None:
    filler = Filler(BANKS.slots, Random(3))
    template = compile_template("{day} at {clinic}")
    assert len({filler.fill(template, {}) for _ in range(20)}) > 1


def test_the_banks_give_several_days_and_clinics() -> None:
    assert len(DAYS) >= 2 and len(CLINICS) >= 2  # else the tests above prove nothing
