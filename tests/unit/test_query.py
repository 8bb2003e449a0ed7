"""The query language: a table of good queries and what they select, and of bad ones."""

from __future__ import annotations

import pytest

from tests.factories import NOW, sample_comments
from triage.errors import QueryError
from triage.query import parse_query

COMMENTS = sample_comments()


def select(text: str, user: str = "ana") -> list[str]:
    match = parse_query(text).matcher(now=NOW, user=user)
    return sorted(c.id for c in COMMENTS if match(c))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", sorted(c.id for c in COMMENTS)),
        ("tag:crisis", ["c-crisis"]),
        ("tag:crisis,privacy", ["c-crisis", "c-privacy"]),
        ("-tag:crisis tag:privacy,crisis", ["c-privacy"]),
        ("platform:instagram,x", ["c-crisis", "c-hostile"]),
        ("account:RIVERSIDE-ig", ["c-crisis"]),
        ("author:priya", ["c-reply"]),
        ("age:<6m", ["c-crisis", "c-question"]),
        ("age:>1h", ["c-plain"]),
        ("age:<2h -age:<1h", ["c-hostile"]),
        ('"flu shot"', ["c-myth"]),
        ('flu "gives you"', ["c-myth"]),
        ("FLU", ["c-myth", "c-question"]),
        ("-flu status:new", ["c-crisis", "c-hostile", "c-plain", "c-privacy", "c-reply"]),
        ("status:dismissed", []),
        ("assignee:none tag:question", ["c-question"]),
        ("assignee:me", []),
        ("text:nurses", ["c-plain"]),
        ("id:c-myth,c-reply", ["c-myth", "c-reply"]),
    ],
)
def test_good_queries_select(query: str, expected: list[str]) -> None:
    assert select(query) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sttus:new", "unknown field 'sttus'"),
        ("tag:spam", "unknown tag 'spam'"),
        ("status:open", "unknown status 'open'"),
        ("platform:myspace", "unknown platform 'myspace'"),
        ("age:<2 hours", "age: '2' is not a duration"),
        ("age:<soon", "age: 'soon' is not a duration"),
        ('"unclosed words', "unclosed quote"),
        ("tag:", "tag: needs a value"),
    ],
)
def test_bad_queries_name_the_term(query: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert message in str(caught.value)
