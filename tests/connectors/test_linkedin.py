"""The LinkedIn connector against the project's LinkedIn stand-in, over HTTP on loopback."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.connectors.conftest import FAST, RequestLog, standin_account, sync
from tests.outbox.conftest import config_text
from triage.config import AccountConfig, parse_config
from triage.connectors import Capability
from triage.connectors.linkedin import LinkedInConnector
from triage.errors import ActionRefused, Unavailable
from triage.model import Comment
from triage.outbox.links import capability_gap
from triage.standins import StandinServer
from triage.store import Store

T0 = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
POST = "urn:li:activity:7100000000000000001"
ROOT = "/linkedin/rest"


def urn(k: int | str, post: str = POST) -> str:
    return f"urn:li:comment:({post},{k})"


def person(k: int) -> dict[str, Any]:
    return {"author": {"id": f"urn:li:person:m{k % 3}", "name": f"Member {k % 3}"}}


def seed(server: StandinServer, count: int, *, start: int = 0, post: str = POST,
         extra: list[dict[str, Any]] | None = None) -> None:
    """A post of the organisation's and ``count`` comments on it, a minute apart."""
    posts = [{"platform": "linkedin", "id": post, "text": "Our nurses won an award",
              "created_at": T0}] if server.world.get("linkedin", post) is None else []
    comments = [{"platform": "linkedin", "post": post, "id": urn(1000 + k, post),
                 "text": f"Comment {k}?", "created_at": T0 + timedelta(minutes=k + 1),
                 **person(k)} for k in range(start, start + count)]
    server.seed(posts=posts, comments=comments + (extra or []))


def reply_of(k: int, parent: int) -> dict[str, Any]:
    return {"platform": "linkedin", "post": POST, "id": urn(2000 + k), "parent": urn(parent),
            "text": f"Reply {k}", "created_at": T0 + timedelta(hours=1, minutes=k),
            **person(k)}


@pytest.fixture
def linkedin(standins: StandinServer) -> tuple[AccountConfig, dict[str, str]]:
    return standin_account(standins, "linkedin")


@pytest.fixture
async def connector(linkedin: tuple[AccountConfig, dict[str, str]]
                    ) -> AsyncIterator[LinkedInConnector]:
    account, environ = linkedin
    async with httpx.AsyncClient() as client:
        yield LinkedInConnector(account, environ["LINKEDIN_TOKEN"], client, policy=FAST)


async def read_all(connector: LinkedInConnector) -> dict[str, Comment]:
    return {c.native_id: c async for page in connector.pages(None) for c in page.comments}


def test_comments_and_replies_arrive_paged_placed_and_timed(
    standins: StandinServer, linkedin: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 23, extra=[reply_of(1, 1000)])
    account, environ = linkedin
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log, page_size=10)

    assert result.summary() == "linkedin: 24 new, 0 updated, 0 errors"
    [posts] = log.to(f"{ROOT}/posts")
    assert posts.url.params["author"] == f"urn:li:organization:{account.setting('organization_id')}"
    on_post = [r for r in log.requests if r.url.raw_path.startswith(
        b"/linkedin/rest/socialActions/urn%3Ali%3Aactivity")]
    assert [r.url.params["start"] for r in on_post] == ["0", "10", "20"]
    assert all(r.headers["LinkedIn-Version"] == "202511"
               and r.headers["X-Restli-Protocol-Version"] == "2.0.0" for r in log.requests)
    first = store.get(f"linkedin:linkedin:{urn(1000)}")
    reply = store.get(f"linkedin:linkedin:{urn(2001)}")
    assert first.created_at == T0 + timedelta(minutes=1)
    assert (first.post_id, first.parent_id) == (f"linkedin:linkedin:{POST}", None)
    assert (first.author.id, first.author.name) == ("urn:li:person:m0", "LinkedIn member")
    assert reply.parent_id == first.id
    assert first.permalink.startswith(f"https://www.linkedin.com/feed/update/{POST}/"
                                      "?commentUrn=urn%3Ali%3Acomment%3A%28")


def test_the_next_sync_reads_replies_only_where_the_count_changed(
    standins: StandinServer, linkedin: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 3, extra=[reply_of(1, 1000)])
    account, environ = linkedin
    sync([account], store, environ=environ)
    standins.seed(comments=[reply_of(9, 1000)])  # a new reply under an old comment
    log = RequestLog()

    [result] = sync([account], store, environ=environ, log=log)

    assert result.summary() == "linkedin: 1 new, 0 updated, 0 errors"
    assert store.get(f"linkedin:linkedin:{urn(2009)}").parent_id == (
        f"linkedin:linkedin:{urn(1000)}")


def test_a_429_pauses_the_account_a_minute(
    standins: StandinServer, linkedin: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 5)
    account, environ = linkedin
    standins.fault("linkedin", "throttle", path="/socialActions/*", times=None)

    [result] = sync([account], store, environ=environ)

    assert result.status is not None and result.status.state == "rate_limited"
    assert "linkedin rate limit reached (Resource level throttle APPLICATION DAY limit" in (
        result.status.message)
    assert result.status.until is not None
    assert 50 < (result.status.until - datetime.now(UTC)).total_seconds() < 70


@pytest.mark.parametrize("expired", [False, True])
def test_a_refused_token_is_an_auth_error_naming_the_variable(
    standins: StandinServer, linkedin: tuple[AccountConfig, dict[str, str]], store: Store,
    expired: bool,
) -> None:
    seed(standins, 1)
    account, environ = linkedin
    if expired:
        standins.fault("linkedin", "expired_token", times=None)
    else:
        environ = {"LINKEDIN_TOKEN": "wrong"}

    [result] = sync([account], store, environ=environ)

    assert result.status is not None and result.status.state == "auth_error"
    said = "The token used in the request has expired" if expired else "Invalid access token"
    assert result.status.message == (f"linkedin: linkedin refused the token in LINKEDIN_TOKEN "
                                     f"(401: {said})")


def test_a_malformed_comment_is_skipped_and_named_the_rest_arrive(
    standins: StandinServer, linkedin: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 5)
    account, environ = linkedin
    standins.fault("linkedin", "malformed_item", path="/socialActions/*",
                   variant="missing_fields", index=1)

    [result] = sync([account], store, environ=environ)

    assert result.summary() == "linkedin: 4 new, 0 updated, 1 error"
    assert result.problems == ["linkedin: skipped linkedin comment 1001: commentUrn is "
                               "missing, not an id"]


def test_a_timeout_on_a_read_is_retried(
    standins: StandinServer, linkedin: tuple[AccountConfig, dict[str, str]], store: Store
) -> None:
    seed(standins, 2)
    account, environ = linkedin
    standins.fault("linkedin", "delay", path="/socialActions/*", delay=1.0)

    [result] = sync([account], store, environ=environ)

    assert result.summary() == "linkedin: 2 new, 0 updated, 0 errors"


async def test_a_reply_is_posted_once_found_after_a_timeout_and_deleted(
    standins: StandinServer, connector: LinkedInConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(connector))[urn(1000)]
    standins.fault("linkedin", "commit_then_delay", path="/socialActions/*", method="POST",
                   delay=1.0)

    with pytest.raises(Unavailable, match="it may have taken effect: check before sending"):
        await connector.reply(comment, "Thank you!", idempotency_key="k")
    found = await connector.find_reply(comment, "Thank  you!", idempotency_key="k")

    [posted] = standins.posted("linkedin")
    assert (found, posted["target"], posted["text"]) == (posted["id"], urn(1000),
                                                          "Thank you!")
    await connector.delete_reply(found)
    await connector.delete_reply(found)  # already gone: still done
    assert [p["action"] for p in standins.posted("linkedin")] == ["reply", "delete"]
    assert await connector.find_reply(comment, "Thank you!", idempotency_key="k") is None


async def test_an_answer_to_a_reply_goes_under_its_top_comment(
    standins: StandinServer, connector: LinkedInConnector
) -> None:
    seed(standins, 1, extra=[reply_of(1, 1000)])
    reply = (await read_all(connector))[urn(2001)]

    made = await connector.reply(reply, "Glad to help.", idempotency_key="k")

    [posted] = standins.posted("linkedin")
    assert posted["target"] == urn(1000)
    assert await connector.find_reply(reply, "Glad to help.", idempotency_key="k") == made


async def test_hide_and_delete_are_not_offered_and_say_why(
    standins: StandinServer, connector: LinkedInConnector
) -> None:
    seed(standins, 1)
    comment = (await read_all(connector))[urn(1000)]
    config = parse_config(config_text(Path("."), [{
        "name": "linkedin", "platform": "linkedin", "token_env": "LINKEDIN_TOKEN",
        "organization_id": "18364502"}]))

    for capability, why in (
            (Capability.HIDE, "LinkedIn's API has no way to hide a comment"),
            (Capability.DELETE, "LinkedIn's API deletes only the organisation's own comments")):
        assert not connector.supports(capability)
        assert capability_gap(config, comment, capability).startswith(why)
    with pytest.raises(ActionRefused, match=re.escape("linkedin: LinkedIn's API has no way")):
        await connector.hide(comment)
    assert standins.posted("linkedin") == []
