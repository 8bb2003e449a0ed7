"""The tagger: one call per comment, six detectors, tags with scores, evidence and sources.

Building a Tagger reads and compiles the data files once per process (and again only if
a file changed), so constructing one is quick after the first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from triage.model import TAG_NAMES, Tag
from triage.tagger.claims import BUILTIN_CLAIMS, ClaimLibrary, load_claims
from triage.tagger.datafiles import DATA_DIR, Where, read_toml
from triage.tagger.identifiers import IdentifierFinder
from triage.tagger.matching import ClaimIndex, Terms
from triage.tagger.misinfo import MisinfoFinder
from triage.tagger.privacy import OrgContacts, PrivacyFinder
from triage.tagger.question import QuestionFinder
from triage.tagger.rules import Firing, RuleBook, RuleFile
from triage.tagger.signals import SignalFinding, SignalScorer
from triage.tagger.text import Doc
from triage.tomlread import file_stamps

__all__ = ["RULE_FILES", "Tagger", "TaggerData"]

#: The built-in rule files, by the name their lexicons are qualified with.
RULE_FILES = ("common", "stance", "question", "crisis", "crisis_signals", "adverse", "abuse",
              "privacy", "misinformation")
#: At most this many evidence spans per tag.
MAX_SPANS = 12


@dataclass(frozen=True, slots=True)
class TaggerData:
    """Everything compiled from the data files."""

    book: RuleBook
    claims: ClaimLibrary
    claim_index: ClaimIndex
    identifiers: IdentifierFinder
    aliases: dict[str, str]
    files: dict[str, RuleFile]
    crisis_signals: SignalScorer


_CACHE: dict[tuple[object, ...], TaggerData] = {}
_LOCK = threading.Lock()


def compile_data(data_dir: Path, claim_files: Sequence[Path]) -> TaggerData:
    """Read and compile every data file (cached until one of them changes)."""
    paths = [data_dir / f"{name}.toml" for name in RULE_FILES]
    paths += [data_dir / "matching.toml", *claim_files]
    key = (str(data_dir), file_stamps(paths))
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
    matching_path = data_dir / "matching.toml"
    matching = read_toml(matching_path)
    where = Where(matching_path)
    where.unknown_keys(matching, {"stopwords", "synonyms", "aliases"})
    stopwords = where.strings(matching.get("stopwords"), "stopwords")
    synonyms: dict[str, str] = {}
    for canonical, variants in where.table(matching.get("synonyms"), "synonyms").items():
        for variant in where.at(f"synonyms.{canonical}").strings(variants, canonical):
            synonyms[variant] = canonical
    aliases: dict[str, str] = {}
    for canonical, variants in where.table(matching.get("aliases"), "aliases").items():
        for variant in where.at(f"aliases.{canonical}").strings(variants, canonical):
            aliases[variant] = canonical
    book = RuleBook(aliases)
    files = {name: book.load(data_dir / f"{name}.toml", name) for name in RULE_FILES}
    book.check_names()
    builtin = claim_files[:1] == [BUILTIN_CLAIMS]
    library = load_claims(claim_files[1:] if builtin else claim_files, include_builtin=builtin)
    privacy_raw = files["privacy"].raw.get("identifiers")
    identifiers = IdentifierFinder(
        Where(files["privacy"].path).table(privacy_raw, "identifiers"), files["privacy"].path
    )
    data = TaggerData(
        book=book,
        claims=library,
        claim_index=ClaimIndex(library, Terms(stopwords, synonyms, aliases)),
        identifiers=identifiers,
        aliases=aliases,
        files=files,
        crisis_signals=SignalScorer(files["crisis_signals"], book.names),
    )
    with _LOCK:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = data
    return data


class Tagger:
    """Tags comments: ``Tagger(...).tag(text)`` gives the tags in ``TAG_NAMES`` order."""

    def __init__(
        self,
        extra_claim_files: Iterable[Path | str] = (),
        org_phones: Iterable[str] = (),
        org_emails: Iterable[str] = (),
        org_addresses: Iterable[str] = (),
        *,
        data_dir: Path | None = None,
        builtin_claims: bool = True,
    ) -> None:
        claim_files = [BUILTIN_CLAIMS] if builtin_claims else []
        claim_files += [Path(p) for p in extra_claim_files]
        self.data = compile_data(data_dir or DATA_DIR, claim_files)
        self.claims = self.data.claims
        files = self.data.files
        self._questions = QuestionFinder()
        self._misinfo = MisinfoFinder(self.data.claim_index, files["misinformation"])
        self._privacy = PrivacyFinder(
            self.data.identifiers, files["privacy"],
            OrgContacts(org_phones, org_emails, org_addresses),
        )

    def __call__(self, text: str) -> tuple[Tag, ...]:
        return self.tag(text)

    def tag(self, text: str) -> tuple[Tag, ...]:
        """The tags of one comment's text (possibly none)."""
        if not isinstance(text, str) or not text.strip() or _binary(text):
            return ()
        doc = Doc(text, self.data.aliases)
        hits = self.data.book.match(doc)
        files = self.data.files
        tags: dict[str, Tag] = {}
        for name in ("crisis", "adverse_event", "abuse"):
            rule_file = files["adverse" if name == "adverse_event" else name]
            firings = rule_file.fire(doc, hits)
            tag = _from_firings(doc, name, firings)
            if name == "crisis":
                found = self.data.crisis_signals.findings(doc, hits)
                strongest = max(found, key=lambda f: f.weight) if found else None
                tag = _with_signals(doc, tag, strongest)
                if tag is not None:
                    tag = _with_families(tag, firings, found)
            if tag is not None:
                tags[name] = tag
        privacy = self._privacy.find(doc, hits)
        if privacy is not None:
            tags["privacy"] = Tag("privacy", round(privacy.score, 3),
                                  _merge(privacy.spans), privacy.source)
        starts = self._questions.sentence_starts(doc, hits)
        myth = self._misinfo.find(doc, hits, starts)
        asked = myth.asked[0] if myth and myth.asked else None
        if myth is not None and myth.score > 0:
            claim = myth.claim.claim if myth.claim else None
            tags["misinformation"] = Tag(
                "misinformation", round(myth.score, 3),
                _merge(doc.span(a, b) for a, b in myth.hits), myth.source,
                claim_id=claim.id if claim else None,
                resource_title=claim.resource_title if claim else None,
                resource_url=claim.resource_url if claim else None,
            )
        questions = self._questions.find(doc, hits)
        if questions or asked is not None:
            best = max(questions, key=lambda q: q.score, default=None)
            spans = [q.span for q in questions]
            if asked is not None:
                spans.extend(doc.span(a, b) for a, b in asked.hits)
            tags["question"] = Tag(
                "question",
                round(best.score if best else 0.8, 3),
                _merge(spans),
                f"rule:question/{best.reason.replace(' ', '-')}" if best
                else f"claim-question:{asked.claim.id}" if asked else "",
                claim_id=asked.claim.id if asked else None,
                resource_title=asked.claim.resource_title if asked else None,
                resource_url=asked.claim.resource_url if asked else None,
            )
        return tuple(tags[name] for name in TAG_NAMES if name in tags)


def _binary(text: str) -> bool:
    """Whether the text is mostly control characters (binary data, not language)."""
    sample = text[:4000]
    controls = sum(
        1 for c in sample if (c < " " and c not in "\t\n\r") or "\x7f" <= c <= "\x9f"
    )
    return controls * 20 > len(sample)  # more than 5 %


def _from_firings(doc: Doc, name: str, firings: list[Firing]) -> Tag | None:
    if not firings:
        return None
    best = max(firings, key=lambda f: f.rule.score)
    spans = [doc.span(a, b) for firing in firings for a, b in firing.hits]
    return Tag(name, round(best.rule.score, 3), _merge(spans), f"rule:{best.rule.id}")


def _with_signals(doc: Doc, tag: Tag | None, found: SignalFinding | None) -> Tag | None:
    """The crisis tag of the rules and of the weighed signals together: the higher score
    and its source, the evidence of both."""
    if found is None:
        return tag
    spans = [doc.span(a, b) for a, b in found.hits]
    source = f"signals:crisis/{found.source}"
    if tag is None:
        return Tag("crisis", found.score, _merge(spans), source)
    if found.score > tag.score:
        return Tag("crisis", found.score, _merge([*tag.evidence, *spans]), source)
    return Tag("crisis", tag.score, _merge([*tag.evidence, *spans]), tag.source)


def _with_families(tag: Tag, firings: list[Firing],
                   found: list[SignalFinding]) -> Tag:
    """The crisis tag with the source of each other family that fired after its own.

    A rule's source names its family in brackets ("rule:crisis/suicidal-intent (harm)"),
    a signal's names it in itself ("signals:crisis/emergency:…"); parts are joined by
    "; ", the tag's own first, so the reply can answer a self-harm crisis and a medical
    emergency that one comment describes together.
    """
    own = ""
    first = tag.source
    best: dict[str, tuple[float, str]] = {}
    for firing in firings:
        family = firing.rule.family
        if not family:
            continue
        source = f"rule:{firing.rule.id} ({family})"
        if f"rule:{firing.rule.id}" == tag.source:
            own, first = family, source
        if firing.rule.score > best.get(family, (-1.0, ""))[0]:
            best[family] = (firing.rule.score, source)
    for finding in found:
        source = f"signals:crisis/{finding.source}"
        if source == tag.source:
            own = finding.family
        if finding.score > best.get(finding.family, (-1.0, ""))[0]:
            best[finding.family] = (finding.score, source)
    parts = [first, *(source for family, (_, source) in sorted(best.items())
                      if family != own)]
    return replace(tag, source="; ".join(parts))


def _merge(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sorted, with overlapping spans joined, at most MAX_SPANS."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((a, b) for a, b in merged[:MAX_SPANS])
