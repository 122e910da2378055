"""The plain-language check in every launch language: what a coordinator is told about their text
before it reaches members, and that a Welsh or Arabic text is checked as Welsh or Arabic."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FrozenClock
from bot.context import PanelbotApplication
from bot.db import Role
from bot.db.engine import Database
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.i18n import Translator
from bot.languages import LAUNCH_LANGUAGES
from bot.services import glossary, plain_language
from tests.factories import add_member, create_panel

en, cy = Translator("en"), Translator("cy")
WORDS = glossary.load()

# 25 Urdu words in one sentence, ending with the Urdu full stop, then a short one.
URDU = (
    "ہم مقامی کونسل کے ساتھ اگلے مہینے ایک بڑی میٹنگ کر رہے ہیں اور ہم چاہتے ہیں کہ آپ سب "
    "اس میں آئیں اور بات کریں تاکہ ہم سب مل کر بہتر خدمات بنا سکیں۔ شکریہ۔"
)
# 24 Arabic words with vowel marks (which are not letters to Python's \w) in the first sentence,
# then a question ending with the Arabic question mark. "بالمجلس" is "with the council".
ARABIC = (
    "نَحْنُ نعمل بالمجلس المحلي ونريد أن نسمع رأيكم في الخدمات الجديدة التي سيبدأ تقديمها في "
    "الشهر القادم لكل الناس في المنطقة وخاصة كبار السن والأطفال. هل تأتي؟ شكرا لك."
)
# "We meet on Monday. We'll bring tea." Welsh "ni" is "we", not National Insurance.
WELSH_WE = "Rydyn ni yn cwrdd ddydd Llun. Bydd ni'n dod â the."


def test_a_long_urdu_sentence_is_flagged_and_urdu_jargon_is_found() -> None:
    report = plain_language.check(URDU, WORDS, "ur")
    assert len(report.long_sentences) == 1 and report.long_sentences[0].endswith("سکیں۔")
    assert "local_authority" in report.terms and "مقامی کونسل" in report.jargon
    assert not report.clear
    assert report.reading_ease is None  # no English syllable rules on Urdu


def test_a_long_arabic_sentence_is_flagged_and_arabic_jargon_is_found() -> None:
    report = plain_language.check(ARABIC, WORDS, "ar")
    assert len(report.long_sentences) == 1 and report.long_sentences[0].startswith("نَحْنُ")
    assert report.terms == ("local_authority",)
    assert report.jargon == ("بالمجلس المحلي",)
    assert report.reading_ease is None and report.grade is None
    short = plain_language.check("هل تأتي؟ شكرا لك.", WORDS, "ar")
    assert short.clear


def test_welsh_ni_is_we_but_english_ni_in_capitals_is_national_insurance() -> None:
    welsh = plain_language.check(WELSH_WE, WORDS, "cy")
    assert "national_insurance" not in welsh.terms and welsh.abbreviations == ()
    assert welsh.clear
    assert "national_insurance" not in WORDS.find_in_text(WELSH_WE, "cy")
    assert "national_insurance" not in WORDS.find_in_text(WELSH_WE)  # the buttons on a copy
    english = plain_language.check("Your NI is taken from your pay.", WORDS, "en")
    assert "national_insurance" in english.terms and "NI" in english.abbreviations
    # English abbreviations are found in every language, in capitals only.
    assert plain_language.check("Spotkanie z NHS i DOLS.", WORDS, "pl").terms == (
        "nhs",
        "deprivation_of_liberty_safeguards",
    )
    # A sentence typed in capitals is emphasis, not abbreviations.
    shouted = plain_language.check("RYDYN NI YN CWRDD DDYDD LLUN.", WORDS, "cy")
    assert shouted.terms == () and shouted.abbreviations == ()


def test_jargon_is_reported_only_where_the_term_is_really_in_the_text() -> None:
    leaflet = plain_language.check("Come to the Leaflet review on Monday.", WORDS, "en")
    assert "evaluation" not in leaflet.terms
    carers = plain_language.check("Thank you to all our carers' groups.", WORDS, "en")
    assert "unpaid_carer" not in carers.terms
    # The terms themselves, and their other forms, are still found and shown as written.
    found = plain_language.check(
        "The evaluation starts soon. It helps unpaid carers' groups with co-production.",
        WORDS,
        "en",
    )
    assert found.terms == ("evaluation", "unpaid_carer", "co_production")
    assert found.jargon == ("evaluation", "unpaid carers", "co-production")


def test_scores_are_english_only_and_always_within_0_to_100() -> None:
    short = plain_language.check("Go.", WORDS, "en")
    assert short.reading_ease == 100.0  # Flesch gives 121 for one short word
    hard = plain_language.check(
        "Multidisciplinary interdepartmental responsibilities notwithstanding "
        "institutionalisation.",
        WORDS,
        "en",
    )
    assert hard.reading_ease == 0.0 and hard.grade is not None and hard.grade > 0
    for language in ("cy", "pl", "gd"):
        assert plain_language.check("To jest krótki tekst.", WORDS, language).reading_ease is None


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400), language=st.sampled_from(LAUNCH_LANGUAGES))
def test_any_text_in_any_language_gets_a_score_within_its_scale(text: str, language: str) -> None:
    report = plain_language.check(text, WORDS, language)
    assert report.reading_ease is None or 0 <= report.reading_ease <= 100
    assert report.grade is None or report.grade >= 0
    assert all(len(s.split()) > 0 for s in report.long_sentences)


async def test_a_coordinator_sees_the_check_of_the_welsh_version_in_the_preview(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id = (await create_panel(db, clock, "Carers Voice")).panel.id
    await add_member(db, clock, panel_id, 900, "Priya", role=Role.COORDINATOR)
    await add_member(db, clock, panel_id, 901, "Branwen", language="cy")
    priya = MemberDriver(emulator, 900, "Priya")
    MemberDriver(emulator, 901, "Branwen")
    await priya.send("/broadcast")
    await priya.reply()
    await priya.tap(en("Next"))
    await priya.reply()
    # Plain English with a meeting called "Leaflet review": nothing to flag, so on to versions.
    await priya.send("Come to the Leaflet review on Monday.")
    versions = await priya.reply()
    assert versions["text"].startswith(en("Do you want to add your message in another language?"))
    await priya.tap("Cymraeg")
    await priya.reply()
    long_welsh = (
        "Rydyn ni yn cwrdd ddydd Llun yn y neuadd fawr yn y dref ac rydyn ni eisiau i bawb "
        "ddod i siarad am y daflen newydd a sut y gallwn ei gwneud yn well i bawb."
    )
    await priya.send(f"{long_welsh} Diolch.")
    await priya.reply()
    await priya.tap(en("Next"))
    await priya.reply()
    await priya.tap(en("No"))
    await priya.reply()
    await priya.tap(en("Send now"))
    preview = await priya.replies(5)
    assert long_welsh in preview[3]["text"]
    assert not any("National Insurance" in label for label in priya.buttons(preview[3]))
    summary = preview[4]["text"]
    check = summary[summary.index(en("Check of the {language} version:", language="Cymraeg")) :]
    assert en.ngettext("{n} sentence is over 20 words.", "{n} sentences are over 20 words.", 1) in (
        check
    )
    assert en("Reading ease is only scored for English.") in check
    assert "National Insurance" not in check and "NI" not in check
    # The form's own Cancel is the engine's Stop now, with Back, on the last row.
    assert priya.buttons(preview[4]) == [
        en("Send"),
        en("Send me a copy too"),
        en("Back"),
        en("Stop"),
    ]


async def test_a_welsh_coordinator_gets_the_check_in_welsh_and_no_national_insurance_button(
    app: PanelbotApplication, emulator: BotApiEmulator, db: Database, clock: FrozenClock
) -> None:
    panel_id = (await create_panel(db, clock, "Carers Voice")).panel.id
    await add_member(db, clock, panel_id, 910, "Branwen", role=Role.COORDINATOR, language="cy")
    await add_member(db, clock, panel_id, 911, "Alex")
    branwen = MemberDriver(emulator, 910, "Branwen")
    MemberDriver(emulator, 911, "Alex")
    await branwen.send("/broadcast")
    await branwen.reply()
    await branwen.tap(cy("Next"))
    await branwen.reply()
    await branwen.send(WELSH_WE)
    versions = await branwen.reply()  # nothing to flag: "ni" is "we"
    assert versions["text"].startswith(cy("Do you want to add your message in another language?"))
    await branwen.tap("اردو")
    await branwen.reply()
    await branwen.send(URDU)
    await branwen.reply()
    await branwen.tap(cy("Next"))
    await branwen.reply()
    await branwen.tap(cy("No"))
    await branwen.reply()
    await branwen.tap(cy("Send now"))
    preview = await branwen.replies(5)
    assert WELSH_WE in preview[1]["text"] and not branwen.buttons(preview[1])
    summary = preview[4]["text"]
    assert cy("Check of the {language} version:", language="اردو") in summary
    assert cy.ngettext("{n} sentence is over 20 words.", "{n} sentences are over 20 words.", 1) in (
        summary
    )
    assert cy("Jargon: {words}", words="مقامی کونسل") in summary
