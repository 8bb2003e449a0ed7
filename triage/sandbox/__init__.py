"""The built-in sandbox: a generated, realistic queue on a fictional organisation's accounts."""

from triage.sandbox.banks import DATA_DIR, Banks, Kind, SandboxAccount, SandboxOrg, load_banks
from triage.sandbox.feeder import Feeder, FeedItem, feed_pool
from triage.sandbox.generator import DEFAULT_SEED, DEFAULT_SIZE, SandboxData, generate
from triage.sandbox.run import (
    SandboxPlatforms,
    connected_platforms,
    forget_sync_state,
    token_variable,
)

__all__ = [
    "DATA_DIR",
    "DEFAULT_SEED",
    "DEFAULT_SIZE",
    "Banks",
    "FeedItem",
    "Feeder",
    "Kind",
    "SandboxAccount",
    "SandboxData",
    "SandboxOrg",
    "SandboxPlatforms",
    "connected_platforms",
    "feed_pool",
    "forget_sync_state",
    "generate",
    "load_banks",
    "token_variable",
]
