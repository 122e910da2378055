"""One voice per language (locales/<lang>/STYLE.md): the same word for the same thing, one way of
addressing the reader, and buttons named in text exactly as the button says."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, Translator
from bot.languages import LAUNCH_LANGUAGES
from handlers.chat import menu_labels as menu

TRANSLATED = [lang for lang in LAUNCH_LANGUAGES if lang != "en"]

# Buttons that messages tell people to tap, by their English label: the "Done" family, the
# steps of forms, and every menu button.
BUTTONS = [
    "Done",
    "Next",
    "Skip",
    "Send",
    "No note",
    "Write my answer",
    *(label for row in menu.LAYOUT + menu.COORDINATOR_LAYOUT for label in row),
]
NAMED = re.compile(
    r"(?:\b[Tt]ap|\bthen|\bin) ("
    + "|".join(sorted(map(re.escape, BUTTONS), key=len)[::-1])
    + r")\b"
)


def _catalogue(language: str) -> list[Message]:
    path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    with Path(path).open("rb") as handle:
        return [m for m in read_po(handle, locale=language) if m.id]


def _texts(message: Message) -> list[str]:
    value = message.string
    return [s for s in value if s] if isinstance(value, tuple | list) else [value]


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def _translations(language: str) -> Iterator[tuple[Message, str]]:
    for message in _catalogue(language):
        for text in _texts(message):
            yield message, text


def test_the_english_messages_name_buttons_that_exist() -> None:
    """The check below finds what it should: English names every one of these buttons."""
    named = {m.group(1) for msg in _catalogue("en") for m in NAMED.finditer(_ids(msg)[0])}
    assert {"Done", "Next", "Skip", "Send", "No note", "Give feedback", "Settings"} <= named


@pytest.mark.parametrize("language", TRANSLATED)
def test_buttons_are_named_by_their_own_label(language: str) -> None:
    """'Tap Done' names the button as it reads in that language: "Gorffen", not "Wedi gorffen"."""
    t = Translator(language)
    wrong = []
    for message in _catalogue("en"):
        labels = {m.group(1) for m in NAMED.finditer(" ".join(_ids(message)))}
        if not labels:
            continue
        translated = [
            m for m in _catalogue(language) if m.id == message.id and m.context == message.context
        ]
        for text in _texts(translated[0]):
            wrong += [
                f"{label!r} ({t(label)!r}) not in {text!r}"
                for label in labels
                if t(label) not in text
            ]
    assert not wrong, "\n".join(wrong)


# One word per language for "claim" and "coordinator", one verb for "tap" (locales/<lang>/STYLE.md):
# every message whose English says it must say it with that word.
TERMS = {
    "claim": {  # the noun, or the verb "claim (back)" said as "get back"
        "cy": r"hawli",
        "gd": r"iarrtas|iarrtais|iarr",
        "pl": r"wnios|zwrot|zgł|odzyska",
        "ur": r"دعو|واپس",
        "ar": r"مطالب|طلب|استرد",
    },
    "coordinator": {
        "cy": r"[cg]h?ydlyn|nghydlyn",
        "gd": r"c(h)?o-òrdanaiche",
        "pl": r"koordynator",
        "ur": r"کوآرڈینیٹر",
        "ar": r"منسق|منسّق",
    },
    "tap": {
        "cy": r"[pb]wyswch",  # "Pwyswch", softened after "neu": "neu bwyswch"
        "gd": r"brùthaibh",
        "pl": r"naciśnij",
        "ur": r"ٹیپ",
        "ar": r"الضغط",  # gender-neutral "يُرجى الضغط على", never the masculine "اضغط"
    },
}
# Words that must not appear at all: the other word for the same thing, or the wrong register.
BANNED = {
    "cy": [r"\b[Tt]apiw", r"\b[Tt]apio"],
    "gd": [
        # informal "thu": the pronoun and the prepositional pronouns of the singular
        r"\b(thu|thusa|tu|agad|agadsa|dhut|dhutsa|ort|leat|riut|bhuat|thugad|romhad|umad|asad|"
        r"annad|dhiot)\b",
        r"\bd[’'] ?[aeiouàèìòùf]",  # "d’ ainm", "d' fhaclan": your (singular)
        r"\bdo thoil\b",  # "mas e do thoil e"
        r"gnogag",  # the second verb for "tap"
        r"\b[Tt]h?agra(dh|idh|idhean)\b|\bth?agair\b",  # "tagradh" is advocacy, not a claim
        # a singular imperative starting a sentence ("Sgrìobh do fhreagairt"); a past tense
        # ("Sgrìobh iad", "Leum sibh") has its subject after the verb
        r"(^|[.?!:]\s+|\b(?:no|agus|air)\s+)(Sgrìobh|Cuir|Tagh|Faic|Innis|Faighnich|Fosgail|Cùm|"
        r"Freagair|Brùth|Leum|Feuch|Till|Dèan|Atharraich|Faigh|Tagair|Aontaich|Diùlt|Cleachd|"
        r"Luchdaich|Thoir|Tarraing|Deasaich|Comharraich|Cum)\s(?!sinn\b|sibh\b|iad\b|am pannal\b)",
    ],
    "pl": [
        # masculine-only second person past forms ("wydałeś") and "(a)" patches
        r"\w(łeś|łaś|łbyś|łabyś|ieneś)\b",
        r"\((a|-a|y)\)",
        r"\b[Dd]otknij",  # the second verb for "tap"
        # "twój", "ci" are lower case inside a sentence
        r"(?<=[^.?!:\n] )(Twój|Twoja|Twoje|Twojego|Twojej|Twoim|Twoich|Twoją|Ci|Cię|Ciebie)\b",
    ],
    "ur": [r"رابطہ کار", r"منتظم", r"دبائیں"],
    # tap is said the gender-neutral way, "يُرجى الضغط على", not the masculine imperative "اضغط"
    "ar": [r"(^|\s)اضغط"],
}


def _english_source(message: Message, english: dict[tuple[str, str | None], Message]) -> str:
    key = (_ids(message)[0], message.context)
    if message.context == "easy" and english.get(key) is not None:
        return str(english[key].string)
    return _ids(message)[0]


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("term", sorted(TERMS))
def test_one_word_for_the_same_thing(language: str, term: str) -> None:
    english = {(_ids(m)[0], m.context): m for m in _catalogue("en")}
    word = re.compile(TERMS[term][language], re.IGNORECASE)
    wrong = [
        f"{_ids(message)[0]!r} -> {text!r}"
        for message in _catalogue(language)
        if re.search(rf"\b{term}", _english_source(message, english), re.IGNORECASE)
        for text in _texts(message)
        if not word.search(text)
    ]
    assert not wrong, f"{term!r} not said as {word.pattern!r}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_second_voice(language: str) -> None:
    patterns = [re.compile(pattern, re.MULTILINE) for pattern in BANNED[language]]
    wrong = [
        f"{pattern.pattern!r}: {text!r}"
        for _message, text in _translations(language)
        for pattern in patterns
        if pattern.search(text)
    ]
    assert not wrong, "\n".join(wrong)
