"""The plain-language check run on coordinators' text before it reaches members.

It finds glossary terms and abbreviations, flags sentences over 25 words and hard words, and
gives a readability figure. Readability comes from the `readability` package, which counts
syllables itself and so works offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import readability
from readability.langdata import countsyllables_en

from bot.services.glossary import Glossary

LONG_SENTENCE = 25
HARD_WORD_SYLLABLES = 4
# Latin, Urdu (۔) and Arabic (؟) sentence ends.
_SENTENCE_END = re.compile(r"(?<=[.!?۔؟])\s+|\n+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_ABBREVIATION = re.compile(r"\b[A-Z][A-Z0-9&]{1,6}s?\b")


@dataclass(frozen=True)
class Report:
    terms: tuple[str, ...]  # glossary ids, in order of appearance
    abbreviations: tuple[str, ...]  # all-capital words, whether or not the glossary knows them
    long_sentences: tuple[str, ...]
    hard_words: tuple[str, ...]
    reading_ease: float | None  # Flesch reading ease: 60-70 is plain English, higher is easier
    grade: float | None  # Flesch-Kincaid school grade; about 5-6 means a reading age of 10-11

    @property
    def clear(self) -> bool:
        return not (self.terms or self.abbreviations or self.long_sentences or self.hard_words)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _syllables(word: str) -> int:
    # The package's own English counter, the same one its grades use.
    return int(countsyllables_en(word.lower()))


def check(text: str, glossary: Glossary) -> Report:
    found_sentences = sentences(text)
    words = [w for s in found_sentences for w in _WORD.findall(s)]
    long = tuple(s for s in found_sentences if len(_WORD.findall(s)) > LONG_SENTENCE)
    abbreviations = tuple(dict.fromkeys(_ABBREVIATION.findall(text)))
    hard = tuple(
        dict.fromkeys(w for w in words if not w.isupper() and _syllables(w) >= HARD_WORD_SYLLABLES)
    )
    ease = grade = None
    if words:
        tokenised = "\n".join(
            " ".join(_WORD.findall(s)) for s in found_sentences if _WORD.findall(s)
        )
        grades = readability.getmeasures(tokenised, lang="en")["readability grades"]
        ease, grade = round(grades["FleschReadingEase"], 1), round(grades["Kincaid"], 1)
    return Report(
        terms=tuple(glossary.find_in_text(text)),
        abbreviations=abbreviations,
        long_sentences=long,
        hard_words=hard,
        reading_ease=ease,
        grade=grade,
    )
