"""Words and sentences in every launch language's script, for the plain-language check.

Python's `\\w` drops Arabic vowel marks (they are combining marks) and the zero-width joiners Urdu
uses inside words, so words are read by Unicode category instead: letters, marks and digits, with
an apostrophe or hyphen kept only between two of them ("ni'n", "co-production", but "carers'").
"""

from __future__ import annotations

import re
import unicodedata

# Latin full stop, exclamation and question marks, the Urdu full stop (۔) and the Arabic question
# mark (؟). A new line also ends a sentence: coordinators write lists without full stops.
_SENTENCE_END = re.compile(r"(?<=[.!?۔؟])\s+|\s*\n\s*")
_JOINERS = frozenset("'’-\u2010\u2011")
_INSIDE_WORDS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner
LONGEST_ABBREVIATION = 7


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _part_of_word(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN" or char in _INSIDE_WORDS


def words(text: str) -> list[str]:
    """The words of a text in order; a run of digits alone ("14", "12.50") is not a word."""
    found: list[str] = []
    start = None
    for index, char in enumerate(text + " "):
        joined = (
            char in _JOINERS
            and start is not None
            and index + 1 < len(text)
            and _part_of_word(text[index + 1])
        )
        if _part_of_word(char) or joined:
            start = index if start is None else start
            continue
        if start is not None:
            word = text[start:index]
            if any(unicodedata.category(c)[0] == "L" for c in word):
                found.append(word)
            start = None
    return found


def in_capitals(word: str) -> bool:
    """An abbreviation-like word: "NHS", "GPs". Scripts without capitals (Arabic) never are."""
    stem = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
    return 2 <= len(stem) <= LONGEST_ABBREVIATION and stem.isupper() and stem.isalnum()


def shouted(sentence_words: list[str]) -> bool:
    """A sentence typed in capitals: its capital words are emphasis, not abbreviations."""
    cased = [w for w in sentence_words if any(c.isupper() or c.islower() for c in w)]
    return len(cased) >= 3 and sum(w.isupper() for w in cased) * 2 > len(cased)
