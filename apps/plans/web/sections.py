"""Editing the plan page section by section, with htmx or as plain pages.

Each section is a partial (``plans/_goals.html`` ...) that the plan page includes. "Rediger"
asks for the section with a form in place (``hx-get``; without htmx the same address is a page
of its own); saving posts the form (``hx-post``) and answers with the section as saved, or with
the form and its errors (400), or, when the plan changed since the form was filled in, with the
conflict view (409). Every write goes through the plan services with the version the form
carried, so a stale form never overwrites anything.

What is audited is what the API audits: the service records the write (or the denial); a
response that shows the plan's data records one view, as a reload through the API would.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.access import audit
from apps.access.checks import Action, access_plan
from apps.access.context import Actor
from apps.core.exceptions import ApplicationError, NotFound, PreconditionFailed
from apps.plans.models import Plan
from apps.plans.web.context import Controls, PlanPage, plan_for_page, plan_page
from apps.plans.web.forms import VersionedForm, put_errors

SECTIONS: dict[str, Any] = {
    "matters": gettext_lazy("What matters to the citizen"),
    "goals": gettext_lazy("The citizen's goals"),
    "assessment": gettext_lazy("Assessment by life domain"),
    "efforts": gettext_lazy("Efforts"),
    "agreements": gettext_lazy("Agreements until the next meeting"),
    "network": gettext_lazy("Network and relatives"),
    "discharge": gettext_lazy("Discharge agreement"),
    "path": gettext_lazy("The citizen's path"),
    "participants": gettext_lazy("Coordinator and participants"),
    "review": gettext_lazy("Next review"),
    "faststart": gettext_lazy("Fast start"),
    "close": gettext_lazy("Close the plan"),
}


@dataclass
class Row:
    """One field of the conflict view: the saved value, mine, and whether they differ."""

    label: str
    theirs: str
    mine: str

    @property
    def differs(self) -> bool:
        return self.theirs != self.mine


@dataclass
class Edit:
    """One kind of edit: its section, who may make it, its form, and the service it calls.

    ``part``: the section's item being edited (a goal, an effort ...), None for a new one or
    for the plan's own fields. Subclasses give the form, the current values and the save.
    """

    section: str
    action: str = Action.UPDATE
    has_parts: bool = False  # items of a section (goals ...) rather than the plan's own fields
    # "rows": compare field by field and offer a merge; "section": show the section as it is
    # now (new items, removals, participants); "none": just say that the plan changed.
    conflict_mode: str = "rows"

    def template(self) -> str:
        return f"plans/_{self.section}.html"

    def part(self, actor: Actor, plan: Plan, part_id: Any, *, missing_ok: bool) -> Any:
        return None

    def form(self, page: PlanPage, *, part: Any, new: bool, **kwargs: Any) -> VersionedForm:
        raise NotImplementedError

    def initial(self, plan: Plan, part: Any) -> dict[str, Any]:
        return {}

    def save(self, actor: Actor, plan: Plan, part_id: Any, form: VersionedForm) -> None:
        raise NotImplementedError

    def url(self, plan: Plan, part_id: Any = None, *, new: bool = False) -> str:
        raise NotImplementedError


# --- responses --------------------------------------------------------------------------------


def section_context(page: PlanPage, edit_section: str, **extra: Any) -> dict[str, Any]:
    return {
        "page": page,
        "plan": page.plan,
        "section": edit_section,
        "section_title": SECTIONS[edit_section],
        **extra,
    }


def render_section(
    request: HttpRequest, page: PlanPage, section: str, status: int = 200, **extra: Any
) -> HttpResponse:
    """The section alone for htmx; otherwise a page of its own around it."""
    context = section_context(page, section, **extra)
    template = extra.get("template") or f"plans/_{section}.html"
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, template, context, status=status)
    context["body_template"] = template
    return render(request, "plans/section_page.html", context, status=status)


def show_form(
    request: HttpRequest,
    actor: Actor,
    edit: Edit,
    page: PlanPage,
    form: VersionedForm,
    *,
    editing: Any,
    action_url: str,
    status: int = 200,
) -> HttpResponse:
    audit.record_objects(actor, Action.VIEW, [page.plan])
    if request.htmx:  # type: ignore[attr-defined]
        autofocus(form)
    return render_section(
        request,
        page,
        edit.section,
        status,
        form=form,
        editing=editing,
        form_action=action_url,
    )


def autofocus(form: VersionedForm) -> None:
    """The first field takes the focus when the form is swapped in (htmx honours autofocus)."""
    for name, field in form.fields.items():
        if not field.widget.is_hidden and (name in form.errors or not form.errors):
            field.widget.attrs["autofocus"] = True
            return


def saved(
    request: HttpRequest, actor: Actor, section: str, plan_id: Any, old_version: int
) -> HttpResponse:
    """After a write: the section as saved (htmx), or back to the plan page with a message.

    The write itself was recorded by the service, so reading the section back records nothing
    more (the API's answer to a write carries the data, too). The page's other forms learn the
    new version through the ``kip:plan-version`` event: only those that held the version this
    write started from move on, because they saw everything this write changed.
    """
    plan = access_plan(actor, plan_id, record=False)
    if request.htmx:  # type: ignore[attr-defined]
        page = plan_page(actor, plan)
        response = render(
            request, f"plans/_{section}.html", section_context(page, section, saved=True)
        )
        response["HX-Trigger"] = json.dumps(
            {"kip:plan-version": {"from": old_version, "to": plan.version}}
        )
        return response
    messages.success(request, _("Saved."))
    return redirect(f"{reverse('plans:plan', args=[plan.pk])}#section-{section}")


def conflict(
    request: HttpRequest,
    actor: Actor,
    edit: Edit,
    form: VersionedForm,
    *,
    plan_id: Any,
    part_id: Any,
    new: bool,
    action_url: str,
) -> HttpResponse:
    """The plan changed since the form was filled in: nothing was saved. Show what is saved
    now beside what I wrote, and let me keep theirs, keep mine, or merge."""
    current = plan_for_page(actor, plan_id)  # shows the plan's data: a view
    page = plan_page(actor, current)
    theirs_part = edit.part(actor, current, part_id, missing_ok=True) if part_id else None
    removed = part_id is not None and theirs_part is None and not new
    # A copy of what was posted (a QueryDict: an effort's goals keep all their values).
    mine = form.data.copy()  # type: ignore[attr-defined]
    mine["version"] = str(current.version)
    rows: list[Row] = []
    merge = None
    mode = edit.conflict_mode
    if removed:
        mode = "section"
        action_url = edit.url(current, new=True)  # keeping mine makes it anew
    elif mode == "rows" and not new:
        theirs = edit.initial(current, theirs_part)
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            rows.append(
                Row(
                    label=str(field.label),
                    theirs=form.display(name, theirs.get(name)),
                    mine=form.display(name, form.cleaned_data.get(name)),
                )
            )
        merge = edit.form(page, part=theirs_part, new=False, data=mine)
        # Before validating: a bound field copies its help text when it is first made.
        for field in merge.fields.values():
            differing = [r for r in rows if r.label == str(field.label) and r.differs]
            if differing:
                field.help_text = _("Saved now: %(value)s") % {"value": differing[0].theirs}
        merge.is_valid()
    elif new:
        mode = "section"
    keep_mine = edit.form(page, part=theirs_part, new=new or removed, data=mine, auto_id=False)
    keep_mine.is_valid()
    return render_conflict(
        request,
        page,
        edit.section,
        mode=mode,
        keep_mine=keep_mine,
        action_url=action_url,
        template=edit.template(),
        rows=rows,
        merge=merge,
        removed=removed,
    )


def render_conflict(
    request: HttpRequest,
    page: PlanPage,
    section: str,
    *,
    mode: str,
    keep_mine: VersionedForm,
    action_url: str,
    template: str,
    rows: list[Row] | None = None,
    merge: VersionedForm | None = None,
    removed: bool = False,
    op: str | None = None,
) -> HttpResponse:
    """The conflict view (409) in place of the section: a warning, what is saved now (field by
    field, or the section as it is), "keep mine" (what I sent, against the current version),
    "keep what is saved", and a merge form when there are fields to merge."""
    return render_section(
        request,
        page,
        section,
        409,
        template="plans/_conflict.html",
        conflict_mode=mode,
        removed=removed,
        rows=rows or [],
        merge=merge,
        keep_mine=keep_mine,
        keep_mine_op=op,
        form_action=action_url,
        readonly_page=dataclasses.replace(page, may=Controls()),
        section_template=template,
    )


# --- the one handler of every section edit ---------------------------------------------------


def handle(
    request: HttpRequest, actor: Actor, edit: Edit, plan_id: Any, part_id: Any = None
) -> HttpResponse:
    """GET: the section with the form in place. POST: save through the service."""
    plan = access_plan(actor, plan_id, edit.action, record=False)  # 404 / 403, denial audited
    if plan.status == Plan.Status.CLOSED:
        return closed(request, plan)
    new = part_id is None and edit.has_parts
    posted = request.method == "POST"
    part = edit.part(actor, plan, part_id, missing_ok=posted) if part_id is not None else None
    action_url = edit.url(plan, part_id, new=new)
    page = plan_page(actor, plan)
    if not posted:
        initial = {**edit.initial(plan, part), "version": plan.version}
        form = edit.form(page, part=part, new=new, initial=initial)
        return show_form(
            request, actor, edit, page, form, editing=part_id or "new", action_url=action_url
        )
    form = edit.form(page, part=part, new=new, data=request.POST)
    status = 400
    if form.is_valid():
        version = form.cleaned_data["version"]
        if part_id is not None and part is None:
            if version == plan.version:  # nobody removed it: it never was on this plan
                raise Http404
            return conflict(
                request,
                actor,
                edit,
                form,
                plan_id=plan.pk,
                part_id=part_id,
                new=False,
                action_url=action_url,
            )
        try:
            edit.save(actor, plan, part_id, form)
        except PreconditionFailed:
            return conflict(
                request,
                actor,
                edit,
                form,
                plan_id=plan.pk,
                part_id=part_id,
                new=new,
                action_url=action_url,
            )
        except NotFound as error:
            raise Http404 from error
        except ApplicationError as error:
            put_errors(form, error)
            status = error.status_code
        else:
            return saved(request, actor, edit.section, plan.pk, version)
    return show_form(
        request,
        actor,
        edit,
        page,
        form,
        editing=part_id or "new",
        action_url=action_url,
        status=status,
    )


def closed(request: HttpRequest, plan: Plan) -> HttpResponse:
    """A write to a closed plan: back to the plan, which says so (htmx: the whole page)."""
    messages.error(request, _("The plan is closed; it can no longer be changed."))
    url = reverse("plans:plan", args=[plan.pk])
    if request.htmx:  # type: ignore[attr-defined]
        response = HttpResponse(status=409)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
