"""Coverage of the words panels meet in health and social care papers.

Each word must be explained by the real lookup that /explain uses (bot/services/glossary.py), and
by the right entry. On main before this change, 24 of these 100 words were explained by the right
entry (25 by any entry: "decommissioning" got the "commissioning" entry).
"""

from __future__ import annotations

import pytest

from bot.context import PanelbotApplication
from bot.emulator.driver import MemberDriver
from bot.emulator.server import BotApiEmulator
from bot.services import glossary

# (what a member might type, the entry that must explain it)
EVERYDAY_WORDS: list[tuple[str, str]] = [
    # Commissioning and procurement
    ("commissioning", "commissioning"),
    ("commissioner", "commissioner"),
    ("procurement", "procurement"),
    ("tender", "tender"),
    ("going out to tender", "tender"),
    ("invitation to tender", "invitation_to_tender"),
    ("framework agreement", "framework_agreement"),
    ("contract monitoring", "contract_monitoring"),
    ("service specification", "service_specification"),
    ("outcomes-based commissioning", "outcomes_based_commissioning"),
    ("market position statement", "market_position_statement"),
    ("market shaping", "market_shaping"),
    ("block contract", "block_contract"),
    ("spot purchase", "spot_purchase"),
    ("value for money", "value_for_money"),
    ("social value", "social_value"),
    ("pooled budget", "pooled_budget"),
    ("Better Care Fund", "better_care_fund"),
    ("JSNA", "joint_strategic_needs_assessment"),
    ("business case", "business_case"),
    ("options appraisal", "options_appraisal"),
    ("decommissioning", "decommissioning"),
    ("provider", "provider"),
    ("KPI", "key_performance_indicator"),
    # The workforce and pre-employment checks
    ("DBS check", "dbs_check"),
    ("enhanced DBS", "enhanced_dbs_check"),
    ("barred list", "barred_list"),
    ("PVG scheme", "pvg_scheme"),
    ("Access NI", "access_ni"),
    ("right to work", "right_to_work"),
    ("pre-employment checks", "pre_employment_checks"),
    ("job reference", "employment_reference"),
    ("induction", "induction"),
    ("Care Certificate", "care_certificate"),
    ("registered manager", "registered_manager"),
    ("agency staff", "agency_staff"),
    ("bank staff", "bank_staff"),
    ("zero hours contract", "zero_hours_contract"),
    ("supervision", "supervision"),
    ("mandatory training", "mandatory_training"),
    ("SSSC", "scottish_social_services_council"),
    ("Social Care Wales", "social_care_wales"),
    ("NISCC", "northern_ireland_social_care_council"),
    ("whistleblowing", "whistleblowing"),
    ("duty of candour", "duty_of_candour"),
    ("staff turnover", "staff_turnover"),
    ("care worker", "care_worker"),
    # Care planning
    ("care and support plan", "care_plan"),
    ("outcomes", "outcomes"),
    ("personal outcomes", "personal_outcomes"),
    ("care review", "care_review"),
    ("reablement", "reablement"),
    ("discharge to assess", "discharge_to_assess"),
    ("delayed discharge", "delayed_discharge"),
    ("NHS continuing healthcare", "continuing_healthcare"),
    ("CHC", "continuing_healthcare"),
    ("anticipatory care plan", "anticipatory_care_plan"),
    ("advance care planning", "advance_care_planning"),
    ("DNACPR", "dnacpr"),
    ("funded nursing care", "funded_nursing_care"),
    ("virtual ward", "hospital_at_home"),
    ("risk assessment", "risk_assessment"),
    ("strengths-based approach", "strengths_based_approach"),
    ("palliative care", "palliative_care"),
    ("carer's assessment", "carers_assessment"),
    ("deferred payment", "deferred_payment_agreement"),
    ("self-funder", "self_funder"),
    ("care package", "care_package"),
    # Equipment and assistive technology
    ("telecare", "telecare"),
    ("community alarm", "telecare"),
    ("hoist", "hoist"),
    ("occupational therapy assessment", "occupational_therapy_assessment"),
    ("Disabled Facilities Grant", "disabled_facilities_grant"),
    ("DFG", "disabled_facilities_grant"),
    ("blue badge", "blue_badge"),
    ("TEC", "technology_enabled_care"),
    ("assistive technology", "assistive_technology"),
    ("telehealth", "telehealth"),
    ("key safe", "key_safe"),
    ("stairlift", "stairlift"),
    ("community equipment service", "community_equipment_service"),
    ("wheelchair service", "wheelchair_service"),
    ("Motability", "motability"),
    ("adaptations", "aids_and_adaptations"),
    # Scotland, Wales and Northern Ireland
    ("self-directed support", "self_directed_support"),
    ("SDS option 2", "sds_options"),
    ("integration joint board", "integration_joint_board"),
    ("HSCP", "health_and_social_care_partnership"),
    ("health and social care trust", "health_and_social_care_trust"),
    ("Regional Partnership Board", "regional_partnership_board"),
    ("what matters conversation", "what_matters_conversation"),
    ("Social Services and Well-being (Wales) Act", "social_services_and_wellbeing_act"),
    ("Care Inspectorate", "care_inspectorate"),
    ("CIW", "care_inspectorate_wales"),
    ("RQIA", "rqia"),
    ("Llais", "llais"),
    ("health board", "health_board"),
    ("adult support and protection", "safeguarding"),
    ("Carers (Scotland) Act", "carers_scotland_act"),
    ("free personal care", "free_personal_and_nursing_care"),
]


def test_the_list_is_big_enough_and_has_no_repeats() -> None:
    assert len(EVERYDAY_WORDS) >= 78
    assert len({word.casefold() for word, _ in EVERYDAY_WORDS}) == len(EVERYDAY_WORDS)


@pytest.mark.parametrize(("typed", "expected"), EVERYDAY_WORDS)
def test_every_everyday_word_is_explained_by_the_right_entry(typed: str, expected: str) -> None:
    found = glossary.load().lookup(typed)
    assert found.entry is not None, f"{typed!r}: only suggestions {found.suggestions}"
    assert found.entry.id == expected


def test_the_glossary_has_at_least_350_english_entries() -> None:
    assert len(glossary.load().entries) >= 350


async def test_a_member_asking_about_a_scottish_check_gets_it_explained(
    app: PanelbotApplication, emulator: BotApiEmulator
) -> None:
    morag = MemberDriver(emulator, 731, "Morag", language_code="en")
    await morag.send("/explain pvg")
    answer = await morag.reply()
    assert glossary.load().entries["pvg_scheme"].definition in answer["text"]


async def test_a_polish_member_is_told_to_call_999_when_someone_is_in_danger(
    app: PanelbotApplication, emulator: BotApiEmulator
) -> None:
    ola = MemberDriver(emulator, 732, "Ola", language_code="pl")
    await ola.send("/explain safeguarding")
    answer = await ola.reply()
    assert "zadzwoń pod 999" in answer["text"]


def test_new_entries_do_not_catch_everyday_words_in_a_coordinators_text() -> None:
    words = glossary.load()
    texts = [
        "See you at the meeting.",
        "Ravi brought his letter for the MPs.",
        "It is about health and social care.",
        "The reference group agreed the hourly rate.",
    ]
    found = {entry_id for text in texts for entry_id in words.find_in_text(text)}
    for wrong in (
        "assistive_technology",
        "healthcare_improvement_scotland",
        "market_position_statement",
        "health_and_social_care_ni",
        "employment_reference",
        "fee_rate",
    ):
        assert wrong not in found
    assert {"reference_group", "social_care"} <= found
