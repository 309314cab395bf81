"""One CPR parser everywhere: ASCII digits 0-9 only, one separator, never modulus 11.

Digits of other scripts pass ``str.isdigit()``, ``int()`` and regex ``\\d``; accepted, they
would give one citizen a second spelling, a second hash and so a second registration, and
hide them from the search. Every place that reads a CPR refuses them with a 400 naming ``cpr``.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from apps.audit.models import AccessEvent, BreakGlass
from apps.citizens import cpr
from apps.citizens.models import Citizen
from tests.audit.helpers import events_since, last_id
from tests.conftest import World
from tests.core.test_parsers import ARABIC, FULLWIDTH, OTHER_DIGITS, SUPERSCRIPTS, in_script
from tests.helpers import API, NEW_CPR, assert_error, snapshot

REGISTERED = "0101801234"  # the world's citizen (Jens Hansen)


EN_DASH, HYPHEN = "\u2013", "\u2010"


def _spellings(number: str) -> list[str]:
    """``number`` (ten ASCII digits) written with digits that are not ASCII, whole or in part."""
    dashed = f"{number[:6]}-{number[6:]}"
    found = []
    for digits in OTHER_DIGITS.values():
        found += [
            in_script(digits, number),
            in_script(digits, dashed),
            number[:9] + digits[int(number[9])],
        ]
        found.append(in_script(digits, number[:6]) + "-" + number[6:])  # mixed scripts
    found.append("".join(SUPERSCRIPTS[int(ch)] for ch in number))
    return found


# --- the parser ----------------------------------------------------------------------------------


@settings(max_examples=500)
@given(
    st.one_of(
        st.text(),
        st.text(
            st.sampled_from(
                list(string.digits + " -\t\n/." + EN_DASH) + list("".join(OTHER_DIGITS.values()))
            ),
            max_size=16,
        ),
    )
)
@example("010180-1234")
@example(in_script(ARABIC, "010180-1234"))
@example(in_script(FULLWIDTH, "0101801234"))
@example(f"010180{EN_DASH}1234")
def test_the_parser_on_arbitrary_text(text: str) -> None:
    try:
        digits = cpr.normalise(text)
    except cpr.InvalidCPR as exc:
        digits, reason = "", str(exc)
    if not digits:
        assert reason  # a refusal always says why
        return
    assert len(digits) == 10
    assert all(ch in string.digits for ch in digits)
    assert text.strip().replace("-", "").replace(" ", "") == digits


@pytest.mark.parametrize("number", _spellings(REGISTERED))
def test_digits_of_other_scripts_are_refused(number: str) -> None:
    with pytest.raises(cpr.InvalidCPR, match="0-9"):
        cpr.normalise(number)


@pytest.mark.parametrize(
    "number",
    [
        f"010180{EN_DASH}1234",
        f"010180{HYPHEN}1234",
        "010180_1234",
        "010180--1234",
        "010180  1234",
        "010180/1234",
        "0101-801234",
        "01 01 80 12 34",
        "010180-123 4",
        "0101801234\x00",
        "0101801234 0101801234",
        "+0101801234",
        "1e9",
    ],
)
def test_only_one_separator_between_date_and_serial_number(number: str) -> None:
    with pytest.raises(cpr.InvalidCPR):
        cpr.normalise(number)


@pytest.mark.parametrize(
    "number",
    ["0101801234", "010180-1234", "010180 1234", "010180 - 1234", "010180- 1234", "\t010180-1234 "],
)
def test_the_separators_allowed(number: str) -> None:
    assert cpr.normalise(number) == REGISTERED


@pytest.mark.parametrize("value", [None, 101801234, ["0101801234"], {"cpr": "0101801234"}])
def test_not_text_is_refused(value: object) -> None:
    with pytest.raises(cpr.InvalidCPR):
        cpr.normalise(value)


@pytest.mark.parametrize("function", [cpr.lookup_hash, cpr.encrypt, cpr.birth_date])
def test_only_normalised_numbers_are_hashed_stored_or_read(function) -> None:  # type: ignore[no-untyped-def]
    for raw in ("010180-1234", in_script(ARABIC, REGISTERED)):
        with pytest.raises(ValueError, match="normalise"):
            function(raw)


# --- every place that reads a CPR --------------------------------------------------------------


# One world per test and every spelling within it: building the world is the slow part.


def test_registration_refuses_other_digits(world: World) -> None:
    before = snapshot()
    client = world.client(world.coordinator)
    for number in _spellings(NEW_CPR):
        response = client.post(f"{API}/citizens/", {"cpr": number, "name": "Ny"}, format="json")
        body = assert_error(response, 400, "invalid_cpr", "cpr")
        assert "0-9" in body["fields"]["cpr"][0], number
        assert NEW_CPR not in str(body)
    assert snapshot() == before


def test_one_citizen_per_cpr_cannot_be_bypassed(world: World) -> None:
    client = world.client(world.coordinator)
    for number in _spellings(REGISTERED):
        response = client.post(f"{API}/citizens/", {"cpr": number, "name": "Dublet"})
        assert_error(response, 400, "invalid_cpr", "cpr")
    assert Citizen.objects.count() == 1
    # Written the one way that is accepted, the number is the registered citizen's.
    response = client.post(f"{API}/citizens/", {"cpr": "010180-1234", "name": "Dublet"})
    assert_error(response, 409, "citizen_exists", "cpr")


def test_search_refuses_other_digits(world: World) -> None:
    client = world.client(world.coordinator)
    mark = last_id()
    for number in _spellings(REGISTERED):
        response = client.get(f"{API}/citizens/", {"cpr": number})
        assert_error(response, 400, "invalid_cpr", "cpr")
    assert not events_since(mark, outcome=AccessEvent.Outcome.ALLOWED)  # nothing was shown


def test_search_finds_the_citizen_however_it_is_separated(world: World) -> None:
    client = world.client(world.coordinator)
    for number in ("0101801234", "010180-1234", " 010180 1234 ", "010180 - 1234"):
        response = client.get(f"{API}/citizens/", {"cpr": number})
        assert response.status_code == 200
        assert [c["id"] for c in response.json()["results"]] == [world.citizen.pk], number


def test_break_the_glass_refuses_other_digits(world: World) -> None:
    client = world.client(world.outsider)
    for number in _spellings(REGISTERED):
        mark = last_id()
        response = client.post(
            f"{API}/break-glass/", {"cpr": number, "reason": "Akut indlæggelse"}, format="json"
        )
        body = assert_error(response, 400, "invalid_cpr", "cpr")
        assert "0-9" in body["fields"]["cpr"][0]
        (event,) = events_since(mark)
        assert (event.action, event.outcome) == ("break_glass", "denied")
        assert event.detail["criteria"]["cpr_hash"] is None
    assert not BreakGlass.objects.exists()


def test_break_the_glass_takes_the_number_the_one_way(world: World) -> None:
    response = world.client(world.outsider).post(
        f"{API}/break-glass/", {"cpr": " 010180-1234 ", "reason": "Akut"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["plan"] == world.plan.pk


def test_the_demo_data_reads_its_numbers_through_the_parser(db: None) -> None:
    from django.core.management import call_command

    call_command("seed_demo", force=True, stdout=None)
    call_command("seed_demo", force=True, stdout=None)  # again: finds them, adds nothing
    assert Citizen.objects.count() == 3
    for citizen in Citizen.objects.all():
        assert cpr.normalise(citizen.cpr_digits) == citizen.cpr_digits
