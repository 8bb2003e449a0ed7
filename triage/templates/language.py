"""A cautious guess at a comment's language (English or Spanish), for ranking templates."""

from __future__ import annotations

import re

__all__ = ["guess_language"]

# Common function words and everyday words of each language; words both languages
# write the same way ("me", "no", "a", "son", "he") are left out of both.
_SPANISH = frozenset(
    """
    el la los las un una unos unas lo del al de que y o pero porque si sí por para con
    es está están estoy eres somos era fue ser estar hay tengo tiene tienen tenemos
    puedo puede pueden quiero necesito debo sabe saber mi mis tu tus su sus nuestro
    nuestra yo usted ustedes ella ellos nosotros esto esta este estos estas eso esa ese
    qué cómo cuándo dónde quién cuál por qué muy más menos también ya nunca siempre
    todo todos nada algo aquí allí hoy mañana ayer gracias hola ayuda favor cita citas
    médico médica doctor hospital vacuna vacunas niño niña hijo hija mamá papá
    dice dicen creo verdad mentira causa causan cura curan salud cáncer enfermo
    """.split()
)
_ENGLISH = frozenset(
    """
    the and or but because if for with is are was were be been being am do does did
    have has had can could will would should must i you he she we they it this that
    these those my your his her our their what how when where who which why very more
    less also already never always all nothing something here there today tomorrow
    yesterday thanks thank hello help please appointment doctor vaccine vaccines
    child son daughter mom dad say says think true lie cause causes cure cures health
    cancer sick of to in on at from not just get got
    """.split()
)
_WORD = re.compile(r"[a-záéíóúüñ]+")


def guess_language(text: str) -> str | None:
    """``"es"`` or ``"en"`` when the text says so clearly enough, else ``None``.

    Spanish needs at least two Spanish words (the marks ¿ ¡ ñ count as one) and more
    Spanish than English words, so a short English comment is not taken for Spanish.
    """
    lowered = text.lower()
    words = _WORD.findall(lowered)
    spanish = sum(word in _SPANISH for word in words)
    english = sum(word in _ENGLISH for word in words)
    spanish += sum(mark in lowered for mark in "¿¡ñ")
    if spanish >= 2 and spanish > english:
        return "es"
    if english >= 1 and english >= spanish:
        return "en"
    return None
