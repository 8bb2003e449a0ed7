"""The audit key: a secret kept outside the data folder that every journal line's MAC needs.

Where it comes from, first found wins:

1. ``TRIAGE_AUDIT_KEY``: the key itself (any text of 16 characters or more; a hex string
   from ``openssl rand -hex 32`` is a good one). It is used as written, never decoded.
2. ``TRIAGE_AUDIT_KEY_FILE``: the path of a file holding the key.
3. ``[audit] key_file`` in ``config.toml`` (relative to the config file's folder).

A key file holds the key as its text; surrounding white space (a final newline) is left
out. A key file inside the data folder is refused: whoever can rewrite the journal could
read it there. The key is kept in one object whose ``repr`` names only where it came from;
no message ever quotes it.

A line's MAC is HMAC-SHA256(key, the line's ``hash``). The hash covers the line and the
``prev`` hash, so a line's MAC vouches for it and every line before it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from triage.errors import ConfigError

__all__ = ["ENV_KEY", "ENV_KEY_FILE", "MIN_LENGTH", "AuditKey", "load_audit_key"]

ENV_KEY = "TRIAGE_AUDIT_KEY"
ENV_KEY_FILE = "TRIAGE_AUDIT_KEY_FILE"
MIN_LENGTH = 16
_DOMAIN = b"triage-journal-line\x00"


class AuditKey:
    """The audit key; computes and checks MACs, never shows itself."""

    __slots__ = ("_secret", "source")

    def __init__(self, secret: bytes, source: str) -> None:
        self._secret = secret
        #: Where the key came from (an environment variable's name or a file), for messages.
        self.source = source

    def __repr__(self) -> str:
        return f"AuditKey(from {self.source})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("the audit key is not to be pickled")

    def mac(self, digest: str) -> str:
        """The MAC of a journal line, given its ``hash``."""
        return hmac.new(self._secret, _DOMAIN + digest.encode("ascii", "replace"),
                        hashlib.sha256).hexdigest()

    def check(self, digest: object, mac: object) -> bool:
        """Whether ``mac`` is the MAC of ``digest`` under this key (in constant time)."""
        if not isinstance(digest, str) or not isinstance(mac, str):
            return False
        return hmac.compare_digest(self.mac(digest), mac)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def _from_text(text: str, source: str) -> AuditKey:
    key = text.strip()
    if len(key) < MIN_LENGTH:
        raise ConfigError(  # the key itself is never quoted
            f"the audit key from {source} is too short: use {MIN_LENGTH} characters or more "
            "(for example the output of `openssl rand -hex 32`)"
        )
    return AuditKey(key.encode("utf-8", "surrogatepass"), source)


def _from_file(path: Path, source: str, data_dir: Path | None) -> AuditKey:
    if data_dir is not None and _inside(path, data_dir):
        raise ConfigError(
            f"{source}: the audit key file {path} is inside the data folder {data_dir}; "
            "keep it outside, where someone who can change the journal cannot read it"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{source}: no audit key file at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"{source}: cannot read the audit key file {path}: {reason}") from None
    return _from_text(text, f"{source} ({path})")


def load_audit_key(key_file: Path | None = None, data_dir: Path | None = None) -> AuditKey | None:
    """The configured audit key, or None; ``key_file`` is ``[audit] key_file`` resolved."""
    value = os.environ.get(ENV_KEY)
    if value:
        return _from_text(value, ENV_KEY)
    named = os.environ.get(ENV_KEY_FILE)
    if named:
        return _from_file(Path(named).expanduser(), ENV_KEY_FILE, data_dir)
    if key_file is not None:
        return _from_file(key_file, "[audit] key_file", data_dir)
    return None
