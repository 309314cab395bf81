"""Ids on the pages read through the same parser as the API: ASCII digits, 64 bits."""

from __future__ import annotations

from django.test import Client

from apps.organisations.services import membership_ensure
from tests.core.test_parsers import ARABIC, FULLWIDTH, in_script


def test_choosing_an_organisation_takes_ascii_digits_only(world):
    membership_ensure(user=world.outsider, organisation=world.orgs["chp"], role="caseworker")
    client = Client()
    client.force_login(world.outsider)
    chp = str(world.orgs["chp"].pk)
    for chosen in (in_script(ARABIC, chp), in_script(FULLWIDTH, chp), str(2**64), "-1", ""):
        response = client.post("/organisation/", {"organisation": chosen})
        assert response.status_code == 200, chosen  # the form again, nothing chosen
        assert "organisation_id" not in client.session
    client.post("/organisation/", {"organisation": f" {chp} "})
    assert client.session["organisation_id"] == world.orgs["chp"].pk


def test_a_page_with_an_id_beyond_64_bits_is_not_found(world):
    client = Client()
    client.force_login(world.coordinator)
    for path in (f"/plans/{2**63}/", f"/plans/{2**64}/", f"/citizens/{2**64}/access-report/"):
        assert client.get(path).status_code == 404, path
