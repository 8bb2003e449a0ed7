"""Seeding the stand-ins from generic records: checks, ids, and the platforms' threading rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.factories import FLU_POST, sample_comments
from triage.errors import ImportError_
from triage.standins import Standins, records_from_model

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
POST = {"platform": "x", "id": "1800000000000000000", "text": "Flu shots"}


def _comment(**fields: Any) -> dict[str, Any]:
    return {"platform": "x", "post": POST["id"], "author_id": "5", "text": "hi", **fields}


@pytest.mark.parametrize(
    ("posts", "comments", "message"),
    [
        ([{"platform": "myspace", "text": "x"}], [], "seed post 1: platform 'myspace' has no"),
        ([{"platform": "x", "id": "abc", "text": "x"}], [], "'native_id' 'abc': x ids are "
                                                             "numbers"),
        ([{"platform": "x"}], [], "seed post 1: 'text' is missing"),
        ([{"platform": "x", "text": "x", "created_at": "soon"}], [],
         "'created_at' 'soon' is not an ISO 8601 time"),
        ([POST], [_comment(post="77")], "seed comment 1: post '77' is not a x post"),
        ([POST], [_comment(parent="88")], "seed comment 1: parent '88' is not a comment"),
        ([POST], [_comment(parent=POST["id"])], "is not a comment"),
        ([POST], [_comment(id="2", parent="3"), _comment(id="3", parent="2")],
         "parents form a loop"),
        ([POST], [_comment(id="2"), _comment(id="2")], "seed comment 2 (id '2'): id is "
                                                       "already taken"),
        ([POST], [{"platform": "x", "post": POST["id"], "text": "hi"}], "the author is missing"),
        ([POST], [_comment(hidden="yes")], "'hidden' must be true or false"),
        ([POST], ["text"], "seed comment 1: must be an object"),
    ],
)
def test_bad_records_are_named_and_nothing_is_added(
    posts: list[Any], comments: list[Any], message: str
) -> None:
    standins = Standins()
    with pytest.raises(ImportError_) as caught:
        standins.seed(posts=posts, comments=comments)
    assert message in str(caught.value)
    assert standins.items() == []


def test_generated_ids_are_the_same_for_the_same_seed() -> None:
    records = {
        "posts": [{"platform": p, "text": "Flu shots", "created_at": "2026-11-19T09:00:00Z"}
                  for p in ("facebook", "instagram", "youtube", "x", "mastodon")],
    }
    first, second = Standins(records, clock=lambda: NOW), Standins(records, clock=lambda: NOW)
    assert [i["id"] for i in first.items()] == [i["id"] for i in second.items()]
    post = first.items("youtube")[0]["id"]
    added = [s.add_comment({"platform": "youtube", "post": post, "author_id": "UCa",
                            "text": "hello"}) for s in (first, second)]
    assert added[0] == added[1]


def test_replies_are_ordered_after_their_parents_whatever_the_order_given() -> None:
    standins = Standins()
    ids = standins.seed(posts=[POST], comments=[
        _comment(id="1800000000000000003", parent="1800000000000000002"),
        _comment(id="1800000000000000002"),
    ])
    assert ids["comments"] == ["1800000000000000003", "1800000000000000002"]
    assert standins.world.get("x", "1800000000000000003").parent == "1800000000000000002"


@pytest.mark.parametrize("platform", ["youtube", "instagram"])
def test_two_level_platforms_put_a_reply_to_a_reply_under_the_top_comment(
    platform: str,
) -> None:
    standins = Standins()
    post = standins.seed(posts=[{"platform": platform, "text": "p"}])["posts"][0]
    top = standins.add_comment({"platform": platform, "post": post, "author_id": "a",
                                "author_handle": "ann", "text": "top"})
    reply = standins.add_comment({"platform": platform, "post": post, "parent": top,
                                  "author_id": "b", "author_handle": "bo", "text": "reply"})
    deeper = standins.add_comment({"platform": platform, "post": post, "parent": reply,
                                   "author_id": "c", "text": "agreed"})
    node = standins.world.get(platform, deeper)
    assert node is not None
    assert (node.parent, node.text) == (top, "@bo agreed")


def test_records_from_the_domain_model() -> None:
    facebook = [c for c in sample_comments() if c.platform == "facebook"]
    records = records_from_model([FLU_POST], facebook)
    standins = Standins()
    ids = standins.seed(posts=records["posts"], comments=records["comments"])
    assert ids["posts"] == ["post-flu"]
    assert set(ids["comments"]) == {c.native_id for c in facebook}
    assert standins.world.account("facebook", "riverside-fb").key == "riverside-fb"


def test_model_ids_on_x_and_mastodon_become_numbers_consistently() -> None:
    post = FLU_POST.__class__(id="x:post-1", platform="x", account="riverside-x",
                              text="Flu shots", created_at=NOW)
    top = sample_comments()[0].__class__(
        id="x:c-1", platform="x", account="riverside-x", text="When?", created_at=NOW,
        author=sample_comments()[0].author, post_id="x:post-1", native_id="c-1")
    reply = top.__class__(
        id="x:c-2", platform="x", account="riverside-x", text="Saturday", created_at=NOW,
        author=top.author, post_id="x:post-1", parent_id="c-1", native_id="c-2")
    elsewhere = top.__class__(
        id="myspace:1", platform="myspace", account="t", text="hm", created_at=NOW,
        author=top.author, post_id="myspace:p")
    records = records_from_model([post], [reply, top, elsewhere])
    standins = Standins()
    ids = standins.seed(posts=records["posts"], comments=records["comments"])
    assert all(i.isdigit() for i in ids["posts"] + ids["comments"])
    node = standins.world.get("x", ids["comments"][0])
    assert node is not None and node.parent == ids["comments"][1]


def test_an_organisation_author_is_the_account() -> None:
    standins = Standins()
    account = standins.world.account("mastodon")
    standins.seed(posts=[{"platform": "mastodon", "id": "500", "text": "p"}],
                  comments=[{"platform": "mastodon", "id": "501", "post": "500",
                             "author_id": account.id, "text": "ours"}])
    node = standins.world.get("mastodon", "501")
    assert node is not None and node.by_org
    assert len(standins.world.inbox("mastodon", account.key)) == 0
