"""Near-duplicate grouping: copies and near-copies of one comment, found as comments arrive.

A comment's text is folded (case, accents, typographic quotes), its links, mentions,
emoji and punctuation dropped and letter runs shortened ("soooo" reads "soo"); what is
left is a set of features: its content words and its word pairs (each pair in either
order, so that swapped words still meet). Candidates come from one-permutation MinHash:
the feature hashes fall into ``BINS`` bins by value, the smallest of each bin is kept,
and two comments sharing both values of any band of ``ROWS`` bins are compared. A
candidate joins a group when the two feature sets overlap enough: a Jaccard similarity
of at least ``threshold``, or one text nearly contained in the other (a myth pasted
with a line of its own around it). Groups are single-link (a chain of near-copies is
one group).

Short texts never group: "thank you!", "😍" or "Is it free?" are written by many people
who each need their own answer. A comment takes part only with at least ``MIN_WORDS``
words of which ``MIN_CONTENT`` distinct content words (not stop words, not numbers).
"""

from __future__ import annotations

import re
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from triage.model import Comment
from triage.tagger.text import fold

__all__ = [
    "MIN_CONTENT",
    "MIN_WORDS",
    "THRESHOLD",
    "Fingerprint",
    "Group",
    "Grouper",
    "features",
    "near_duplicate_groups",
    "similarity",
    "words",
]

#: A comment needs this many words, and this many distinct content words, to group.
MIN_WORDS = 10
MIN_CONTENT = 6
#: The Jaccard similarity of feature sets at which two comments are near-copies.
THRESHOLD = 0.5
#: ...or the share of the smaller set found in the larger one (a copy with words added).
CONTAINMENT = 0.8
#: One-permutation MinHash: bins, two to a band (a candidate shares a whole band).
BINS = 16
#: A band shared with at most this many comments is enough to compare them.
_RARE = 4
#: Only the last comments of a bucket are looked at (a band that thousands of
#: comments share is weak evidence; near-copies share other bands too).
_SCAN = 24

_LEFT_OUT = re.compile(r"(?:https?://|www\.)\S+|[@#][^\W_]+")  # links, mentions, hashtags
_WORD = re.compile(r"[^\W_]+")
_RUN = re.compile(r"(.)\1{2,}")
_STOP = frozenset("""
a about after again all also am an and any are as at be been before being but by can
could did do does doing for from had has have having he her here him his how i if in
into is it its it's just me more most my myself no nor not of off on once only or other
our out over own same she should so some such than that the their them then there these
they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours i'm im u ur y'all yall lol pls please
omg just like get got dont don't cant can't thats that's its really
""".split())


def words(text: str) -> list[str]:
    """The words of ``text`` as compared: folded, without links, mentions and symbols."""
    text = fold(text).replace("'", "")
    if "@" in text or "#" in text or "http" in text or "www." in text:
        text = _LEFT_OUT.sub(" ", text)
    return _WORD.findall(text)


class _WordHashes(dict[str, int]):
    """Each word's hash, worked out once (a stop word, a letter alone or a number, which
    make no content: above 2**32);
    letter runs are shortened first, so that "soooo" and "sooo" are one word."""

    def __missing__(self, word: str) -> int:
        value = zlib.crc32(_RUN.sub(r"\1\1", word).encode("utf-8"))
        if word in _STOP or len(word) < 2 or word.isdigit():
            value |= _STOPPED
        if len(self) < 1 << 18:  # bound the cache on hostile input
            self[word] = value
        return value


_STOPPED = 1 << 32
#: What a borrowed bin adds per step of rotation (above every hash).
_STEP = 1 << 33
_NEGATIONS = frozenset("not no never dont doesnt isnt arent wasnt werent wont cant "
                       "didnt nobody nothing none nor aint shouldnt couldnt cannot".split())
_BOTH = 2 * _STOPPED
_HASHES = _WordHashes()


class Fingerprint(NamedTuple):
    """What is compared of a comment: its feature hashes, and how many negations it has
    (two texts with a different count say different things: "does not cause")."""

    hashes: frozenset[int]
    negations: int


def features(text: str) -> Fingerprint | None:
    """The fingerprint of ``text``, or None when it is too short to group: each content
    word, and each pair of neighbouring words holding one (in either order)."""
    found = words(text)
    if len(found) < MIN_WORDS:
        return None
    hashes = list(map(_HASHES.__getitem__, found))
    out = {h for h in hashes if h < _STOPPED}
    if len(out) < MIN_CONTENT:
        return None
    # a pair's sum does not depend on the order; two stop words make a sum above _BOTH
    pairs = {a + b for a, b in zip(hashes, hashes[1:], strict=False)}
    out.update((p * 0x9E3779B1) & 0xFFFFFFFF for p in pairs if p < _BOTH)
    return Fingerprint(frozenset(out), len(_NEGATIONS.intersection(found)))


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """How near two fingerprints are: the Jaccard similarity of their hashes, or the
    share of the smaller in the larger when that says more (scaled so that
    ``CONTAINMENT`` of it meets ``THRESHOLD``); nothing when their negations differ."""
    if a.negations != b.negations:
        return 0.0
    return _overlap(a.hashes, b.hashes)


def _overlap(a: frozenset[int], b: Iterable[int]) -> float:
    """The similarity of two hash sets (``b`` may be any collection of distinct hashes)."""
    shared = len(a.intersection(b))
    if not shared:
        return 0.0
    size = len(b) if isinstance(b, Sized) else len(set(b))
    jaccard = shared / (len(a) + size - shared)
    contained = shared / min(len(a), size)
    return max(jaccard, contained * THRESHOLD / CONTAINMENT)


def _bands(feats: frozenset[int]) -> list[int]:
    """The band keys of a feature set: one-permutation MinHash, each empty bin taking
    the value of the next bin that has one (rotation), so that short texts have every
    band too."""
    found = {h % BINS: h for h in sorted(feats, reverse=True)}  # each bin's smallest
    if len(found) < BINS:
        for slot in range(BINS):
            step = 0
            while (slot + step) % BINS not in found:
                step += 1
            if step:
                found[slot] = found[(slot + step) % BINS] + step * _STEP
    bins = [found[slot] for slot in range(BINS)]
    return [hash((band, bins[band], bins[band + 1])) for band in range(0, BINS, 2)]


@dataclass(frozen=True, slots=True)
class Group:
    """Near-copies of one comment: the members' ids oldest first, and when they came."""

    key: str
    ids: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    platforms: tuple[str, ...]
    posts: int

    @property
    def size(self) -> int:
        return len(self.ids)


class Grouper:
    """Groups comments as they are added; :meth:`group_of` answers at once."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        #: Each grouped comment's hashes (kept compact: 100,000 comments are held) and
        #: negations.
        self._features: dict[str, tuple[array[int], int]] = {}
        self._buckets: dict[int, list[str]] = {}
        self._parent: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}
        self._seen: set[str] = set()
        self._followed = 0

    def __len__(self) -> int:
        """How many comments were added (grouped or not)."""
        return len(self._seen)

    def __contains__(self, comment_id: object) -> bool:
        return comment_id in self._seen

    def _root(self, comment_id: str) -> str:
        parent = self._parent
        root = comment_id
        while parent[root] != root:
            root = parent[root]
        while parent[comment_id] != root:
            parent[comment_id], comment_id = root, parent[comment_id]
        return root

    def _union(self, a: str, b: str) -> str:
        ra, rb = self._root(a), self._root(b)
        if ra == rb:
            return ra
        if len(self._members[ra]) < len(self._members[rb]):
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._members[ra] += self._members.pop(rb)
        return ra

    def add(self, comment_id: str, text: str) -> None:
        """Take a comment in (a comment already added is left as it is).

        The comments sharing a band with it are candidates; one sharing two bands, or
        one band that few others share, is compared with it (once per group).
        """
        if comment_id in self._seen:
            return
        self._seen.add(comment_id)
        feats = features(text)
        if feats is None:
            return
        self._features[comment_id] = (array("I", feats.hashes), feats.negations)
        self._parent[comment_id] = comment_id
        self._members[comment_id] = [comment_id]
        keys = _bands(feats.hashes)
        get = self._buckets.get
        pool: list[str] = []
        for key in keys:
            bucket = get(key)
            if bucket is not None:
                recent = bucket[-_SCAN:]
                pool += recent
                if len(bucket) <= _RARE:
                    pool += recent
        compared: set[str] = set()
        for other in [o for o, count in Counter(pool).items() if count > 1]:
            root = self._root(other)
            if root in compared or root == self._root(comment_id):
                continue
            compared.add(root)
            hashes, negations = self._features[other]
            if negations == feats.negations and _overlap(feats.hashes, hashes) >= self.threshold:
                self._union(comment_id, other)
        buckets = self._buckets
        for key in keys:
            bucket = get(key)
            if bucket is None:
                buckets[key] = [comment_id]
            else:
                bucket.append(comment_id)

    def add_many(self, comments: Iterable[Comment]) -> None:
        for comment in comments:
            self.add(comment.id, comment.text)

    def follow(self, comments: Mapping[str, Comment]) -> None:
        """Take in the comments of ``comments`` not added yet (those that arrived since)."""
        if len(comments) != self._followed:
            self.add_many(c for i, c in comments.items() if i not in self._seen)
            self._followed = len(comments)

    def group_of(self, comment_id: str) -> tuple[str, ...]:
        """The ids grouped with ``comment_id``, itself included (empty when it is alone)."""
        if comment_id not in self._parent:
            return ()
        members = self._members[self._root(comment_id)]
        return tuple(members) if len(members) > 1 else ()

    def key_of(self, comment_id: str) -> str | None:
        """Which group ``comment_id`` is in (None when it is alone)."""
        parent = self._parent.get(comment_id)
        if parent is None:
            return None
        root = parent if self._parent[parent] == parent else self._root(comment_id)
        return root if len(self._members[root]) > 1 else None

    def groups(self, comments: Mapping[str, Comment], min_size: int = 2) -> list[Group]:
        """Every group with at least ``min_size`` of ``comments``, biggest first."""
        out = []
        for root, members in self._members.items():
            found = [comments[i] for i in members if i in comments]
            if len(found) >= max(min_size, 2):
                out.append(_group(root, found))
        out.sort(key=lambda g: (-g.size, g.first_seen, g.key))
        return out


def _group(key: str, members: Sequence[Comment]) -> Group:
    ordered = sorted(members, key=lambda c: (c.created_at, c.id))
    return Group(
        key=key,
        ids=tuple(c.id for c in ordered),
        first_seen=ordered[0].created_at,
        last_seen=ordered[-1].created_at,
        platforms=tuple(sorted({c.platform for c in ordered})),
        posts=len({c.post_id or c.id for c in ordered}),
    )


def near_duplicate_groups(comments: Iterable[Comment], min_size: int = 2) -> list[Group]:
    """The groups of near-copies among ``comments``, biggest first: each with its
    members, size, first and last seen, platforms and the number of posts it is under."""
    by_id = {c.id: c for c in sorted(comments, key=lambda c: (c.created_at, c.id))}
    grouper = Grouper()
    grouper.add_many(by_id.values())
    return grouper.groups(by_id, min_size)
