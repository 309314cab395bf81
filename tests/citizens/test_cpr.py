"""The CPR number (DOMAIN.md, Identities): format, date, century digit; never modulus 11."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from stdnum.dk import cpr as stdnum_cpr

from apps.citizens import cpr


@pytest.mark.parametrize(
    ("number", "born"),
    [
        # digit 7 in 0-3: the 1900s, whatever the year
        ("0101000000", datetime.date(1900, 1, 1)),
        ("3112993999", datetime.date(1999, 12, 31)),
        # 4 or 9: the 2000s for YY 00-36, else the 1900s
        ("0101364000", None),  # 2036: in the future, see below
        ("0101204000", datetime.date(2020, 1, 1)),
        ("0101379000", datetime.date(1937, 1, 1)),
        ("0101009000", datetime.date(2000, 1, 1)),
        # 5-8: the 2000s for YY 00-57, else the 1800s
        ("0101105000", datetime.date(2010, 1, 1)),
        ("0101588000", datetime.date(1858, 1, 1)),
        ("3112996000", datetime.date(1899, 12, 31)),
    ],
)
def test_century_rules(number: str, born: datetime.date | None) -> None:
    if born is None:
        with pytest.raises(cpr.InvalidCPR):
            cpr.normalise(number)
        return
    assert cpr.normalise(number) == number
    assert cpr.birth_date(number) == born


def test_the_century_digit_decides_whether_29_february_exists() -> None:
    assert cpr.birth_date(cpr.normalise("2902004000")) == datetime.date(2000, 2, 29)
    with pytest.raises(cpr.InvalidCPR, match="date of birth"):
        cpr.normalise("2902000000")  # 1900 was no leap year
    with pytest.raises(cpr.InvalidCPR, match="date of birth"):
        cpr.normalise("2902585000")  # 5 with YY 58: 1858, no leap year
    assert cpr.birth_date(cpr.normalise("2902605000")) == datetime.date(1860, 2, 29)


WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def _mod11(number: str) -> int:
    return sum(w * int(d) for w, d in zip(WEIGHTS, number, strict=True)) % 11


@pytest.mark.parametrize("number", ["0101801234", "0101801235", "0707614286"])
def test_a_number_failing_modulus_11_is_accepted(number: str) -> None:
    assert _mod11(number) != 0  # the premise: these fail the old check
    assert cpr.normalise(number) == number
    assert cpr.birth_date(number) == stdnum_cpr.get_birth_date(number)


def test_a_number_passing_modulus_11_is_accepted_too() -> None:
    assert _mod11("0707614285") == 0
    assert cpr.normalise("0707614285") == "0707614285"


@pytest.mark.parametrize(
    "value",
    ["010180-1234", "010180 1234", " 0101801234 ", "010180-1234\n"],
)
def test_separators_are_accepted(value: str) -> None:
    assert cpr.normalise(value) == "0101801234"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "ten digits"),
        ("12345", "ten digits"),
        ("01018012345", "ten digits"),
        ("010180-12a4", "ten digits"),
        ("abcdefghij", "ten digits"),
        ("3202801234", "date of birth"),  # 32 January
        ("0113801234", "date of birth"),  # month 13
        ("0000801234", "date of birth"),
        ("3104801234", "date of birth"),  # 31 April
        ("0101364000", "future"),  # 4 + YY 36: 2036
        ("0101505000", "future"),  # 5 + YY 50: 2050
    ],
)
def test_invalid_numbers_are_rejected_with_a_reason(value: str, reason: str) -> None:
    with pytest.raises(cpr.InvalidCPR, match=reason):
        cpr.normalise(value)


def test_tomorrow_is_in_the_future() -> None:
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)  # noqa: DTZ011
    digit = "4" if tomorrow.year < 2037 else "5"
    number = f"{tomorrow:%d%m%y}{digit}000"
    with pytest.raises(cpr.InvalidCPR, match="future"):
        cpr.normalise(number)


def test_mask_and_format() -> None:
    assert cpr.mask("0101801234") == "010180-xxxx"
    assert cpr.formatted("0101801234") == "010180-1234"


def test_encryption_round_trip_without_clear_text() -> None:
    token = cpr.encrypt("0101801234")
    assert "0101801234" not in token
    assert "010180" not in token
    assert cpr.decrypt(token) == "0101801234"
    assert cpr.encrypt("0101801234") != token  # Fernet uses a fresh IV each time


def test_lookup_hash_is_stable_keyed_and_not_the_number() -> None:
    first = cpr.lookup_hash("0101801234")
    assert first == cpr.lookup_hash("0101801234")
    assert first != cpr.lookup_hash("0101801235")
    assert "0101801234" not in first
    assert len(first) == 64
    with override_settings(KIP_CPR_HASH_KEY="another-key"):
        assert cpr.lookup_hash("0101801234") != first


def test_another_key_cannot_decrypt() -> None:
    from cryptography.fernet import InvalidToken

    token = cpr.encrypt("0101801234")
    with override_settings(KIP_CPR_ENCRYPTION_KEY="another-key"), pytest.raises(InvalidToken):
        cpr.decrypt(token)
