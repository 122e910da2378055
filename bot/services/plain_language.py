"""The plain-language check run on coordinators' text before it reaches members, per language.

It finds glossary terms and abbreviations, flags sentences over 20 words and, in English, hard
words, and gives a readability figure where one is valid. Words and sentences are read in every
launch language's script (see `text_units`), so Urdu and Arabic are checked as well as English.

Readability: Flesch reading ease and Flesch-Kincaid grade are fitted to English syllables and
sentences, so they are given for English only, from the `readability` package (offline), and held
within their scales: a very short text would otherwise score over 100. Welsh, Gaelic, Polish, Urdu
and Arabic get no score rather than a wrong English one: English syllable rules miscount their
words, and no formula checked with readers of these languages is in a well-kept Python library
(Polish FOG-PL and Arabic OSMAN exist as research formulas, not maintained packages we could use).
"""

from __future__ import annotations

from dataclasses import dataclass

import readability
from readability.langdata import countsyllables_en

from bot.services.glossary import SOURCE, Glossary
from bot.services.text_units import in_capitals, sentences, shouted, words

# DESIGN's ceiling for written text, which `panelbot glossary check` holds the glossary to.
LONG_SENTENCE = 25
# Coordinators' sentences are flagged sooner, so that text edited after the check stays under it.
FLAGGED_SENTENCE = 20
HARD_WORD_SYLLABLES = 4
SCORED_LANGUAGES = frozenset({"en"})

__all__ = ["FLAGGED_SENTENCE", "LONG_SENTENCE", "Report", "check", "sentences"]


@dataclass(frozen=True)
class Report:
    terms: tuple[str, ...]  # glossary ids, in order of appearance
    jargon: tuple[str, ...]  # those terms as written in the text
    abbreviations: tuple[str, ...]  # capital words, whether or not the glossary knows them
    long_sentences: tuple[str, ...]
    hard_words: tuple[str, ...]
    reading_ease: (
        float | None
    )  # Flesch reading ease 0-100: 60-70 is plain English, higher is easier
    grade: float | None  # Flesch-Kincaid school grade; about 5-6 means a reading age of 10-11
    language: str = SOURCE

    @property
    def clear(self) -> bool:
        return not (self.terms or self.abbreviations or self.long_sentences or self.hard_words)


def _syllables(word: str) -> int:
    # The package's own English counter, the same one its grades use.
    return int(countsyllables_en(word.lower()))


def _english_scores(found: list[list[str]]) -> tuple[float, float]:
    tokenised = "\n".join(" ".join(s) for s in found)
    grades = readability.getmeasures(tokenised, lang="en")["readability grades"]
    ease = min(100.0, max(0.0, grades["FleschReadingEase"]))
    grade = max(0.0, grades["Kincaid"])
    return round(ease, 1), round(grade, 1)


def check(text: str, glossary: Glossary, language: str = SOURCE) -> Report:
    """Check `text` as written in `language` (a launch language code)."""
    found_sentences = sentences(text)
    sentence_words = [words(s) for s in found_sentences]
    long = tuple(
        s for s, w in zip(found_sentences, sentence_words, strict=True) if len(w) > FLAGGED_SENTENCE
    )
    abbreviations = tuple(
        dict.fromkeys(w for ws in sentence_words if not shouted(ws) for w in ws if in_capitals(w))
    )
    hard: tuple[str, ...] = ()
    ease = grade = None
    english = language == "en"
    if english:
        hard = tuple(
            dict.fromkeys(
                w
                for ws in sentence_words
                for w in ws
                if not w.isupper() and _syllables(w) >= HARD_WORD_SYLLABLES
            )
        )
    scored = [ws for ws in sentence_words if ws]
    if language in SCORED_LANGUAGES and scored:
        ease, grade = _english_scores(scored)
    terms = glossary.terms_in_text(text, language)
    return Report(
        terms=tuple(entry_id for entry_id, _ in terms),
        jargon=tuple(dict.fromkeys(written for _, written in terms)),
        abbreviations=abbreviations,
        long_sentences=long,
        hard_words=hard,
        reading_ease=ease,
        grade=grade,
        language=language,
    )
