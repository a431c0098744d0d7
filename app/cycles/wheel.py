"""The year wheel (årshjul) and the week-by-week timeline, computed for the templates.

Pure geometry and grouping: no database, no HTTP. The wheel is a circle of the school year
(1 August at the top, clockwise), twelve month segments on the rim, holidays shaded as
wedges, each step an arc (a window of days) or a marker (one day) on a lane of its own so
that overlapping steps never hide each other, and a line for today. The SVG itself is
written by templates/cycles/_wheel.svg with presentation attributes and classes only
(the CSP forbids inline styles).
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from babel.dates import format_date as babel_date

from app.cycles.models import HolidayKind, HolidayPeriod, SchoolYear, Step
from app.i18n import get_locale

SIZE = 720
C = SIZE / 2
R_RIM_OUT = 344
R_RIM_IN = 306
R_LANE_0 = 284
LANE_STEP_MAX = 46
R_HUB = 104


def _xy(angle: float, r: float) -> tuple[float, float]:
    rad = math.radians(angle)
    return round(C + r * math.sin(rad), 2), round(C - r * math.cos(rad), 2)


def _arc(a1: float, a2: float, r: float) -> str:
    x1, y1 = _xy(a1, r)
    x2, y2 = _xy(a2, r)
    large = 1 if a2 - a1 > 180 else 0
    return f"M {x1} {y1} A {r} {r} 0 {large} 1 {x2} {y2}"


def _sector(a1: float, a2: float, r_out: float, r_in: float) -> str:
    """An annular sector from angle a1 to a2 (degrees clockwise from the top)."""
    if a2 - a1 >= 359.99:
        a2 = a1 + 359.99
    large = 1 if a2 - a1 > 180 else 0
    ox1, oy1 = _xy(a1, r_out)
    ox2, oy2 = _xy(a2, r_out)
    ix2, iy2 = _xy(a2, r_in)
    ix1, iy1 = _xy(a1, r_in)
    return (f"M {ox1} {oy1} A {r_out} {r_out} 0 {large} 1 {ox2} {oy2} "
            f"L {ix2} {iy2} A {r_in} {r_in} 0 {large} 0 {ix1} {iy1} Z")


@dataclass
class WheelStep:
    step: Step
    number: int
    marker: tuple[float, float]
    """Where the step's numbered dot sits."""


@dataclass
class WheelGroup:
    """Steps sharing one window (the January bookings, the June presentations) share an arc;
    each keeps its own numbered dot, which is its link."""

    members: list[WheelStep]
    lane: int
    radius: float
    path: str | None
    """The arc; None for one-day steps (dots only)."""
    schools: bool
    """A step with a meeting per school is among them: a thicker arc."""
    status: str
    """The least advanced status of the members, for the arc's colour."""


@dataclass
class Wheel:
    size: int
    months: list[dict]
    holidays: list[dict]
    weeks: list[dict]
    groups: list[WheelGroup]
    undated: list[Step]
    today: dict | None
    lanes: int
    hub: float = R_HUB
    center: float = C
    rings: list[float] = field(default_factory=list)
    margin: int = 44
    """Room around the circle for the "today" label."""
    meeting_days: list[dict] = field(default_factory=list)
    """Days with meetings that have a time: a dot each, near the hub."""


def _angle(year: SchoolYear, d: date) -> float:
    days = (year.ends - year.starts).days + 1
    return (d - year.starts).days / days * 360


def _month_label(d: date) -> str:
    return babel_date(d, "MMM", locale=get_locale()).rstrip(".")


_STATUS_ORDER = ["not_started", "in_progress", "done"]


def build(year: SchoolYear, steps: list[Step], holidays: list[HolidayPeriod],
          today: date, meetings: dict[date, tuple[int, int]] | None = None) -> Wheel:
    """meetings: day → (meetings with a time that day, of which held)."""
    months = []
    d = year.starts
    for i in range(12):
        nxt = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
        a1, a2 = _angle(year, d), _angle(year, min(nxt, year.ends + timedelta(days=1)))
        mid = (a1 + a2) / 2
        lx, ly = _xy(mid, (R_RIM_OUT + R_RIM_IN) / 2)
        months.append({"path": _sector(a1, a2, R_RIM_OUT, R_RIM_IN), "label": _month_label(d),
                       "x": lx, "y": ly, "alt": i % 2 == 1, "line": [_xy(a1, R_HUB),
                                                                     _xy(a1, R_RIM_OUT)],
                       "date": d})
        d = nxt
    shaded = []
    for h in holidays:
        start, end = max(h.start_date, year.starts), min(h.end_date, year.ends)
        if end < start:
            continue
        a1, a2 = _angle(year, start), _angle(year, end + timedelta(days=1))
        shaded.append({"path": _sector(a1, a2, R_RIM_IN, R_HUB), "holiday": h,
                       "public": h.kind is HolidayKind.PUBLIC})
    weeks = []
    monday = year.starts + timedelta(days=(7 - year.starts.weekday()) % 7)
    while monday <= year.ends:
        a = _angle(year, monday)
        weeks.append({"a": _xy(a, R_RIM_IN), "b": _xy(a, R_RIM_IN - 7)})
        monday += timedelta(days=7)

    windows: dict[tuple[date, date], list[Step]] = {}
    for s in sorted((s for s in steps if s.start_date), key=lambda s: (s.start_date, s.position)):
        windows.setdefault((s.start_date, s.end_date or s.start_date), []).append(s)
    lane_ends: list[date] = []
    lanes_of = []
    for start, end in windows:
        # A free day between windows keeps arcs apart; one-day dots want a little more.
        gap = 2 if start != end else 4
        for lane, last in enumerate(lane_ends):
            if start > last + timedelta(days=gap):
                lane_ends[lane] = end
                break
        else:
            lane = len(lane_ends)
            lane_ends.append(end)
        lanes_of.append(lane)
    # Few lanes get more air between them; many still fit between the rim and the hub.
    lane_step = min(LANE_STEP_MAX, (R_LANE_0 - R_HUB - 30) / max(len(lane_ends) - 1, 1))
    groups = []
    for ((start, end), members), lane in zip(windows.items(), lanes_of):
        r = round(R_LANE_0 - lane * lane_step, 2)
        a1, a2 = _angle(year, start), _angle(year, end + timedelta(days=1))
        path = None
        if start == end:
            # Several one-day steps on the same day stand side by side.
            spread = 24 / r * 180 / math.pi
            first = (a1 + a2) / 2 - spread * (len(members) - 1) / 2
            spots = [_xy(first + k * spread, r) for k in range(len(members))]
        else:
            inset = min(0.45, (a2 - a1) / 4)  # round line caps end on the window's own days
            path = _arc(a1 + inset, a2 - inset, r)
            if len(members) == 1:
                spots = [_xy(a1 + inset, r)]
            else:
                span = (a2 - a1 - 2 * inset) / len(members)
                spots = [_xy(a1 + inset + span * (k + 0.5), r) for k in range(len(members))]
        groups.append(WheelGroup(
            members=[WheelStep(s, s.position, spot) for s, spot in zip(members, spots)],
            lane=lane, radius=r, path=path,
            schools=any(s.scope.value == "per_school" for s in members),
            status=min((s.status.value for s in members), key=_STATUS_ORDER.index)))
    today_mark = None
    if year.starts <= today <= year.ends:
        a = _angle(year, today) + 180 / ((year.ends - year.starts).days + 1)
        today_mark = {"a": _xy(a, R_HUB - 4), "b": _xy(a, R_RIM_OUT + 6),
                      "label": _xy(a, R_RIM_OUT + 14), "date": today,
                      "anchor": "start" if 10 < a < 170 else ("end" if 190 < a < 350
                                                               else "middle")}
    dots = []
    for day, (count, held) in sorted((meetings or {}).items()):
        if year.starts <= day <= year.ends:
            a = _angle(year, day) + 180 / ((year.ends - year.starts).days + 1)
            x, y = _xy(a, R_HUB + 10)
            dots.append({"x": x, "y": y, "r": round(min(2 + count * 0.8, 5), 1),
                         "held": held == count, "day": day, "count": count})
    lanes = len(lane_ends)
    return Wheel(meeting_days=dots, size=SIZE, months=months, holidays=shaded, weeks=weeks, groups=groups,
                 undated=[s for s in steps if not s.start_date], today=today_mark,
                 lanes=lanes, rings=[round(R_LANE_0 - i * lane_step, 2) for i in range(lanes)])


# --- the week-by-week timeline -------------------------------------------------------------


@dataclass
class Week:
    number: int
    monday: date
    sunday: date
    steps: list[Step]
    holidays: list[HolidayPeriod]
    meetings: int
    """Meetings with a time in this week."""
    current: bool

    @property
    def holiday_week(self) -> bool:
        """Every working day of the week is a holiday: the row is shaded."""
        days = [self.monday + timedelta(days=i) for i in range(5)]
        return all(any(h.start_date <= d <= h.end_date for h in self.holidays) for d in days)


def weeks(year: SchoolYear, steps: list[Step], holidays: list[HolidayPeriod],
          meeting_days: list[date], today: date) -> list[Week]:
    """Every ISO week that touches the school year, with what happens in it."""
    monday = year.starts - timedelta(days=year.starts.weekday())
    out = []
    while monday <= year.ends:
        sunday = monday + timedelta(days=6)
        out.append(Week(
            number=monday.isocalendar().week, monday=monday, sunday=sunday,
            steps=[s for s in steps if s.start_date and s.start_date <= sunday
                   and (s.end_date or s.start_date) >= monday],
            holidays=[h for h in holidays if h.start_date <= sunday and h.end_date >= monday],
            meetings=sum(1 for d in meeting_days if monday <= d <= sunday),
            current=monday <= today <= sunday,
        ))
        monday += timedelta(days=7)
    return out
