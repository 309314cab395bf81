"""Every permission rule of the service (DESIGN §5), and the audit event of every check.

Lists are scoped in the database by the selectors here; single objects come through
``access_*`` functions that answer 404 for both "missing" and "not yours", and 403 for an
action the actor may not take on something they can see.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission, User
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.utils.translation import gettext as _
from rest_framework import exceptions

from apps.access import audit
from apps.access.context import Actor
from apps.audit.models import AccessEvent
from apps.citizens.models import Citizen, Consent
from apps.core.parsers import as_id
from apps.core.prepared import Prepared
from apps.organisations.models import Membership, Organisation
from apps.plans.models import Effort, Plan, PlanGroupObjectPermission

Action = AccessEvent.Action


class NotVisible(exceptions.NotFound):
    """404: the object does not exist, or the actor may not know that it does."""

    def __init__(self, audit_event: dict[str, Any]) -> None:
        super().__init__(_("Not found."))
        self.audit_event = audit_event


class Forbidden(exceptions.PermissionDenied):
    """403: the actor sees the object but may not take this action on it."""

    def __init__(self, detail: str, audit_event: dict[str, Any]) -> None:
        super().__init__(detail)
        self.audit_event = audit_event


def _denied(actor: Actor, action: str, object_type: str, object_id: Any, **kw: Any) -> dict:
    return audit.event(
        actor, action, object_type, object_id, outcome=AccessEvent.Outcome.DENIED, **kw
    )


def consent_covers(actor: Actor, citizen_ref: Any) -> Exists:
    """Consent in force for the acting organisation (checked at query time: expiry needs no job)."""
    return Exists(
        Consent.objects.in_force().filter(citizen=citizen_ref, organisations=actor.organisation)
    )


# --- plans ------------------------------------------------------------------------------------


def plan_granted(actor: Actor, codename: str = "view_plan", plan: str = "pk") -> Exists:
    """A guardian grant of ``plans.<codename>`` to the acting organisation's group.

    ``plan`` names the outer query's plan (``pk`` on plans; ``plan`` on what hangs off one).

    The permission is a scalar subquery (PostgreSQL runs it once, as an InitPlan), not a join:
    with group and permission both fixed, the grant table's unique index (group, permission,
    plan) hands out plan ids in order, so a list ordered by id can walk it backwards and stop
    after one page, however many plans the organisation takes part in (bench/RESULTS.md).
    """
    permission = (
        Permission.objects.filter(
            content_type__app_label="plans", content_type__model="plan", codename=codename
        )
        .order_by()
        .values("pk")
    )
    return Exists(
        PlanGroupObjectPermission.objects.filter(
            content_object=OuterRef(plan),
            group_id=actor.organisation.group_id,
            permission_id=Subquery(permission),
        )
    )


def plan_consent_covers(actor: Actor) -> Case:
    """``consent_covers`` for the plan's citizen, checked row by row on the plans a grant gave.

    The same truth value as the bare EXISTS (an EXISTS is never NULL), but inside CASE the
    planner keeps it a per-row check instead of a join of its own. As a join it misjudges the
    selectivity (it assumes consent and grants are independent, when consent covers exactly the
    participants) and, for an organisation in few plans, reads the whole consent table to sort
    every visible plan for one page.
    """
    return Case(
        When(consent_covers(actor, OuterRef("citizen_id")), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def plans_visible_to(actor: Actor, *, one: bool = False) -> QuerySet[Plan]:
    """Plans the acting organisation takes part in (a guardian grant) within consent.

    Also, read only, a plan the actor holds an unexpired break-the-glass grant for
    (``apps.audit.models.BreakGlass``). Each plan carries ``kip_shared`` (taking part within
    consent) and ``break_glass_reason``; ``access_plan`` refuses writes when not shared, and
    the audit records reads that are not shared as ``break_glass`` with the reason as purpose.

    ``one``: the caller looks up a single plan by id. Then the break-the-glass grant is read in
    the same statement as the plan (one round trip fewer); the OR costs nothing for one row.
    """
    from apps.audit.models import BreakGlass

    if not actor.reads_citizen_data:
        return Plan.objects.none().annotate(
            kip_shared=Value(True, output_field=BooleanField()),
            break_glass_reason=Value(None, output_field=TextField()),
        )
    # Break-the-glass grants are few, short-lived and personal, so ask for them first (one
    # indexed query). Without one, which is nearly always, the plans are the shared ones: a
    # query PostgreSQL reads in id order from the grant index, stopping after a page. With the
    # OR in the same query it would build the organisation's whole grant and consent sets for
    # every page instead, growing with the data (bench/RESULTS.md, the plans benchmark).
    if not one and not holds_break_glass(actor):
        return plans_shared_with(actor)
    shared = plan_granted(actor) & plan_consent_covers(actor)
    glass = BreakGlass.objects.active().filter(
        actor_id=actor.user.pk, organisation_id=actor.organisation.pk
    )
    reason = glass.filter(plan=OuterRef("pk")).order_by("-expires_at").values("reason")[:1]
    return Plan.objects.annotate(
        kip_shared=ExpressionWrapper(shared, output_field=BooleanField()),
        break_glass_reason=Subquery(reason),
    ).filter(Q(kip_shared=True) | Q(break_glass_reason__isnull=False))


def plans_shared_with(actor: Actor) -> QuerySet[Plan]:
    """``plans_visible_to`` for an actor who holds no break-the-glass grant: the plans the
    acting organisation takes part in within consent. Callers ask ``holds_break_glass`` first."""
    return Plan.objects.filter(plan_granted(actor) & plan_consent_covers(actor)).annotate(
        kip_shared=Value(True, output_field=BooleanField()),
        break_glass_reason=Value(None, output_field=TextField()),
    )


def _break_glass_query(user_id: int, organisation_id: int) -> Any:
    from apps.audit.models import BreakGlass

    return BreakGlass.objects.active().filter(actor_id=user_id, organisation_id=organisation_id)[:1]


# Every list of plans asks this first; compiled once per process (apps.core.prepared).
_BREAK_GLASS = Prepared(_break_glass_query, "user_id", "organisation_id")


def holds_break_glass(actor: Actor) -> bool:
    """Whether the actor holds an unexpired break-the-glass grant for any plan."""
    return bool(_BREAK_GLASS.run(user_id=actor.user.pk, organisation_id=actor.organisation.pk))


def actor_of_ids(user_id: int, organisation_id: int, group_id: int) -> Actor:
    """An actor made of ids alone, for queries ``Prepared`` compiles with sentinel ids: the
    rules read no more of the actor than these (and the role, a caseworker's here)."""
    return Actor(
        user=User(pk=user_id),
        organisation=Organisation(pk=organisation_id, group_id=group_id),
        role=Membership.Role.CASEWORKER,
    )


def access_plan(
    actor: Actor,
    plan_id: Any,
    action: str = Action.VIEW,
    *,
    record: bool = True,
    read: Prepared[Plan] | None = None,
) -> Plan:
    """The plan, if the actor may take ``action`` on it; else 404 (unseen) or 403 (seen).

    ``action``: VIEW for reading; UPDATE for editing shared sections (caseworkers);
    "coordinate" for what only the coordinator may do (participants, reviews, handover, close).
    ``read``: the access check with more columns (``one_plan_read``), for a caller that reads
    more of the plan in the same statement.
    """
    audit_action = Action.UPDATE if action == "coordinate" else action
    plan = _one_plan(actor, plan_id, read or _ONE_PLAN)
    if plan is None:
        citizen_id = audit.citizen_of_object(Plan.objects, plan_id)
        raise NotVisible(_denied(actor, audit_action, "plan", plan_id, citizen_id=citizen_id))
    glass = audit.break_glass_reason(plan)
    if action != Action.VIEW:
        reason = _write_refusal(actor, plan, action)
        if glass:
            reason = _("Break-the-glass access is read only.")
        if reason:
            raise Forbidden(
                reason, _denied(actor, audit_action, "plan", plan.pk, citizen_id=plan.citizen_id)
            )
    if record:
        audit.record_objects(actor, audit_action, [plan])
    return plan


def one_plan_read(**annotations: Any) -> Prepared[Plan]:
    """The statement of ``access_plan``: ``plans_visible_to(actor, one=True)``'s plan with an
    id, with ``annotations`` (expressions of the plan row) read in the same statement.

    Compiled once per process (``apps.core.prepared``): make one per module, not per call.
    """

    def build(plan_id: int, user_id: int, organisation_id: int, group_id: int) -> Any:
        actor = actor_of_ids(user_id, organisation_id, group_id)
        plans = plans_visible_to(actor, one=True).filter(pk=plan_id)
        return plans.annotate(**annotations)[:1]

    return Prepared(build, "plan_id", "user_id", "organisation_id", "group_id")


# Every read of a plan runs this statement.
_ONE_PLAN = one_plan_read()


def _one_plan(actor: Actor, plan_id: Any, read: Prepared[Plan]) -> Plan | None:
    """``read``'s plan with this id for the actor, or None."""
    object_id = as_id(plan_id)
    if object_id is None or not actor.reads_citizen_data:
        return None
    found = read.run(
        plan_id=object_id,
        user_id=actor.user.pk,
        organisation_id=actor.organisation.pk,
        group_id=actor.organisation.group_id,
    )
    return found[0] if found else None


def _write_refusal(actor: Actor, plan: Plan, action: str) -> str | None:
    if not actor.is_caseworker:
        return _("Managers may read plans but not change them.")
    if action == "coordinate" and not is_coordinator(actor, plan):
        return _("Only the plan's coordinator may do this.")
    return None


def may_write_plan(actor: Actor, plan: Plan, action: str = Action.UPDATE) -> bool:
    """Whether ``access_plan(actor, plan.pk, action)`` would allow this write on a plan the
    actor sees: for pages, which show only the controls a person may use."""
    return not audit.break_glass_reason(plan) and _write_refusal(actor, plan, action) is None


def is_coordinator(actor: Actor, plan: Plan) -> bool:
    return (
        plan.coordinator_user_id == actor.user.pk
        and plan.coordinator_organisation_id == actor.organisation.pk
    )


def may_edit_effort(actor: Actor, effort: Effort) -> bool:
    """Each organisation edits only its own efforts."""
    return actor.is_caseworker and effort.organisation_id == actor.organisation.pk


def access_effort(actor: Actor, plan: Plan, effort_id: Any, action: str) -> Effort:
    effort = _get(Effort.objects.filter(plan=plan), effort_id)
    if effort is None:
        raise NotVisible(_denied(actor, action, "effort", effort_id, citizen_id=plan.citizen_id))
    if action != Action.VIEW and not may_edit_effort(actor, effort):
        raise Forbidden(
            _("Only the organisation responsible for an effort may change it."),
            _denied(actor, action, "effort", effort.pk, citizen_id=plan.citizen_id),
        )
    return effort


# --- citizens and consent ---------------------------------------------------------------------


def citizens_visible_to(actor: Actor) -> QuerySet[Citizen]:
    """Citizens the acting organisation registered, or whose consent covers it."""
    if not actor.reads_citizen_data:
        return Citizen.objects.none()
    return Citizen.objects.filter(
        Q(registered_for=actor.organisation) | consent_covers(actor, OuterRef("pk"))
    )


def access_citizen(
    actor: Actor,
    citizen_id: Any,
    action: str = Action.VIEW,
    *,
    record: bool = True,
    object_type: str = "citizen",
    object_id: Any = None,
) -> Citizen:
    """The citizen, if the acting organisation may see them; else 404 (403 for a manager's
    write). ``object_type``/``object_id`` name what a refusal was about (a consent, the access
    report); either way the refusal is recorded with the citizen, if they exist."""
    citizen = _get(citizens_visible_to(actor), citizen_id)
    about = citizen_id if object_id is None else object_id
    if citizen is None:
        concerned = audit.citizen_of_object(Citizen.objects, citizen_id, "pk")
        raise NotVisible(_denied(actor, action, object_type, about, citizen_id=concerned))
    if action != Action.VIEW and not actor.is_caseworker:
        raise Forbidden(
            _("Managers may read but not change citizen data."),
            _denied(actor, action, object_type, about, citizen_id=citizen.pk),
        )
    if record:
        audit.record(actor, action, "citizen", citizen.pk, citizen_id=citizen.pk)
    return citizen


def require_caseworker(actor: Actor, action: str, object_type: str) -> None:
    if not actor.is_caseworker:
        raise Forbidden(_("Only caseworkers may do this."), _denied(actor, action, object_type, ""))


def _get(queryset: QuerySet, pk: Any) -> Any:
    # Whatever cannot be an id names no object: the same 404 as one the actor may not see.
    object_id = as_id(pk)
    return None if object_id is None else queryset.filter(pk=object_id).first()
