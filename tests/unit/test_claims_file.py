"""The shipped claim library (triage/data/claims.toml) keeps the contract the tagger relies on."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import pytest

CLAIMS_FILE = resources.files("triage") / "data" / "claims.toml"

KEYS = {"id", "topic", "claim", "paraphrases", "anchors", "resource_title", "resource_url"}
TOPICS = {
    "vaccines", "covid", "cancer", "screening", "fluoride", "nutrition", "remedies", "drugs",
    "other",
}
ALLOWED_HOSTS = ("cdc.gov", "cancer.gov", "who.int", "fda.gov", "nih.gov")

REQUIRED_IDS = {
    # vaccines
    "mmr-causes-autism", "vaccines-cause-autism", "hpv-vaccine-infertility",
    "hpv-vaccine-promiscuity", "hpv-vaccine-only-girls", "flu-shot-gives-flu",
    "flu-vaccine-unneeded", "vaccine-ingredients-toxic", "too-many-vaccines-overload",
    "natural-immunity-better", "vaccines-cause-sids", "vaccines-not-tested", "measles-harmless",
    "measles-vitamin-a-instead", "homeopathy-replaces-vaccines",
    # covid
    "covid-vaccine-microchip", "covid-vaccine-alters-dna", "covid-vaccine-shedding",
    "covid-vaccine-infertility", "covid-vaccine-magnetic", "covid-vaccine-sudden-death",
    "covid-vaccine-turbo-cancer", "covid-vaccine-pregnancy-unsafe", "covid-just-a-flu",
    "masks-reduce-oxygen", "5g-spreads-covid", "ivermectin-cures-covid",
    "hydroxychloroquine-cures-covid", "vitamin-d-prevents-covid",
    # cancer
    "chemo-is-poison", "sugar-feeds-cancer", "baking-soda-cures-cancer",
    "alkaline-diet-cures-cancer", "vitamin-c-cures-cancer", "apricot-kernels-cure-cancer",
    "cancer-cure-suppressed", "cannabis-cures-cancer", "cancer-is-fungus",
    "surgery-spreads-cancer", "biopsy-spreads-cancer", "juice-fasting-cures-cancer",
    "turmeric-cures-cancer", "fenbendazole-cures-cancer", "black-salve-cures-skin-cancer",
    "cancer-is-contagious", "antiperspirant-breast-cancer", "cell-phones-cause-cancer",
    "radiation-therapy-radioactive",
    # screening
    "mammograms-cause-cancer", "thermography-replaces-mammogram", "no-symptoms-no-screening",
    "colonoscopy-unneeded-without-symptoms",
    # fluoride
    "fluoride-lowers-iq", "fluoride-water-poison",
    # nutrition
    "raw-milk-healthier", "detox-cleanses-toxins", "sunscreen-causes-cancer",
    "tanning-beds-safe-vitamin-d",
    # remedies
    "essential-oils-cure", "colloidal-silver-cures", "mms-chlorine-dioxide-cures",
    "home-remedy-prevents-covid",
    # drugs
    "antibiotics-treat-viruses", "berberine-natures-ozempic", "compounded-semaglutide-same",
    "statins-harmful-cholesterol-myth", "cinnamon-cures-diabetes", "chelation-cures-autism",
    "hiv-does-not-cause-aids",
    # other
    "cough-cpr-heart-attack",
}

_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Anchor phrases: lower-case words of letters and digits, an optional trailing * (prefix).
_ANCHOR = re.compile(r"^[a-z0-9]+(?: [a-z0-9]+)*\*?$")
# Words as the tagger sees them: letters/digits, apostrophes inside a word dropped.
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def _words(text: str) -> list[str]:
    folded = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return [m.group().replace("'", "") for m in _WORD.finditer(folded)]


def phrase_in(phrase: str, text: str) -> bool:
    """Whether ``phrase`` (words, last one a prefix if it ends in *) occurs in ``text``."""
    prefix = phrase.endswith("*")
    wanted = _words(phrase.rstrip("*"))
    words = _words(text)
    size = len(wanted)
    for start in range(len(words) - size + 1):
        window = words[start:start + size]
        if window[:-1] != wanted[:-1]:
            continue
        last, want = window[-1], wanted[-1]
        if last == want or (prefix and last.startswith(want)):
            return True
    return False


def touches_all(anchors: list[list[str]], text: str) -> bool:
    return all(any(phrase_in(p, text) for p in group) for group in anchors)


def _load() -> list[dict[str, Any]]:
    with CLAIMS_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    assert set(data) == {"claims"}, f"unexpected top-level keys: {sorted(set(data) - {'claims'})}"
    claims = data["claims"]
    assert isinstance(claims, list)
    return claims


CLAIMS = _load()
BY_ID = {c.get("id", f"<entry {n}>"): c for n, c in enumerate(CLAIMS, 1)}


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        ("vacc*", "They vaccinated him at 2 months", True),
        ("vacc*", "unvaccinated kids", False),
        ("flu shot*", "got my flu shots today", True),
        ("flu shot", "flu shots", False),
        ("dont need", "You don't need it", True),
        ("covid 19", "COVID-19 is over", True),
        ("glp 1", "a GLP-1 drug", True),
        ("heart attack*", "survive heart attacks", True),
        ("heart attack", "heart is fine, attack later", False),
        ("mmr", "the MMRV combo", False),
    ],
)
def test_phrase_matching(phrase: str, text: str, expected: bool) -> None:
    assert phrase_in(phrase, text) is expected


def test_library_size_and_unique_ids() -> None:
    ids = [c.get("id") for c in CLAIMS]
    assert len(CLAIMS) >= 70
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"ids used twice: {duplicates}"


def test_required_ids_present() -> None:
    missing = sorted(REQUIRED_IDS - set(BY_ID))
    assert not missing, f"required claim ids missing: {missing}"


@pytest.mark.parametrize("claim_id", list(BY_ID))
def test_entry_contract(claim_id: str) -> None:
    entry = BY_ID[claim_id]
    assert set(entry) == KEYS, f"{claim_id}: keys {sorted(set(entry) ^ KEYS)} wrong"
    assert _KEBAB.match(entry["id"]), f"{claim_id}: id is not kebab-case"
    assert entry["topic"] in TOPICS, f"{claim_id}: unknown topic {entry['topic']!r}"
    assert isinstance(entry["claim"], str) and entry["claim"].strip()

    paraphrases = entry["paraphrases"]
    assert isinstance(paraphrases, list) and len(paraphrases) >= 5, f"{claim_id}: < 5 paraphrases"
    assert all(isinstance(p, str) and p.strip() for p in paraphrases)
    folded = [" ".join(_words(p)) for p in paraphrases]
    assert len(set(folded)) == len(folded), f"{claim_id}: a paraphrase is repeated"

    anchors = entry["anchors"]
    assert isinstance(anchors, list) and 2 <= len(anchors) <= 3, f"{claim_id}: 2-3 anchor groups"
    for number, group in enumerate(anchors, 1):
        assert isinstance(group, list) and group, f"{claim_id}: anchor group {number} is empty"
        for phrase in group:
            assert isinstance(phrase, str) and _ANCHOR.match(phrase), (
                f"{claim_id}: anchor group {number}: {phrase!r} is not lower-case words"
            )
        assert len(set(group)) == len(group), f"{claim_id}: anchor group {number} repeats"

    title = entry["resource_title"]
    assert isinstance(title, str) and re.search(r"\([A-Za-z ]+\)$", title), (
        f"{claim_id}: resource_title must end with the agency in parentheses"
    )
    url = urlsplit(entry["resource_url"])
    host = (url.hostname or "").lower()
    assert url.scheme == "https", f"{claim_id}: resource_url is not https"
    assert any(host == h or host.endswith("." + h) for h in ALLOWED_HOSTS), (
        f"{claim_id}: resource_url host {host!r} is not an allowed agency site"
    )


@pytest.mark.parametrize("claim_id", list(BY_ID))
def test_every_paraphrase_touches_every_anchor_group(claim_id: str) -> None:
    entry = BY_ID[claim_id]
    texts = [entry["claim"], *entry["paraphrases"]]
    misses = []
    for text in texts:
        for number, group in enumerate(entry["anchors"], 1):
            if not any(phrase_in(p, text) for p in group):
                misses.append(f"group {number} misses: {text!r}")
    assert not misses, f"{claim_id}:\n" + "\n".join(misses)


# Ordinary on-topic comments a health organisation gets every day; none asserts a myth.
INNOCENT = [
    "Got my flu shot today at the pharmacy, arm is a little sore but all good!",
    "Sending hugs to everyone fighting cancer right now",
    "Donate today and help us find a cure for childhood cancer",
    "When does the clinic open for mammograms on Saturdays?",
    "My son got his HPV vaccine and his MMR booster at the same appointment, thanks to the nurses",
    "Wear sunscreen to prevent skin cancer this summer!",
    "The surgeon removed the tumor and the biopsy showed it had not spread, so grateful",
    "Screening saved my life, they found my colon cancer early",
    "Congratulations to the radiation oncology team on the new wing",
    "Is the covid vaccine free for kids this fall?",
    "Thank you for the fluoride varnish event at the school, the kids loved it",
    "Catching cancer early makes all the difference, book your screening",
]


@pytest.mark.parametrize("text", INNOCENT)
def test_ordinary_comments_touch_no_claim(text: str) -> None:
    hits = [c["id"] for c in CLAIMS if touches_all(c["anchors"], text)]
    assert not hits, f"an ordinary comment touches every anchor group of {hits}"
