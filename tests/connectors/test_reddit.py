"""The Reddit connector reading from the project's Reddit stand-in over HTTP on loopback."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.connectors.conftest import RequestLog, standin_account, sync
from triage.config import AccountConfig
from triage.errors import ConfigError
from triage.standins import StandinServer
from triage.store import Store

T0 = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
POST = "t3_p1"
ROOT = "/reddit"


def person(k: int) -> dict[str, Any]:
    return {"author": {"id": f"t2_u{k % 3}", "name": f"Quiet-Otter-{k % 3}",
                       "handle": f"u/Quiet-Otter-{k % 3}"}}


def seed(server: StandinServer, count: int, *, start: int = 0,
         extra: list[dict[str, Any]] | None = None) -> None:
    """The account's post and ``count`` comments on it, a minute apart (ids t1_c{k})."""
    posts = [{"platform": "reddit", "id": POST, "title": "Flu shots this weekend",
              "text": "Saturday & Sunday, 9 to 3", "created_at": T0}
             ] if server.world.get("reddit", POST) is None else []
    comments = [{"platform": "reddit", "post": POST, "id": f"c{k}", "text": f"Comment {k}?",
                 "created_at": T0 + timedelta(minutes=k + 1), **person(k)}
                for k in range(start, start + count)]
    server.seed(posts=posts, comments=comments + (extra or []))


def ours(server: StandinServer, native: str, parent: str, text: str) -> dict[str, Any]:
    """A comment the organisation's account wrote (under ``parent``)."""
    found = next(s for s in server.settings() if s["platform"] == "reddit")
    return {"platform": "reddit", "post": POST, "id": native, "parent": parent, "text": text,
            "created_at": T0 + timedelta(hours=1),
            "author": {"id": found["id"], "name": "Riverside Health",
                       "handle": found["username"]}}


@pytest.fixture
def reddit(standins: StandinServer) -> tuple[AccountConfig, dict[str, str]]:
    return standin_account(standins, "reddit", token_env="REDDIT_SECRET")


def test_the_tree_with_more_children_and_the_inbox_arrive_placed_and_timed(
    standins: StandinServer, reddit: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    later = T0 + timedelta(hours=2)
    seed(standins, 40, extra=[
        ours(standins, "o1", "c0", "Yes, walk-ins are welcome."),
        {"platform": "reddit", "post": POST, "id": "r1", "parent": "o1", "text": "Thanks!",
         "created_at": later, **person(1)},
        {"platform": "reddit", "post": POST, "id": "r2", "parent": "r1", "text": "Same q",
         "created_at": later + timedelta(minutes=1), **person(2)},
    ])
    account, environ = reddit
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log, page_size=5)

    assert result.summary() == "reddit: 42 new, 0 updated, 0 errors"
    assert len(log.to(f"{ROOT}/api/v1/access_token")) == 1
    assert len(log.to(f"{ROOT}/user/RiversideHealth/submitted")) == 1
    [tree] = log.to(f"{ROOT}/comments/p1")
    assert tree.url.params["limit"] == "25"  # page_size 5: the rest come as `more`
    more = log.to(f"{ROOT}/api/morechildren")
    assert len(more) == 1 and more[0].url.params["link_id"] == POST
    inbox = log.to(f"{ROOT}/message/inbox")
    assert [r.url.params.get("after") for r in inbox][:2] == [None, "t1_c36"]  # r1, c39…c36
    assert len(inbox) == 9  # 41 replies to the account, 5 a page
    assert all(r.headers["User-Agent"].endswith("(by /u/RiversideHealth)") for r in log.requests)
    assert all(r.headers["Authorization"].startswith("bearer ") for r in inbox)

    comment = store.get("reddit:reddit:t1_c7")
    assert comment.created_at == T0 + timedelta(minutes=8)
    assert comment.text == "Comment 7?" and comment.post_id == "reddit:reddit:t3_p1"
    assert (comment.parent_id, comment.author.handle) == (None, "u/Quiet-Otter-1")
    assert comment.permalink == ("https://www.reddit.com/r/RiversideHealth/comments/p1/"
                                 "flu_shots_this_weekend/c7/")
    reply = store.get("reddit:reddit:t1_r2")
    assert (reply.parent_id, reply.post_id) == ("reddit:reddit:t1_r1", "reddit:reddit:t3_p1")
    assert "reddit:reddit:t1_o1" not in {c.id for c in store}  # the account's own
    assert store.posts["reddit:reddit:t3_p1"].text == ("Flu shots this weekend\n\n"
                                                      "Saturday & Sunday, 9 to 3")


def test_a_resync_skips_unchanged_posts_and_stops_at_the_inbox_floor(
    standins: StandinServer, reddit: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 12)
    account, environ = reddit
    sync([account], store, environ=environ, page_size=5)
    log = RequestLog()

    [again] = sync([account], store, environ=environ, log=log, page_size=5)
    seed(standins, 1, start=12)
    [third] = sync([account], store, environ=environ, log=log, page_size=5)

    assert again.summary() == "reddit: 0 new, 0 updated, 0 errors"
    assert third.summary() == "reddit: 1 new, 0 updated, 0 errors"
    assert len(log.to(f"{ROOT}/comments/p1")) == 1  # only once its count changed
    assert len(log.to(f"{ROOT}/message/inbox")) == 2  # one page each: the floor is reached
    assert len(store) == 13


def test_a_429_pauses_until_the_reset_the_headers_give(
    standins: StandinServer, reddit: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 3)
    account, environ = reddit
    standins.fault("reddit", "throttle", path="/message/inbox", reset_after=600)

    [result] = sync([account], store, environ=environ)

    assert result.status is not None and result.status.state == "rate_limited"
    assert result.status.until is not None
    wait = (result.status.until - datetime.now(UTC)).total_seconds()
    assert 590 < wait < 610
    assert len(store) == 3  # the tree read before the limit is kept


def test_no_requests_left_pauses_before_the_next_one_and_keeps_the_pages(
    standins: StandinServer, reddit: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 12)
    account, environ = reddit
    standins.rate_limit("reddit", 3, window=600)  # submitted, the tree, one inbox page
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log, page_size=5)

    assert result.status is not None and result.status.state == "rate_limited"
    assert len(log.to(f"{ROOT}/message/inbox")) == 1  # X-Ratelimit-Remaining 0: no more sent
    assert len(store) == 12


@pytest.mark.parametrize(("change", "named"), [
    ({"REDDIT_PASSWORD": "wrong"}, "reddit: reddit refused user RiversideHealth with the "
                                   "password in REDDIT_PASSWORD (invalid_grant)"),
    ({"REDDIT_SECRET": "wrong"}, "reddit: reddit refused the app's client id and secret in "
                                 "REDDIT_CLIENT_ID and REDDIT_SECRET (401)"),
    ({"REDDIT_CLIENT_ID": ""}, "reddit: the environment variable REDDIT_CLIENT_ID is not set "
                               "(it must hold the account's reddit client id)"),
])
def test_a_refused_sign_in_is_said_once_naming_the_account_and_the_variable(
    standins: StandinServer, reddit: tuple[AccountConfig, dict[str, str]], store: Store,
    change: dict[str, str], named: str
) -> None:
    seed(standins, 2)
    account, environ = reddit
    log = RequestLog()

    [result] = sync([account], store, environ={**environ, **change}, log=log)

    assert result.status is not None and result.status.state == "auth_error"
    assert result.summary() == "reddit: 0 new, 0 updated, 1 error; auth error"
    assert result.status.message == named
    assert result.problems == []  # said once, for the account, not per page
    assert [r.url.path for r in log.requests if "access_token" not in r.url.path] == []


def test_an_expired_bearer_is_fetched_again_once(
    standins: StandinServer, reddit: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 2)
    account, environ = reddit
    standins.fault("reddit", "expired_token", path="/message/inbox")
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log)

    assert result.summary() == "reddit: 2 new, 0 updated, 0 errors"
    assert len(log.to(f"{ROOT}/api/v1/access_token")) == 2


@pytest.mark.parametrize("variant", ["wrong_type", "missing_fields", "not_object"])
def test_a_malformed_comment_is_skipped_alone(
    standins: StandinServer, reddit: tuple[AccountConfig, dict[str, str]], store: Store,
    variant: str
) -> None:
    seed(standins, 5)
    account, environ = reddit
    standins.fault("reddit", "malformed_item", path="/comments/*", variant=variant, index=0)

    [result] = sync([account], store, environ=environ)

    assert result.summary() == "reddit: 5 new, 0 updated, 1 error"  # the inbox had it whole
    [problem] = result.problems
    assert problem.startswith("reddit: skipped reddit ")
    assert len(store) == 5


def test_a_listing_of_the_wrong_shape_fails_the_sync_naming_it(
    standins: StandinServer, reddit: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 2)
    account, environ = reddit
    standins.fault("reddit", "malformed", path="/message/inbox", variant="wrong_shape")

    [result] = sync([account], store, environ=environ)

    assert result.status is not None and result.status.state == "error"
    assert result.status.message == ("reddit: reddit answered GET /message/inbox with "
                                     "something else (the answer is not a Listing)")
    assert len(store) == 2


@pytest.mark.parametrize(("change", "message"), [
    ({"username": ""}, "account reddit: username is needed for reddit"),
    ({"password_env": ""}, "account reddit: password_env is needed for reddit"),
    ({"client_id_env": ""}, "account reddit: client_id_env is needed for reddit"),
])
def test_an_account_without_its_sign_in_settings_is_a_config_error(
    reddit: tuple[AccountConfig, dict[str, str]], change: dict[str, str], message: str
) -> None:
    from triage.connectors.reddit import RedditConnector

    with pytest.raises(ConfigError, match=message):
        RedditConnector.check_account(replace(reddit[0], **change))
