"""Chart geometry for SVG drawn by templates on the server (``audit/_line_chart.html``,
``audit/_bar_chart.html``).

Hand-made rather than a chart library: the SVG goes inline into the page, so it carries no
script, no ``<style>`` and no ``style=`` attribute (the Content-Security-Policy allows none);
colours, lines and markers come from classes in the app's stylesheet, text follows the page's
font and language, and each chart has its title and description for screen readers and a
table with the same numbers beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from apps.audit.overview import Series, Week

WIDTH = 720
MARKERS = ("circle", "square", "triangle", "diamond")


@dataclass
class Point:
    x: float
    y: float
    value: int
    label: str  # for the marker's tooltip

    @property
    def square_x(self) -> float:
        return self.x - 6

    @property
    def square_y(self) -> float:
        return self.y - 6

    @property
    def triangle(self) -> str:
        x, y = self.x, self.y
        return f"{x:.1f},{y - 7:.1f} {x + 7:.1f},{y + 5:.1f} {x - 7:.1f},{y + 5:.1f}"

    @property
    def diamond(self) -> str:
        x, y = self.x, self.y
        return f"{x:.1f},{y - 8:.1f} {x + 8:.1f},{y:.1f} {x:.1f},{y + 8:.1f} {x - 8:.1f},{y:.1f}"


@dataclass
class Line:
    index: int
    name: str
    marker: str
    points: list[Point]

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points)
        )


@dataclass
class Tick:
    position: float
    label: str
    minor: bool = False


@dataclass
class LineChart:
    key: str
    title: str
    description: str
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    lines: list[Line] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    width: int = WIDTH

    @property
    def y_label_x(self) -> float:
        return self.plot_left - 10

    @property
    def x_label_y(self) -> float:
        return self.plot_bottom + 30

    @property
    def axis_title_x(self) -> float:
        return (self.plot_left + self.plot_right) / 2

    @property
    def axis_title_y(self) -> float:
        return self.height - 4


def nice_ticks(largest: int) -> list[int]:
    """Whole-number ticks from 0 to at least ``largest``, at most six of them."""
    top = max(largest, 1)
    step = max(1, math.ceil(top / 5))
    return list(range(0, top + step, step))


def line_chart(key: str, title: str, weeks: list[Week], series: list[Series]) -> LineChart:
    height = 300
    left, right, top, bottom = 48.0, WIDTH - 16.0, 16.0, height - 64.0
    ticks = nice_ticks(max((max(s.counts) for s in series), default=0))
    scale = (bottom - top) / ticks[-1]
    step = (right - left) / max(len(weeks) - 1, 1)
    chart = LineChart(key, title, _describe(weeks, series), height, left, right, top, bottom)
    chart.y_ticks = [Tick(bottom - t * scale, str(t)) for t in ticks]
    chart.x_ticks = [
        Tick(left + i * step, str(w.number), minor=(len(weeks) - 1 - i) % 2 == 1)
        for i, w in enumerate(weeks)
    ]
    for index, one in enumerate(series):
        points = [
            Point(
                left + i * step,
                bottom - value * scale,
                value,
                _("%(organisation)s, week %(week)s: %(count)s")
                % {"organisation": one.organisation.name, "week": week.number, "count": value},
            )
            for i, (week, value) in enumerate(zip(weeks, one.counts, strict=True))
        ]
        chart.lines.append(
            Line(index % 6, one.organisation.name, MARKERS[index % len(MARKERS)], points)
        )
    return chart


def _describe(weeks: list[Week], series: list[Series]) -> str:
    span = _("Week %(first)s to week %(last)s.") % {
        "first": weeks[0].number,
        "last": weeks[-1].number,
    }
    if not series:
        return span + " " + _("None in this period.")
    parts = []
    for one in series:
        peak = max(one.counts)
        week = weeks[one.counts.index(peak)].number
        parts.append(
            _("%(organisation)s: at most %(peak)s in a week (week %(week)s), %(now)s this week")
            % {
                "organisation": one.organisation.name,
                "peak": peak,
                "week": week,
                "now": one.counts[-1],
            }
        )
    return span + " " + "; ".join(parts) + "."


@dataclass
class Bar:
    label: str
    value: int | str  # a count, or a count said in words ("fewer than 5")
    y: float
    width: float
    x: float
    height: float

    @property
    def middle(self) -> float:
        return self.y + self.height / 2

    @property
    def label_x(self) -> float:
        return self.x - 12

    @property
    def value_x(self) -> float:
        return self.x + self.width + 8


@dataclass
class BarChart:
    key: str
    title: str
    description: str
    height: int
    label_width: float
    bar_height: float
    bars: list[Bar] = field(default_factory=list)
    width: int = WIDTH


def bar_chart(key: str, title: str, values: list[tuple[str, int]]) -> BarChart:
    label_width, bar_height, gap = 130.0, 32.0, 16.0
    height = int(len(values) * (bar_height + gap) + gap)
    largest = max((v for _label, v in values), default=0) or 1
    room = WIDTH - label_width - 64
    description = "; ".join(f"{label}: {value}" for label, value in values) + "."
    chart = BarChart(key, title, description, height, label_width, bar_height)
    for i, (label, value) in enumerate(values):
        y = gap + i * (bar_height + gap)
        chart.bars.append(Bar(label, value, y, room * value / largest, label_width, bar_height))
    return chart
