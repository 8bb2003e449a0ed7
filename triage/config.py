"""Configuration: ``config.toml`` validated into one typed :class:`Config` object.

Every problem names the file and the key: an unknown section or key, a wrong type, a
missing value. Nothing here holds a secret: accounts name the environment variable that
holds their token, and the token is read from the environment when it is used.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import platformdirs

from triage.errors import ConfigError
from triage.model import PLATFORMS
from triage.spikes.settings import AlertsConfig
from triage.textsafe import inline, unsafe_field
from triage.tomlread import build, load_toml

if TYPE_CHECKING:
    from triage.account_settings import Setting

__all__ = [
    "AccountConfig",
    "AlertsConfig",
    "Config",
    "EscalationConfig",
    "OrgConfig",
    "PharmacovigilanceConfig",
    "ProductConfig",
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

ROLES = ("agent", "approver", "legal", "admin", "pharmacovigilance")
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


@dataclass(frozen=True, slots=True, init=False)
class AccountConfig:
    """A connected account on one platform.

    The keys every account has are fields; the platform's own keys (a Page id, a channel
    id, a subreddit's user name, …) are in ``settings``, as its connector declares them
    (``SETTINGS``, see :mod:`triage.account_settings`). Read one with :meth:`setting`;
    the built-in platforms' keys are also properties (``account.page_id``).
    """

    name: str
    platform: str
    token_env: str
    base_url: str = ""
    #: Seconds between syncs of this account; 0 uses the top-level ``poll_seconds``.
    poll_seconds: int = 0
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, name: str, platform: str, token_env: str, base_url: str = "",
                 poll_seconds: int = 0, settings: Mapping[str, Any] | None = None,
                 **more: Any) -> None:
        for key, value in (("name", name), ("platform", platform), ("token_env", token_env),
                           ("base_url", base_url), ("poll_seconds", poll_seconds)):
            object.__setattr__(self, key, value)
        merged = {**(settings or {}), **more}
        object.__setattr__(self, "settings",
                           {k: v for k, v in merged.items() if v not in ("", None, False, [])})

    def setting(self, key: str, default: Any = "") -> Any:
        """The platform's own setting ``key`` (``default`` when the account has none)."""
        return self.settings.get(key, default)

    # The built-in platforms' keys, as they were read before connectors declared them.
    page_id = property(lambda self: self.setting("page_id"))
    channel_id = property(lambda self: self.setting("channel_id"))
    user_id = property(lambda self: self.setting("user_id"))
    media_ids = property(lambda self: list(self.setting("media_ids", [])))
    username = property(lambda self: self.setting("username"))
    client_id_env = property(lambda self: self.setting("client_id_env"))
    password_env = property(lambda self: self.setting("password_env"))
    moderates = property(lambda self: bool(self.setting("moderates", False)))
    handle = property(lambda self: self.setting("handle"))

    @classmethod
    def from_table(cls, table: Mapping[str, Any], label: str, section: str) -> AccountConfig:
        """An account from its ``[[accounts]]`` table: the common keys typed, the platform's
        own checked against its connector's declaration (when one is installed)."""
        from triage.account_settings import COMMON, read_settings

        where = f"{label}: {section}"
        named = where + (f" ({inline(table['name'])})" if isinstance(table.get("name"), str)
                         else "")
        values: dict[str, Any] = {}
        for setting in COMMON:
            if setting.name in table:
                values[setting.name] = setting.check(table[setting.name], named)
            elif setting.required:
                raise ConfigError(f"{where} is missing {setting.name!r}")
        where = named
        declared = declared_settings(values["platform"])
        if declared is None:  # an unknown platform: validate() names it
            own = {k: v for k, v in table.items() if k not in values}
        else:
            own = read_settings(declared, table, where, values["platform"])
        return cls(**values, settings=own)

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
        declared = declared_settings(self.platform) or ()
        for setting in declared:
            if setting.name in self.settings:
                setting.check(self.settings[setting.name], where)
        if self.base_url and not self.base_url.startswith(("https://", "http://")):
            raise ConfigError(f"{where} base_url: must be an http(s) URL")
        if self.poll_seconds and not 5 <= self.poll_seconds <= MAX_POLL_SECONDS:
            raise ConfigError(f"{where} poll_seconds: must be 0 (the global value) or "
                              f"between 5 and {MAX_POLL_SECONDS}")

    def env_names(self) -> dict[str, str]:
        """The environment variables the account names, by their key (``token_env``, …):
        the token's and every setting its connector declares as one (or ending ``_env``)."""
        secret = {s.name for s in declared_settings(self.platform) or () if s.secret_env}
        names = {"token_env": self.token_env}
        names.update({key: value for key, value in self.settings.items()
                      if (key in secret or key.endswith("_env")) and isinstance(value, str)})
        return {key: value for key, value in names.items() if value}


def declared_settings(platform: str) -> tuple[Setting, ...] | None:
    """The settings the connector installed for ``platform`` declares (None: none is)."""
    from triage.connectors.registry import connector_class, platforms

    if platform not in platforms():
        return None
    return tuple(connector_class(platform).SETTINGS)


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
class ProductConfig:
    """A product pharmacovigilance follows: its brand name, generic name and other names."""

    name: str
    generic: str = ""
    aliases: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """Every name a comment may use for it, brand first."""
        return [n for n in (self.name, self.generic, *self.aliases) if n.strip()]


@dataclass(frozen=True, slots=True)
class PharmacovigilanceConfig:
    """Adverse-event intake: the products to recognise, and the calendar days from first
    sight (day 0) by which an intake must be complete."""

    products: list[ProductConfig] = field(default_factory=list)
    deadline_days: int = 15

    def validate(self, where: str) -> None:
        if not 1 <= self.deadline_days <= 365:
            raise ConfigError(f"{where} deadline_days: must be between 1 and 365 calendar "
                              f"days, not {self.deadline_days}")
        for i, product in enumerate(self.products):
            if not product.name.strip():
                raise ConfigError(f"{where} products #{i + 1} name: must not be empty")
            problem = unsafe_field({"name": product.name, "generic": product.generic,
                                    **{f"aliases[{n}]": a for n, a in enumerate(product.aliases)}})
            if problem is not None:
                raise ConfigError(f"{where} products #{i + 1} ({inline(product.name)}): {problem}")


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
    pharmacovigilance: PharmacovigilanceConfig = field(default_factory=PharmacovigilanceConfig)
    audit: AuditConfig = field(default_factory=AuditConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
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
    config.pharmacovigilance.validate(f"{label}: [pharmacovigilance]")
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
