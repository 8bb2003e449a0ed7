"""Triage's Bluesky connector against the AT Protocol's own servers (``@atproto/dev-env``):
an organisation and a member sign up, the organisation posts, the member replies, Triage
syncs, replies (once, though the first answer is lost), hides by threadgate and deletes."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.bluesky.conftest import Network
from tests.connectors.conftest import question_tagger, sync
from triage.config import AccountConfig
from triage.connectors import RetryPolicy
from triage.connectors.bluesky import BlueskyConnector
from triage.connectors.bluesky_auth import forget_sessions
from triage.errors import AuthError, Unavailable
from triage.model import Comment
from triage.store import Store

pytestmark = pytest.mark.bluesky

T = TypeVar("T")
_numbers = itertools.count(1)
VARIABLE = "RIVERSIDE_BSKY_APP_PASSWORD"
#: Short waits between tries, but the time a real server takes (signing in hashes).
PATIENT = RetryPolicy(attempts=3, base_delay=0.05, max_delay=0.2, max_wait=2, timeout=30)


class Person:
    """An account on the PDS, acting through XRPC as a Bluesky app would."""

    def __init__(self, pds: str, handle: str) -> None:
        self.pds, self.handle = pds, handle
        self.http = httpx.Client(base_url=pds, timeout=30)
        body = self.xrpc("com.atproto.server.createAccount", {
            "handle": handle, "email": f"{handle}@example.com", "password": "pw-" + handle})
        self.did, self.token = body["did"], body["accessJwt"]

    def xrpc(self, nsid: str, body: Any = None, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if hasattr(self, "token") else {}
        if body is None:
            response = self.http.get(f"/xrpc/{nsid}", params=params, headers=headers)
        else:
            response = self.http.post(f"/xrpc/{nsid}", json=body, headers=headers)
        assert response.status_code == 200, (nsid, response.status_code, response.text)
        return response.json()

    def post(self, text: str, reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text,
                                  "createdAt": datetime.now(UTC).isoformat()}
        if reply_to is not None:
            record["reply"] = {"root": reply_to, "parent": reply_to}
        return dict(self.xrpc("com.atproto.repo.createRecord", {
            "repo": self.did, "collection": "app.bsky.feed.post", "record": record}))

    def own_replies_to(self, parent: str) -> list[str]:
        """The uris of this account's posts in its repository that answer ``parent``."""
        body = self.xrpc("com.atproto.repo.listRecords", repo=self.did,
                         collection="app.bsky.feed.post", limit=100)
        return [r["uri"] for r in body["records"]
                if r["value"].get("reply", {}).get("parent", {}).get("uri") == parent]


def wait_for(check: Callable[[], T], what: str, seconds: float = 20) -> T:
    """``check()`` once it is truthy (the AppView indexes what the PDS took a moment later)."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not seen within {seconds:g} s: {what}")
        time.sleep(0.2)


class LoseFirstAnswer(httpx.AsyncBaseTransport):
    """Sends every request, but loses the answer to the first ``createRecord``: the reply
    is made on the server and the client sees a timeout, as on a broken connection."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path.endswith("createRecord") and not self.lost:
            self.lost += 1
            await response.aread()
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def people(bluesky_network: Network) -> tuple[Person, Person, str]:
    """The organisation (with an app password for Triage) and a member, new each test."""
    n = next(_numbers)
    org = Person(bluesky_network.pds, f"riverside{n}.test")
    member = Person(bluesky_network.pds, f"pat{n}.test")
    password = org.xrpc("com.atproto.server.createAppPassword", {"name": "triage"})["password"]
    forget_sessions()
    return org, member, password


def riverside(network: Network, org: Person) -> AccountConfig:
    return AccountConfig(name="riverside", platform="bluesky", token_env=VARIABLE,
                         base_url=network.pds, handle=org.handle)


@pytest.fixture
async def lossy(bluesky_network: Network, people: tuple[Person, Person, str]
                ) -> AsyncIterator[tuple[BlueskyConnector, LoseFirstAnswer]]:
    org, _, password = people
    transport = LoseFirstAnswer()
    async with httpx.AsyncClient(transport=transport) as client:
        yield (BlueskyConnector(riverside(bluesky_network, org), password, client,
                                policy=PATIENT), transport)


async def test_sync_reply_once_hide_and_delete_on_the_reference_server(
    bluesky_network: Network, people: tuple[Person, Person, str],
    lossy: tuple[BlueskyConnector, LoseFirstAnswer], tmp_path: Path
) -> None:
    org, member, password = people
    account = riverside(bluesky_network, org)
    environ = {VARIABLE: password}
    post = org.post("Flu shots this Saturday, 9 to 3, no appointment needed.")
    ref = {"uri": post["uri"], "cid": post["cid"]}
    wait_for(lambda: member.xrpc("app.bsky.feed.getPosts", uris=[post["uri"]])["posts"],
             "the organisation's post in the AppView")
    asked = member.post("Is it free for children?", reply_to=ref)

    with Store(tmp_path / "data", tagger=question_tagger) as store:
        def synced() -> Comment | None:
            [result] = sync([account], store, environ=environ, policy=PATIENT)
            assert not result.failed, result.status
            return store.get(f"bluesky:riverside:{asked['uri']}") if len(store) else None

        comment = await asyncio.to_thread(wait_for, synced, "the member's reply in a sync")
        assert comment.text == "Is it free for children?"
        assert comment.author.handle == member.handle and comment.author.id == member.did
        assert comment.post_id == f"bluesky:riverside:{post['uri']}"
        assert comment.parent_id is None  # it answers the post itself
        rkey = asked["uri"].rsplit("/", 1)[-1]
        assert comment.permalink == f"https://bsky.app/profile/{member.handle}/post/{rkey}"
        assert abs(comment.created_at - datetime.now(UTC)) < timedelta(minutes=5)
        assert "question" in comment.tag_names
        stored_post = store.posts[comment.post_id]
        assert stored_post.text.startswith("Flu shots this Saturday")
        assert stored_post.permalink.startswith(f"https://bsky.app/profile/{org.handle}/post/")
        [again] = await asyncio.to_thread(sync, [account], store, environ=environ,
                                          policy=PATIENT)
        assert again.summary() == "riverside: 0 new, 0 updated, 0 errors"

    connector, transport = lossy
    text = "Yes, free for everyone. Details: https://example.org/flu"
    with pytest.raises(Unavailable, match="it may have taken effect"):
        await connector.reply(comment, text, idempotency_key="outbox-1")
    found = await connector.find_reply(comment, text, idempotency_key="outbox-1")
    assert transport.lost == 1 and found is not None
    assert org.own_replies_to(asked["uri"]) == [found]  # exactly one, though retried
    ours = wait_for(lambda: (member.xrpc("app.bsky.feed.getPostThread", uri=asked["uri"])
                             ["thread"].get("replies")), "our reply in the AppView's thread")
    [reply] = [r["post"] for r in ours]
    assert reply["uri"] == found and reply["author"]["did"] == org.did
    assert reply["record"]["reply"]["root"]["uri"] == post["uri"]
    [facet] = reply["record"]["facets"]
    assert facet["features"][0]["uri"] == "https://example.org/flu"
    assert (await connector.thread(comment)).own[0].native_id == found

    await connector.hide(comment)
    gate = org.xrpc("com.atproto.repo.getRecord", repo=org.did,
                    collection="app.bsky.feed.threadgate", rkey=post["uri"].rsplit("/", 1)[-1])
    assert gate["value"]["hiddenReplies"] == [asked["uri"]]
    assert "allow" not in gate["value"]  # replies stay open to everyone
    await connector.hide(comment)  # hidden already: nothing written twice
    await connector.hide(comment, hidden=False)
    await connector.hide(comment)
    gate = org.xrpc("com.atproto.repo.getRecord", repo=org.did,
                    collection="app.bsky.feed.threadgate", rkey=post["uri"].rsplit("/", 1)[-1])
    assert gate["value"]["hiddenReplies"] == [asked["uri"]]

    await connector.delete_reply(found)
    await connector.delete_reply(found)  # gone already: still done
    assert org.own_replies_to(asked["uri"]) == []
    wait_for(lambda: not member.xrpc("app.bsky.feed.getPostThread", uri=asked["uri"])
             ["thread"].get("replies"), "our reply gone from the AppView's thread")


async def test_sessions_are_kept_refreshed_and_made_again_on_the_reference_server(
    bluesky_network: Network, people: tuple[Person, Person, str]
) -> None:
    org, _, password = people
    account = riverside(bluesky_network, org)
    calls: list[str] = []

    async def log(request: httpx.Request) -> None:
        calls.append(request.url.path.rsplit(".", 1)[-1])

    async with httpx.AsyncClient(event_hooks={"request": [log]}) as client:
        first = BlueskyConnector(account, password, client, policy=PATIENT)
        assert await first.did() == org.did
        second = BlueskyConnector(account, password, client, policy=PATIENT)
        assert await second.did() == org.did  # the kept session: no second sign-in
        assert calls.count("createSession") == 1
        used = second.session.tokens
        assert used is not None
        await second.session.refresh(used)
        [page] = [p async for p in second.pages(None)]
        assert page.comments == () and calls.count("refreshSession") == 1
        # A token the server cannot verify (400 InvalidToken): signed in again, once.
        second.session._keep(type(used)("not-a-token", "nor-this", used.did, used.handle))
        [page] = [p async for p in second.pages(None)]
        assert calls.count("createSession") == 2

        wrong = BlueskyConnector(account, "xxxx-xxxx-xxxx-xxxx", client, policy=PATIENT)
        with pytest.raises(AuthError, match=rf"riverside: bluesky refused handle "
                           rf"{org.handle} with the app password in {VARIABLE} \(401 "
                           r"AuthenticationRequired: Invalid identifier or password\)"):
            await wrong.did()
