"""The four minimum criteria of an adverse-event report, guessed from a comment and its tag.

The tagger's ``adverse_event`` evidence holds the harm ("seizure"), the words linking it
in time ("the night after") and the treatment ("flu shot"). From them and the comment:

- **patient**: who it happened to: a relative named by the commenter ("the commenter's
  son"), else the commenter themself when they write in the first person, with an age
  when one is given ("78 years old");
- **reporter**: the comment's author, as the platform names them;
- **product**: a product of ``[pharmacovigilance] products`` named in the text (by brand,
  generic name or alias), else the treatment the tagger found;
- **event**: the harm words of the evidence.

Anything not found is left empty for a person to complete; nothing here is confirmed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from triage.config import ProductConfig
from triage.model import Comment
from triage.tagger.datafiles import Where, builtin_path, read_toml
from triage.tagger.lexicon import read_entries
from triage.tagger.text import phrase_keys

__all__ = ["CRITERIA", "CRITERION_LABELS", "find_products", "prefill"]

#: The four minimum criteria, in the order a form shows them.
CRITERIA = ("patient", "reporter", "product", "event")
CRITERION_LABELS = {
    "patient": "Identifiable patient",
    "reporter": "Identifiable reporter",
    "product": "Suspect product",
    "event": "Adverse event",
}

_RELATIVES = (
    "son", "daughter", "mom", "mother", "mum", "dad", "father", "wife", "husband",
    "partner", "baby", "child", "kid", "toddler", "grandma", "grandmother", "grandpa",
    "grandfather", "sister", "brother", "aunt", "uncle", "niece", "nephew", "friend",
    "boyfriend", "girlfriend", "grandson", "granddaughter", "fiance", "fiancee", "neighbor",
    "neighbour", "cousin",
)
_RELATIVE = re.compile(r"\b(?:my|our)\s+(?:(?:little|older|younger|elderly|\d{1,2}[- ]?"
                       r"(?:yo|y/o|year[- ]old))\s+)?(" + "|".join(_RELATIVES) + r")s?\b",
                       re.IGNORECASE)
#: Spanish relatives, named in English in the intake.
_RELATIVES_ES = {"hijo": "son", "hija": "daughter", "madre": "mother", "mamá": "mom",
                 "mama": "mom", "padre": "father", "papá": "dad", "papa": "dad",
                 "esposo": "husband", "esposa": "wife", "abuela": "grandmother",
                 "abuelo": "grandfather", "hermana": "sister", "hermano": "brother",
                 "bebé": "baby", "bebe": "baby", "niño": "child", "niña": "child"}
_RELATIVE_ES = re.compile(r"\b(?:mi|nuestr[oa])\s+(" + "|".join(_RELATIVES_ES) + r")s?\b",
                          re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|me|my|myself|mi|yo|tengo|tuve)\b",
                           re.IGNORECASE)
_AGE = re.compile(r"\b(\d{1,3})\s*(?:yo|y/o|yrs? old|years? old|year-old|-year-old)\b"
                  r"|\((\d{1,3})\)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _lexicons() -> tuple[frozenset[str], frozenset[str]]:
    """The tagger's treatment words and its time-linking words ("after", "since"), as keys."""
    path = builtin_path("adverse.toml")
    lexicons = read_toml(path).get("lexicons", {})

    def keys(name: str) -> set[str]:
        entries = read_entries(Where(path, f"lexicon '{name}'"), lexicons.get(name), name)
        return {_key(entry.phrase.replace("*", "")) for entry in entries}

    treatment: set[str] = set()
    for name in ("vaccine", "drug", "device", "procedure"):
        treatment |= keys(name)
    return frozenset(treatment), frozenset(keys("happened"))


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    """The tagger's aliases ("vacuna" reads "vaccine"), word for word."""
    table = read_toml(builtin_path("matching.toml")).get("aliases", {})
    return {variant: canonical for canonical, variants in table.items() for variant in variants}


def _key(text: str) -> str:
    """``text`` as the tagger's lexicons match it: folded words, aliases read as their word."""
    aliases = _aliases()
    return " ".join(aliases.get(key, key) for key in phrase_keys(text))


def _name_pattern(name: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(w) for w in name.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


def find_products(text: str, products: Sequence[ProductConfig]) -> list[ProductConfig]:
    """The configured products the text names (by any of their names), first named first."""
    found: list[tuple[int, int, ProductConfig]] = []
    for order, product in enumerate(products):
        starts = [m.start() for n in product.names if (m := _name_pattern(n).search(text))]
        if starts:
            found.append((min(starts), order, product))
    return [product for _, _, product in sorted(found, key=lambda f: (f[0], f[1]))]


def product_label(product: ProductConfig) -> str:
    """"Ozempic (semaglutide)": the brand with its generic name."""
    if product.generic and product.generic.casefold() != product.name.casefold():
        return f"{product.name} ({product.generic})"
    return product.name


def _patient(text: str) -> str:
    age = _AGE.search(text)
    years = f", {age.group(1) or age.group(2)} years old" if age else ""
    relative = _RELATIVE.search(text)
    if relative:
        return f"the commenter's {relative.group(1).lower()}{years}"
    relative = _RELATIVE_ES.search(text)
    if relative:
        return f"the commenter's {_RELATIVES_ES[relative.group(1).lower()]}{years}"
    if _FIRST_PERSON.search(text):
        return f"the commenter (self-report){years}"
    return ""


def _reporter(comment: Comment) -> str:
    handle = comment.author.handle.lstrip("@")
    who = comment.author.name or handle
    if handle and handle != who:
        who = f"{who} (@{handle})"
    if not who:
        return ""
    return f"{who} on {comment.platform}, account {comment.account}"


def prefill(comment: Comment, products: Sequence[ProductConfig]) -> dict[str, str]:
    """Each criterion's value as far as the comment and its tag tell ("" when unknown)."""
    text = comment.text
    tag = comment.tag("adverse_event")
    spans = [text[s:e].strip() for s, e in (tag.evidence if tag else ()) if 0 <= s < e]
    treatment_words, linking_words = _lexicons()
    named = find_products(text, products)
    events: list[str] = []
    treatments: list[str] = []
    for span in spans:
        folded = _key(span)
        if not folded or folded in linking_words:
            continue
        if folded in treatment_words or find_products(span, products):
            treatments.append(span)
        elif span not in events:
            events.append(span)
    if named:
        product = "; ".join(product_label(p) for p in named)
    else:
        product = treatments[0] if treatments else ""
    return {"patient": _patient(text), "reporter": _reporter(comment), "product": product,
            "event": "; ".join(events)}
