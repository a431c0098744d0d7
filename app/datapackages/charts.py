"""Trend charts as server-rendered SVG: the geometry and the markup (`svg`) here, the
figure around it in templates/datapackages/_chart.html. No script, no inline style (CSP):
classes and presentation attributes only. The SVG is written here rather than in Jinja: a
package page holds dozens of charts of hundreds of elements each, and a template spent more
time on them than the rest of the page together.

Honesty rules, so that no chart implies a change the data don't support:
- The axis is the indicator's full scale where it has one (wellbeing 1–5, grades -3–12,
  shares 0–100) and otherwise starts at 0 (absence, pupils) or is symmetric around 0
  (differences such as value-added), never cut to the data's range; a minimum span keeps a
  tiny change from filling the height.
- A band around the previous year's value shows the indicator's smallest meaningful change
  (`min_change`); the caption says "no clear change" when the new value lies within it.
- Blanked values (fewer than 5 individuals) and missing years are gaps, never interpolated.
"""

import math
from dataclasses import dataclass, field

from markupsafe import Markup, escape

WIDTH, HEIGHT = 440, 230
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 16, 36


@dataclass
class Point:
    x: float
    y: float
    value: float
    year: str
    text: str


@dataclass
class Line:
    key: str
    """school | municipality | country: also the CSS modifier."""
    label: str
    points: list[Point] = field(default_factory=list)
    segments: list[list[Point]] = field(default_factory=list)
    """Runs of consecutive years with a value: a gap breaks the line."""

    @property
    def polylines(self) -> list[str]:
        return [" ".join(f"{p.x:.1f},{p.y:.1f}" for p in seg) for seg in self.segments]


@dataclass
class Tick:
    y: float
    value: float
    text: str


@dataclass
class Band:
    x: float
    y: float
    width: float
    height: float


@dataclass
class Chart:
    id: str
    lo: float
    hi: float
    x_labels: list[tuple[float, str]]
    ticks: list[Tick]
    lines: list[Line]
    band: Band | None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM

    def y_of(self, value: float) -> float:
        return _y(value, self.lo, self.hi)

    def value_at(self, y: float) -> float:
        """The value a vertical position stands for: what a reader reads off the axis."""
        span = (HEIGHT - BOTTOM) - TOP
        return self.lo + ((HEIGHT - BOTTOM) - y) / span * (self.hi - self.lo)


def _y(value: float, lo: float, hi: float) -> float:
    span = (HEIGHT - BOTTOM) - TOP
    return (HEIGHT - BOTTOM) - (value - lo) / (hi - lo) * span


def nice_step(span: float, target: int = 5) -> float:
    raw = span / target
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def nice_ceil(value: float) -> float:
    if value <= 0:
        return 0.0
    step = nice_step(value, 5)
    return math.ceil(value / step - 1e-9) * step


def axis_range(values: list[float], *, axis_min: float | None, axis_max: float | None,
               min_change: float) -> tuple[float, float]:
    """The value axis: the catalogue's range where it gives one, never the data's alone."""
    data_lo = min(values, default=0.0)
    data_hi = max(values, default=0.0)
    min_span = max(10 * min_change, 1.0)
    if axis_min is None and axis_max is None:
        # A difference (value-added, gender gap): symmetric around 0.
        m = nice_ceil(max(abs(data_lo), abs(data_hi), min_span / 2) * 1.2)
        return -m, m
    lo = axis_min if axis_min is not None else min(0.0, data_lo)
    hi = axis_max if axis_max is not None else lo + nice_ceil(max(data_hi - lo, min_span) * 1.2)
    # Data outside the catalogue's range widen it rather than fall off the chart.
    lo, hi = min(lo, data_lo), max(hi, data_hi)
    return lo, hi


def build(chart_id: str, years: list[str], series: list[tuple[str, str, list]],
          *, axis_min: float | None, axis_max: float | None, min_change: float,
          fmt) -> Chart:
    """`series`: (key, label, values per year), where a value is a float or None (a gap).
    `fmt` formats a value for the axis and the point titles."""
    values = [v for _, _, vals in series for v in vals if v is not None]
    lo, hi = axis_range(values, axis_min=axis_min, axis_max=axis_max, min_change=min_change)
    step = nice_step(hi - lo, 5)
    ticks = []
    t = math.ceil(lo / step - 1e-9) * step
    while t <= hi + 1e-9:
        ticks.append(Tick(_y(t, lo, hi), t, fmt(t, axis=True)))
        t += step
    plot_w = (WIDTH - RIGHT) - LEFT
    n = len(years)
    xs = [LEFT + plot_w / 2] if n == 1 else [LEFT + 16 + i * (plot_w - 32) / (n - 1)
                                             for i in range(n)]
    lines = []
    for key, label, vals in series:
        line = Line(key, label)
        run: list[Point] = []
        for x, year, v in zip(xs, years, vals):
            if v is None:
                if run:
                    line.segments.append(run)
                run = []
                continue
            p = Point(x, _y(v, lo, hi), v, year, fmt(v))
            line.points.append(p)
            run.append(p)
        if run:
            line.segments.append(run)
        lines.append(line)
    band = None
    school = next((vals for key, _, vals in series if key == "school"), None)
    if school and n >= 2 and min_change > 0 and school[-2] is not None:
        prev = school[-2]
        top, bottom = _y(min(prev + min_change, hi), lo, hi), _y(max(prev - min_change, lo), lo, hi)
        band = Band(xs[-2], top, xs[-1] - xs[-2], bottom - top)
    return Chart(chart_id, lo, hi, list(zip(xs, years)), ticks, lines, band)


def svg(chart: Chart, *, title: str, desc: str, band_title: str) -> Markup:
    """The chart's <svg> element. `title` and `desc` name and describe it for a screen
    reader (the same figures are in the table beside it); `band_title` is the band's tooltip."""
    c, cid = chart, escape(chart.id)
    out = [f'<svg class="chart" id="{cid}" viewBox="0 0 {c.width} {c.height}" role="img" '
           f'aria-labelledby="{cid}-title {cid}-desc" data-lo="{c.lo}" data-hi="{c.hi}" '
           f'data-top="{c.top}" data-bottom="{c.bottom}">',
           f'<title id="{cid}-title">{escape(title)}</title>',
           f'<desc id="{cid}-desc">{escape(desc)}</desc>',
           '<g class="chart__grid">']
    for tick in c.ticks:
        out.append(f'<line x1="{c.left}" x2="{c.right}" y1="{tick.y:.1f}" y2="{tick.y:.1f}" '
                   f'class="chart__gridline"></line>')
        out.append(f'<text x="{c.left - 6}" y="{tick.y + 4:.1f}" text-anchor="end" '
                   f'class="chart__tick">{escape(tick.text)}</text>')
    out.append(f'<line x1="{c.left}" x2="{c.left}" y1="{c.top}" y2="{c.bottom}" '
               f'class="chart__axis"></line></g>')
    if c.band:
        b = c.band
        out.append(f'<rect class="chart__band" x="{b.x:.1f}" y="{b.y:.1f}" '
                   f'width="{b.width:.1f}" height="{b.height:.1f}">'
                   f'<title>{escape(band_title)}</title></rect>')
    for x, label in c.x_labels:
        out.append(f'<text x="{x:.1f}" y="{c.bottom + 20}" text-anchor="middle" '
                   f'class="chart__tick">{escape(label)}</text>')
    for line in c.lines:
        key, r = line.key, 5 if line.key == "school" else 4
        out.append(f'<g class="chart__series chart__series--{key}" data-series="{key}">')
        for points in line.polylines:
            out.append(f'<polyline points="{points}" fill="none" '
                       f'class="chart__line chart__line--{key}"></polyline>')
        label = escape(line.label)
        for p in line.points:
            out.append(f'<circle cx="{p.x:.1f}" cy="{p.y:.1f}" r="{r}" '
                       f'class="chart__point chart__point--{key}" data-year="{escape(p.year)}">'
                       f'<title>{label} {escape(p.year)}: {escape(p.text)}</title></circle>')
        out.append("</g>")
    out.append("</svg>")
    return Markup("\n".join(out))
