"""The sandbox generator: a realistic queue of comments on the organisation's accounts.

Deterministic for (size, seed, now): every choice comes from one ``random.Random(seed)``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate
from random import Random
from typing import Any

from triage.model import Author, Comment, Post
from triage.sandbox.banks import Banks, Kind, SandboxAccount, SandboxOrg, Topic, load_banks
from triage.sandbox.platforms import STYLES, PlatformStyle, PostRef
from triage.sandbox.slots import Context, Filler, Ref, Template, references

__all__ = ["DEFAULT_SEED", "DEFAULT_SIZE", "SandboxData", "generate"]

DEFAULT_SIZE = 300
DEFAULT_SEED = 7
DAY = 86_400
#: Comments fall in the last five days, denser towards now (ages spread as u**AGE_POWER).
SPAN = 5 * DAY
HOURS = SPAN // 3600
AGE_POWER = 1.6
#: Posts go up in the last nine days; each account's first one before the comments begin.
POST_SPAN = 9 * DAY
POSTS_PER_ACCOUNT = (4, 8)
#: A share of the comments answer another comment.
REPLY_SHARE = (0.27, 0.33)
#: How often a comment comes from someone who has not commented on that platform yet.
NEW_AUTHOR = 0.55
#: How often a reply answers another reply rather than picking from the busiest threads.
REPLY_TO_REPLY = 0.4
#: How often someone answering a reply is the person that reply answered (an argument).
BACK_AND_FORTH = 0.3
MIN_REPLY_GAP = 20
MEAN_REPLY_GAP = 90 * 60
#: A comment younger than this gets no reply yet.
MIN_AGE_FOR_REPLY = 120


@dataclass(frozen=True)
class SandboxData:
    """A generated sandbox: the organisation, its accounts, posts and comments.

    ``kinds`` says what kind of comment (comments.toml) each comment id was written as.
    """

    org: SandboxOrg
    accounts: list[SandboxAccount]
    posts: list[Post]
    comments: list[Comment]
    kinds: dict[str, str] = field(default_factory=dict)

    def kind_counts(self) -> Counter[str]:
        return Counter(self.kinds.values())


@dataclass(slots=True)
class _Post:
    post: Post
    ref: PostRef
    account: SandboxAccount
    style: PlatformStyle
    topic: Topic
    ts: int
    popularity: float
    kind_keys: list[str]
    kind_cum: list[float]
    context: dict[str, Any]


@dataclass(slots=True, eq=False)
class _Node:
    kind: str
    post: _Post
    ts: int
    depth: int
    parent: _Node | None = None
    mention: _Node | None = None
    root: _Node | None = None
    author: Author | None = None
    native: str = ""


def _weight_of(post: _Post, index: int) -> float:
    cum = post.kind_cum
    return cum[index] - (cum[index - 1] if index else 0.0)


def generate(size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED, *,
             now: datetime | None = None) -> SandboxData:
    """A sandbox of ``size`` comments, the same for the same (size, seed, now).

    ``now`` (timezone-aware) defaults to the current minute; comments fall in the five
    days before it.
    """
    if size < 0:
        raise ValueError("size must be 0 or more")
    if now is None:
        now = datetime.now(UTC).replace(second=0, microsecond=0)
    elif now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    return _Generator(load_banks(), Random(seed), now).run(size)


class _Generator:
    def __init__(self, banks: Banks, rng: Random, now: datetime) -> None:
        self.banks = banks
        self.rng = rng
        self.now = now
        self.now_ts = int(now.timestamp())
        self.filler = Filler(banks.slots, rng)
        self.kinds = banks.kinds
        self.top_kinds = [key for key, kind in banks.kinds.items() if kind.weight > 0]
        self.uses_to = {
            key for key, kind in banks.kinds.items()
            if any("to" in references(t) for t in kind.texts)
            or any("to" in references(t) for ts in kind.topic_texts.values() for t in ts)
        }
        self.replies = {key: (list(table), list(accumulate(table.values())))
                        for key, table in banks.replies.items()}
        self.pools: dict[tuple[str, str], list[Author]] = {}
        self.taken: set[tuple[str, str]] = set()
        self.org_context = {
            "org_phone": tuple((p,) for p in banks.org.phones),
            "org_email": tuple((e,) for e in banks.org.emails),
            "org_address": tuple((a,) for a in banks.org.addresses),
            "org_url": banks.org.url,
        }

    def run(self, size: int) -> SandboxData:
        posts = self._posts()
        n_replies = round(size * self.rng.uniform(*REPLY_SHARE)) if size >= 10 else 0
        tops = self._top_level(posts, size - n_replies)
        nodes = tops + self._replies(tops, n_replies)
        comments, kinds = self._write(nodes)
        comments.sort(key=lambda c: (c.created_at, c.id))
        return SandboxData(
            org=self.banks.org, accounts=list(self.banks.accounts),
            posts=sorted((p.post for p in posts), key=lambda p: (p.created_at, p.id)),
            comments=comments, kinds=kinds,
        )

    # -- posts ---------------------------------------------------------------------------

    def _posts(self) -> list[_Post]:
        rng, banks = self.rng, self.banks
        out: list[_Post] = []
        ids: set[str] = set()
        top_kinds = self.top_kinds
        for account in banks.accounts:
            style = STYLES[account.platform]
            unit = banks.units[account.unit]
            topics = [t for t in banks.topics.values() if account.unit in t.units]
            rng.shuffle(topics)
            mix = banks.platform_mix.get(account.platform, {})
            for i in range(rng.randint(*POSTS_PER_ACCOUNT)):
                topic = topics[i % len(topics)]
                low = SPAN + 2 * 3600 if i == 0 else 3 * 3600
                ts = self.now_ts - rng.randrange(low, POST_SPAN)
                context: dict[str, Any] = {
                    **self.org_context, **topic.slots,
                    "unit": unit.name, "unit_short": unit.short,
                }
                text = self._post_text(style, topic, context)
                when = datetime.fromtimestamp(ts, UTC)
                ref = style.post(rng, account, when, text)
                while f"{account.platform}:{ref.native_id}" in ids:
                    ref = style.post(rng, account, when, text)
                post_id = f"{account.platform}:{ref.native_id}"
                ids.add(post_id)
                weights = [self.kinds[k].weight * topic.mix.get(k, 1.0) * mix.get(k, 1.0)
                           for k in top_kinds]
                if not any(weights):
                    weights = [self.kinds[k].weight for k in top_kinds]
                out.append(_Post(
                    post=Post(id=post_id, platform=account.platform, account=account.name,
                              text=text, created_at=when, permalink=ref.permalink),
                    ref=ref, account=account, style=style, topic=topic, ts=ts,
                    popularity=rng.lognormvariate(0, 0.6),
                    kind_keys=top_kinds, kind_cum=list(accumulate(weights)), context=context,
                ))
        return out

    def _post_text(self, style: PlatformStyle, topic: Topic, context: dict[str, Any]) -> str:
        rng = self.rng
        scope: dict[str, str] = {}  # one clinic, one day… all through the post

        def fill(template: Template) -> str:
            return self.filler.fill(template, context, scope)

        if style.post_style == "short":
            text = fill(rng.choice(topic.short))
            tags = rng.sample(topic.hashtags, rng.randint(1, min(3, len(topic.hashtags))))
            return text + ("\n\n" if style.platform == "instagram" else " ") + " ".join(tags)
        if style.platform == "reddit":
            return fill(rng.choice(topic.short)) + "\n\n" + fill(rng.choice(topic.long))
        return fill(rng.choice(topic.long))

    # -- threads -------------------------------------------------------------------------

    def _top_level(self, posts: list[_Post], count: int) -> list[_Node]:
        rng, now_ts = self.rng, self.now_ts
        buckets = []
        volume = {a.name: a.volume for a in self.banks.accounts}
        for hour in range(HOURS):
            end = now_ts - (hour + 1) * 3600
            # Each account keeps its share of the comments; within it, newer posts draw more.
            raw = [p.popularity / (1 + (end - p.ts) / DAY) ** 1.5 if p.ts <= end else 0.0
                   for p in posts]
            totals: dict[str, float] = {}
            for post, weight in zip(posts, raw, strict=True):
                totals[post.account.name] = totals.get(post.account.name, 0.0) + weight
            buckets.append(list(accumulate(
                weight * volume[post.account.name] / totals[post.account.name] if weight else 0.0
                for post, weight in zip(posts, raw, strict=True)
            )))
        choices, random = rng.choices, rng.random
        tops = []
        for _ in range(count):
            age = max(30, int(SPAN * random() ** AGE_POWER))
            post = choices(posts, cum_weights=buckets[min(HOURS - 1, age // 3600)])[0]
            kind = choices(post.kind_keys, cum_weights=post.kind_cum)[0]
            tops.append(_Node(kind, post, now_ts - age, 0))
        self._cover(tops)
        return tops

    def _cover(self, tops: list[_Node]) -> None:
        """Make sure every kind appears (its ``min`` times) when there is room for all.

        A missing kind takes the place of a comment of a plentiful kind, under a post
        where that kind can appear (a very long comment only where platforms allow one).
        """
        wanted = {key: kind.min for key, kind in self.kinds.items() if kind.weight > 0}
        if len(tops) < 2 * sum(wanted.values()):
            return
        counts = Counter(node.kind for node in tops)
        for key, least in wanted.items():
            while counts[key] < least:
                index = self.top_kinds.index(key)
                spare = [n for n in tops if counts[n.kind] > 2 * wanted.get(n.kind, 0)
                         and _weight_of(n.post, index) > 0]
                if not spare:
                    break
                node = self.rng.choice(spare)
                counts[node.kind] -= 1
                counts[key] += 1
                node.kind = key

    def _replies(self, tops: list[_Node], count: int) -> list[_Node]:
        rng, now_ts = self.rng, self.now_ts
        out: list[_Node] = []
        pool = list(tops)
        deep = [n for n in tops if n.post.style.max_depth >= 3 and now_ts - n.ts > 6 * 3600]
        if count >= 3 and deep:  # one argument at least three replies deep
            node = rng.choice(deep)
            for _ in range(3):
                node = self._reply_to(node)
                out.append(node)
                pool.append(node)
        while len(out) < count:
            for _ in range(8):
                if out and rng.random() < REPLY_TO_REPLY:
                    mention = out[int(rng.random() * len(out))]
                else:
                    mention = pool[int(rng.random() * len(pool))]
                if now_ts - mention.ts >= MIN_AGE_FOR_REPLY:
                    break
            else:
                out.append(_Node(mention.kind, mention.post, mention.ts, 0))
                continue
            node = self._reply_to(mention)
            out.append(node)
            pool.append(node.root or node)
        return out

    def _reply_to(self, mention: _Node) -> _Node:
        rng = self.rng
        parent = mention
        while parent.depth >= mention.post.style.max_depth and parent.parent is not None:
            parent = parent.parent
        remaining = self.now_ts - mention.ts
        gap = int(min(rng.expovariate(1 / MEAN_REPLY_GAP), remaining * rng.uniform(0.2, 0.9)))
        gap = min(max(MIN_REPLY_GAP, gap), remaining - 1)
        keys, cum = self.replies.get(mention.kind) or self.replies["default"]
        kind = rng.choices(keys, cum_weights=cum)[0]
        return _Node(kind, mention.post, mention.ts + gap, parent.depth + 1, parent, mention,
                     parent.root or parent)

    # -- people and texts ----------------------------------------------------------------

    def _author(self, node: _Node, kind: Kind) -> Author:
        rng = self.rng
        platform = node.post.style.platform
        mention = node.mention
        if mention is not None and mention.mention is not None:
            earlier = mention.mention.author
            if earlier is not None and earlier != mention.author and rng.random() < BACK_AND_FORTH:
                return earlier
        group = (platform, kind.author or kind.lang)
        pool = self.pools.setdefault(group, [])
        author = None
        if pool and rng.random() >= NEW_AUTHOR:
            author = pool[int(rng.random() * len(pool))]
            if mention is not None and author == mention.author:
                author = None
        if author is None:
            author = self._new_author(node.post.style, kind)
        pool.append(author)
        return author

    def _new_author(self, style: PlatformStyle, kind: Kind) -> Author:
        rng, fill = self.rng, self.filler.fill
        for _ in range(20):
            if kind.author:
                author = style.bot(rng, fill((Ref(kind.author),), {}))
            else:
                first, last = ("es_first", "es_last") if kind.lang == "es" else ("first", "last")
                if style.platform == "reddit" and rng.random() < 0.5:
                    first, last = "reddit_adjective", "reddit_noun"
                author = style.author(rng, fill((Ref(first),), {}), fill((Ref(last),), {}),
                                      fill((Ref("name_flair"),), {}))
            key = (style.platform, author.handle or author.id)
            if key not in self.taken:
                self.taken.add(key)
                return author
        raise RuntimeError("the name banks are too small to name another author")

    def _text(self, node: _Node, kind: Kind, to: str) -> str:
        rng = self.rng
        pool: tuple[Template, ...] = kind.pool(node.post.topic.key)
        context = node.post.context
        if node.kind in self.uses_to:
            context = {**context, "to": to}
        scope: dict[str, str] = {}  # one clinic, one day… all through the comment

        def fill(template: Template, where: Context = context) -> str:
            return self.filler.fill(template, where, scope)

        if kind.join:
            count = min(rng.randint(*kind.join), len(pool))
            sentences = [fill(t) for t in rng.sample(pool, count)]
            paragraphs = [" ".join(sentences[i:i + 5]) for i in range(0, count, 5)]
            return "\n\n".join(paragraphs)
        text = fill(pool[int(rng.random() * len(pool))])
        if kind.casual:
            if kind.opener and rng.random() < 0.12 and not text.startswith(to or "\0"):
                text = fill((Ref(kind.opener),), {}) + text
            if rng.random() < 0.1:
                text = text.lower().replace(to.lower(), to) if to else text.lower()
            if text.endswith(".") and rng.random() < 0.35:
                text = text[:-1]
            if kind.tail and rng.random() < 0.08:
                text += " " + fill((Ref(kind.tail),), {})
        return text

    def _write(self, nodes: list[_Node]) -> tuple[list[Comment], dict[str, str]]:
        rng = self.rng
        captured = self.now
        seen: set[str] = set()
        comments: list[Comment] = []
        kinds: dict[str, str] = {}
        for node in nodes:
            kind = self.kinds[node.kind]
            post = node.post
            style = post.style
            author = node.author = self._author(node, kind)
            if node.mention is not None:
                assert node.mention.author is not None
                to = style.mention(node.mention.author)
            elif node.kind in self.uses_to:
                to = style.mention(self._new_author(style, kind))
            else:
                to = ""
            text = self._text(node, kind, to)
            if node.mention is not None and node.mention is not node.parent and to not in text:
                text = f"{to} {text}"
            when = datetime.fromtimestamp(node.ts, UTC)
            parent = node.parent.native if node.parent is not None else None
            root = node.root.native if node.root is not None else None
            while True:
                native, link = style.comment(rng, post.account, post.ref, author, when,
                                             parent, root)
                comment_id = f"{style.platform}:{native}"
                if comment_id not in seen:
                    break
            seen.add(comment_id)
            node.native = native
            comments.append(Comment(
                id=comment_id, platform=style.platform, account=post.account.name, text=text,
                created_at=when, author=author, post_id=post.post.id,
                parent_id=f"{style.platform}:{parent}" if parent is not None else None,
                permalink=link, native_id=native, captured_at=captured,
            ))
            kinds[comment_id] = node.kind
        return comments, kinds
