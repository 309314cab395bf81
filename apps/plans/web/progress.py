"""A goal's progress as a small SVG chart drawn on the server (``plans/_progress.html``).

The citizen's and the professional's ratings (0-10) at each review, as two lines. The SVG goes
inline into the page, so it carries no script, no ``<style>`` and no ``style=`` attribute (the
Content-Security-Policy allows none); colours and dashes come from classes in ``plans.css``.
Each chart has a title and a description for screen readers, and a table with the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

NOTHING = "\u2013"  # how a missing rating reads, as elsewhere on the plan page

WIDTH = 480
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 48.0, WIDTH - 44.0, 14.0, HEIGHT - 46.0
TOP_RATING = 10
# Dates under the axis need room; beyond this many reviews only some are labelled.
MOST_LABELS = 5


@dataclass
class Point:
    x: float
    y: float
    value: int
    label: str  # the marker's tooltip

    @property
    def square_x(self) -> float:
        return self.x - 5

    @property
    def square_y(self) -> float:
        return self.y - 5


@dataclass
class Line:
    key: str  # "citizen" | "professional": its class in the stylesheet
    name: str
    points: list[Point]
    path: str


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class Row:
    held_on: dt.date
    citizen: int | None
    professional: int | None
    citizen_note: str
    note: str


@dataclass
class ProgressChart:
    key: str
    title: str
    description: str
    lines: list[Line] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: float = LEFT
    plot_right: float = RIGHT
    plot_top: float = TOP
    plot_bottom: float = BOTTOM

    @property
    def y_label_x(self) -> float:
        return self.plot_left - 8

    @property
    def x_label_y(self) -> float:
        return self.plot_bottom + 22

    @property
    def has_notes(self) -> bool:
        return any(r.citizen_note or r.note for r in self.rows)


def _y(value: int) -> float:
    return BOTTOM - value * (BOTTOM - TOP) / TOP_RATING


def progress_chart(goal: Any, ratings: list[Any]) -> ProgressChart | None:
    """The chart of one goal's ratings (``GoalRating`` rows with their review, oldest first);
    None when the goal has no rating yet."""
    rows = [
        Row(r.review.held_on, r.citizen, r.professional, r.citizen_note, r.note)
        for r in ratings
        if r.citizen is not None or r.professional is not None
    ]
    if not rows:
        return None
    count = len(rows)
    step = (RIGHT - LEFT) / (count - 1) if count > 1 else 0.0
    xs = [LEFT + i * step if count > 1 else (LEFT + RIGHT) / 2 for i in range(count)]
    chart = ProgressChart(
        key=f"progress-{goal.pk}",
        title=_("Where the citizen is now, 0 to 10"),
        description=_describe(rows),
        rows=rows,
    )
    chart.y_ticks = [Tick(_y(v), str(v)) for v in range(0, TOP_RATING + 1, 2)]
    every = max(1, -(-count // MOST_LABELS))  # ceiling division
    chart.x_ticks = [
        Tick(x, date_format(row.held_on, "SHORT_DATE_FORMAT"))
        for i, (x, row) in enumerate(zip(xs, rows, strict=True))
        if (count - 1 - i) % every == 0
    ]
    for key, name in (("citizen", _("The citizen")), ("professional", _("The professional"))):
        points: list[Point] = []
        path: list[str] = []
        pen_down = False
        for x, row in zip(xs, rows, strict=True):
            value = getattr(row, key)
            if value is None:
                pen_down = False  # a missing rating breaks the line
                continue
            point = Point(
                x,
                _y(value),
                value,
                _("%(who)s, %(date)s: %(value)s")
                % {
                    "who": name,
                    "date": date_format(row.held_on, "SHORT_DATE_FORMAT"),
                    "value": value,
                },
            )
            path.append(f"{'L' if pen_down else 'M'}{point.x:.1f},{point.y:.1f}")
            pen_down = True
            points.append(point)
        chart.lines.append(Line(key, name, points, " ".join(path)))
    return chart


def _describe(rows: list[Row]) -> str:
    def last(key: str) -> str:
        values = [getattr(r, key) for r in rows if getattr(r, key) is not None]
        return str(values[-1]) if values else NOTHING

    return ngettext(
        "%(count)s review, on %(first)s. Rating by the citizen: %(citizen)s; "
        "by the professional: %(professional)s.",
        "%(count)s reviews from %(first)s to %(last)s. Latest rating by the citizen: "
        "%(citizen)s; by the professional: %(professional)s.",
        len(rows),
    ) % {
        "count": len(rows),
        "first": date_format(rows[0].held_on),
        "last": date_format(rows[-1].held_on),
        "citizen": last("citizen"),
        "professional": last("professional"),
    }
