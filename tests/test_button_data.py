"""Typed button data: what a button carries is packed and read back by one registered record,
forged or stale data is refused, and nothing registered can outgrow Telegram's 64 bytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import pytest

import bot.app  # noqa: F401  (imports every feature, so every button record is registered)
from handlers.chat import button_data
from handlers.chat.button_data import ButtonData, Longest, check_registry, longest_packed
from handlers.forms.engine import FormMove


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
