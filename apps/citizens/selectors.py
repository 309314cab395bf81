"""Reads of citizens and their consent, scoped by ``apps.access`` and audited as searches.

A search records its criteria as a keyed hash, never in clear text: the trail shows that two
searches asked for the same thing without itself holding a CPR number or a name.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.access import audit
from apps.access.checks import Action, citizens_visible_to
from apps.access.context import Actor
from apps.citizens import cpr, services
from apps.citizens.models import Citizen, Consent
from apps.core.exceptions import ApplicationError

NAME_MIN_LENGTH = 2
NAME_MAX_LENGTH = 200
SEARCH_LIMIT = 50


def name_hash(name: str) -> str:
    """A keyed hash of a name search's criterion (case and surrounding space ignored)."""
    key = hmac.new(settings.KIP_CPR_HASH_KEY.encode(), b"kip-search-name", hashlib.sha256).digest()
    return hmac.new(key, name.strip().casefold().encode(), hashlib.sha256).hexdigest()


def _record_search(actor: Actor, found: list[Citizen], criteria: dict[str, str]) -> None:
    # One event per citizen found, or one without a citizen when none was: a search that found
    # nobody is still a search.
    detail = {"criteria": criteria}
    if not found:
        audit.record(actor, Action.SEARCH, "citizen", detail=detail)
    for citizen in found:
        audit.record(
            actor, Action.SEARCH, "citizen", citizen.pk, citizen_id=citizen.pk, detail=detail
        )


def citizen_search_cpr(*, actor: Actor, number: str) -> list[Citizen]:
    """The citizen with this CPR number, if the actor may see them; a 400 for a bad number."""
    lookup = cpr.lookup_hash(services.cpr_digits(number))
    found = list(citizens_visible_to(actor).filter(cpr_hash=lookup).order_by("-id"))
    _record_search(actor, found, {"cpr_hash": lookup[:16]})
    return found


def citizen_search_name(*, actor: Actor, name: str) -> list[Citizen]:
    """Citizens the actor may see whose name contains ``name`` (case-insensitive)."""
    name = (name or "").strip()
    if len(name) < NAME_MIN_LENGTH:
        message = _("Write at least %(n)s letters of the name.") % {"n": NAME_MIN_LENGTH}
        raise ApplicationError(message, code="query_too_short", fields={"q": [message]})
    if len(name) > NAME_MAX_LENGTH:
        message = _("At most %(n)s characters.") % {"n": NAME_MAX_LENGTH}
        raise ApplicationError(message, code="query_too_long", fields={"q": [message]})
    found = list(
        citizens_visible_to(actor)
        .filter(name__icontains=name)
        .order_by("name", "id")[:SEARCH_LIMIT]
    )
    _record_search(actor, found, {"name_hash": name_hash(name)[:16]})
    return found


def looks_like_cpr(query: str) -> bool:
    """A query of digits (with the separators a CPR number is written with) is a CPR search."""
    stripped = (query or "").replace("-", "").replace(" ", "")
    return (
        bool(stripped)
        and any(ch.isdigit() for ch in stripped)
        and not any(ch.isalpha() for ch in stripped)
    )


def citizen_search(*, actor: Actor, query: str) -> list[Citizen]:
    """Search by CPR number when the query is one, otherwise by name."""
    if looks_like_cpr(query):
        return citizen_search_cpr(actor=actor, number=query)
    return citizen_search_name(actor=actor, name=query)


def consents_of(*, citizen: Citizen) -> QuerySet[Consent]:
    """Every consent of a citizen the caller has already been given access to, newest first."""
    return (
        Consent.objects.filter(citizen=citizen)
        .select_related("recorded_by", "recorded_for", "withdrawn_by")
        .prefetch_related("organisations")
        .order_by("-given_at", "-id")
    )
