"""The one error tree of Triage: every error a user can cause, with a message for them.

    TriageError                 base; ``str(err)`` is the message a user reads
    ├── ConfigError             config.toml is unreadable, or a key is unknown, wrong or missing
    ├── StoreError              the data folder: locked by another process, corrupt, unwritable
    │   └── StoreLockedError    another Triage owns the data folder
    ├── JournalError            the journal is unreadable or its hash chain is broken
    ├── ImportError_            a comments file could not be read
    ├── BadTime                 a time that cannot be read, or could not be true
    ├── DataFileError           a data file (claims, lexicons, patterns, sandbox banks) is broken
    ├── ModelUnavailable        the learned layer cannot run (extra not installed, heads missing)
    ├── ConnectorError          a platform call failed
    │   ├── AuthError           the token is missing, expired or refused
    │   ├── RateLimited         the platform asked us to wait (``until`` says how long)
    │   ├── Unavailable         timeouts, 5xx, connection refused: worth retrying later
    │   └── BadPayload          the platform answered with something we cannot read
    ├── QueryError              a query (search, view, --query) has a bad term
    ├── TemplateError           a reply template is broken or not usable for this comment
    │   └── TemplateFileError   template files fail the lint, or their folder is missing
    ├── PolicyFileError         a reply policy file is broken, or the policy files are missing
    ├── IdentityRefused         --user / TRIAGE_USER given where the database login acts
    ├── ActionRefused           the action is not allowed now (legal hold, role, status)
    │   └── PolicyBlocked       a reply breaks a blocking reply policy (``hits`` says where)
    └── NotFound                no comment, template or escalation with that id

Bad input (a file or value that cannot be read: config, template, data file, import file,
query, time) exits the command line with 2; a refused or failed action exits with 1.
"""

from __future__ import annotations

from datetime import datetime

__all__ = [
    "ActionRefused",
    "AuthError",
    "BadTime",
    "BadPayload",
    "ConfigError",
    "ConnectorError",
    "DataFileError",
    "IdentityRefused",
    "ImportError_",
    "JournalError",
    "ModelUnavailable",
    "NotFound",
    "PolicyBlocked",
    "PolicyFileError",
    "QueryError",
    "RateLimited",
    "StoreError",
    "StoreLockedError",
    "TemplateError",
    "TemplateFileError",
    "TriageError",
    "Unavailable",
]


class TriageError(Exception):
    """Base of every error a user can cause; the message is written for them."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(TriageError):
    """The configuration file is unreadable or does not validate."""

    exit_code = 2


class StoreError(TriageError):
    """The data folder cannot be used."""


class StoreLockedError(StoreError):
    """Another Triage process owns the data folder."""


class JournalError(TriageError):
    """The journal cannot be read, or its hash chain is broken."""


class ImportError_(TriageError):  # noqa: N801 - the builtin name is taken
    """A comments file could not be read at all."""

    exit_code = 2


class BadTime(TriageError):
    """A time that is not a time, or is outside what could be true; the message says which."""

    exit_code = 2


class DataFileError(TriageError):
    """A tagger data file is broken; the message names the file and the entry."""

    exit_code = 2


class ModelUnavailable(TriageError):
    """The learned layer cannot run: its extra is not installed, or its heads file is bad."""


class ConnectorError(TriageError):
    """A platform call failed."""

    def __init__(self, message: str, *, account: str = "") -> None:
        super().__init__(message)
        self.account = account


class AuthError(ConnectorError):
    """The token is missing, expired or refused."""


class RateLimited(ConnectorError):
    """The platform asked us to wait until ``until`` (UTC)."""

    def __init__(self, message: str, *, until: datetime, account: str = "") -> None:
        super().__init__(message, account=account)
        self.until = until


class Unavailable(ConnectorError):
    """A transient fault: timeout, 5xx, refused connection."""


class BadPayload(ConnectorError):
    """The platform answered with something that cannot be read."""


class QueryError(TriageError):
    """A query has a term that is not understood; the message names it."""

    exit_code = 2


class TemplateError(TriageError):
    """A reply template is broken, lapsed, or not allowed for this comment."""


class TemplateFileError(TemplateError):
    """Template files that do not pass the lint, or a templates folder that is not there."""

    exit_code = 2


class PolicyFileError(TriageError):
    """Reply policy files that do not pass the lint; the message names the file and entry."""

    exit_code = 2


class IdentityRefused(TriageError):
    """In team mode the database login acts: a user name given another way is refused."""

    exit_code = 2


class ActionRefused(TriageError):
    """The action is not allowed now; the message says why."""


class PolicyBlocked(ActionRefused):
    """A reply breaks a blocking policy; ``hits`` are the policy hits that block it."""

    def __init__(self, message: str, hits: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.hits = hits


class NotFound(TriageError):
    """No record with that id."""
