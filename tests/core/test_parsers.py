"""The parsers of identifiers, dates, page sizes and entity tags, on arbitrary text.

Each either returns a value of the promised shape or raises ``InvalidValue``: never another
exception, and never a value read from digits of another script.
"""

from __future__ import annotations

import datetime
import string

import pytest
from django.utils import timezone
from hypothesis import example, given, settings
from hypothesis import strategies as st

from apps.core import parsers
from apps.core.api.parsers import MAX_JSON_DEPTH, json_depth
from apps.core.parsers import MAX_DATE, MAX_ID, MIN_DATE, IfMatch, InvalidValue

# Digits that Python's int(), str.isdigit() and regex \d take, besides 0-9: each script's zero.
ZEROS = {
    "arabic-indic": 0x0660,
    "extended arabic-indic": 0x06F0,
    "devanagari": 0x0966,
    "bengali": 0x09E6,
    "thai": 0x0E50,
    "fullwidth": 0xFF10,
    "mathematical bold": 0x1D7CE,
}
OTHER_DIGITS = {name: "".join(chr(zero + i) for i in range(10)) for name, zero in ZEROS.items()}
SUPERSCRIPTS = "\u2070\u00b9\u00b2\u00b3" + "".join(chr(0x2074 + i) for i in range(6))
ARABIC = OTHER_DIGITS["arabic-indic"]
FULLWIDTH = OTHER_DIGITS["fullwidth"]


def in_script(digits: str, text: str) -> str:
    """``text`` with each ASCII digit replaced by the same digit of another script."""
    return "".join(digits[int(ch)] if ch in string.digits else ch for ch in text)


def _digitish_text() -> st.SearchStrategy[str]:
    """Text that is often close to a number: digits of any script, signs, dots, spaces."""
    alphabet = st.sampled_from(
        list(string.digits + "-+. \t_,eE") + list("".join(OTHER_DIGITS.values())) + ["\x00"]
    )
    return st.one_of(st.text(), st.text(alphabet, max_size=30))


def _value_or_refusal(parse, value, **kwargs):  # type: ignore[no-untyped-def]
    try:
        return parse(value, **kwargs)
    except InvalidValue as exc:
        reason = str(exc)
    assert reason  # a refusal always says why
    return None


# --- ids and integers ---------------------------------------------------------------------------


@settings(max_examples=300)
@given(_digitish_text())
@example("9223372036854775807")
@example("9223372036854775808")
@example(ARABIC[3])
@example(" 42 ")
def test_parse_id_on_arbitrary_text(text: str) -> None:
    value = _value_or_refusal(parsers.parse_id, text)
    if value is not None:
        assert type(value) is int
        assert 1 <= value <= MAX_ID
        assert text.strip().isascii()
        assert text.strip().lstrip("0") == str(value)


@settings(max_examples=200)
@given(st.one_of(st.integers(), st.floats(), st.booleans(), st.none(), st.lists(st.integers())))
def test_parse_id_on_arbitrary_json_values(value: object) -> None:
    parsed = _value_or_refusal(parsers.parse_id, value)
    if parsed is not None:
        assert 1 <= parsed <= MAX_ID
        assert parsed == value
        assert not isinstance(value, bool)


@pytest.mark.parametrize("script", sorted(OTHER_DIGITS))
def test_ids_in_other_scripts_are_refused(script: str) -> None:
    for number in ("1", "42", "2026"):
        with pytest.raises(InvalidValue, match="0-9"):
            parsers.parse_id(in_script(OTHER_DIGITS[script], number))
    mixed = "1" + OTHER_DIGITS[script][2]
    with pytest.raises(InvalidValue, match="0-9"):
        parsers.parse_id(mixed)


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        "0",
        "-1",
        "1.5",
        "1e3",
        "+1",
        "0x10",
        "1_000",
        FULLWIDTH[1],
        SUPERSCRIPTS[2],
        SUPERSCRIPTS[:3],
        True,
        None,
        str(2**63),
        2**63,
        2**64,
        -(2**63),
        "9" * 40,
        "9" * 5000,
        [1],
        {"id": 1},
        1.5,
    ],
)
def test_not_ids(value: object) -> None:
    with pytest.raises(InvalidValue):
        parsers.parse_id(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        (" 7 ", 7),
        ("007", 7),
        (3, 3),
        (2**63 - 1, 2**63 - 1),
        ("9223372036854775807", MAX_ID),
        (4.0, 4),
    ],
)
def test_ids(value: object, expected: int) -> None:
    assert parsers.parse_id(value) == expected


def test_as_id_is_none_for_what_names_no_object() -> None:
    assert parsers.as_id("12") == 12
    for value in ("", "x", ARABIC[3], 0, -3, 2**63, None, "1.0"):
        assert parsers.as_id(value) is None


# --- page size ---------------------------------------------------------------------------------


@settings(max_examples=200)
@given(_digitish_text())
@example("0")
@example("-5")
@example("201")
@example("200")
def test_parse_page_size_on_arbitrary_text(text: str) -> None:
    value = _value_or_refusal(parsers.parse_page_size, text, maximum=200)
    if value is not None:
        assert 1 <= value <= 200
        assert text.strip().isascii()


@pytest.mark.parametrize(
    "value", ["0", "-5", "abc", "201", "100000", "", ARABIC[5], "1.5", str(2**70)]
)
def test_page_sizes_refused(value: str) -> None:
    with pytest.raises(InvalidValue):
        parsers.parse_page_size(value, maximum=200)


# --- dates and moments -------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.one_of(_digitish_text(), st.dates().map(str), st.datetimes().map(str)))
@example("0001-01-01")
@example("9999-12-31")
@example(in_script(ARABIC, "2026-01-01"))
@example("2026-02-29")
def test_parse_date_on_arbitrary_text(text: str) -> None:
    value = _value_or_refusal(parsers.parse_date, text)
    if value is not None:
        assert type(value) is datetime.date
        assert MIN_DATE <= value <= MAX_DATE
        assert value.isoformat() == text.strip()  # RFC 3339 full-date, as it will be echoed


@settings(max_examples=300)
@given(
    st.one_of(
        _digitish_text(),
        st.datetimes().map(lambda d: d.isoformat()),
        st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    )
)
@example("0001-01-01T00:00:00+05:00")
@example("9999-12-31T23:59:59-05:00")
@example("2026-03-29T02:30:00")  # a local time that does not exist (summer time starts)
@example("2026-10-25T02:30:00")  # one that exists twice (summer time ends)
@example("2026-01-01T10:00:00Z")
def test_parse_datetime_on_arbitrary_text(text: str) -> None:
    value = _value_or_refusal(parsers.parse_datetime, text)
    if value is not None:
        assert timezone.is_aware(value)
        assert MIN_DATE - datetime.timedelta(days=1) <= value.astimezone(datetime.UTC).date()
        assert value.astimezone(datetime.UTC).date() <= MAX_DATE + datetime.timedelta(days=1)
        echoed = datetime.datetime.fromisoformat(value.isoformat())  # RFC 3339, as it is echoed
        assert echoed.astimezone(datetime.UTC) == value.astimezone(datetime.UTC)


@settings(max_examples=200)
@given(st.one_of(_digitish_text(), st.dates().map(str)))
def test_parse_moment_on_arbitrary_text(text: str) -> None:
    value = _value_or_refusal(parsers.parse_moment, text)
    if value is not None:
        assert timezone.is_aware(value)
        assert MIN_DATE <= value.date() <= MAX_DATE


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01",
        "1899-12-31",
        "3000-01-01",
        "9999-12-31",
        "2026-13-01",
        "2026-02-30",
        "2026-1-1",
        "20260101",
        "2026/01/01",
        in_script(ARABIC, "2026-01-01"),
        in_script(FULLWIDTH, "2026") + "-01-01",
        "2026-01-01T00:00:00",
        "",
        "today",
        None,
        20260101,
    ],
)
def test_dates_refused(value: object) -> None:
    with pytest.raises(InvalidValue):
        parsers.parse_date(value)


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+05:00",
        "1899-12-31T23:00:00Z",
        "9999-12-31T23:59:59-05:00",
        "2026-01-01T24:00:00",
        "2026-01-01T10:00:00+25:00",
        in_script(ARABIC, "2026-01-01") + "T10:00:00",
        "2026-01-01",
        "2026-01-01T10",
        "10:00",
        "",
        None,
    ],
)
def test_datetimes_refused(value: object) -> None:
    with pytest.raises(InvalidValue):
        parsers.parse_datetime(value)


def test_dates_at_the_edges() -> None:
    assert parsers.parse_date("1900-01-01") == MIN_DATE
    assert parsers.parse_date("2999-12-31") == MAX_DATE
    assert parsers.parse_datetime("2026-01-01T10:00:00Z") == datetime.datetime(
        2026, 1, 1, 10, tzinfo=datetime.UTC
    )
    naive = parsers.parse_datetime("2026-07-01T10:00")
    assert timezone.is_aware(naive)
    midnight = datetime.datetime(2026, 1, 1, tzinfo=timezone.get_current_timezone())
    assert parsers.parse_moment("2026-01-01") == midnight


# --- If-Match ----------------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.one_of(st.text(), st.text(st.sampled_from([*'W/"*, 0123abc', ARABIC[3]]), max_size=20)))
@example('"3"')
@example('W/"3"')
@example('"3", "4"')
@example("*")
@example('"abc"')
@example("3")
def test_parse_if_match_on_arbitrary_text(text: str) -> None:
    try:
        parsed = parsers.parse_if_match(text)
    except InvalidValue:
        return
    if parsed is None:
        assert not text.strip(" \t")
        return
    assert isinstance(parsed, IfMatch)
    assert all(1 <= v <= MAX_ID for v in parsed.versions)
    assert parsed.any == (text.strip(" \t") == "*")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('"3"', IfMatch(versions=frozenset({3}))),
        ('W/"3"', IfMatch(versions=frozenset({3}))),
        ('"3", "4"', IfMatch(versions=frozenset({3, 4}))),
        ('"2","abc" , W/"5"', IfMatch(versions=frozenset({2, 5}))),
        ("*", IfMatch(any=True)),
        ('"abc"', IfMatch()),
        ('W/"x"', IfMatch()),
        ('""', IfMatch()),
        (f'"{ARABIC[3]}"'.encode().decode("latin-1"), IfMatch()),  # UTF-8 bytes, as WSGI gives
        (f'"{2**64}"', IfMatch()),
        ('"0"', IfMatch()),
        ("", None),
        ("  ", None),
    ],
)
def test_if_match(header: str, expected: IfMatch | None) -> None:
    assert parsers.parse_if_match(header) == expected


@pytest.mark.parametrize(
    "header", ["3", "abc", '"3', '3"', "W/3", '"a b"', f'"{ARABIC[3]}"', '"3",', "**", '*, "3"']
)
def test_malformed_if_match(header: str) -> None:
    with pytest.raises(InvalidValue):
        parsers.parse_if_match(header)


# --- JSON depth --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "]]]"]', 1),  # brackets inside strings do not count
        ('["\\"[[[["]', 1),
        ("[" * 10000, MAX_JSON_DEPTH + 1),  # counts no further than it must
    ],
)
def test_json_depth(text: str, depth: int) -> None:
    assert json_depth(text, MAX_JSON_DEPTH) == depth
