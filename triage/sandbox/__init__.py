"""The built-in sandbox: a generated, realistic queue on a fictional organisation's accounts."""

from triage.sandbox.banks import DATA_DIR, Banks, Kind, SandboxAccount, SandboxOrg, load_banks
from triage.sandbox.generator import DEFAULT_SEED, DEFAULT_SIZE, SandboxData, generate

__all__ = [
    "DATA_DIR",
    "DEFAULT_SEED",
    "DEFAULT_SIZE",
    "Banks",
    "Kind",
    "SandboxAccount",
    "SandboxData",
    "SandboxOrg",
    "generate",
    "load_banks",
]
