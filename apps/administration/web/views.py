"""Administration pages: a local administrator's staff, a system administrator's organisations,
and who held which role when (also for managers). Thin: forms call the services."""

from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.access.administration import access_staff, require_local_admin, require_system_admin
from apps.access.context import Actor
from apps.administration import imports, organisations, selectors, staff
from apps.administration.leavers import work_left_by
from apps.administration.web import forms
from apps.core.exceptions import ApplicationError
from apps.organisations.models import Organisation
from apps.web.decorators import acting
from apps.web.forms import add_service_errors


@acting
def staff_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_local_admin(actor)
    members = selectors.staff_list(actor=actor)
    orphaned = selectors.plans_without_a_present_coordinator(organisation=actor.organisation)
    return render(
        request,
        "administration/staff.html",
        {"members": members, "orphaned_count": orphaned.count()},
    )


@acting
def person_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_local_admin(actor)
    form = forms.PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = staff.staff_create(actor=actor, data=form.cleaned_data)
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was created and has been sent an invitation by e-mail.")
                % {"name": user.get_full_name()},
            )
            return redirect("administration:staff")
    status = 400 if form.errors else 200
    return render(request, "administration/person_new.html", {"form": form}, status=status)


@acting
def person_page(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    person = access_staff(actor, pk)
    membership = person.memberships.get(organisation=actor.organisation)
    inviting = request.method == "POST" and "invite" in request.POST
    form = forms.RoleForm(
        request.POST if request.method == "POST" and not inviting else None,
        initial={"role": membership.role},
    )
    if inviting:
        try:
            staff.staff_invite_again(actor=actor, user_id=pk)
        except ApplicationError as error:
            messages.error(request, str(error.detail))
        else:
            messages.success(
                request,
                _("A new invitation was sent to %(email)s.") % {"email": person.email},
            )
        return redirect("administration:person", pk=pk)
    if request.method == "POST" and form.is_valid():
        try:
            staff.staff_set_role(actor=actor, user_id=pk, **form.cleaned_data)
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The role was changed."))
            return redirect("administration:person", pk=pk)
    return render(
        request,
        "administration/person.html",
        {"person": person, "membership": membership, "form": form},
        status=400 if form.errors else 200,
    )


LEAVING = {"end": staff.membership_end, "deactivate": staff.user_deactivate}


@acting
def person_leave(request: HttpRequest, actor: Actor, pk: int, what: str) -> HttpResponse:
    """End a membership or deactivate: a page that states the consequences, then confirm."""
    if what not in LEAVING:
        raise Http404
    person = access_staff(actor, pk)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            leaver = LEAVING[what](actor=actor, user_id=pk, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            values = {
                "name": person.get_full_name() or person.username,
                "handovers": len(leaver.handovers_cancelled),
                "plans": len(leaver.plans),
                "efforts": len(leaver.efforts),
                "agreements": len(leaver.agreements),
                "discharge_tasks": len(leaver.discharge_tasks),
            }
            messages.success(
                request,
                _(
                    "%(name)s no longer has access. %(handovers)s open handovers were cancelled; "
                    "the managers have been told about %(plans)s plans, %(efforts)s efforts, "
                    "%(agreements)s agreements and %(discharge_tasks)s discharge tasks that need "
                    "a new person."
                )
                % values,
            )
            return redirect("administration:staff")
    left = work_left_by(user=person, organisation=actor.organisation)
    return render(
        request,
        "administration/person_leave.html",
        {"person": person, "what": what, "form": form, "left": left},
        status=400 if form.errors else 200,
    )


# The rows of a file tried and found fine, kept for "import what I tried" (a browser does
# not send a chosen file twice). Names and e-mails of staff, never citizen data.
TRIED = "kip_staff_import"


@acting
def import_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Try a file (every row checked, nothing saved), then import it: all rows or none."""
    require_local_admin(actor)
    tried = request.method == "POST" and "import_tried" in request.POST
    form = forms.ImportForm(None if tried else request.POST or None, request.FILES or None)
    report = None
    rows: list[dict[str, str]] | None = None
    if tried:
        kept = request.session.pop(TRIED, None)
        if kept and kept.get("organisation") == actor.organisation.pk:
            rows = kept["rows"]
        else:
            form = forms.ImportForm(data={}, files={})
            form.is_valid()  # marks the file field; the message says why
            form.errors["file"] = form.error_class(
                [_("Choose the file again: the file tried is no longer kept.")]
            )
    elif request.method == "POST" and form.is_valid():
        try:
            # One byte more than allowed is enough to know it is too large.
            rows = imports.csv_rows(form.cleaned_data["file"].read(imports.MAX_BYTES + 1))
        except ApplicationError as error:
            add_service_errors(form, error)
    if rows is not None:
        dry_run = not (tried or "import" in request.POST)
        try:
            report = imports.staff_import(actor=actor, rows=rows, dry_run=dry_run)
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            if report.ok and not report.dry_run:
                messages.success(
                    request,
                    _("%(count)s people were created and invited.") % {"count": len(report.rows)},
                )
                return redirect("administration:staff")
            if report.ok:
                request.session[TRIED] = {"organisation": actor.organisation.pk, "rows": rows}
    # A file tried is answered like the API's dry run: the report, bad rows and all (200).
    status = 400 if form.errors or (report and not report.ok and not report.dry_run) else 200
    return render(
        request,
        "administration/import.html",
        {"form": form, "report": report},
        status=status,
    )


@acting
def roles_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    if not actor.is_manager:
        require_local_admin(actor)
    form = forms.RolesOnForm(request.GET or {"on": timezone.localdate().isoformat()})
    periods: Any = []
    if form.is_valid():
        day: dt.date = form.cleaned_data["on"]
        periods = selectors.roles_on(organisation=actor.organisation, day=day)
    return render(
        request,
        "administration/roles.html",
        {"form": form, "periods": periods},
        status=400 if form.errors else 200,
    )


def system_admin_page(view: Any) -> Any:
    """Log in first; then a system administrator's page, refused (403, recorded) to others."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, require_system_admin(request), *args, **kwargs)

    return wrapper


@system_admin_page
def organisations_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = forms.OrganisationNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisations.organisation_create(actor=actor, data=form.cleaned_data)
        except ApplicationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was created. Now invite its local administrator.")
                % {"name": organisation.name},
            )
            return redirect("administration:organisation", pk=organisation.pk)
    return render(
        request,
        "administration/organisations.html",
        {"organisations": Organisation.objects.order_by("name"), "form": form},
        status=400 if form.errors else 200,
    )


ORGANISATION_FORMS = ("save", "deactivate", "invite")


@system_admin_page
def organisation_page(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """One organisation: its name, kind and sector; its local administrators, and an invitation
    for a new one; deactivation. Each form posts with its button's name."""
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise Http404
    posted = request.POST if request.method == "POST" else None
    which = next((name for name in ORGANISATION_FORMS if posted and name in posted), None)
    initial = {"name": organisation.name, "kind": organisation.kind, "sector": organisation.sector}
    form = forms.OrganisationForm(posted if which == "save" else None, initial=initial)
    reason_form = forms.ReasonForm(posted if which == "deactivate" else None)
    admin_form = forms.AdministratorForm(posted if which == "invite" else None)
    bound = {"save": form, "deactivate": reason_form, "invite": admin_form}.get(which or "")
    if bound is not None and bound.is_valid():
        try:
            if which == "deactivate":
                organisations.organisation_deactivate(
                    actor=actor, organisation_id=pk, reason=bound.cleaned_data["reason"]
                )
                messages.success(request, _("The organisation was deactivated."))
                return redirect("administration:organisations")
            if which == "invite":
                person = staff.organisation_admin_invite(
                    actor=actor, organisation_id=pk, data=bound.cleaned_data
                )
                messages.success(
                    request,
                    _(
                        "%(name)s was created as local administrator and has been sent an "
                        "invitation by e-mail."
                    )
                    % {"name": person.get_full_name() or person.username},
                )
                return redirect("administration:organisation", pk=pk)
            organisations.organisation_update(
                actor=actor, organisation_id=pk, data=bound.cleaned_data
            )
            messages.success(request, _("The organisation was saved."))
            return redirect("administration:organisation", pk=pk)
        except ApplicationError as error:
            add_service_errors(bound, error)
    failed = bound is not None and bool(bound.errors)
    return render(
        request,
        "administration/organisation.html",
        {
            "organisation": organisation,
            "form": form,
            "reason_form": reason_form,
            "admin_form": admin_form,
            "admins": selectors.local_admins(organisation=organisation),
        },
        status=400 if failed or (posted is not None and bound is None) else 200,
    )
