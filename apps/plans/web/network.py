"""The plan page's section "Netværk og pårørende": people who matter to the citizen.

Edited in place like goals and agreements (``sections.handle``), through the services of
``apps.plans.network``; the people are not users of the service and get no login.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from apps.access.context import Actor
from apps.plans import network
from apps.plans.models import NetworkMember, Plan
from apps.plans.web.context import PlanPage
from apps.plans.web.edits import PartEdit, _edit_view, delete_part
from apps.plans.web.forms import VersionedForm
from apps.web.decorators import acting

SECTION = "network"


class NetworkMemberForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=network.LIMITS["name"])
    relation = forms.CharField(
        label=_("Relation to the citizen"),
        help_text=_("For example sister, friend, neighbour or support person."),
        max_length=network.LIMITS["relation"],
    )
    contact = forms.CharField(
        label=_("How to reach them"),
        help_text=_("A phone number, an e-mail or an address."),
        required=False,
        max_length=network.LIMITS["contact"],
    )
    may_be_told = forms.CharField(
        label=_("What they may be told"),
        help_text=_("What the citizen agrees that this person may be told about the plan."),
        required=False,
        max_length=network.LIMITS["may_be_told"],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    takes_part = forms.BooleanField(label=_("Takes part in meetings"), required=False)


class NetworkEdit(PartEdit):
    def form(self, page: PlanPage, *, part: Any, new: bool, **kwargs: Any) -> VersionedForm:
        return NetworkMemberForm(section=self.section, **kwargs)

    def initial(self, plan: Plan, part: Any) -> dict[str, Any]:
        if part is None:
            return {}
        return {
            "name": part.name,
            "relation": part.relation,
            "contact": part.contact,
            "may_be_told": part.may_be_told,
            "takes_part": part.takes_part,
        }

    def save(self, actor: Actor, plan: Plan, part_id: Any, form: VersionedForm) -> None:
        network.network_member_save(
            actor=actor,
            plan_id=plan.pk,
            expected_version=form.cleaned_data["version"],
            member_id=part_id,
            data=form.service_data(),
        )


NETWORK = NetworkEdit(section=SECTION, model=NetworkMember, url_prefix="network")

network_edit = _edit_view(NETWORK)


@acting
@require_POST
def network_delete(request: HttpRequest, actor: Actor, pk: int, part: int) -> HttpResponse:
    """Take a person off the plan's network (``plan_part_delete``)."""
    return delete_part(request, actor, NETWORK, pk, part)
