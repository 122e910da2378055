"""The built-in glossary: plain-language explanations loaded from `locales/<lang>/glossary/`.

English files hold every entry. Other languages translate some of them (same ids); a missing
translation falls back to English and the reader is told so. Lookups forgive case, punctuation,
plurals and typos (rapidfuzz), and are fast enough to run on every message.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.i18n import LOCALES_DIR
from bot.languages import LAUNCH_LANGUAGES
from bot.services import text_units

SOURCE = "en"
# Fuzzy scores (0-100): at or above SURE we answer straight away; between MAYBE and SURE we ask
# "Did you mean ...?". Chosen so one or two typos in a normal word still land.
SURE = 90.0
MAYBE = 72.0
MAX_SUGGESTIONS = 4
MAX_NAME_WORDS = 6  # the longest name looked for in a text, in words
# Arabic writes "and", "with", "for" and "the" joined to the next word: "بالمجلس" is "with the
# council". The prefixes before "ال" (the) are dropped so the glossary's "المجلس" is found.
_ARABIC_PREFIX = re.compile(r"^(?:[وف]?[بكل]?(?=ال)|[وف]?(?=لل)|[وف](?=ال))")


@dataclass(frozen=True)
class Entry:
    id: str
    term: str
    definition: str
    example: str = ""
    aliases: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    common: bool = False
    language: str = SOURCE
    # When someone last checked facts that change (benefits, laws, organisations, schemes), and for
    # bodies being reorganised, when to look again. Translations carry the English entry's dates.
    checked: date | None = None
    review: date | None = None

    def names(self) -> Iterable[str]:
        yield self.term
        yield from self.aliases
        yield from self.abbreviations


@dataclass(frozen=True)
class Lookup:
    """What a search found: one entry (sure), suggestions (unsure), or nothing."""

    entry: Entry | None = None
    suggestions: tuple[Entry, ...] = ()
    fallback: bool = False  # the entry is English because this language has no translation


@dataclass
class Glossary:
    entries: dict[str, Entry]  # English, by id
    translations: dict[str, dict[str, Entry]] = field(default_factory=dict)  # language -> id ->
    _keys: dict[str, str] = field(default_factory=dict)  # normalised name -> id
    _choices: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Terms are found in a text from that language's own names only, so that a Welsh alias
        # like "gig" never flags the English word; abbreviations ("NHS") are found in any text.
        self._in_text = {
            language: _names_in_text(entries, self.entries)
            for language, entries in [(SOURCE, self.entries), *self.translations.items()]
        }
        # As written ("DoLS") or all in capitals ("DOLS"), never in small letters.
        self._capitals = {
            form: e.id
            for e in self.entries.values()
            for a in e.abbreviations
            if len(a) >= 2
            for form in (a, a.upper())
        }
        for entries in [self.entries, *self.translations.values()]:
            for entry in entries.values():
                for name in entry.names():
                    for key in variants(name):
                        self._keys.setdefault(key, entry.id)
        self._choices = list(self._keys)

    def get(self, entry_id: str, language: str) -> tuple[Entry, bool] | None:
        """The entry in `language`, or in English with fallback=True."""
        english = self.entries.get(entry_id)
        if english is None:
            return None
        translated = self.translations.get(language, {}).get(entry_id)
        if translated is not None or language == SOURCE:
            return translated or english, False
        return english, True

    def lookup(self, text: str, language: str = SOURCE) -> Lookup:
        query = normalise(text)
        if not query:
            return Lookup()
        for key in variants(query):
            if key in self._keys:
                return self._found(self._keys[key], language)
        matches = process.extract(
            query, self._choices, scorer=fuzz.WRatio, limit=12, score_cutoff=MAYBE
        )
        ranked: list[tuple[str, float]] = []
        for choice, score, _ in matches:
            entry_id = self._keys[choice]
            # Short words score well against long names by accident; compare whole lengths too.
            score = min(score, fuzz.ratio(query, choice) + 10)
            if entry_id not in (seen for seen, _ in ranked) and score >= MAYBE:
                ranked.append((entry_id, score))
        ranked.sort(key=lambda pair: -pair[1])
        if (
            ranked
            and ranked[0][1] >= SURE
            and (len(ranked) == 1 or ranked[1][1] < ranked[0][1] - 4)
        ):
            return self._found(ranked[0][0], language)
        suggestions = tuple(
            found[0]
            for entry_id, _ in ranked[:MAX_SUGGESTIONS]
            if (found := self.get(entry_id, language))
        )
        return Lookup(suggestions=suggestions)

    def _found(self, entry_id: str, language: str) -> Lookup:
        found = self.get(entry_id, language)
        assert found is not None
        return Lookup(entry=found[0], fallback=found[1])

    def find_in_text(self, text: str, language: str = SOURCE) -> list[str]:
        """Ids of glossary terms that appear in a text, in order of first appearance."""
        return list(dict.fromkeys(entry_id for entry_id, _ in self.terms_in_text(text, language)))

    def terms_in_text(self, text: str, language: str = SOURCE) -> list[tuple[str, str]]:
        """(id, the words as written) for each term really in the text, as whole words.

        Abbreviations count only as written in the glossary ("NI", never Welsh "ni") and not in a
        sentence typed in capitals. Names are compared word by word, never fuzzily.
        """
        names = self._in_text.get(language, {})
        found: dict[str, tuple[int, str]] = {}
        position = 0
        for sentence in text_units.sentences(text):
            written = text_units.words(sentence)
            capitals = not text_units.shouted(written)
            keys = [_text_key(word, language) for word in written]
            for index, word in enumerate(written):
                stem = word[:-1] if word.endswith("s") and word[:-1].isupper() else word
                entry_id = self._capitals.get(word) or self._capitals.get(stem)
                if capitals and entry_id and entry_id not in found:
                    found[entry_id] = (position + index, word)
            for size in range(MAX_NAME_WORDS, 0, -1):
                for start in range(len(keys) - size + 1):
                    phrase = " ".join(keys[start : start + size])
                    entry_id = names.get(phrase)
                    if entry_id is None and language == SOURCE:
                        entry_id = names.get(singular(phrase))
                    if entry_id and entry_id not in found and len(phrase) > 2:
                        found[entry_id] = (
                            position + start,
                            " ".join(written[start : start + size]),
                        )
            position += len(written)
        return sorted(((i, w) for i, (_, w) in found.items()), key=lambda pair: found[pair[0]][0])

    def coverage(self) -> dict[str, tuple[int, int]]:
        """Per language: (entries translated, entries marked common that are translated)."""
        common = {i for i, e in self.entries.items() if e.common}
        result = {SOURCE: (len(self.entries), len(common))}
        for language, entries in self.translations.items():
            result[language] = (len(entries), len(common & set(entries)))
        return result


_NOT_WORD = re.compile(r"[^\w\s]+")


def normalise(text: str) -> str:
    """Case, accents on Latin letters, punctuation and spacing do not matter for matching."""
    # Accents and vowel marks (ò, ŵ, Arabic harakat) are often left out when typing on a phone,
    # so match with or without them.
    text = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    text = unicodedata.normalize(
        "NFKC", "".join(c for c in text if unicodedata.category(c) != "Mn")
    )
    text = re.sub(r"'s\b", "", text)
    text = _NOT_WORD.sub(" ", text.replace("_", " "))
    return " ".join(text.split())[:100]


def _text_key(word: str, language: str) -> str:
    key = " ".join(normalise(word).split())
    if language == "ar":
        key = _ARABIC_PREFIX.sub("", key)
        key = "ال" + key[2:] if key.startswith("لل") else key
    return key


def _a_form_of(word: str, name: str) -> bool:
    """'voting' is a form of 'vote' and 'coproduction' of 'co-production'; 'review' is not of
    'evaluation', nor 'carer' of 'unpaid carer'."""
    name = name.replace(" ", "")
    shared = next(
        (i for i, (a, b) in enumerate(zip(word, name, strict=False)) if a != b),
        min(len(word), len(name)),
    )
    return shared >= 3 and shared >= 0.6 * max(len(word), len(name))


def _names_in_text(entries: dict[str, Entry], english: dict[str, Entry]) -> dict[str, str]:
    """The names that show a term is in a text: the term, and each alias that is a phrase or a
    form of the term. A one-word alias like "review" (evaluation) helps someone asking, but is an
    everyday word in a text."""
    names: dict[str, str] = {}
    for entry in entries.values():
        language = entry.language
        term = re.sub(r"\(.*?\)", " ", entry.term)  # "التكليف بالخدمات (commissioning)"
        plain_terms = [_text_key(t, language) for t in (term, english[entry.id].term)]
        for name in [term, *entry.aliases]:
            words = [_text_key(w, language) for w in text_units.words(name)]
            key = " ".join(w for w in words if w)
            one_word_alias = len(key.split()) == 1 and name != term
            if one_word_alias and not any(_a_form_of(key, t) for t in plain_terms):
                continue
            if key and len(key.split()) <= MAX_NAME_WORDS:
                names.setdefault(key, entry.id)
                if language == SOURCE:
                    names.setdefault(singular(key), entry.id)
    return names


def singular(phrase: str) -> str:
    """A rough English singular for the last word: enough for 'budgets', 'policies', 'boxes'."""
    head, _, last = phrase.rpartition(" ")
    if len(last) > 4 and last.endswith("ies"):
        last = last[:-3] + "y"
    elif len(last) > 4 and last.endswith(("ses", "xes", "ches", "shes")):
        last = last[:-2]
    elif len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return f"{head} {last}".strip()


def variants(name: str) -> list[str]:
    key = normalise(name)
    return [key] if singular(key) == key else [key, singular(key)]


def _entry(entry_id: str, raw: dict[str, object], language: str) -> Entry:
    def strings(name: str) -> tuple[str, ...]:
        value = raw.get(name) or []
        return tuple(str(v) for v in value) if isinstance(value, list) else ()

    return Entry(
        id=entry_id,
        term=str(raw["term"]),
        definition=str(raw["definition"]),
        example=str(raw.get("example", "")),
        aliases=strings("aliases"),
        abbreviations=strings("abbreviations"),
        related=strings("related"),
        common=bool(raw.get("common", False)),
        language=language,
        checked=parse_date(raw.get("checked")),
        review=parse_date(raw.get("review")),
    )


def parse_date(value: object) -> date | None:
    """A TOML date or a "YYYY-MM-DD" string; anything else is None (the check reports it)."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def read_language(language: str, root: Path = LOCALES_DIR) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for path in sorted((root / language / "glossary").glob("*.toml")):
        with path.open("rb") as handle:
            for entry_id, raw in tomllib.load(handle).items():
                entries[entry_id] = _entry(entry_id, raw, language)
    return entries


def _from_english(entry: Entry, english: Entry) -> Entry:
    """Translation files leave out related, abbreviations, common and the dates facts were
    checked on: they are the English ones."""
    return replace(
        entry,
        related=entry.related or english.related,
        abbreviations=entry.abbreviations or english.abbreviations,
        common=english.common,
        checked=english.checked,
        review=english.review,
    )


@cache
def load(root: Path = LOCALES_DIR) -> Glossary:
    english = read_language(SOURCE, root)
    # Translations hold words only; related entries, abbreviations and "common" are English's,
    # so a Welsh reader gets the same "see also" buttons as an English one.
    translations = {
        language: {
            k: _from_english(v, english[k])
            for k, v in read_language(language, root).items()
            if k in english
        }
        for language in LAUNCH_LANGUAGES
        if language != SOURCE
    }
    return Glossary(english, translations)
