"""The planner's rules without a bot: typed lengths (in every language) and links are read or
refused, and the route skips questions that do not apply and Back retraces it."""

from __future__ import annotations

import pytest

from handlers.meetings import planner_rules
from handlers.meetings.planner_rules import Step


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("90", 90),
        ("2", 120),
        ("45 minutes", 45),
        ("45 mins", 45),
        ("1.5 hours", 90),
        ("1½ hours", 90),
        ("1 ½ hours", 90),
        ("2h", 120),
        ("1h30", 90),
        ("1 hour 30 minutes", 90),
        ("1:30", 90),
        ("half an hour", 30),
        ("an hour and a half", 90),
        ("5 minutes", None),  # too short
        ("13 hours", None),  # too long
        ("a while", None),
    ],
)
def test_typed_lengths(typed: str, minutes: int | None) -> None:
    assert planner_rules.parse_length(typed) == minutes


@pytest.mark.parametrize(
    ("typed", "link"),
    [
        ("https://meet.example.org/panel", "https://meet.example.org/panel"),
        ("  http://maps.example.com/?q=town+hall ", "http://maps.example.com/?q=town+hall"),
        ("www.example.org/map", "https://www.example.org/map"),
        ("javascript:alert(1)", None),
        ("https://localhost", None),
        ("on zoom", None),
        ("https://example.org/a b", None),
    ],
)
def test_links_must_be_web_links(typed: str, link: str | None) -> None:
    assert planner_rules.clean_link(typed) == link


def test_the_route_skips_questions_that_do_not_apply_and_back_retraces_it() -> None:
    def route(where: str) -> list[Step]:
        answers = {"where": where, "panels": 1}
        steps, step = [Step.TITLE], Step.TITLE
        while step != Step.PREVIEW:
            step = planner_rules.next_step(step, answers)
            steps.append(step)
        back, walked = Step.PREVIEW, [Step.PREVIEW]
        while (before := planner_rules.previous_step(back, answers)) is not None:
            walked.append(before)
            back = before
        assert walked[::-1] == steps
        return steps

    assert Step.ONLINE not in route("in_person")
    assert Step.ADDRESS not in route("online") and Step.MAP not in route("online")
    both = route("both")
    assert both.index(Step.ADDRESS) < both.index(Step.MAP) < both.index(Step.ONLINE)


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("2 awr", 120),
        ("1 awr a 30 munud", 90),
        ("90 mionaidean", 90),
        ("1 godz i 30 min", 90),
        ("90 منٹ", 90),
        ("٩٠ دقيقة", 90),
    ],
)
def test_lengths_can_be_typed_with_units_in_every_language(typed: str, minutes: int) -> None:
    assert planner_rules.parse_length(typed) == minutes
