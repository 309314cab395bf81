"""``/effect/``: the manager's effect page, and its figures as CSV (``?format=csv``).

The page does what the API does (``EffectReport`` in ``apps/coordination/api/views.py``): the
same period by default (the twelve months up to today), the same service, and the same record
of the reading (one aggregate read, no citizen named). The rest is presentation: each figure in
plain words, ``"<5"`` as "fewer than 5", a missing figure as a dash with the reason, and the
two counts drawn as bar charts with their tables.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.access.context import Actor
from apps.audit.charts import WIDTH, Bar, BarChart
from apps.audit.web.forms import DATE_FORMATS, period_years_check
from apps.coordination import effect
from apps.core.exports import spreadsheet_cell
from apps.plans.models import Goal, Plan
from apps.web.decorators import acting
from apps.web.forms import KipForm

TEMPLATE = "coordination/effect.html"
DASH = "\N{EN DASH}"  # a figure the period has no data for
MINUS = "\N{MINUS SIGN}"


class EffectPeriodForm(KipForm):
    """The period, as the API takes it; both days included."""

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        for name, label, hint in (
            ("from", gettext_lazy("From"), ""),
            ("to", gettext_lazy("To"), gettext_lazy("The day itself included")),
        ):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                help_text=hint,
                input_formats=DATE_FORMATS,
                widget=forms.DateInput(
                    attrs={"type": "date", "class": "form-input"}, format="%Y-%m-%d"
                ),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period_years_check(self, data)
        if self.errors:
            return data
        end = data.get("to") or timezone.localdate()
        start = data.get("from") or end - relativedelta(years=1) + dt.timedelta(days=1)
        if start > end:
            self.add_error("to", _("The end date lies before the start date."))
        data["from"], data["to"] = start, end
        return data

    def period(self) -> dict[str, dt.date]:
        return {"date_from": self.cleaned_data["from"], "date_to": self.cleaned_data["to"]}

    def query(self) -> str:
        return urlencode({name: self.cleaned_data[name].isoformat() for name in ("from", "to")})


def _read(request: HttpRequest, actor: Actor) -> tuple[EffectPeriodForm, dict[str, Any] | None]:
    # Before the period is parsed, so a caseworker learns nothing from the form either.
    effect.effect_reader_required(actor)
    form = EffectPeriodForm(request.GET)
    if not form.is_valid():
        return form, None
    report = effect.effect_report_read(actor=actor, **form.period())
    # Shown again with the period used, defaults filled in.
    form = EffectPeriodForm({name: form.cleaned_data[name].isoformat() for name in ("from", "to")})
    form.is_valid()
    return form, report


@acting
def effect_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The page; with ``format=csv`` (the page's download link) the same figures as CSV."""
    form, report = _read(request, actor)
    if report is None:
        return render(request, TEMPLATE, {"form": form}, status=400)
    if request.GET.get("format") == "csv":
        return _csv_response(actor, report)
    context = {
        "form": form,
        "period": report,
        "figures": key_figures(report),
        "status_chart": count_chart("status", _("Plans by status"), status_counts(report)),
        "goals_chart": count_chart("goals", _("Goals ended, by outcome"), goal_counts(report)),
        "csv_url": f"{request.path}?{form.query()}&format=csv",
    }
    return render(request, TEMPLATE, context)


def _csv_response(actor: Actor, report: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(csv_text(actor, report), content_type="text/csv; charset=utf-8")
    name = f"effekt-{report['from'].isoformat()}-{report['to'].isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# The figures in words -------------------------------------------------------------------------


@dataclass
class KeyFigure:
    key: str
    title: str
    value: str
    explanation: str
    basis_key: str
    basis_label: str
    basis: str
    note: str = ""


def shown(value: Any) -> str:
    """A count as the page shows it."""
    if value == effect.HIDDEN:
        return _("fewer than 5")
    if value is None:
        return DASH
    return str(value)


def _share(value: float) -> str:
    return _("%(percent)s %%") % {"percent": number_format(round(value * 100), 0)}


def _days(value: float) -> str:
    decimals = 0 if float(value).is_integer() else 1
    n = number_format(value, decimals)
    return ngettext("%(days)s day", "%(days)s days", 1 if value == 1 else 2) % {"days": n}


def _change(value: float) -> str:
    sign = "+" if value > 0 else (MINUS if value < 0 else "")
    return _("%(change)s points") % {"change": sign + number_format(abs(value), 1)}


def key_figures(report: dict[str, Any]) -> list[KeyFigure]:
    basis = report["basis"]
    rows = [
        (
            "reviews_on_time_share",
            _("Reviews held on time"),
            _share,
            _(
                "Of the reviews held in the period that had an agreed date (set at the review "
                "before), the share held on or before that date. A plan's first review has no "
                "agreed date and is not counted."
            ),
            "reviews_with_due_date",
            _("Reviews with an agreed date"),
        ),
        (
            "median_days_to_first_effort",
            _("Days from the plan to the first effort"),
            _days,
            _(
                "For the plans started in the period: the median number of days from the "
                "plan's start until its first effort began. Half the plans got going sooner, "
                "half later. Plans with no effort begun yet are not counted."
            ),
            "plans_with_first_effort",
            _("Plans with an effort begun"),
        ),
        (
            "median_days_motivated_to_first_effort",
            _("Days from motivated and ready to the first effort"),
            _days,
            _(
                "For the plans where the citizen was motivated and ready during the period "
                "(fast start): the median number of days from that day until the first effort "
                "began. Half the plans got going sooner, half later. Plans whose first effort "
                "has not begun yet are not counted."
            ),
            "plans_motivated_with_first_effort",
            _("Plans with a fast start and an effort begun"),
        ),
        (
            "mean_citizen_rating_change",
            _("Change in the citizen's own rating of the goals"),
            _change,
            _(
                "For the goals the citizen rated at two or more reviews in the period: the "
                "average change from the first to the latest rating, on a scale from 0 to 10. "
                "Above 0 means the citizen sees progress."
            ),
            "goals_rated_twice",
            _("Goals rated at least twice"),
        ),
        (
            "heard_share",
            _("Citizens who felt heard"),
            _share,
            _(
                "Of the reviews in the period where the citizen rated whether they were heard, "
                "the share rated %(from)s or more out of 10."
            )
            % {"from": settings.KIP_EFFECT_HEARD_FROM},
            "meetings_rated",
            _("Reviews where the citizen rated the meeting"),
        ),
    ]
    figures = []
    for key, title, fmt, explanation, basis_key, basis_label in rows:
        value = report[key]
        figure = KeyFigure(
            key, title, "", explanation, basis_key, basis_label, shown(basis[basis_key])
        )
        if value is None:
            figure.value, figure.note = DASH, _("No data in the period.")
        elif value == effect.HIDDEN:
            figure.value = _("fewer than 5")
            figure.note = _(
                "Worked out from fewer than 5, so it is not shown: nobody in a small group "
                "should be recognisable."
            )
        else:
            figure.value = fmt(value)
        figures.append(figure)
    return figures


def status_counts(report: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [
        (status, str(capfirst(Plan.Status(status).label)), count)
        for status, count in report["plans_by_status"].items()
    ]


def goal_counts(report: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [
        (outcome, str(capfirst(Goal.Outcome(outcome).label)), count)
        for outcome, count in report["goals"].items()
    ]


# Bar charts with "fewer than 5" ---------------------------------------------------------------
# ``apps.audit.charts.bar_chart`` draws whole numbers; here a bar may be hidden, so it is drawn
# without length and labelled in words. Same fields, so ``audit/_bar_chart.html`` draws it.


@dataclass
class CountChart(BarChart):
    rows: list[tuple[str, str]] = field(default_factory=list)  # the table alternative


def count_chart(key: str, title: str, counts: list[tuple[str, str, Any]]) -> CountChart:
    # Room on the left for the longest label and on the right for "færre end 5", at the
    # larger type a phone gets.
    label_width, bar_height, gap = 250.0, 32.0, 16.0
    height = int(len(counts) * (bar_height + gap) + gap)
    numbers = [c for _code, _label, c in counts if isinstance(c, int)]
    largest = max(numbers, default=0) or 1
    room = WIDTH - label_width - 180
    rows = [(label, shown(count)) for _code, label, count in counts]
    description = "; ".join(f"{label}: {value}" for label, value in rows) + "."
    chart = CountChart(key, title, description, height, label_width, bar_height, rows=rows)
    for i, (_code, label, count) in enumerate(counts):
        length = room * count / largest if isinstance(count, int) else 0.0
        y = gap + i * (bar_height + gap)
        chart.bars.append(Bar(label, shown(count), y, length, label_width, bar_height))
    return chart


# CSV ------------------------------------------------------------------------------------------


def csv_text(actor: Actor, report: dict[str, Any]) -> str:
    """One row per figure: its code, its name in words, and its value (``<5`` for fewer than
    five, empty where the period has no data)."""
    rows: list[tuple[str, str, Any]] = [
        ("organisation", _("Organisation"), actor.organisation.name),
        ("from", _("From"), report["from"].isoformat()),
        ("to", _("To"), report["to"].isoformat()),
    ]
    for code, label, count in status_counts(report):
        rows.append((f"plans_by_status.{code}", _("Plans: %(status)s") % {"status": label}, count))
    for code, label, count in goal_counts(report):
        rows.append((f"goals.{code}", _("Goals ended: %(outcome)s") % {"outcome": label}, count))
    figures = key_figures(report)
    rows += [(figure.key, figure.title, report[figure.key]) for figure in figures]
    rows += [(f"basis.{f.basis_key}", f.basis_label, report["basis"][f.basis_key]) for f in figures]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Code"), _("Figure"), _("Value")])
    writer.writerows([spreadsheet_cell(c) for c in row] for row in rows)
    return out.getvalue()
