"""Typed button data: what a button carries is packed and read back by one registered record,
forged or stale data is refused, and nothing registered can outgrow Telegram's 64 bytes."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pytest
from telegram.ext import CallbackQueryHandler

import bot.app  # noqa: F401  (imports every feature, so every button record is registered)
from bot.context import PanelbotApplication
from handlers.broadcasts import buttons as news
from handlers.chat import button_data
from handlers.chat import shared_buttons as shared
from handlers.chat.button_data import ButtonData, Longest, check_registry, longest_packed
from handlers.claims import buttons as claims
from handlers.feedback import button_records as feedback
from handlers.forms.engine import FormMove
from handlers.guards import errors
from handlers.home import buttons as home
from handlers.joining import buttons as joining
from handlers.meetings import button_records as meetings
from handlers.people import buttons as people
from handlers.polls import buttons as polls


def test_a_button_is_read_back_as_it_was_packed() -> None:
    packed = FormMove("back", "claim").pack()
    assert packed == "fm:1:go:back:claim"
    assert FormMove.unpack(packed) == FormMove("back", "claim")


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "fm:2:go:back:claim",  # another version: an old button
        "fm:1:go:back",  # a field missing
        "fm:1:go:back:claim:more",
        "fm:1:go:backward:claim",  # longer than the field allows
        "xx:1:go:back:claim",
        "fm:1:go:back:" + "c" * 25,
    ],
)
def test_forged_or_stale_data_is_refused(forged: str | None) -> None:
    assert FormMove.unpack(forged) is None


def test_a_value_that_would_not_fit_is_refused_when_packing() -> None:
    with pytest.raises(ValueError):
        FormMove("back", "c" * 25).pack()
    with pytest.raises(ValueError):
        FormMove("back", "a:b").pack()


def test_every_registered_button_fits_telegrams_64_bytes_whatever_it_carries() -> None:
    assert button_data.records(), "nothing registered: the check would check nothing"
    check_registry()
    for record in button_data.records():
        assert longest_packed(record) <= 64, record.__name__


def test_the_check_catches_a_button_that_could_outgrow_64_bytes() -> None:
    """Proof the start-up check can fail: a record whose longest value is too long."""

    @button_data.button_data("zz", 1, "toolong")
    @dataclass(frozen=True)
    class TooLong(ButtonData):
        first: int
        second: int
        words: Annotated[str, Longest(20)]

    try:
        with pytest.raises(ValueError, match="64"):
            check_registry()
    finally:
        button_data._REGISTRY.pop(("zz", "toolong", 3))
        button_data._VERSIONS.pop("zz")


def test_one_prefix_cannot_belong_to_two_features_or_two_versions() -> None:
    with pytest.raises(ValueError):

        @button_data.button_data("fm", 2, "other")
        @dataclass(frozen=True)
        class Other(ButtonData):
            n: int


def test_every_button_handler_answers_a_registered_prefix(app: PanelbotApplication) -> None:
    """Each CallbackQueryHandler the bot registers is for one registered prefix ("^xx:"), so no
    feature answers buttons the registry does not know (and check_registry does not check)."""
    registered = button_data.prefixes()
    seen = set()
    for group in app.handlers.values():
        for handler in group:
            if not isinstance(handler, CallbackQueryHandler):
                continue
            if handler.pattern is None:
                assert handler.callback is errors.stale_button, handler.callback
                continue
            pattern = str(getattr(handler.pattern, "pattern", handler.pattern))
            found = re.match(r"\^([a-z]+):", pattern)
            assert found, f"a button pattern that names no prefix: {pattern!r}"
            assert found.group(1) in registered, f"{pattern!r}: no record has this prefix"
            seen.add(found.group(1))
    assert seen == set(registered), "a prefix with records that no handler answers"


# A packed button written out by hand: "xx:1:..." (a prefix, a version, more).
PACKED = re.compile(r"^[a-z]{2,8}:\d+(:|$)")
HANDLERS = Path(__file__).resolve().parent.parent / "handlers"


def _by_hand(node: ast.AST) -> bool:
    """Callback data built from strings rather than by a record's pack()."""
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in ("join", "format")
    return False


def _hand_packing(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        where = f"{str(path).removeprefix(str(HANDLERS.parent))}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if PACKED.match(node.value):
                found.append(f"{where}: {node.value!r} looks like packed button data")
        elif isinstance(node, ast.keyword) and node.arg == "callback_data":
            if _by_hand(node.value):
                found.append(f"{where}: callback_data= built by hand")
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "callback_data"
                    and _by_hand(value)
                ):
                    found.append(f"{where}: a button's callback_data built by hand")
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in ("callback_data", "parse_callback"):
                found.append(f"{where}: {name}() (the records pack and read buttons now)")
            if name == "button" and len(node.args) > 1 and _by_hand(node.args[1]):
                found.append(f"{where}: button() data built by hand")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "split"
            and "data" in ast.unparse(node.value)
        ):
            found.append(f"{where}: callback data split by hand (unpack a record)")
    return found


def test_no_handler_packs_or_splits_button_data_by_hand() -> None:
    """Every button under handlers/ is packed by a registered record's pack() and read by its
    unpack(): no f-strings, joins or literals for callback data, no splitting query.data."""
    files = [p for p in HANDLERS.rglob("*.py") if p.name != "button_data.py"]
    assert len(files) > 50
    found = [problem for path in files for problem in _hand_packing(path)]
    assert found == []


def test_the_hand_packing_check_can_fail(tmp_path: Path) -> None:
    """Proof the check above would see the old ways."""
    old = tmp_path / "old.py"
    old.write_text(
        "def f(pid, query):\n"
        "    button('Go', f'cl:1:p:{pid}')\n"
        "    x = {'callback_data': 'mt:1:att:' + str(pid)}\n"
        "    y = InlineKeyboardButton('a', callback_data=':'.join(['rv', '1', 'n']))\n"
        "    args = query.data.split(':')\n"
        "    return callback_data('cl', 1, 'p', pid), 'ex:1:3:month:csv'\n"
    )
    lines = {int(problem.split(":")[1]) for problem in _hand_packing(old)}
    assert lines == {2, 3, 4, 5, 6}


# Buttons as the bot made them before the records (callback_data(...)): still in people's chats,
# so each must read back as the record that now answers it, and pack to the same bytes.
OLD_BUTTONS = [
    ("cl:1:m:0", claims.ClaimForMeeting(0)),
    ("cl:1:k:transport", claims.ClaimKind("transport")),
    ("cl:1:d:pk:d:2026-11-05", claims.ClaimCalendar("d", "2026-11-05")),
    ("cl:1:d:pk:x", claims.ClaimCalendarBlank()),
    ("cl:1:n:skip", claims.ClaimNoNote()),
    ("cl:1:s:send", claims.ClaimSummary("send")),
    ("cl:1:s:edit:2", claims.ClaimChangeItem(2)),
    ("rv:1:pm:7:bank", claims.MarkPaid(7, "bank")),
    ("cx:1:w:7", claims.TakeClaimBack(7)),
    ("ex:1:3:month:csv", claims.DownloadClaims(3, "month", "csv")),
    ("mt:1:rsvp:4:coming", meetings.AnswerInvitation(4, "coming")),
    ("mt:1:rep:4:month:12", meetings.RepeatMeeting(4, "month", 12)),
    ("nm:1:panel:3", meetings.PlannerAnswer("panel", "3")),
    ("nm:1:date:m:2026-11", meetings.PlannerCalendar("m", "2026-11")),
    ("nm:1:preview:vl:pl", meetings.PlannerLanguage("pl")),
    ("pa:1:t:9:5", polls.AnswerTap("t", 9, 5)),
    ("pa:1:s:9:0", polls.AnswerTap("s", 9)),
    ("pr:1:x:9", polls.ResultsTap("x", 9)),
    ("np:1:preview:send", polls.NewPollAnswer("preview", "send")),
    ("wd:1:vl:cy", polls.WeDidLanguage("cy")),
    ("bc:1:meet", news.NewsChoice("meet")),
    ("bc:1:p:3", news.NewsPanel(3)),
    ("bc:1:who:8", news.WhoWasNotReached(8)),
    ("fb:1:p:anon:3", feedback.SendToPanel("anon", 3)),
    ("ps:1:h:3", feedback.HelplinesOfPanel(3)),
    ("gl:1:show:pip", shared.ShowWord("pip")),
    ("lang:1:gd", shared.ChooseLanguage("gd")),
    ("ob:1:j:consent:yes", joining.JoiningAnswer("consent", "yes")),
    ("ob:1:s:name:", joining.SettingsAnswer("name", "")),
    ("set:1:news", joining.ChangeSetting("news")),
    ("leave:1:3", people.LeavePanel(3)),
    ("leave:1:stay", people.StayInPanels()),
    ("forget:1:yes", people.DeleteEverything()),
    ("rm:1:y:3:5", people.RemoveMember(3, 5)),
    ("rm:1:x", people.KeepEveryone()),
    ("invite:1:3", people.InviteFor(3)),
    ("invite:1:3:30", people.InviteForDays(3, 30)),
    ("members:1:3", people.RosterOf(3)),
    ("start:1:help", home.StartHelp()),
]


@pytest.mark.parametrize(("old", "record"), OLD_BUTTONS, ids=[old for old, _ in OLD_BUTTONS])
def test_a_button_from_before_the_records_still_works(old: str, record: ButtonData) -> None:
    assert record.pack() == old
    readers = [kind for kind in button_data.records() if kind.unpack(old) is not None]
    assert readers == [type(record)], "exactly one record reads it"
    assert type(record).unpack(old) == record


def test_two_records_that_could_read_the_same_data_are_refused() -> None:
    """An action-less record's str field could read another record's action word."""

    @button_data.button_data("zz", 1, "")
    @dataclass(frozen=True)
    class Anything(ButtonData):
        word: Annotated[str, Longest(8)]

    @button_data.button_data("zz", 1, "stop")
    @dataclass(frozen=True)
    class Stop(ButtonData):
        pass

    try:
        with pytest.raises(ValueError, match="could read the same data"):
            check_registry()
    finally:
        button_data._REGISTRY.pop(("zz", "", 1))
        button_data._REGISTRY.pop(("zz", "stop", 0))
        button_data._VERSIONS.pop("zz")
