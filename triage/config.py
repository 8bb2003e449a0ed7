"""Configuration: ``config.toml`` validated into one typed :class:`Config` object.

Every problem names the file and the key: an unknown section or key, a wrong type, a
missing value. Nothing here holds a secret: accounts name the environment variable that
holds their token, and the token is read from the environment when it is used.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from triage.errors import ConfigError
from triage.model import PLATFORMS
from triage.spikes.settings import AlertsConfig
from triage.textsafe import inline, unsafe_field
from triage.tomlread import build, load_toml

__all__ = [
    "AccountConfig",
    "AlertsConfig",
    "Config",
    "EscalationConfig",
    "OrgConfig",
    "PharmacovigilanceConfig",
    "PoliciesConfig",
    "RepliesConfig",
    "RetentionConfig",
    "PriorityConfig",
    "StoreConfig",
    "ViewConfig",
    "TaggerConfig",
    "TeamMember",
    "default_data_dir",
    "find_config",
    "load_config",
    "url_has_password",
]

ROLES = ("agent", "approver", "legal", "admin")
#: The most days ``[retention] days`` may give: a hundred years.
MAX_RETENTION_DAYS = 36_500
#: The longest wait between syncs, global or per account: a day.
MAX_POLL_SECONDS = 86_400


@dataclass(frozen=True, slots=True)
class OrgConfig:
    """The organisation: its name and the contact details replies may point to.

    ``phones``, ``emails`` and ``addresses`` are the organisation's own published
    contacts; the tagger does not count them as a privacy risk.
    """

    name: str = "Your Health Organisation"
    contact_phone: str = ""
    contact_url: str = ""
    contact_email: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TaggerConfig:
    """Tagger settings: extra claim files added to the built-in claim library, and the
    learned layer (``model``: "auto" runs it when installed, "off" never; ``model_tags``:
    the tags it may add, empty for those where cross-validation showed it helps;
    ``model_heads``: another heads file)."""

    claims: list[str] = field(default_factory=list)
    model: str = "auto"
    model_tags: list[str] = field(default_factory=list)
    model_heads: str = ""

    def validate(self, where: str) -> None:
        from triage.model import TAG_NAMES

        if self.model not in ("auto", "off"):
            raise ConfigError(f"{where} model: must be \"auto\" or \"off\", not {self.model!r}")
        for tag in self.model_tags:
            if tag not in TAG_NAMES:
                raise ConfigError(f"{where} model_tags: unknown tag {tag!r} "
                                  f"(one of {', '.join(TAG_NAMES)})")


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """A connected account on one platform."""

    name: str
    platform: str
    token_env: str
    base_url: str = ""
    page_id: str = ""
    channel_id: str = ""
    user_id: str = ""
    media_ids: list[str] = field(default_factory=list)
    #: Reddit: the account's user name (without ``u/``), the environment variables that
    #: hold its script app's client id and its password (``token_env`` holds the app's
    #: secret), and whether it moderates the subreddits it posts in (remove / approve).
    username: str = ""
    client_id_env: str = ""
    password_env: str = ""
    moderates: bool = False
    #: Bluesky: the account's handle (``name.bsky.social``) or DID, which signs in with the
    #: app password held by the variable ``token_env`` names.
    handle: str = ""
    #: Seconds between syncs of this account; 0 uses the top-level ``poll_seconds``.
    poll_seconds: int = 0

    def validate(self, where: str) -> None:
        if self.platform not in PLATFORMS:
            from triage.connectors.registry import platforms  # outside connectors count too

            known = sorted({*PLATFORMS, *platforms()})
            if self.platform not in known:
                raise ConfigError(
                    f"{where} platform: unknown platform {self.platform!r} "
                    f"(one of {', '.join(known)})"
                )
        if not _ACCOUNT_NAME.match(self.name):
            raise ConfigError(f"{where} name: use letters, digits, '.', '_' and '-' only "
                              "(it is part of every comment's id)")
        if not _ENV_NAME.match(self.token_env):
            raise ConfigError(  # the value is never echoed: it may be the secret itself
                f"{where} token_env: must name an environment variable (letters, digits, _), "
                "not hold the token"
            )
        for key in ("client_id_env", "password_env"):
            if getattr(self, key) and not _ENV_NAME.match(getattr(self, key)):
                raise ConfigError(  # never echoed: it may be the secret itself
                    f"{where} {key}: must name an environment variable (letters, digits, _), "
                    "not hold the secret")
        if self.username and not _USER_NAME.match(self.username):
            raise ConfigError(f"{where} username: 3 to 20 letters, digits, '_' or '-' "
                              "(the name without u/)")
        if self.base_url and not self.base_url.startswith(("https://", "http://")):
            raise ConfigError(f"{where} base_url: must be an http(s) URL")
        if self.poll_seconds and not 5 <= self.poll_seconds <= MAX_POLL_SECONDS:
            raise ConfigError(f"{where} poll_seconds: must be 0 (the global value) or "
                              f"between 5 and {MAX_POLL_SECONDS}")

    def env_names(self) -> dict[str, str]:
        """The environment variables the account names, by their key (``token_env``, …)."""
        keys = ("token_env", "client_id_env", "password_env")
        return {key: getattr(self, key) for key in keys if getattr(self, key)}


@dataclass(frozen=True, slots=True)
class TeamMember:
    """A person on the team and what they may do."""

    name: str
    email: str = ""
    roles: list[str] = field(default_factory=lambda: ["agent"])

    def validate(self, where: str) -> None:
        if not self.name.strip():
            raise ConfigError(f"{where} name: must not be empty")
        problem = unsafe_field({"name": self.name})
        if problem is not None:  # names are shown on every screen and journaled
            raise ConfigError(f"{where} name: {problem}")
        if self.email and "@" not in self.email:
            raise ConfigError(f"{where} email: {self.email!r} is not an e-mail address")
        for role in self.roles:
            if role not in ROLES:
                raise ConfigError(
                    f"{where} roles: unknown role {role!r} (one of {', '.join(ROLES)})"
                )


SORTS = ("priority", "newest", "oldest", "sla")
DEFAULT_PRIORITY = ["crisis", "adverse_event", "privacy", "abuse", "misinformation", "question"]
DEFAULT_SLA = {
    "crisis": "15m",
    "adverse_event": "1h",
    "privacy": "1h",
    "abuse": "4h",
    "question": "4h",
    "misinformation": "8h",
}


@dataclass(frozen=True, slots=True)
class ViewConfig:
    """A saved view: a named query and how it is sorted."""

    name: str
    query: str = ""
    sort: str = "priority"


@dataclass(frozen=True, slots=True)
class PriorityConfig:
    """Which tags come first in priority order; the rest follow by age."""

    order: list[str] = field(default_factory=lambda: list(DEFAULT_PRIORITY))


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_USER_NAME = re.compile(r"[A-Za-z0-9_-]{3,20}\Z")
_ACCOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")


def _is_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine (localhost, 127.0.0.0/8, ::1)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class EscalationConfig:
    """Where escalations go: a webhook and/or e-mail over SMTP.

    Secrets are named, never held: ``webhook_token_env``, ``smtp_user_env`` and
    ``smtp_password_env`` name environment variables read when a delivery is sent.
    """

    webhook_url: str = ""
    webhook_token_env: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_user_env: str = ""
    smtp_password_env: str = ""
    email_from: str = ""
    email_to: list[str] = field(default_factory=list)
    #: Let ``webhook_url`` be plain http to another machine (the token then travels in clear).
    allow_insecure_webhook: bool = False

    def validate(self, where: str) -> None:
        if self.webhook_url and not self.webhook_url.startswith(("https://", "http://")):
            raise ConfigError(f"{where} webhook_url: must be an http(s) URL")
        if (self.webhook_url.startswith("http://") and not self.allow_insecure_webhook
                and not _is_loopback(self.webhook_url)):
            raise ConfigError(  # the URL is not echoed: it may carry a secret
                f"{where} webhook_url: plain http would send the case and the bearer token "
                "unencrypted over the network; use https, or set allow_insecure_webhook = true"
            )
        for key in ("webhook_token_env", "smtp_user_env", "smtp_password_env"):
            if getattr(self, key) and not _ENV_NAME.match(getattr(self, key)):
                raise ConfigError(  # the value is never echoed: it may be the secret itself
                    f"{where} {key}: must name an environment variable (letters, digits, _), "
                    "not hold the secret"
                )
        if not 0 < self.smtp_port < 65536:
            raise ConfigError(f"{where} smtp_port: must be between 1 and 65535")
        if self.smtp_host and not (self.email_from and self.email_to):
            raise ConfigError(f"{where}: smtp_host is set, so email_from and email_to are needed")
        if (self.email_from or self.email_to) and not self.smtp_host:
            raise ConfigError(f"{where}: e-mail addresses are set, so smtp_host is needed")
        if self.smtp_password_env and not self.smtp_user_env:
            raise ConfigError(f"{where}: smtp_password_env is set, so smtp_user_env is needed")
        for address in [self.email_from, *self.email_to]:
            if address and "@" not in address:
                raise ConfigError(f"{where}: {address!r} is not an e-mail address")


@dataclass(frozen=True, slots=True)
class RetentionConfig:
    """How long the text of closed comments is kept; ``days = 0`` keeps it for ever."""

    days: int = 0

    def validate(self, where: str) -> None:
        if not 0 <= self.days <= MAX_RETENTION_DAYS:
            raise ConfigError(f"{where} days: must be 0 (keep for ever) or up to "
                              f"{MAX_RETENTION_DAYS} (a hundred years), not {self.days}")


@dataclass(frozen=True, slots=True)
class AuditConfig:
    """Where the audit key is: a file outside the data folder (the key is never in here)."""

    key_file: str = ""


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """The team store: a PostgreSQL URL (empty: the embedded store in the data folder).
    The password never goes here: libpq reads PGPASSWORD, ~/.pgpass or a service file."""

    url: str = ""

    def validate(self, where: str) -> None:
        if not self.url:
            return
        if not self.url.startswith(("postgresql://", "postgres://")) and "=" not in self.url:
            raise ConfigError(f"{where} url: must be a postgresql:// URL or libpq key=value "
                              "settings")
        if url_has_password(self.url):
            raise ConfigError(f"{where} url: holds a password; keep it out of config.toml "
                              "(use PGPASSWORD, ~/.pgpass or a PGSERVICEFILE service)")


def url_has_password(url: str) -> bool:
    """Whether a PostgreSQL URL or key=value string carries a password."""
    if url.startswith(("postgresql://", "postgres://")):
        netloc = url.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0]
        if ":" in netloc.rpartition("@")[0]:
            return True
        return re.search(r"[?&]password=", url) is not None
    return re.search(r"(^|\s)password\s*=", url) is not None


@dataclass(frozen=True, slots=True)
class RepliesConfig:
    """Replies: where the approved templates are (empty: the ones shipped with Triage),
    the undo window before a reply is sent, how often a failed send is retried, and
    whether the writer of a reply may also approve it."""

    templates_dir: str = ""
    #: Seconds a queued reply waits before it is sent, during which u cancels it.
    undo_seconds: int = 10
    #: Transient failures (timeouts, 5xx, rate limits) before a reply is given up.
    max_attempts: int = 10
    #: Whether an approver may approve a reply they wrote themselves (free text or an
    #: edited template). Off: a second person must approve it (four eyes).
    self_approval: bool = False
    #: The share of a template's words (0 to 1) an edit may change and still go as the
    #: approved template; a bigger edit is free text, which an approver must approve.
    max_edit_share: float = 0.2

    def validate(self, where: str) -> None:
        if not 0.0 <= self.max_edit_share <= 1.0:
            raise ConfigError(f"{where} max_edit_share: must be between 0 and 1 (a share of "
                              "the template's words, e.g. 0.2)")
        if not 0 <= self.undo_seconds <= 600:
            raise ConfigError(f"{where} undo_seconds: must be between 0 and 600")
        if not 1 <= self.max_attempts <= 100:
            raise ConfigError(f"{where} max_attempts: must be between 1 and 100")


@dataclass(frozen=True, slots=True)
class PoliciesConfig:
    """Reply policies: the policy files (or folders of them) every reply is checked
    against, relative to the config file; empty: the policies shipped with Triage."""

    files: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PharmacovigilanceConfig:
    """Pharmacovigilance: the organisation's products, looked for in adverse-event comments
    (each one a series of the spike alerts)."""

    products: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Config:
    """Everything Triage reads from ``config.toml``."""

    data_dir: str = ""
    poll_seconds: int = 60
    org: OrgConfig = field(default_factory=OrgConfig)
    tagger: TaggerConfig = field(default_factory=TaggerConfig)
    accounts: list[AccountConfig] = field(default_factory=list)
    team: list[TeamMember] = field(default_factory=list)
    keymap: dict[str, str] = field(default_factory=dict)
    views: list[ViewConfig] = field(default_factory=list)
    priority: PriorityConfig = field(default_factory=PriorityConfig)
    sla: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SLA))
    escalation: EscalationConfig = field(default_factory=EscalationConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    replies: RepliesConfig = field(default_factory=RepliesConfig)
    policies: PoliciesConfig = field(default_factory=PoliciesConfig)
    audit: AuditConfig = field(default_factory=AuditConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    pharmacovigilance: PharmacovigilanceConfig = field(default_factory=PharmacovigilanceConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    #: Where the configuration came from (None: built-in defaults).
    source: Path | None = field(default=None, metadata={"internal": True})

    def account(self, name: str) -> AccountConfig:
        for account in self.accounts:
            if account.name == name:
                return account
        known = ", ".join(a.name for a in self.accounts) or "none configured"
        raise ConfigError(f"no account named {name!r} (accounts: {known})")

    def member(self, name: str) -> TeamMember | None:
        for member in self.team:
            if member.name == name:
                return member
        return None

    def resolve(self, path: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        candidate = Path(path).expanduser()
        if not candidate.is_absolute() and self.source is not None:
            candidate = self.source.parent / candidate
        return candidate


def _validate(config: Config, label: str) -> None:
    names: set[str] = set()
    for i, account in enumerate(config.accounts):
        where = f"{label}: [[accounts]] #{i + 1} ({inline(account.name)})"
        account.validate(where)
        if account.name in names:
            raise ConfigError(f"{where}: the account name is used twice")
        names.add(account.name)
    people: set[str] = set()
    for i, member in enumerate(config.team):
        where = f"{label}: [[team]] #{i + 1} ({inline(member.name)})"
        member.validate(where)
        if member.name in people:  # roles are looked up by name: one entry per person
            raise ConfigError(f"{where}: the name is used twice")
        people.add(member.name)
    if not 5 <= config.poll_seconds <= MAX_POLL_SECONDS:
        raise ConfigError(f"{label}: poll_seconds must be between 5 and {MAX_POLL_SECONDS}")
    config.escalation.validate(f"{label}: [escalation]")
    config.retention.validate(f"{label}: [retention]")
    config.replies.validate(f"{label}: [replies]")
    config.store.validate(f"{label}: [store]")
    config.tagger.validate(f"{label}: [tagger]")
    config.alerts.validate(f"{label}: [alerts]")
    _validate_queue_settings(config, label)


def _validate_queue_settings(config: Config, label: str) -> None:
    from triage.errors import QueryError
    from triage.model import TAG_NAMES
    from triage.query import parse_duration, parse_query

    for i, view in enumerate(config.views):
        where = f"{label}: [[views]] #{i + 1} ({view.name})"
        try:
            parse_query(view.query)
        except QueryError as exc:
            raise ConfigError(f"{where} query: {exc}") from None
        if view.sort not in SORTS:
            raise ConfigError(
                f"{where} sort: unknown sort {view.sort!r} (one of {', '.join(SORTS)})"
            )
    for tag in config.priority.order:
        if tag not in TAG_NAMES:
            raise ConfigError(f"{label}: [priority] order: unknown tag {tag!r}")
    for tag, target in config.sla.items():
        if tag not in TAG_NAMES:
            raise ConfigError(
                f"{label}: [sla] unknown tag {tag!r} (one of {', '.join(TAG_NAMES)})"
            )
        try:
            parse_duration(target)
        except QueryError as exc:
            raise ConfigError(f"{label}: [sla] {tag}: {exc}") from None


def parse_config(text: str, label: str = "config.toml", source: Path | None = None) -> Config:
    """Validate the text of a config file into a :class:`Config`."""
    raw = load_toml(text, label, ConfigError)
    config = replace(build(Config, raw, label, "", ConfigError), source=source)
    _validate(config, label)
    return config


def find_config(explicit: str | None) -> Path | None:
    """The config file to use: ``--config``, ``TRIAGE_CONFIG``, ./config.toml, per-user."""
    chosen = explicit or os.environ.get("TRIAGE_CONFIG")
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise ConfigError(f"{path}: no such config file")
        return path
    for candidate in (
        Path.cwd() / "config.toml",
        Path(platformdirs.user_config_dir("triage")) / "config.toml",
    ):
        if candidate.is_file():
            return candidate
    return None


def load_config(explicit: str | None = None) -> Config:
    """Find and load the configuration; built-in defaults when there is none."""
    path = find_config(explicit)
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    return parse_config(text, label=str(path) if explicit else path.name, source=path.resolve())


def default_data_dir() -> Path:
    """The per-user data folder."""
    return Path(platformdirs.user_data_dir("triage"))


def data_dir_for(config: Config, explicit: str | None, *, sandbox: bool = False) -> Path:
    """Where the data lives: ``--data-dir``, ``TRIAGE_DATA_DIR``, the config, the default.

    The sandbox never uses the config's ``data_dir`` (that is the real queue's): it has a
    folder of its own unless one is given explicitly.
    """
    chosen = explicit or os.environ.get("TRIAGE_DATA_DIR")
    if chosen:
        return Path(chosen).expanduser()
    if sandbox:
        return default_data_dir() / "sandbox"
    if config.data_dir:
        return config.resolve(config.data_dir)
    return default_data_dir() / "queue"
