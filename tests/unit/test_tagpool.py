"""Tagging on worker processes gives exactly the tags of tagging in-process."""

from __future__ import annotations

import threading

from triage.tagger import Tagger
from triage.tagpool import TagPool

TEXTS = [
    "chemo is poison, my uncle died from it not the cancer",
    "my son's lips look kinda blue and he's breathing really slow",
    "thank you for the great care my mom got last week!",
    "call me at 555 201 3344, it's about my MRI results",
    "you people are useless, hope you all lose your jobs",
    "where can I get the flu shot this weekend?",
    "",
] * 30


def test_workers_forked_from_one_thread_tag_as_the_parent_does() -> None:
    tagger = Tagger()
    with TagPool(tagger.tag, workers=2, least=1) as pool:
        assert pool.tag_many(TEXTS) == [tagger.tag(text) for text in TEXTS]


def test_workers_started_afresh_build_the_same_tagger_from_its_recipe() -> None:
    recipe = {"org_phones": ["555 201 3344"]}
    tagger = Tagger(**recipe)  # the org's own number is not someone's privacy
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # a second thread: no fork
    other.start()
    try:
        with TagPool(tagger.tag, recipe=recipe, workers=2, least=1) as pool:
            found = pool.tag_many(TEXTS)
    finally:
        stop.set()
        other.join()
    assert found == [tagger.tag(text) for text in TEXTS]
    assert found[3] != Tagger().tag(TEXTS[3])  # the recipe did reach the workers


def test_few_texts_or_one_worker_tag_in_process() -> None:
    tagger = Tagger()
    assert TagPool(tagger.tag, workers=1, least=1).tag_many(TEXTS[:3]) == [
        tagger.tag(text) for text in TEXTS[:3]
    ]
    pool = TagPool(tagger.tag, workers=2)
    pool.tag_many(TEXTS[:5])
    assert pool._pool is None  # below `least`: no processes were started
