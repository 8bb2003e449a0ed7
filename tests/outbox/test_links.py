"""Why a reply, hide or delete cannot reach a comment's platform, said so a person can act."""

from __future__ import annotations

import pytest

from tests.factories import make_comment
from triage.config import parse_config
from triage.connectors import Capability
from triage.errors import ActionRefused
from triage.outbox.links import capability_gap, require_capability

CONFIG = parse_config("""
[[accounts]]
name = "riverside-fb"
platform = "facebook"
page_id = "1"
token_env = "FB_TOKEN"

[[accounts]]
name = "riverside-masto"
platform = "mastodon"
base_url = "https://mastodon.example"
token_env = "MASTO_TOKEN"
""")


@pytest.mark.parametrize(
    ("platform", "account", "status", "capability", "why"),
    [
        ("facebook", "riverside-fb", "new", Capability.REPLY, ""),
        ("facebook", "riverside-fb", "new", Capability.HIDE, ""),
        ("myspace", "rcph-myspace", "new", Capability.REPLY,
         "no connector is installed for myspace yet"),
        ("myspace", "rcph-myspace", "new", Capability.HIDE,
         "no connector is installed for myspace yet"),
        ("facebook", "oncology-fb", "new", Capability.REPLY,
         "the comment's account 'oncology-fb' is not in config.toml [[accounts]]"),
        ("mastodon", "riverside-masto", "new", Capability.HIDE, "Mastodon has no per-reply hide"),
        ("facebook", "riverside-fb", "deleted", Capability.REPLY,
         "the comment was deleted from facebook"),
    ],
)
def test_the_gap_names_what_is_missing(
    platform: str, account: str, status: str, capability: Capability, why: str
) -> None:
    comment = make_comment("c1", "hello", platform=platform, account=account, status=status)
    gap = capability_gap(CONFIG, comment, capability)
    assert gap.startswith(why) if why else gap == ""


def test_a_refusal_says_what_could_not_be_done_and_why() -> None:
    comment = make_comment("c1", "hello", platform="myspace", account="rcph-myspace")
    with pytest.raises(ActionRefused, match=r"^cannot reply: no connector is installed for "
                                            r"myspace yet \(installed: .*facebook.*\)"):
        require_capability(CONFIG, comment, Capability.REPLY)
