"""Danish words for what the trail stores as codes: objects, purposes, reasons."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.audit.models import AccessEvent

Action = AccessEvent.Action

OBJECTS = {
    "plan": _("plan"),
    "citizen": _("citizen"),
    "consent": _("consent"),
    "goal": _("goal"),
    "effort": _("effort"),
    "agreement": _("agreement"),
    "participation": _("participant"),
    "handover": _("handover"),
    "review": _("review"),
    "plansnapshot": _("agreed version"),
    "hospital_event": _("admission or discharge"),
    "hospitalevent": _("admission or discharge"),
    "discharge_task": _("task of a discharge agreement"),
    "transition": _("transition"),
    "notification": _("notification"),
    "accessevent": _("access log"),
    "breakglass": _("emergency access"),
    "access_report": _("access report"),
    "overview": _("overview"),
    "effect_report": _("effect report"),
}

PURPOSES = {
    "treatment_and_coordination": _("Treatment and coordination"),
    "audit_review": _("Control of the access log"),
    "citizen_right_of_access": _("The citizen's right of access"),
    "retention": _("Deletion after the retention period"),
    "management_overview": _("Management overview"),
    "effect_report": _("Following the effect of the plans"),
}

UNUSUAL_REASONS = {
    "denied": _("Refused attempt"),
    "break_glass": _("Emergency access (break the glass)"),
    "outside_plan": _("Read by an organisation that takes no part in the citizen's plan"),
}

# The access report speaks to the citizen: what was done, in plain words.
CITIZEN_ACTIONS: dict[str, Any] = {
    Action.VIEW: _("Looked at your information"),
    Action.LIST: _("Saw your name in a list"),
    Action.SEARCH: _("Searched for you"),
    Action.CREATE: _("Added information"),
    Action.UPDATE: _("Changed information"),
    Action.DELETE: _("Deleted information"),
    Action.EXPORT: _("Printed or downloaded information"),
    Action.HANDOVER: _("Handed over the coordination"),
    Action.CONSENT: _("Recorded your consent"),
    Action.BREAK_GLASS: _("Used emergency access to your plan"),
}


def object_label(object_type: str) -> str:
    return str(OBJECTS.get(object_type, object_type))


def purpose_label(purpose: str) -> str:
    """Known purposes in words; anything else (a break-the-glass reason) as written."""
    return str(PURPOSES[purpose]) if purpose in PURPOSES else purpose


def citizen_action_label(action: str) -> str:
    return str(CITIZEN_ACTIONS.get(action, action))
