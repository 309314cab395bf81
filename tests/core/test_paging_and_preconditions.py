"""Page sizes and cursors that fail as 400s naming them, organisations paged like every list,
and If-Match as RFC 9110 has it: 412 for a well-formed tag that matches nothing."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.helpers import state as _state
from tests.core.test_parsers import ARABIC, in_script
from tests.helpers import API, RichWorld, assert_error

# --- paging ------------------------------------------------------------------------------------

LISTS = [
    ("coordinator", f"{API}/plans/"),
    ("coordinator", f"{API}/citizens/"),
    ("coordinator", "consents"),
    ("coordinator", f"{API}/handovers/"),
    ("coordinator", f"{API}/notifications/"),
    ("coordinator", f"{API}/organisations/"),
    ("manager", f"{API}/audit/events/"),
    ("manager", f"{API}/audit/unusual/"),
    ("manager", f"{API}/audit/break-glass/"),
]


def _list_url(w: RichWorld, url: str) -> str:
    return f"{API}/citizens/{w.citizen.pk}/consents/" if url == "consents" else url


@pytest.mark.parametrize(("persona", "url"), LISTS)
def test_page_size_is_refused_not_replaced(rich: RichWorld, persona: str, url: str) -> None:
    client = rich.client(getattr(rich, persona))
    for size in ("0", "-5", "abc", "201", str(2**64), "1.5", "", " ", in_script(ARABIC, "5")):
        assert_error(client.get(_list_url(rich, url), {"page_size": size}), 400, None, "page_size")
    assert client.get(_list_url(rich, url), {"page_size": "200"}).status_code == 200


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


BAD_CURSORS = [
    "!!!",
    "not base64",
    _cursor("p=abc"),
    _cursor("p=99999999999999999999"),
    _cursor(f"p={2**63}"),
    _cursor("p=-1"),
    _cursor("p=" + in_script(ARABIC, "3")),
    _cursor("o=-1"),
    _cursor("o=1001"),
    _cursor("o=x"),
    _cursor("r=2"),
    _cursor("r=true"),
    _cursor("x=1"),
    _cursor("p=1&p=2"),
    _cursor("&&&"),
    base64.b64encode(b"\xff\xfe\x00").decode(),
    ARABIC * 3,
    _cursor("o=1") * 40,
]


@pytest.mark.parametrize(("persona", "url"), LISTS)
def test_a_cursor_that_decodes_to_garbage_is_a_400(rich: RichWorld, persona: str, url: str) -> None:
    client = rich.client(getattr(rich, persona))
    for cursor in BAD_CURSORS:
        response = client.get(_list_url(rich, url), {"cursor": cursor})
        assert_error(response, 400, None, "cursor")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    raw=st.one_of(
        st.binary(max_size=60).map(lambda b: base64.b64encode(b).decode()),
        st.text(st.sampled_from([*"opr=&0123456789-x", ARABIC[3]]), max_size=30).map(
            lambda t: base64.b64encode(t.encode()).decode()
        ),
        st.text(max_size=40),
    )
)
def test_random_cursors_never_break_the_list(rich: RichWorld, raw: str) -> None:
    response = rich.client(rich.coordinator).get(f"{API}/plans/", {"cursor": raw})
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert_error(response, 400, "invalid", "cursor")
    else:
        assert set(response.json()) >= {"results", "next"}


def test_the_next_link_walks_every_list(rich: RichWorld) -> None:
    client = rich.client(rich.coordinator)
    for i in range(3):
        rich.client(rich.coordinator).post(
            f"{API}/citizens/", {"cpr": f"01019{i}1234", "name": f"Borger {i}"}, format="json"
        )
    seen: list[int] = []
    url: str | None = f"{API}/citizens/?page_size=1"
    while url:
        body = client.get(url).json()
        seen += [c["id"] for c in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) >= 4
    assert seen == sorted(seen, reverse=True)


def test_organisations_are_a_paginated_list(rich: RichWorld) -> None:
    client = rich.client(rich.coordinator)
    body = client.get(f"{API}/organisations/").json()
    assert set(body) >= {"results", "next"}
    assert {o["id"] for o in body["results"]} == {o.pk for o in rich.orgs.values()} | {
        rich.aftercare.pk
    }
    first = client.get(f"{API}/organisations/", {"page_size": 2}).json()
    assert len(first["results"]) == 2
    assert first["next"]
    rest = client.get(first["next"]).json()["results"]
    assert not {o["id"] for o in rest} & {o["id"] for o in first["results"]}


# --- If-Match ----------------------------------------------------------------------------------


def _patch(w: RichWorld, if_match: str) -> Any:
    return w.client(w.coordinator).patch(
        f"{API}/plans/{w.plan.pk}/",
        {"assessment": {"housing": "x"}},
        format="json",
        HTTP_IF_MATCH=if_match,
    )


def test_a_well_formed_tag_that_matches_nothing_is_412(rich: RichWorld) -> None:
    before = _state()
    arabic_three = f'"{ARABIC[3]}"'.encode().decode("latin-1")  # UTF-8 bytes, as WSGI gives
    for if_match in (
        '"abc"',
        'W/"x"',
        '"0"',
        '"999"',
        '""',
        f'"{2**64}"',
        '"1", "2"',
        arabic_three,
    ):
        assert_error(_patch(rich, if_match), 412, "stale_version", "If-Match")
    assert _state() == before


def test_a_malformed_if_match_is_400(rich: RichWorld) -> None:
    before = _state()
    for if_match in ("abc", "3", '"3', "W/3", '"3",', "**", '*, "3"', '"a b"'):
        assert_error(_patch(rich, if_match), 400, "invalid_if_match", "If-Match")
    assert _state() == before


@pytest.mark.parametrize(
    "make",
    [lambda v: "*", lambda v: f'"{v}"', lambda v: f'W/"{v}"', lambda v: f'"1", "{v}", "abc"'],
)
def test_a_tag_that_matches_proceeds(rich: RichWorld, make: Callable[[int], str]) -> None:
    rich.plan.refresh_from_db()
    version = rich.plan.version
    response = _patch(rich, make(version))
    assert response.status_code == 200, response.json()
    rich.plan.refresh_from_db()
    assert rich.plan.version == version + 1
    assert response["ETag"] == f'"{version + 1}"'


def test_if_match_star_on_a_plan_one_cannot_see_is_still_a_404(rich: RichWorld) -> None:
    response = rich.client(rich.outsider).patch(
        f"{API}/plans/{rich.plan.pk}/", {"assessment": {}}, format="json", HTTP_IF_MATCH="*"
    )
    assert_error(response, 404, "not_found")


def test_if_match_on_the_parts_of_a_plan(rich: RichWorld) -> None:
    client = rich.client(rich.coordinator)
    url = f"{API}/plans/{rich.plan.pk}/goals/"
    assert_error(client.post(url, {"text": "x"}, HTTP_IF_MATCH='"abc"'), 412, "stale_version")
    assert client.post(url, {"text": "x"}, HTTP_IF_MATCH="*").status_code == 201


# --- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "url", "name", "bad"),
    [
        ("coordinator", "/handovers/", "state", ["lost", "PROPOSED", " proposed"]),
        ("coordinator", "/notifications/", "unread", ["maybe", "yes", "2"]),
        ("manager", "/audit/break-glass/", "reviewed", ["maybe", "1x"]),
        ("coordinator", "/plans/", "status", ["paused"]),
    ],
)
def test_filter_values_are_refused_by_name(
    rich: RichWorld, persona: str, url: str, name: str, bad: list[str]
) -> None:
    client = rich.client(getattr(rich, persona))
    for value in bad:
        assert_error(client.get(f"{API}{url}", {name: value}), 400, None, name)
