"""Outbox fixtures: a small template folder, a config with accounts on local servers, a
store holding comments that exist on those servers, and a sender with fast retries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from mastodon_mock.testing import MockServer

from tests.connectors.conftest import FAST, TOKENS, Masto
from tests.connectors.conftest import sync as run_sync
from triage.config import Config, parse_config
from triage.model import Author, Comment, Tag
from triage.outbox import Links, OutboxItem, Outcome, Sender, SendOptions, submit_reply
from triage.standins import StandinServer
from triage.store import Store
from triage.templates import TemplateLibrary, load_library

#: The tests' start time; the clock moves on from it when a test says so.
START = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
CDC = "https://www.cdc.gov/flu/vaccines/keyfacts.html"

_TEMPLATE = """id = "{id}"
title = "{title}"
tags = {tags}
platforms = ["facebook", "instagram", "youtube", "x", "mastodon", "reddit"]
language = "en"
phi_safe = {phi_safe}
body = \"\"\"{body}\"\"\"
approved_by = "Maya Okafor (Compliance)"
approved_on = 2026-01-05
review_by = {review_by}
{extra}"""

_RESOURCE = """
[[resources]]
title = "Evaluating Health Information (MedlinePlus)"
url = "https://medlineplus.gov/evaluatinghealthinformation.html"
"""

TEMPLATES = {
    "myth-any": ('["misinformation"]', "true", "2099-01-01",
                 "Hi {author}, that is a common worry. What the research shows: "
                 "{resource_title}: {resource_url}"),
    "thanks": ("[]", "false", "2099-01-01", "Thank you {author}, we will pass it on to the team!"),
    "privacy-safe": ('["privacy"]', "true", "2099-01-01",
                     "Hi {author}, please keep personal details off this page. Reach us "
                     "privately: {contact_url}"),
    "question-any": ('["question"]', "true", "2099-01-01",
                     "Hi {author}, good question: see {contact_url} or call {contact_phone}."),
    "question-old": ('["question"]', "true", "2026-11-21",
                     "Hi {author}, ask us at {contact_url}."),
}


def write_templates(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for ident, (tags, safe, review, body) in TEMPLATES.items():
        (folder / f"{ident}.toml").write_text(_TEMPLATE.format(
            id=ident, title=ident.replace("-", " ").capitalize(), tags=tags, phi_safe=safe,
            body=body, review_by=review,
            extra=_RESOURCE if "resource" in body else ""), encoding="utf-8")
    return folder


def tagger(text: str) -> tuple[Tag, ...]:
    """Tags by plain words, enough for the outbox: myths, privacy risks, questions."""
    tags = []
    lowered = text.lower()
    if "room 412" in lowered:
        tags.append(Tag("privacy", 0.95, (), "test:room"))
    if "flu shot gives" in lowered:
        tags.append(Tag("misinformation", 0.9, (), "claim:flu-shot-gives-flu",
                        claim_id="flu-shot-gives-flu", resource_title="Flu vaccine facts (CDC)",
                        resource_url=CDC))
    if "?" in text:
        tags.append(Tag("question", 0.9, (), "test:question"))
    return tuple(tags)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def config_text(folder: Path, accounts: list[dict[str, Any]]) -> str:
    lines = [
        f'[replies]\ntemplates_dir = "{folder}"\n',
        '[org]\nname = "Riverside Health"\ncontact_phone = "1-800-555-0199"\n'
        'contact_url = "https://www.example.org/contact"\n',
        '[[team]]\nname = "ana"\nroles = ["agent", "approver"]\n',
        '[[team]]\nname = "ben"\nroles = ["agent"]\n',
    ]
    for account in accounts:
        lines.append("[[accounts]]")
        for key, value in account.items():
            rendered = (f'"{value}"' if isinstance(value, str) else str(value).lower()
                        if isinstance(value, bool) else repr(value).replace("'", '"'))
            lines.append(f"{key} = {rendered}")
        lines.append("")
    return "\n".join(lines)


def standin_accounts(server: StandinServer) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every stand-in account as config entries, and the environment holding the tokens."""
    accounts, environ = [], {}
    for found in server.settings():
        variable = f"{found['platform'].upper()}_TOKEN"
        entry: dict[str, Any] = {"name": found["name"], "platform": found["platform"],
                                 "token_env": variable, "base_url": found["base_url"]}
        for key in ("page_id", "channel_id", "user_id", "business_id", "organization_id"):
            if found.get(key):
                entry[key] = found[key]
        if found.get("media_ids"):
            entry["media_ids"] = list(found["media_ids"])
        if found.get("client_id"):  # reddit: the stand-in's script app
            entry.update(username=found["username"], client_id_env="REDDIT_CLIENT_ID",
                         password_env="REDDIT_PASSWORD", moderates=True)
            environ.update(REDDIT_CLIENT_ID=found["client_id"], REDDIT_PASSWORD=found["token"])
        if found["platform"] == "bluesky":  # the token is the account's app password
            entry["handle"] = found["handle"]
        accounts.append(entry)
        environ[variable] = found["token"]
    return accounts, environ


@dataclass
class Desk:
    """The outbox as a test drives it: submit as someone, send as the person running it."""

    store: Store
    config: Config
    clock: Clock
    environ: dict[str, str]
    user: str = "ben"
    options: dict[str, Any] = field(default_factory=dict)

    def library(self) -> TemplateLibrary:
        return load_library(self.config, today=self.clock().date())

    def submit(self, comment_id: str, template_id: str | None = None, text: str | None = None,
               *, user: str | None = None, window: float | None = None) -> OutboxItem:
        return submit_reply(self.store, self.config, user or self.user, comment_id,
                            library=self.library(), template_id=template_id, text=text,
                            now=self.clock(), window=window)

    async def send(self, **options: Any) -> list[Outcome]:
        async with httpx.AsyncClient() as client:
            sender = self.sender(client, **options)
            return await sender.send_due()

    def sender(self, client: httpx.AsyncClient, **options: Any) -> Sender:
        links = Links(self.config, client, environ=self.environ, policy=FAST,
                      clock=self.clock)
        opts = SendOptions(clock=self.clock, rng=lambda: 0.0, **{**self.options, **options})
        return Sender(self.store, self.config, self.user, links, opts)


@pytest.fixture(scope="session")
def _mock() -> Iterator[Masto]:
    with MockServer() as server:
        yield Masto(server)


@pytest.fixture
def masto(_mock: Masto) -> Masto:
    _mock.reset()
    return _mock


@pytest.fixture
def templates_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_templates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


MASTODON_ACCOUNT = {"name": "riverside-masto", "platform": "mastodon",
                    "token_env": "ALICE_TOKEN"}


def seed_mastodon(masto: Masto) -> dict[str, str]:
    """alice's post, and carol's myth, question and privacy risk mentioning alice; the
    Triage ids of carol's comments by kind."""
    post = masto.post("alice", "Free flu shots this Saturday, 9 to 3.")
    ids = {}
    for kind, text in (("myth", "@alice the flu shot gives you the flu, everyone knows"),
                       ("question", "@alice when does the clinic open?"),
                       ("privacy", "@alice my dad is in room 412, please check on him")):
        status = masto.post("carol", text, reply_to=post["id"])
        ids[kind] = f"mastodon:riverside-masto:{status['id']}"
    return ids


@pytest.fixture
def masto_desk(masto: Masto, tmp_path: Path, templates_dir: Path,
               clock: Clock) -> Iterator[tuple[Desk, dict[str, str]]]:
    """A store synced from mastodon-mock: alice's post, carol's myth, question and privacy
    risk mentioning alice. Returns the desk and the comment ids by kind."""
    account = {**MASTODON_ACCOUNT, "base_url": masto.base_url}
    config = parse_config(config_text(templates_dir, [account]))
    ids = seed_mastodon(masto)
    store = Store(tmp_path / "data", tagger=tagger, clock=clock)
    desk = Desk(store, config, clock, dict(TOKENS))
    try:
        (result,) = run_sync(config.accounts, store, environ=TOKENS)
        assert result.new == 3, result.summary()
        yield desk, ids
    finally:
        desk.store.close()  # a test that reopened the store left its own copy here


def own_replies(masto: Masto, native: str) -> list[dict[str, Any]]:
    """alice's replies to a status, as the server has them."""
    context = masto.get("alice", f"/api/v1/statuses/{native}/context")
    return [s for s in context["descendants"]
            if s["account"]["acct"] == "alice" and s["in_reply_to_id"] == native]


def native(comment_id: str) -> str:
    return comment_id.rsplit(":", 1)[1]


def standin_comment(server: StandinServer, platform: str, text: str,
                    account: str) -> Comment:
    """A comment added on a stand-in, as the store would hold it."""
    post = server.seed(posts=[{"platform": platform, "text": "Flu shots Saturday",
                               "created_at": "2026-11-19T09:00:00Z"}])["posts"][0]
    native_id = server.add_comment({"platform": platform, "post": post, "text": text,
                                    "author_id": "700", "author_name": "Dana Whitfield",
                                    "author_handle": "dana",
                                    "created_at": "2026-11-20T10:00:00Z"})
    return Comment(id=f"{platform}:{account}:{native_id}", platform=platform, account=account,
                   text=text, created_at=START - timedelta(hours=5),
                   author=Author(id="700", name="Dana Whitfield", handle="dana"),
                   post_id=f"{platform}:{account}:{post}", native_id=native_id,
                   tags=tagger(text), captured_at=START)
