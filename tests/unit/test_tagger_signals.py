"""Crisis signals: weak cues that no single rule lists add up to a crisis, and the words
that make them something else (the past, a figure of speech, a negation) take them away."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from triage.errors import DataFileError
from triage.tagger import DATA_DIR, Tagger


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger()


def crisis(tagger: Tagger, text: str):
    return next((tag for tag in tagger.tag(text) if tag.name == "crisis"), None)


ADDED_UP = [
    # hopelessness, a means at hand, and who it is about: none a crisis rule alone
    "can't see any reason to keep going, I have a whole bottle of my mom's sleeping pills",
    "nobody would even notice if I was gone. I have saved up my pills and I am alone tonight",
    "what's the point of going on, I have a bottle of pills right here",
    # an emergency told by its signs rather than by a call for help
    "my dad collapsed in the kitchen and he is turning blue, what do I do",
]


@pytest.mark.parametrize("text", ADDED_UP)
def test_weak_cues_together_are_a_crisis_with_their_words_as_evidence(
    tagger: Tagger, text: str
) -> None:
    tag = crisis(tagger, text)
    assert tag is not None, text
    assert tag.source.startswith("signals:crisis/")
    assert 0.7 <= tag.score <= 0.95
    quoted = [text[start:end].lower() for start, end in tag.evidence]
    assert any("pill" in q or "blue" in q or "collapsed" in q for q in quoted), quoted


NOT_A_CRISIS = [
    # over and long past, told to help others
    "Years ago I saved up pills and wrote goodbye letters. Today I'm a peer counselor "
    "and this clinic helped me.",
    "I was a burden to everyone back in 2015, now I run a support group here",
    # figures of speech and complaints
    "This queue is killing me, I could just die waiting here lol",
    "I can't see any reason to keep going to physio, it isn't helping my knee",
    # said not to be so
    "I'm not going to hurt myself, I just wanted to say the nurses were kind",
]


@pytest.mark.parametrize("text", NOT_A_CRISIS)
def test_the_same_words_in_the_past_in_jest_or_denied_are_not_a_crisis(
    tagger: Tagger, text: str
) -> None:
    assert crisis(tagger, text) is None, text


def test_a_strong_rule_keeps_its_own_source_and_score(tagger: Tagger) -> None:
    tag = crisis(tagger, "I am going to kill myself tonight")
    assert tag is not None
    assert tag.source == "rule:crisis/suicidal-intent (harm)"
    assert tag.score == 0.95


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("threshold = 1.0", 'threshold = "high"', ["crisis_signals.toml", "'threshold'"]),
        ('lexicons = ["crisis.means", "means"]', 'lexicons = ["crisis.meens"]',
         ["crisis_signals.toml", "class 'means'", "crisis.meens"]),
        ("[signals.classes.intent]\n", "[signals.classes.intent]\nwieght = 2\n",
         ["crisis_signals.toml", "class 'intent'", "unknown key 'wieght'"]),
    ],
)
def test_a_broken_signal_file_names_the_file_and_the_entry(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    data = tmp_path / "tagger"
    shutil.copytree(DATA_DIR, data)
    path = data / "crisis_signals.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataFileError) as raised:
        Tagger(data_dir=data)
    for part in expected:
        assert part in str(raised.value), str(raised.value)


VEILED_GOODBYES = [
    # not being around for what comes next, with thanks
    "I won't be here for christmas this year. thanks for everything, all of you.",
    # going quiet, and nobody to blame
    "if I go quiet after tonight, it's nobody's fault. love you all",
    # a means bought and kept secret
    "bought a rope yesterday. haven't told anyone. just needed to tell someone",
    # the last one, accounts deleted, things given away
    "this is my last one. deleted all my socials. sorry for everything",
    "gave my cat to my sister and wiped my phone. this one's the last post",
    # a high place and not coming back down
    "sitting on the roof of the parking structure. not coming back down this time",
    # a warm bath and goodnight
    "the tub is full, the water is warm. goodnight",
    # an amount that "should do it"
    "40 of my sleeping pills should do it. nobody will notice",
    # a day it ends, after hopelessness
    "It all ends tomorrow. Nothing is getting better anyway.",
    # a plan, the means, and working up the nerve
    "got a plan and everything i need, just have to work up the nerve",
    # a last video, care cancelled, accounts deleted and things given away
    "this is my final upload. thank you all for watching for all these years",
    "i won't be here next month so no need to call about my refill",
    "if you never hear from me after tonight, it's not your fault",
    "deleted tiktok, gave my camera to my cousin, this account is next",
    # a means bought or counted out, kept secret
    "i bought a gun last week. my husband doesn't know",
    "counted out all my pills, there's more than enough",
    "I've got a bottle of my dad's oxy and nobody's home this weekend",
    "the water's warm, the door's locked. thank you all for trying",
    "I've written letters for my kids. they'll understand one day.",
    "everything's ready. the notes are on the table",
    # in Spanish
    "ya no voy a estar para la próxima cita. gracias por todo",
    "si desaparezco mañana no es culpa de nadie",
    "compré las pastillas hoy y nadie lo sabe",
    "ya tengo todo listo. esta noche se acaba",
    # a proxy goodbye, a car running in a closed garage, a last word, a railing at hand
    "tell my dad im sorry. i love him",
    "my wife is sitting in the garage with the engine running and won't open the door",
    "i took all my klonopin about an hour ago",
    "this is the last time anyone will hear from me",
    "i've decided. sunday. just wanted to say thank you to this group",
    "i'm at the top of the parking deck and the railing is right there",
    "sorry i wasn't enough. take care of the kids for me",
    "I'm giving my books away to my cousins, won't need them where I'm going",
]


@pytest.mark.parametrize("text", VEILED_GOODBYES)
def test_veiled_goodbyes_add_up_to_a_crisis(tagger: Tagger, text: str) -> None:
    tag = crisis(tagger, text)
    assert tag is not None, text
    assert tag.evidence


THE_SAME_WORDS_ELSEWHERE = [
    "I won't be around for the next meeting because of my surgery, thanks for the company "
    "all these years at the support group!",
    "Sitting in a warm bath after my first 10k, goodnight everyone!",
    "Bought the rope for the new tire swing today, not telling anyone until the kids see it.",
    "Our garage sale? It ends Sunday. Goodnight!",
    "I have a plan and the stuff for it: meal prep Sunday for the whole week.",
    "Deleted most of my accounts because of the data leak. This one is the last I'm keeping.",
    "If I disappear from the group chat it's because my phone died lol",
    "Cleaned the waiting room so nobody else has to, you're welcome night crew",
    "Parked on the top level of the hospital garage again, took the stairs down because the "
    "elevator was out.",
    "Counting pills for my grandma's pill organiser, 14 should be enough for the week.",
    "It's been a good run, my last day at the clinic is Friday. Thanks for everything!",
    "I'm not telling anyone but I got the job! Starting Monday.",
    "The last time I came here they lost my paperwork. Never again.",
    "I won't be here next month, we're moving to Denver, please send my records",
    "counted out my pills for the trip, more than enough until my refill",
    "I wrote letters to the nurses who cared for my mom, they were angels",
    "Tonight is the night! Our gala starts at 7, don't be late",
    "Everything's ready for the health fair tomorrow, see you there!",
    "Ya no voy a estar en la clínica del centro, me mudé a Monterrey. Gracias por todo!",
    "Compré las pastillas para la presión en su farmacia, muy buen servicio",
    "I've decided to get the booster saturday, just wanted to say thank you to this group",
    "Giving my old baby clothes away to the NICU families, hope they help",
    "Took all my antibiotics like the pharmacist said and I feel so much better",
    "At the top of the parking deck the view of the lake is gorgeous at sunset",
    "the nurse in the naloxone video is so calm, i love her",
    "When my son told me he wanted to die, this hospital's teen program saved him. He's 20 "
    "now and thriving.",
    # people who talk about crisis: a saying quoted, a shift that is over
    "ER nurse here: when a patient says 'I can't do this anymore' we listen.",
    "\"I want to die\" is never a joke. Please check on your friends.",
    "Night shift in the ER: a kid swallowed a button battery, got it out in time. "
    "Proud of this team.",
]


@pytest.mark.parametrize("text", THE_SAME_WORDS_ELSEWHERE)
def test_the_same_cues_in_everyday_life_or_in_talk_about_crisis_are_not_a_crisis(
    tagger: Tagger, text: str
) -> None:
    assert crisis(tagger, text) is None, text


REPORTED_NOT_LIVED = [
    # headlines and news about strangers
    "Update: suicidal woman seeks help from a stranger on a train, police say",
    "Terrible news from abroad: a young man committed suicide by jumping from the roof of "
    "his building after losing his family.",
    "Viral video shows a patient having great difficulty breathing in a hallway.",
    "Workers walking along the railway tracks were stopped by police during the lockdown.",
    # a case to solve, a monitor read out, an ordinary plan
    "Fever and a rash on day 10 of chemo. Solve this case now: what's the diagnosis?",
    "During my holter test it was found that my heart rate went from 190 to 40. Is that bad?",
    "I take melatonin every night. I want to know how long before I go to bed to take it.",
    "fever again and I'm ready to gargle with vinegar if it helps, nothing works",
    "Over 100 of them had been contacted by the tracing team so far, more now",
    # a quoted last message of someone who has died
    'Her last message to us:\n"Going on the ventilator today. Remember me, love you all."\n'
    "She passed away this morning.",
]


@pytest.mark.parametrize("text", REPORTED_NOT_LIVED)
def test_reports_of_others_cases_and_ordinary_plans_are_not_a_crisis(
    tagger: Tagger, text: str
) -> None:
    assert crisis(tagger, text) is None, text


@pytest.mark.parametrize("text", [
    "took 40 of them, should be enough. bye",
    "took 20 of my sleeping pills, that'll do it",
])
def test_pills_taken_and_called_enough_are_a_crisis(tagger: Tagger, text: str) -> None:
    assert crisis(tagger, text) is not None, text
