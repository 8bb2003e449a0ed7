"""The sandbox's phrase banks: the TOML files of ``triage/data/sandbox``, loaded and checked."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from triage.config import PharmacovigilanceConfig, TeamMember
from triage.errors import ConfigError, DataFileError
from triage.model import PLATFORMS, TAG_NAMES
from triage.sandbox.slots import (
    CONTEXT_SLOTS,
    OPTIONAL_TOPIC_SLOTS,
    PRIMITIVE_SLOTS,
    TOPIC_SLOTS,
    Template,
    compile_template,
    references,
)
from triage.tomlread import build, check_keys, read_toml

__all__ = [
    "DATA_DIR",
    "Banks",
    "Kind",
    "SandboxAccount",
    "SandboxOrg",
    "Topic",
    "Unit",
    "load_banks",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "sandbox"

#: The ids each platform's account needs (what a connector for it is configured with).
ACCOUNT_IDS: dict[str, tuple[str, ...]] = {
    "facebook": ("page_id",),
    "instagram": ("user_id",),
    "youtube": ("channel_id",),
    "x": ("user_id",),
    "tiktok": ("user_id",),
    "mastodon": ("instance", "user_id"),
    "bluesky": ("did",),
    "reddit": ("subreddit",),
    "linkedin": ("organization_id",),
}
ID_FIELDS = ("page_id", "user_id", "channel_id", "instance", "did", "subreddit", "organization_id")
#: Slot banks the generator itself draws from (authors' names and handles, spam bots).
REQUIRED_BANKS = ("first", "last", "es_first", "es_last", "tail", "name_flair",
                  "reddit_adjective", "reddit_noun")


@dataclass(frozen=True, slots=True)
class SandboxOrg:
    """The sandbox's organisation and its public contacts (quoting them is no privacy risk)."""

    name: str
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    addresses: tuple[str, ...]
    url: str
    team: tuple[TeamMember, ...] = ()
    #: The products and reporting deadline of its pharmacovigilance team.
    pharmacovigilance: PharmacovigilanceConfig = field(default_factory=PharmacovigilanceConfig)


@dataclass(frozen=True, slots=True)
class SandboxAccount:
    """One of the organisation's accounts, with the platform's own ids for it."""

    name: str
    platform: str
    unit: str
    display_name: str
    handle: str
    page_id: str = ""
    user_id: str = ""
    channel_id: str = ""
    instance: str = ""
    did: str = ""
    subreddit: str = ""
    organization_id: str = ""
    #: How busy the account is compared with the others.
    volume: float = 1.0


@dataclass(frozen=True, slots=True)
class Unit:
    key: str
    name: str
    short: str


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    label: str
    units: tuple[str, ...]
    slots: dict[str, tuple[Template, ...]]
    long: tuple[Template, ...]
    short: tuple[Template, ...]
    hashtags: tuple[str, ...]
    mix: dict[str, float]


@dataclass(frozen=True, slots=True)
class Kind:
    key: str
    tags: tuple[str, ...]
    weight: float
    texts: tuple[Template, ...]
    topic_texts: dict[str, tuple[Template, ...]]
    lang: str = "en"
    casual: bool = True
    author: str = ""
    opener: str = ""
    tail: str = "tail"
    join: tuple[int, int] | None = None
    min: int = 1
    #: Texts to draw from under each topic's posts (the topic's own ones twice as likely).
    pools: dict[str, tuple[Template, ...]] = field(default_factory=dict)

    def pool(self, topic: str) -> tuple[Template, ...]:
        return self.pools.get(topic, self.texts)


@dataclass(frozen=True, slots=True)
class Banks:
    org: SandboxOrg
    units: dict[str, Unit]
    accounts: tuple[SandboxAccount, ...]
    topics: dict[str, Topic]
    kinds: dict[str, Kind]
    replies: dict[str, dict[str, float]]
    platform_mix: dict[str, dict[str, float]]
    slots: dict[str, tuple[Template, ...]]


class _Reader:
    """Typed access to one TOML file, every complaint naming the file and the entry."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.doc = read_toml(path, DataFileError, "sandbox data file")

    def fail(self, where: str, problem: str) -> DataFileError:
        return DataFileError(f"{self.path}: {where}: {problem}")

    def table(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "expected a table")
        return value

    def keys(self, value: dict[str, Any], where: str, allowed: tuple[str, ...],
             required: tuple[str, ...] = ()) -> None:
        check_keys(value, allowed, f"{self.path}: {where}", DataFileError, required=required)

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(where, "expected a non-empty string")
        return value

    def texts(self, value: Any, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(where, "expected a non-empty list of strings")
        return tuple(self.text(item, f"{where}[{i}]") for i, item in enumerate(value))

    def templates(self, value: Any, where: str) -> tuple[Template, ...]:
        out = []
        for i, text in enumerate(self.texts(value, where)):
            try:
                out.append(compile_template(text))
            except ValueError as exc:
                raise self.fail(f"{where}[{i}]", str(exc)) from None
        return tuple(out)

    def number(self, value: Any, where: str, *, minimum: float = 0.0) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise self.fail(where, f"expected a number of at least {minimum:g}")
        return float(value)

    def weights(self, value: Any, where: str, known: dict[str, Any]) -> dict[str, float]:
        table = self.table(value, where)
        out = {}
        for key, weight in table.items():
            if key not in known:
                raise self.fail(where, f"unknown kind {key!r}")
            out[key] = self.number(weight, f"{where}.{key}")
        return out


def _team(reader: _Reader, value: Any) -> tuple[TeamMember, ...]:
    if not isinstance(value, list):
        raise reader.fail("team", "expected [[team]] entries")
    team = []
    for i, entry in enumerate(value):
        where = f"team[{i}]"
        table = reader.table(entry, where)
        reader.keys(table, where, ("name", "email", "roles"), ("name", "roles"))
        member = TeamMember(reader.text(table["name"], f"{where}.name"),
                            str(table.get("email", "")),
                            list(reader.texts(table["roles"], f"{where}.roles")))
        try:
            member.validate(where)
        except ConfigError as exc:
            raise reader.fail(where, str(exc).removeprefix(where).strip()) from None
        team.append(member)
    return tuple(team)


def _pharmacovigilance(reader: _Reader, value: Any) -> PharmacovigilanceConfig:
    table = reader.table(value, "pharmacovigilance")
    try:
        found = build(PharmacovigilanceConfig, table, "pharmacovigilance", "", ConfigError)
        found.validate("pharmacovigilance")
    except ConfigError as exc:
        raise reader.fail("pharmacovigilance", str(exc)) from None
    return found


def _org(reader: _Reader) -> tuple[SandboxOrg, dict[str, Unit], tuple[SandboxAccount, ...]]:
    doc = reader.doc
    reader.keys(doc, "top level", ("org", "units", "accounts", "team", "pharmacovigilance"),
                ("org", "units", "accounts"))
    org = reader.table(doc["org"], "org")
    reader.keys(org, "org", ("name", "phones", "emails", "addresses", "url"),
                ("name", "phones", "emails", "addresses", "url"))
    sandbox_org = SandboxOrg(
        reader.text(org["name"], "org.name"), reader.texts(org["phones"], "org.phones"),
        reader.texts(org["emails"], "org.emails"),
        reader.texts(org["addresses"], "org.addresses"), reader.text(org["url"], "org.url"),
        _team(reader, doc.get("team", [])),
        _pharmacovigilance(reader, doc.get("pharmacovigilance", {})),
    )
    units = {}
    for key, value in reader.table(doc["units"], "units").items():
        table = reader.table(value, f"units.{key}")
        reader.keys(table, f"units.{key}", ("name", "short"), ("name", "short"))
        units[key] = Unit(key, reader.text(table["name"], f"units.{key}.name"),
                          reader.text(table["short"], f"units.{key}.short"))
    if not isinstance(doc["accounts"], list) or not doc["accounts"]:
        raise reader.fail("accounts", "expected at least one [[accounts]] entry")
    accounts: list[SandboxAccount] = []
    for i, value in enumerate(doc["accounts"]):
        where = f"accounts[{i}]"
        table = reader.table(value, where)
        reader.keys(table, where, ("name", "platform", "unit", "display_name", "handle",
                                   "volume", *ID_FIELDS),
                    ("name", "platform", "unit", "display_name", "handle"))
        name = reader.text(table["name"], f"{where}.name")
        where = f"accounts[{i}] ({name})"
        platform = reader.text(table["platform"], f"{where}.platform")
        if platform not in PLATFORMS:
            raise reader.fail(f"{where}.platform", f"unknown platform {platform!r}")
        unit = reader.text(table["unit"], f"{where}.unit")
        if unit not in units:
            raise reader.fail(f"{where}.unit", f"unknown unit {unit!r}")
        if any(account.name == name for account in accounts):
            raise reader.fail(where, "a second account with this name")
        ids = {key: reader.text(table[key], f"{where}.{key}") for key in ID_FIELDS if key in table}
        for key in ACCOUNT_IDS[platform]:
            if key not in ids:
                raise reader.fail(where, f"a {platform} account needs {key!r}")
        accounts.append(SandboxAccount(
            name=name, platform=platform, unit=unit,
            display_name=reader.text(table["display_name"], f"{where}.display_name"),
            handle=reader.text(table["handle"], f"{where}.handle"),
            volume=reader.number(table.get("volume", 1.0), f"{where}.volume", minimum=0.01),
            **ids,
        ))
    return sandbox_org, units, tuple(accounts)


def _topics(reader: _Reader, units: dict[str, Unit]) -> dict[str, Topic]:
    reader.keys(reader.doc, "top level", ("topics",), ("topics",))
    topics = {}
    fields = ("label", "units", "hashtags", "slots", "long", "short", "mix")
    for key, value in reader.table(reader.doc["topics"], "topics").items():
        where = f"topics.{key}"
        table = reader.table(value, where)
        reader.keys(table, where, fields, fields[:-1])
        topic_units = reader.texts(table["units"], f"{where}.units")
        for unit in topic_units:
            if unit not in units:
                raise reader.fail(f"{where}.units", f"unknown unit {unit!r}")
        slots = reader.table(table["slots"], f"{where}.slots")
        reader.keys(slots, f"{where}.slots", TOPIC_SLOTS + OPTIONAL_TOPIC_SLOTS, TOPIC_SLOTS)
        topics[key] = Topic(
            key=key, label=reader.text(table["label"], f"{where}.label"), units=topic_units,
            slots={name: reader.templates(slots[name], f"{where}.slots.{name}")
                   for name in TOPIC_SLOTS + OPTIONAL_TOPIC_SLOTS if name in slots},
            long=reader.templates(table["long"], f"{where}.long"),
            short=reader.templates(table["short"], f"{where}.short"),
            hashtags=reader.texts(table["hashtags"], f"{where}.hashtags"),
            mix=reader.table(table.get("mix", {}), f"{where}.mix"),  # checked with the kinds
        )
    return topics


def _kinds(reader: _Reader, topics: dict[str, Topic]) -> dict[str, Kind]:
    doc = reader.doc
    reader.keys(doc, "top level", ("kinds", "replies", "platform_mix"), ("kinds", "replies"))
    kinds = {}
    allowed = ("tags", "weight", "texts", "topics", "lang", "casual", "author", "join", "min",
               "opener", "tail")
    for key, value in reader.table(doc["kinds"], "kinds").items():
        where = f"kinds.{key}"
        table = reader.table(value, where)
        reader.keys(table, where, allowed, ("tags", "weight", "texts"))
        tags = table["tags"]
        if not isinstance(tags, list) or any(tag not in TAG_NAMES for tag in tags):
            raise reader.fail(f"{where}.tags", f"expected a list of tags from {TAG_NAMES}")
        topic_texts = {}
        for topic, texts in reader.table(table.get("topics", {}), f"{where}.topics").items():
            if topic not in topics:
                raise reader.fail(f"{where}.topics", f"unknown topic {topic!r}")
            topic_texts[topic] = reader.templates(texts, f"{where}.topics.{topic}")
        lang = table.get("lang", "en")
        if lang not in ("en", "es"):
            raise reader.fail(f"{where}.lang", "expected 'en' or 'es'")
        casual = table.get("casual", True)
        if not isinstance(casual, bool):
            raise reader.fail(f"{where}.casual", "expected true or false")
        join = table.get("join")
        if join is not None and not (
            isinstance(join, list) and len(join) == 2 and all(type(n) is int for n in join)
            and 1 <= join[0] <= join[1]
        ):
            raise reader.fail(f"{where}.join", "expected [min, max], two whole numbers")
        banks = {option: table.get(option, default)
                 for option, default in (("opener", ""), ("tail", "tail"))}
        for option, bank in banks.items():
            if not isinstance(bank, str):
                raise reader.fail(f"{where}.{option}", 'expected the name of a slot bank, or ""')
        texts = reader.templates(table["texts"], f"{where}.texts")
        kinds[key] = Kind(
            key=key, tags=tuple(tags), weight=reader.number(table["weight"], f"{where}.weight"),
            texts=texts, topic_texts=topic_texts, lang=lang, casual=casual,
            author=reader.text(table["author"], f"{where}.author") if "author" in table else "",
            opener=banks["opener"], tail=banks["tail"],
            join=(join[0], join[1]) if join else None,
            min=int(reader.number(table.get("min", 1), f"{where}.min")),
            pools={topic: _pool(reader, where, topics[topic], topic_texts.get(topic, ()), texts)
                   for topic in topics},
        )
    return kinds


def _needs(template: Template) -> set[str]:
    """The optional topic slots a text names."""
    return set(references(template)) & set(OPTIONAL_TOPIC_SLOTS)


def _pool(reader: _Reader, where: str, topic: Topic, own: tuple[Template, ...],
          texts: tuple[Template, ...]) -> tuple[Template, ...]:
    """A kind's texts under ``topic``'s posts: its own twice as likely, and the general
    ones that name no optional slot the topic lacks ("the {treatment}" under nurses)."""
    for i, template in enumerate(own):
        missing = _needs(template) - set(topic.slots)
        if missing:
            raise reader.fail(f"{where}.topics.{topic.key}[{i}]",
                              f"topic {topic.key!r} has no slot {{{sorted(missing)[0]}}}")
    usable = tuple(t for t in texts if _needs(t) <= set(topic.slots))
    if not own + usable:
        raise reader.fail(f"{where}.texts", f"no text can be written under topic {topic.key!r}")
    return own + own + usable


def _check_slots(banks: Banks, paths: dict[str, Path]) -> None:
    """Every slot a text names exists, and no bank refers to itself."""
    known = set(banks.slots) | set(PRIMITIVE_SLOTS) | set(CONTEXT_SLOTS) | set(TOPIC_SLOTS) \
        | set(OPTIONAL_TOPIC_SLOTS)

    def check(templates: tuple[Template, ...], file: str, where: str) -> None:
        for i, template in enumerate(templates):
            for base in references(template):
                if base not in known:
                    raise DataFileError(f"{paths[file]}: {where}[{i}]: unknown slot {{{base}}}")

    for name, templates in banks.slots.items():
        check(templates, "slots", name)
    for topic in banks.topics.values():
        check(topic.long, "posts", f"topics.{topic.key}.long")
        check(topic.short, "posts", f"topics.{topic.key}.short")
        for name, templates in topic.slots.items():
            check(templates, "posts", f"topics.{topic.key}.slots.{name}")
    for kind in banks.kinds.values():
        check(kind.texts, "comments", f"kinds.{kind.key}.texts")
        for topic_key, templates in kind.topic_texts.items():
            check(templates, "comments", f"kinds.{kind.key}.topics.{topic_key}")
        for option in ("author", "opener", "tail"):
            bank = getattr(kind, option)
            if bank and bank not in banks.slots:
                raise DataFileError(f"{paths['comments']}: kinds.{kind.key}.{option}: "
                                    f"no slot bank {bank!r} in slots.toml")
    for name in REQUIRED_BANKS:
        if name not in banks.slots:
            raise DataFileError(f"{paths['slots']}: the bank {name!r} is missing")

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in trail:
            cycle = " -> ".join((*trail[trail.index(name):], name))
            raise DataFileError(f"{paths['slots']}: {name}: refers to itself ({cycle})")
        for template in banks.slots.get(name, ()):
            for base in references(template):
                visit(base, (*trail, name))

    for name in banks.slots:
        visit(name, ())


@cache
def load_banks(data_dir: Path = DATA_DIR) -> Banks:
    """Read and check the sandbox's data files (once per folder and process)."""
    paths = {name: data_dir / f"{name}.toml" for name in ("org", "posts", "slots", "comments")}
    org, units, accounts = _org(_Reader(paths["org"]))
    posts = _Reader(paths["posts"])
    topics = _topics(posts, units)
    slots_reader = _Reader(paths["slots"])
    slots = {name: slots_reader.templates(value, name) for name, value in slots_reader.doc.items()}
    for name in slots:
        if name in PRIMITIVE_SLOTS or name in CONTEXT_SLOTS or name in TOPIC_SLOTS:
            raise slots_reader.fail(name, "this slot is built in and cannot be a bank")
    comments = _Reader(paths["comments"])
    kinds = _kinds(comments, topics)
    if not any(kind.weight > 0 for kind in kinds.values()):
        raise comments.fail("kinds", "no kind has a weight above 0")
    for topic in topics.values():
        topics[topic.key] = replace(
            topic, mix=posts.weights(topic.mix, f"topics.{topic.key}.mix", kinds)
        )
    replies = {}
    for key, value in comments.table(comments.doc["replies"], "replies").items():
        if key != "default" and key not in kinds:
            raise comments.fail("replies", f"unknown kind {key!r}")
        replies[key] = comments.weights(value, f"replies.{key}", kinds)
        if not any(replies[key].values()):
            raise comments.fail(f"replies.{key}", "every weight is 0")
    if "default" not in replies:
        raise comments.fail("replies", "missing 'default'")
    mixes = {}
    for platform, value in comments.table(comments.doc.get("platform_mix", {}),
                                          "platform_mix").items():
        if platform not in PLATFORMS:
            raise comments.fail("platform_mix", f"unknown platform {platform!r}")
        mixes[platform] = comments.weights(value, f"platform_mix.{platform}", kinds)
    banks = Banks(org, units, accounts, topics, kinds, replies, mixes, slots)
    _check_slots(banks, paths)
    for account in accounts:
        if not any(account.unit in topic.units for topic in topics.values()):
            raise posts.fail("topics", f"no topic for the unit {account.unit!r} "
                                       f"(account {account.name})")
    return banks
