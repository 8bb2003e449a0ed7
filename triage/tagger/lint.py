"""The lexicon lint (``triage tagger lint``): duplicate, covered, gap-family and dead phrases.

A duplicate (an entry whose every form another entry of the same lexicon already gives) is
an error: it can be removed without changing any tag. The rest are notes: a phrase covered
by a shorter or more general one of its lexicon (whenever it matches, the other matches
inside it), entries that differ only by ``_`` runs at one place (one ``~N`` gap would say
it), and phrases that match no text in any corpus the project has.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.tagger.claims import BUILTIN_CLAIMS, load_claims
from triage.tagger.datafiles import Where, read_toml
from triage.tagger.lexicon import (
    _NUM,
    _WILD,
    MAX_GAP,
    Entry,
    PhraseError,
    PhraseIndex,
    Steps,
    expand_phrase,
    read_entries,
)
from triage.tagger.text import Doc

__all__ = ["Finding", "LintReport", "Phrase", "claim_texts", "corpus_texts", "default_corpora",
           "lint_lexicons", "read_lexicons"]

ROOT = Path(__file__).resolve().parents[2]
#: The held-out sets the lint may read (set D is only ever measured, never used to choose).
HELDOUT_READ = ("set-a.jsonl", "set-b.jsonl", "set-c.jsonl")
#: Where a JSON line keeps its text (labelled sets; LiveQA questions; CovidLies myths).
_TEXT_KEYS = ("text", "question", "canonical_sentence")


@dataclass(frozen=True, slots=True)
class Phrase:
    """One lexicon entry where it stands, with the plain phrases it expands to."""

    file: Path
    lexicon: str
    number: int
    entry: Entry
    variants: tuple[Steps, ...]

    @property
    def text(self) -> str:
        return self.entry.phrase


@dataclass(frozen=True, slots=True)
class Finding:
    """One error or note: what kind, where, which phrase, and the phrase(s) behind it."""

    kind: str
    file: Path
    lexicon: str
    phrase: str
    other: str = ""
    why: str = ""
    #: The entry's place in its lexicon (1 for the first), 0 for a note on several.
    number: int = 0

    @property
    def message(self) -> str:
        place = f"{self.file.name}: lexicon '{self.lexicon}'"
        if self.kind == "duplicate":
            text = f"{self.phrase!r} adds nothing: {self.other!r} already matches it"
        elif self.kind == "covered":
            text = f"{self.phrase!r} is covered by {self.other!r}"
        elif self.kind == "gaps":
            text = f"{self.other} could be one phrase: {self.phrase!r}"
        else:
            text = f"{self.phrase!r} matches no text in the corpora"
        return f"{place}: {text}" + (f" (why: {self.why})" if self.why else "")

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"kind": self.kind, "file": str(self.file),
                                 "lexicon": self.lexicon, "phrase": self.phrase,
                                 "message": self.message}
        if self.number:
            found["entry"] = self.number
        if self.other:
            found["other"] = self.other
        if self.why:
            found["why"] = self.why
        return found


@dataclass
class LintReport:
    """What the lint found, and the counts behind its summary."""

    errors: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    entries: dict[str, int] = field(default_factory=dict)
    dead: dict[str, int] = field(default_factory=dict)
    corpora: dict[str, int] = field(default_factory=dict)
    reasons: list[Phrase] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for f in (*self.errors, *self.notes) if f.kind == kind)

    def summary(self) -> dict[str, Any]:
        return {
            "files": len(self.entries), "entries": sum(self.entries.values()),
            "entries_per_file": self.entries,
            "duplicates": self.count("duplicate"), "covered": self.count("covered"),
            "gap_families": self.count("gaps"), "dead": sum(self.dead.values()),
            "dead_per_file": self.dead, "with_reasons": len(self.reasons),
            "corpus_texts": sum(self.corpora.values()), "corpora": self.corpora,
        }


def read_lexicons(paths: Sequence[Path], aliases: Mapping[str, str],
                  *, claims: bool = False) -> list[Phrase]:
    """Every lexicon entry of the rule files ``paths`` (and the built-in claims' anchors)."""
    found: list[Phrase] = []
    for path in paths:
        where = Where(path)
        lexicons = where.table(read_toml(path).get("lexicons"), "lexicons", required=False)
        for lexicon, value in lexicons.items():
            at = where.at(f"lexicon '{lexicon}'")
            for number, entry in enumerate(read_entries(at, value, lexicon), 1):
                found.append(_phrase(at, path, lexicon, number, entry, aliases))
    if claims:
        for claim in load_claims():
            source = claim.source or BUILTIN_CLAIMS
            for group, phrases in enumerate(claim.anchors, 1):
                at = Where(source, f"claim {claim.id!r} anchors {group}")
                for number, phrase in enumerate(phrases, 1):
                    found.append(_phrase(at, source, f"{claim.id} anchors {group}",
                                         number, Entry(phrase), aliases))
    return found


def _phrase(at: Where, path: Path, lexicon: str, number: int, entry: Entry,
            aliases: Mapping[str, str]) -> Phrase:
    try:
        variants = tuple(expand_phrase(entry.phrase, aliases))
    except PhraseError as exc:
        raise at.error(f"phrase {entry.phrase!r}: {exc}") from None
    return Phrase(path, lexicon, number, entry, variants)


def lint_lexicons(phrases: Sequence[Phrase], corpora: Iterable[Path] = (),
                  aliases: Mapping[str, str] | None = None,
                  texts: Mapping[str, Sequence[str]] | None = None) -> LintReport:
    """Lint ``phrases``; dead phrases are looked for in ``corpora`` and the named ``texts``."""
    report = LintReport()
    by_lexicon: dict[tuple[Path, str], list[Phrase]] = defaultdict(list)
    for phrase in phrases:
        by_lexicon[(phrase.file, phrase.lexicon)].append(phrase)
        report.entries[phrase.file.name] = report.entries.get(phrase.file.name, 0) + 1
        if phrase.entry.why:
            report.reasons.append(phrase)
    for members in by_lexicon.values():
        duplicates = _duplicates(members, report)
        _covered(members, duplicates, report)
        _gap_families(members, report)
    sources: dict[str, Iterable[str]] = {_corpus_name(p): _Corpus(p) for p in corpora}
    sources.update(texts or {})
    _dead(phrases, sources, aliases, report)
    return report


def _finding(kind: str, phrase: Phrase, other: str = "") -> Finding:
    return Finding(kind, phrase.file, phrase.lexicon, phrase.text, other, phrase.entry.why,
                   phrase.number)


def _duplicates(members: list[Phrase], report: LintReport) -> set[int]:
    """Report each entry whose forms one other entry already gives; their positions."""
    forms = [set(p.variants) for p in members]
    owners: dict[Steps, list[int]] = defaultdict(list)
    for index, variants in enumerate(forms):
        for steps in variants:
            owners[steps].append(index)
    found: set[int] = set()
    for index, variants in enumerate(forms):
        candidates = set(owners[next(iter(variants))])
        for other in sorted(candidates - {index}):
            wider = forms[other] > variants
            if (wider or (forms[other] == variants and other < index)) and other not in found:
                report.errors.append(_finding("duplicate", members[index], members[other].text))
                found.add(index)
                break
    return found


def _accepts(general: tuple[str, bool], step: tuple[str, bool]) -> bool:
    """Whether every word ``step`` matches is matched by ``general``."""
    key, prefix = general
    other, other_prefix = step
    if key == _WILD:
        return True
    if key == _NUM:
        return other == _NUM or (other != _WILD and not other.isalpha()
                                 and any(c.isdigit() for c in other))
    if other in (_WILD, _NUM):
        return False
    if prefix:
        return other.startswith(key)
    return not other_prefix and other == key


def _covers(short: Steps, long: Steps) -> bool:
    """Whether ``short`` matches inside every text ``long`` matches (``short`` != ``long``)."""
    if len(short) > len(long) or short == long:
        return False
    return any(all(_accepts(a, b) for a, b in zip(short, long[start:], strict=False))
               for start in range(len(long) - len(short) + 1))


def _covered(members: list[Phrase], skip: set[int], report: LintReport) -> None:
    """Note each entry whose every form contains a form of another (a shorter or wider) one."""
    exact: dict[str, set[int]] = defaultdict(set)
    loose: set[int] = set()
    for index, phrase in enumerate(members):
        if index in skip:
            continue
        for steps in phrase.variants:
            key, prefix = steps[0]
            if key == _NUM or prefix:
                loose.add(index)
            else:
                exact[key].add(index)
    for index, phrase in enumerate(members):
        if index in skip:
            continue
        candidates: set[int] = set(loose)
        for steps in phrase.variants:
            for key, _ in steps:
                candidates |= exact.get(key, set())
        candidates.discard(index)
        best = None
        for other in sorted(candidates, key=lambda i: (len(members[i].text), i)):
            general = members[other].variants
            if all(any(_covers(short, long) for short in general) for long in phrase.variants):
                best = other
                break
        if best is not None:
            report.notes.append(_finding("covered", phrase, members[best].text))


def _gap_families(members: list[Phrase], report: LintReport) -> None:
    """Note entries that differ only by a run of ``_`` at one place: ``x y``, ``x _ y``…

    Any run of lengths k to N (k < N) is one phrase: ``x ~N y``, or ``x _ ~2 y`` for 1 to 3.
    """
    families: dict[tuple[tuple[str, ...], int], dict[int, Phrase]] = defaultdict(dict)
    for phrase in members:
        words = phrase.text.split()
        if any(w.startswith("~") for w in words):
            continue
        runs = [i for i, w in enumerate(words) if w == "_"]
        plain = tuple(w for w in words if w != "_")
        if not runs:
            for place in range(1, len(plain)):
                families[(plain, place)].setdefault(0, phrase)
            continue
        first = runs[0]
        if (runs != list(range(first, first + len(runs))) or first == 0
                or runs[-1] == len(words) - 1):
            continue
        families[(plain, first)].setdefault(len(runs), phrase)
    for (plain, place), sizes in families.items():
        shortest, longest = min(sizes), max(sizes)
        if (longest == shortest or longest - shortest > MAX_GAP
                or sorted(sizes) != list(range(shortest, longest + 1))):
            continue
        gap = " ".join([*plain[:place], *["_"] * shortest, f"~{longest - shortest}",
                        *plain[place:]])
        listed = ", ".join(repr(sizes[size].text) for size in sorted(sizes))
        report.notes.append(Finding("gaps", sizes[shortest].file, sizes[shortest].lexicon, gap,
                                    listed))


def default_corpora() -> list[Path]:
    """The project's texts: dev comments, training/, held-out sets A-C, the outside sets."""
    shared = _shared_dir()
    paths = [shared / "dev-comments.jsonl"]
    paths += sorted((ROOT / "training").glob("*.jsonl"))
    paths += [ROOT / "benchmarks" / "heldout" / name for name in HELDOUT_READ]
    paths += sorted(shared.glob("external/*/*.jsonl"))
    return [path for path in paths if path.is_file()]


def corpus_texts(path: Path) -> Iterator[str]:
    """The texts of a corpus: JSON lines' ``text`` (or ``question``), else each plain line."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if line.lstrip().startswith("{"):
                try:
                    item = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(item, dict):
                    continue
                for key in _TEXT_KEYS:
                    text = item.get(key)
                    if isinstance(text, str) and text:
                        yield text
                        break
            elif line.strip():
                yield line.strip()


class _Corpus:
    """The texts of one corpus file, read when looked through."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __iter__(self) -> Iterator[str]:
        return corpus_texts(self.path)


def claim_texts() -> dict[str, list[str]]:
    """The built-in claims' statements and paraphrases (how people write each myth)."""
    return {"claims.toml (statements and paraphrases)": [
        text for claim in load_claims() for text in (claim.claim, *claim.paraphrases)]}


def _dead(phrases: Sequence[Phrase], sources: Mapping[str, Iterable[str]],
          aliases: Mapping[str, str] | None, report: LintReport) -> None:
    if not sources:
        return
    index = PhraseIndex(aliases)
    for number, phrase in enumerate(phrases):
        index.add(phrase.text, str(number))
    alive: set[str] = set()
    for name, texts in sources.items():
        count = 0
        for text in texts:
            count += 1
            alive.update(index.match(Doc(text, aliases)).by_name)
        report.corpora[name] = count
    for number, phrase in enumerate(phrases):
        if str(number) not in alive:
            report.notes.append(_finding("dead", phrase))
            report.dead[phrase.file.name] = report.dead.get(phrase.file.name, 0) + 1


def _corpus_name(path: Path) -> str:
    resolved = path.resolve()
    for base in (ROOT, _shared_dir()):
        if resolved.is_relative_to(base.resolve()):
            return str(resolved.relative_to(base.resolve()))
    return str(path)


def _shared_dir() -> Path:
    """The shared data folder: TRIAGE_SHARED_DATA, else ``../shared/data`` beside the project."""
    return Path(os.environ.get("TRIAGE_SHARED_DATA") or ROOT.parent / "shared" / "data")
