"""Hard cases for each tag, written for these tests: what should and should not be tagged."""

from __future__ import annotations

import pytest

from triage.tagger import Tagger

ORG = {
    "org_phones": ["(555) 010-4400", "1-800-555-0199"],
    "org_emails": ["appointments@example.org"],
    "org_addresses": ["1200 River Road"],
}


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(**ORG)


def names(tagger: Tagger, text: str) -> set[str]:
    return {tag.name for tag in tagger.tag(text)}


CRISIS = [
    ("i have my dad's pills counted out and tonight i'm taking every one of them", True),
    ("Honestly I just want to die, nothing is ever going to get better", True),
    ("Im done. wrote a note for my mom, going to the roof after my shift", True),
    ("my daughter isn't breathing right and her lips are turning blue, calling 911", True),
    ("he collapsed at the bus stop and is not responding, someone is doing cpr", True),
    ("my son ate half a bottle of my blood thinners 5 min ago what do i do", True),
    ("i keep thinking everyone would be better off without me. probably this weekend", True),
    ("grandpa's face is drooping on one side and he's slurring, we're on the way to the ER", True),
    ("i don't see the point in living anymore", True),
    ("I'm going to overdose tonight, I have enough pills saved", True),
    ("Everyone would be better off if I just disappeared forever", True),
    ("thinking about ending things. have the rope ready", True),
    ("I cut myself again and it's deep, it won't stop bleeding", True),
    ("my friend posted a goodbye message and I'm scared she's going to hurt herself", True),
    ("no one would care if i died tonight", True),
    ("I wish I could go to sleep and never wake up", True),
    # Veiled intent, preparation, hopelessness and feeling a burden.
    ("i keep thinking about taking every pill in the cabinet tonight", True),
    ("honestly dont think i can keep going, i have the rope in my closet", True),
    ("nobody would miss me if i was gone, im just a burden to my family", True),
    ("I don't trust myself tonight, please someone call me", True),
    ("goodbye all, thank you for everything. please take care of my cat", True),
    # Self-harm going on now, and asking how much of a drug would kill.
    ("i've been cutting again and the urges won't stop", True),
    ("how many of my oxy would it take to not wake up", True),
    # Spanish, no accents or punctuation.
    ("me quiero morir ya no aguanto mas", True),
    ("esta noche me tomo todas mis pastillas, ya no puedo mas", True),
    # Emergencies told in loose words, happening now.
    ("my husband's lips look grayish and he's breathing really shallow", True),
    ("my dad's left arm went numb and his face looks droopy, what do we do", True),
    ("her throat feels tight and she's getting hives everywhere after the antibiotic", True),
    ("my toddler got into the dishwasher pods and is coughing, help", True),
    ("my daughter swallowed a button battery 10 minutes ago", True),
    ("he's bleeding a lot from his head and won't stop", True),
    ("my wife is 34 weeks pregnant and bleeding heavily, on our way", True),
    ("mi hijo no puede respirar bien y tiene los labios morados, ayuda", True),
    ("mi mamá se desmayó y no responde", True),
    ("2 days after chemo and my temp is 101.5, should I go to the ER?", True),
    ("my 6 week old has a fever of 100.9 what do i do", True),
    ("dont wanna be here no more honestly", True),
    ("ive been thinking about ways to die a lot lately", True),
    ("sometimes i think about walking into the ocean and not coming back", True),
    ("if this treatment doesnt work im not sticking around", True),
    ("i've been stockpiling my oxys for a month", True),
    ("my sister texted me goodbye and now shes not picking up her phone", True),
    ("this is my final message. thank you for the kindness", True),
    ("please tell my daughter i love her. i'm sorry", True),
    ("i have the pills in my hand right now", True),
    ("im in the bathroom with a razor again", True),
    ("tengo ganas de morirme", True),
    ("my son swallowed a bunch of his sister's adhd meds", True),
    ("my kid is covered in hives and his lips are getting big, he ate peanuts", True),
    ("my husband is diabetic and he's shaking, sweaty and not making sense", True),
    ("mi esposo tiene un dolor muy fuerte en el pecho y le cuesta respirar", True),
    ("my 3 week old has a temp of 100.6", True),
    ("my son drank some of the drain cleaner under the sink", True),
    ("my kid cut his hand really deep and it's spurting blood", True),
    ("there's a man lying on the sidewalk outside your ER not moving", True),
    ("my dad's heart is racing at 180 and he feels like he's going to pass out", True),
    ("my mom is vomiting blood", True),
    ("if the prices go up again I'm not sticking around, switching to another clinic", False),
    ("my heart rate was 165 during my run today", False),
    ("Learn CPR this Saturday, you could save someone who stopped breathing", False),
    ("I want to die my hair pink for breast cancer month!", False),
    ("Tired of fighting with insurance over my meds", False),
    ("I locked myself in the bathroom to cry after the diagnosis but I'm ok", False),
    ("Type 1 diabetic here, shaky hands after a low are the worst, always carry juice", False),
    ("the line is not moving lol", False),
    ("my husband had chest pain last month, turned out to be reflux", False),
    ("I'm going to kill my sister for eating my leftovers", False),
    ("i keep writing goodbye notes in my head. tonight feels like the night", True),
    ("i dont see a way out of this anymore and i have my dads gun", True),
    ("honestly the world would be better without me in it", True),
    ("my baby is making grunting noises with every breath and her chest is sucking in", True),
    ("grandpa can't move the right side of his body and his speech is garbled", True),
    ("she took a whole bunch of her sleeping pills with wine and is barely awake", True),
    ("My husband has had a crushing headache for an hour, worst of his life", True),
    ("No quiero vivir así, ya tengo las pastillas listas", True),
    ("I used to self harm as a teen, 10 years free now, you can get through it", False),
    ("lol this parking lot will be the death of me", False),
    ("this waiting room music makes me want to die lol", False),
    ("I nearly had a heart attack when I saw the bill", False),
    ("can't breathe from laughing at this video 😂", False),
    ("lol my mom just swallowed a fly", False),
    ("my grandma had a stroke in 2015, she's doing great now", False),
    ("Signs of anaphylaxis: swelling of the face, trouble breathing. Call 911.", False),
    ("if your child swallowed pills, call poison control", False),
    ("I lost my brother to suicide last year. Please reach out if you're struggling.", False),
    ("cutting carbs has been so hard lol", False),
    ("my cancer relapsed and I'm starting chemo again next week", False),
    ("goodbye everyone, today is my last shift after 30 years, I'll miss you all", False),
    ("I took 2 advil for my headache and now I feel better", False),
    ("I'm confused about the new parking rules, please help", False),
    ("My son had a fever of 103 after his shots yesterday, he's fine now", False),
    ("Signs of a stroke: face drooping, arm weakness, speech difficulty. Call 911.", False),
    ("I'm done with this clinic, switching providers tomorrow", False),
    ("Our nurse isn't answering the phone today, so annoying", False),
    ("Ending things on a high note: thanks to everyone who came to the 5k!", False),
    ("Our suicide prevention walk is this Saturday, join us!", False),
    ("If I have to fill out one more form I'm going to scream into the void 😂", False),
    ("Ten years ago I tried to end my life. Today I'm a counselor. It gets better ❤️", False),
    ("My grandfather died of a heart attack in 1998, please get your cholesterol checked", False),
    ("Chest pain can be a sign of a heart attack, know the symptoms", False),
    ("Es un buen hospital, gracias por todo", False),
    ("🙏🙏🙏🙏", False),
]


@pytest.mark.parametrize(("text", "expected"), CRISIS)
def test_crisis(tagger: Tagger, text: str, expected: bool) -> None:
    assert ("crisis" in names(tagger, text)) is expected


ADVERSE = [
    ("Started lisinopril in March and I've had a dry cough ever since", True),
    ("my toddler ran a fever of 103 the night after her MMR", True),
    ("Got the shingles shot Monday and my arm swelled up like a balloon", True),
    ("After my second Moderna dose my heart was racing for two days", True),
    ("my husband broke out in hives after the contrast dye for his CT", True),
    ("been on sertraline 3 weeks and the nausea is brutal", True),
    ("Since starting Wegovy I can't keep anything down", True),
    ("after my knee replacement the incision got infected", True),
    ("My son's arm is still red and hot 3 days after the tetanus shot", True),
    ("Three days on doxycycline and I'm nauseous all the time", True),
    ("The new insulin pump malfunctioned and gave me way too much", True),
    # Lay words for reactions, on any wording of "since / on X for N weeks / during".
    ("three weeks into Lexapro and I'm having the weirdest dreams plus zero sex drive", True),
    ("since the Depo shot my periods are heavy and won't quit", True),
    ("my son has been so irritable and aggressive since starting Singulair", True),
    ("i'm on day 4 of Paxlovid and everything tastes like metal", True),
    ("my mom's been dizzy and falling since they upped her blood pressure meds", True),
    ("The new CGM sensor left a raw burn on my arm", True),
    ("my pacemaker keeps beeping and I get lightheaded when it does", True),
    ("on Keppra for a month and my daughter is a different kid, crying all the time", True),
    ("ever since the root canal my jaw has been numb", True),
    ("my hair started falling out three months after my last chemo", True),
    ("A los dos días de la vacuna mi hija tuvo fiebre y vómito", True),
    ("desde que empecé la sertralina tengo pesadillas", True),
    ("my 4 year old has been throwing up since her flu mist yesterday", True),
    ("the new blood pressure pill makes my ankles balloon by evening", True),
    ("Started Wellbutrin last week and I can't stop grinding my teeth", True),
    ("this inhaler gives me the worst shaky hands", True),
    ("Prednisone has me starving and awake at 3am every night", True),
    ("the chemo made my fingernails turn black and fall off", True),
    ("I've gained 20 lbs since starting Depakote", True),
    ("my son gets nosebleeds since he started the nasal spray", True),
    ("mi mamá tiene la presión muy baja desde que le cambiaron la pastilla", True),
    ("Metformin made my A1C drop so much, my doctor is thrilled", False),
    ("Ozempic ads everywhere are making me crazy lol", False),
    ("Gardasil gave my daughter protection against cancer, so glad we did it", False),
    ("I found a lump last week, my mammogram is Friday", False),
    ("the pharmacy made me wait 2 hours for my prescription", False),
    ("I'm the patient from the transplant video, thank you to the kidney team", False),
    ("Sorry if this was asked already, how much does the flu jab cost without insurance",
     False),
    ("This chemo is brutal but I'm not giving up 💪", True),
    ("since starting the new thyroid med my heart has been pounding at night", True),
    ("I get such bad leg cramps on my statin, is that common?", True),
    ("me duele mucho el brazo desde la vacuna de ayer", True),
    ("my mom is starting Eliquis, what side effects should we watch for?", False),
    ("Does Ozempic make your hair fall out?", False),
    ("I'm worried the Tdap will make my baby fussy", False),
    ("lots of people get headaches after the covid shot, drink water", False),
    ("took tylenol for my headache and it went away", False),
    ("Got my second Shingrix, felt totally fine, no reaction at all", False),
    ("saw my coworker at the infusion center today, had no idea she was sick", False),
    ("He's been on antibiotics for 3 days for his infection and feels better", False),
    ("My doctor warned me Jardiance can cause yeast infections, so far so good", False),
    ("Got my booster and went for a run after, felt great", False),
    ("I'm nervous the booster will make me feel awful", False),
    ("Got my flu shot, no side effects at all!", False),
    ("Does metformin cause stomach problems?", False),
    ("Vaccines are tested for years before approval.", False),
    ("Are there side effects of the new Alzheimer's infusion I should know about", False),
]


@pytest.mark.parametrize(("text", "expected"), ADVERSE)
def test_adverse_event(tagger: Tagger, text: str, expected: bool) -> None:
    assert ("adverse_event" in names(tagger, text)) is expected


PRIVACY = [
    ("you can reach me on 0412 555 019, need my results", True),
    ("my cell is +44 7700 900123 ext 12", True),
    ("call me at (555) 201-8834 x402 about my bill", True),
    ("email me jane.doe@example.net please", True),
    ("reach me at jdoe77 at gmail dot com", True),
    ("ss# 123-45-6789 was on the form you lost", True),
    ("my DOB is 7/4/1962 and the portal won't let me in", True),
    ("MRN 004451238 — still waiting on my records", True),
    ("policy number QX-44120983, claim keeps bouncing", True),
    ("I live at 48 Maple Street Apt 3 and the home nurse never came", True),
    ("six one seven, five five five, two three four eight is my number", True),
    ("My sister Dana had her gallbladder out at your surgery center last week", True),
    ("I'm in room 318 and nobody has brought my meds", True),
    ("Dr. Patel started me on insulin and I'm feeling so much better", True),
    ("write me at r.okafor at example dot com about my mom's hospice intake", True),
    ("Rm 512 peds, my daughter June, 6, post-op tonsils. Night nurse was kind", True),
    ("Doctor Alvarez put my dad on insulin last month and he feels great", True),
    ("the man in the hallway bed next to my husband last night was our mayor", True),
    ("Dr. Ortiz, if my father dies because of you, you'll answer for it", True),
    ("My daughter Ava Kim had her tonsillectomy here on Monday, thank you Dr. Lopez", True),
    ("Hi I'm Tom Reyes, I had my hernia repair at your Eastside surgery center", True),
    ("my number is six one seven, five five five, oh one two three. call me about my MRI", True),
    ("I'm a nurse on 5 West and we're hiring!", False),
    ("Can someone tell me if the clinic at 400 Main St takes walk-ins?", False),
    ("my hair came back curly after chemo, nobody warned me but I'm here for it", False),
    ("The vaccine hotline is 555-0111 (it's on the county website)", False),
    ("The lot at 300 Lake Ave is free on weekends, right by the main entrance", False),
    ("My doctor said Zoloft might cause nausea at first, we'll see", False),
    ("This hospital bills insurers $20k for every patient on a ventilator", False),
    ("u/Raj-Iverson-4211 100% agree", False),
    ("My grandma Mei is in the ER right now after her surgery, please pray for her", True),
    ("The number on your site is (555) 010-4400, right?", False),
    ("Call 1-800-555-0199 for appointments", False),
    ("Send it to appointments@example.org", False),
    ("You're at 1200 River Road, correct?", False),
    ("Breast cancer survivor here, 12 years!", False),
    ("My dad has diabetes and he really liked this video", False),
    ("Can I get the RSV vaccine at your clinic if I'm over 60?", False),
    ("Look at this dot com nonsense", False),
    ("We raised $12,500 in 2024 for the new wing", False),
]


@pytest.mark.parametrize(("text", "expected"), PRIVACY)
def test_privacy(tagger: Tagger, text: str, expected: bool) -> None:
    assert ("privacy" in names(tagger, text)) is expected


MISINFORMATION = [
    ("flu vaccines give you the flu, i got it every single time", True),
    ("the mRNA shot rewrites your DNA, they admitted it", True),
    ("Turmeric shrank my sister's tumor, skip the chemo", True),
    ("Fluoride in tap water is lowering our kids' IQ and they know it", True),
    ("Don't let them fool you, masks starve your brain of oxygen", True),
    ("don't get the HPV shot for your daughter, it causes early menopause", True),
    ("my kids are unvaccinated and way healthier than vaccinated kids", True),
    ("Covid was never worse than the flu", True),
    ("Why vaccinate when measles is harmless? Kids just need vitamin A", True),
    # More myths of the claim library, in new words.
    ("the chickenpox vaccine literally gives kids chickenpox, it's a live virus", True),
    ("Zoloft is why these young men snap and go on shooting sprees, wake up", True),
    ("They get paid extra for every covid death they report, do the math", True),
    ("The ICU nurses are trained to overdose old people on morphine so they can have the bed",
     True),
    ("Ozempic paralyzes everyone's stomach forever, that's literally how it works", True),
    ("If you need surgery insist on blood from unvaccinated donors only, the rest is "
     "contaminated", True),
    ("My chiropractor fixed my toddler's asthma with three adjustments, no more inhaler", True),
    ("Stevia drops melt belly fat while you sleep, forget Wegovy", True),
    ("she reversed her type 1 with intermittent fasting and is off insulin now", True),
    ("Every booster weakens your immune system, that's why the boosted keep catching covid",
     True),
    # General shapes: a remedy that cures, harm stated as fact, advice against medicine.
    ("Castor oil packs dissolve ovarian cysts and fibroids, no surgery needed", True),
    ("The vaccines are killing our elderly and the FDA knows it", True),
    ("La quimioterapia mata más que el cáncer, mejor tomen té de moringa", True),
    ("Do NOT let them give your kids antidepressants, they are what cause the violence", True),
    ("I still believe vaccines cause autism, always will", True),
    ("Statins don't prevent heart attacks at all, cholesterol is a myth invented by pharma",
     True),
    ("Cancer is just your body's way of healing, don't let them cut it out", True),
    ("Anxiety isn't real, it's just a magnesium deficiency. Throw your meds away", True),
    ("Seed oils are the reason everyone has cancer and heart disease now", True),
    ("Sunscreen is toxic, the sun doesn't cause skin cancer, processed food does", True),
    ("The pap smear is what gives women cervical cancer", True),
    ("Covid vaccines have killed more people than covid ever did", True),
    ("Smoking doesn't cause cancer, my grandpa smoked til 95", True),
    ("Chemo doesn't cure anything, it just makes the oncologists rich", True),
    ("They add fluoride to make us dumb and obedient", True),
    # Asked, refuted, attributed to others, or true.
    ("My oncologist said sugar doesn't feed cancer any more than other foods", False),
    ("Big pharma makes billions, but the vaccines still work", False),
    ("Smoking is the reason my dad got lung cancer, please quit", False),
    ("Vaccines are the reason polio is gone from most of the world", False),
    ("Ginger tea helped with my nausea during chemo", False),
    ("Covid killed more people than the flu did that year", False),
    ("How is it 2025 and people still think 5G spreads covid 🤦", False),
    ("Does the chickenpox vaccine give kids chickenpox?", False),
    ("The shingles vaccine can't give you shingles, Shingrix has no live virus.", False),
    ("There's no evidence that antidepressants cause school shootings.", False),
    ("My grandpa called chemo poison for years, now he's in remission thanks to it", False),
    ("Our blood drive needs donors, vaccinated donors are welcome!", False),
    ("Funny how my kid only catches colds at daycare 🤔", False),
    ("Donate today to help find a cure for type 1 diabetes", False),
    ("Gastroparesis is a rare side effect of GLP-1s, talk to your doctor if you have symptoms",
     False),
    ("after the flu shot my son had a fever for a day, the doctor said it was coincidence",
     False),
    ("La vacuna de la gripe te da la gripe, siempre me enfermo", True),
    ("My tumor vanished with this one herbal tea, skip the chemo", True),
    ("Need to know if the new infusion suite is wheelchair accessible 🤔", False),
    ("Is it true the flu shot can give you the flu?", False),
    ("I know some people think fluoride lowers IQ but the evidence doesn't support it", False),
    ("My sister thought chemo was poison until it saved her life", False),
    ("Don't believe the myth that the flu shot gives you the flu.", False),
    ("The flu shot can't give you the flu, the virus in it is inactivated.", False),
    ("People who think vaccines cause autism never read the studies", False),
    ("my aunt says sugar feeds cancer but her oncologist says that's a myth", False),
    ("I love the new flu clinic hours", False),
]


@pytest.mark.parametrize(("text", "expected"), MISINFORMATION)
def test_misinformation(tagger: Tagger, text: str, expected: bool) -> None:
    assert ("misinformation" in names(tagger, text)) is expected


QUESTION = [
    ("what time does the walk-in clinic close on sunday", True),
    ("Do you take Medicaid", True),
    ("need to know if the lab does fasting bloodwork on weekends", True),
    ("is the RSV shot covered by insurance or do I pay out of pocket?", True),
    ("Hi! Where can I park for the imaging center", True),
    ("my son has a rash after swimming, should I be worried", True),
    ("¿Dónde puedo vacunar a mi hijo?", True),
    # Requests for a detail or for the team to act, with no question mark.
    ("need the fax number for the records dept asap", True),
    ("someone pls tell me if the urgent care takes walk ins today", True),
    ("Please update my phone number on file to the new one I sent", True),
    ("please connect me with someone in billing about a double charge", True),
    ("Llámenme por favor, mi cita se canceló y nadie me avisa", True),
    # Calls to others, rhetorical openings, commands that start like questions.
    ("looking to book a flu shot for my 2 kids this weekend", True),
    ("trying to get my son's vaccine records for school", True),
    ("I would like information on your diabetes classes", True),
    ("how r u supposed to prep for a colonoscopy", True),
    ("Hoping someone can tell me if the clinic does sports physicals", True),
    ("Is the clinic closed? Because the doors are locked and nobody answers", True),
    ("Why is this hospital so amazing? Because of the nurses!", False),
    ("How lucky are we to have this clinic in our town", False),
    ("@casey_kowalski did they give you anything for it?", False),
    ("u/JenP89 wait, when was this?", False),
    ("@NorthgateHealth do you know if the pharmacy takes walk ins on sundays", True),
    ("Please reconsider the new visitor rules.", False),
    ("Please share! Our 5k is next Sunday", False),
    ("@maria did you end up going to the Elm St clinic?", False),
    ("Why do you think they keep raising prices", False),
    ("How is it 2025 and the portal still crashes", False),
    ("Guess who just got her last chemo 🎉", False),
    ("Are we really doing this again", False),
    ("Do the math: three nurses for forty patients.", False),
    ("Qué horario tiene la farmacia los domingos", True),
    ("who even reads these comments 😂", False),
    ("Why would anyone trust a hospital that charges $20 for parking?", False),
    ("Anyone else think the new logo looks like a tooth?", False),
    ("Great video, thanks for sharing.", False),
    ("Can confirm, the night nurses are angels", False),
]


@pytest.mark.parametrize(("text", "expected"), QUESTION)
def test_question(tagger: Tagger, text: str, expected: bool) -> None:
    assert ("question" in names(tagger, text)) is expected


ABUSE = [
    ("I know where the nurse who treated my mom lives. Just saying.", True),
    ("you are all idiots and I hope this place burns down", True),
    ("Make $300 a day from your phone, DM me for details 💸", True),
    ("Claim your free gift card here: bit.ly/free-gift-4u", True),
    ("Go back to your country, doctor", True),
    ("Dr. Nguyen is a quack and a fraud, somebody should teach her a lesson", True),
    ("Work from home and earn $7,000 weekly, message me on Telegram", True),
    # Veiled threats, doxxing, telling people to die.
    ("We found out which gym Dr. Lee goes to. Keep pushing boosters and we'll pay her a visit",
     True),
    ("Keep it up and your little clinic will have a very bad week. We know the staff lot.", True),
    ("Hope someone slashes the tires of every nurse who gave my kid that shot", True),
    ("Posting the home address of the doctor who did this tomorrow, everyone will know where "
     "she sleeps", True),
    ("You anti-science clowns should all go drink bleach and save us the trouble", True),
    # Insults of staff, dehumanising and hateful language.
    ("the pharmacist at the Oak St location is a brainless cow who can't count pills", True),
    ("Nurses who can't even speak proper English shouldn't be allowed near patients. "
     "Send them home.", True),
    # Spam and scams: miracle products, private contact for a cure or money, fake support.
    ("💊 Lose 25 lbs in 14 days with our keto gummies! Order at slimkit.example.shop", True),
    ("My herbal tincture reversed my mom's diabetes. Inbox me and I'll share the recipe 🌿",
     True),
    ("Looking for investors! I turned $200 into $9,000 with this forex bot, whatsapp me", True),
    ("Official Support: your patient account is locked. Verify at portal-verify.example.net",
     True),
    ("You're a disgrace to medicine, Dr. Warren. People like you should be run out of town",
     True),
    ("Dr. Chen better hope I don't see her in the parking lot after her shift", True),
    ("I'll be waiting outside when your shift ends, nurse Amy", True),
    ("every nurse on 4 west is a useless lazy slug", True),
    ("the lady at registration is a miserable old hag", True),
    ("go back to india and take your fake degree with you", True),
    ("you people are sub-human trash", True),
    ("I've been using this amazing CBD oil that cured my arthritis, get yours at the link in "
     "my profile", True),
    ("Get your prescriptions without a doctor, 100% legit, text 555-0199", True),
    ("I'll be waiting for my results, thanks", False),
    ("Go back to sleep lol it's 3am", False),
    ("the new billing system is garbage", False),
    ("What idiot decided to close the east entrance?", False),
    ("D·M me for the c·ure 🌿", True),
    ("you're a pathetic excuse for a doctor and everyone knows it, Dr. Sims", True),
    ("I know your kid's school, Dr. Sims. Think about that.", True),
    ("These lazy welfare moms clogging up the ER should be turned away", True),
    ("Free covid test kits! Just enter your insurance info at covid-kits-free.example", True),
    ("You charge $18 a day for parking at a cancer center. Think about that.", False),
    ("They add fluoride to make us dumb and obedient", False),
    ("Sorry if this is a stupid question but can you get the flu shot while pregnant?", False),
    ("I feel so dumb, I went to the wrong building again lol", False),
    ("We're coming to the blood drive Saturday!", False),
    ("I know where the parking garage is, thanks", False),
    ("DM me if you want to talk, I went through chemo last year too ❤️", False),
    ("Our support group meets Thursdays, message me for the zoom link", False),
    ("Keep posting these great videos and we'll keep watching", False),
    ("This new policy is stupid and hurts patients", False),
    ("Your billing office is a disaster and I'm filing a complaint.", False),
    ("Beware of insurance fraud calls pretending to be the clinic", False),
    ("This parking situation is ridiculous, fix it", False),
    ("Shoutout to the ER nurses, absolute legends", False),
]


@pytest.mark.parametrize(("text", "expected"), ABUSE)
def test_abuse(tagger: Tagger, text: str, expected: bool) -> None:
    assert ("abuse" in names(tagger, text)) is expected
