"""The year summary: every school's dialogue at a glance, the themes grouped and counted, the
agreements by status (and last year's with how they ended), the debrief keywords, the data
highlights and the trend across years.

One function builds it for an audience. INTERNAL shows what the signed-in viewer may see;
LEADERS and COMMITTEE are public papers (the committee's are public by law): they are built
with `app.confidential` at the PUBLIC audience, so no school-level confidential figure, no
LUS content, no debrief keyword and no text of an unpublished note reaches them.

The number of queries does not grow with the number of schools: every part is one query
over the whole year (tests/summary/test_queries.py counts them).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app import confidential
from app.agendas.models import Agenda, AgendaItem, AgendaTheme, Owner
from app.cycles.models import SchoolYear
from app.datapackages import charts
from app.datapackages import service as data
from app.datapackages.models import Indicator, IndicatorValue, Level
from app.i18n import N_
from app.i18n import gettext as _
from app.meetings.models import Meeting, MeetingStatus, MeetingType
from app.notes.models import Agreement, AgreementStatus, Note, NoteStatus
from app.schools.models import School
from app.summary.models import DebriefKeywords

MIN_N = 5
"""Public statistics blank cells with fewer than 5 individuals; so do we."""
MAX_INDICATORS = 8


class Version(str, Enum):
    INTERNAL = "internal"
    LEADERS = "leaders"
    COMMITTEE = "committee"


VERSION_LABELS = {
    Version.INTERNAL: N_("Internal (administration)"),
    Version.LEADERS: N_("For the school leaders"),
    Version.COMMITTEE: N_("For the political committee"),
}

OWNER_ORDER = [Owner.SCHOOL, Owner.COMMITTEE, Owner.ADMINISTRATION, Owner.MINISTRY, Owner.JOINT]


class SchoolRef(NamedTuple):
    """What the summary shows of a school: read as two columns, not as a School."""
    id: int
    name: str


@dataclass
class SchoolRow:
    school: SchoolRef
    dialogue: Meeting | None
    note: Note | None


@dataclass
class ThemeGroup:
    title: str
    owner: Owner
    schools: list[tuple[SchoolRef, int]] = field(default_factory=list)
    """(school, agenda id) of each school that brought it."""

    @property
    def count(self) -> int:
        return len({s.id for s, _ in self.schools})


@dataclass
class Outcome:
    year: SchoolYear
    total: int
    done: int
    carried: int
    """New or in progress: carried on into the next year."""
    dropped: int

    def share(self, n: int) -> int:
        return round(100 * n / self.total) if self.total else 0


@dataclass
class Highlight:
    indicator: Indicator
    name: str
    rows: list[tuple[SchoolRef, list[str]]]
    """Each school's values in `school_years`, formatted ("–" where blank or not shown)."""
    school_years: list[str]
    """This year only in the public versions; in the internal one the years of the trend
    that have school figures: each school's own trend."""
    municipality: str
    country: str
    chart: charts.Chart | None
    years: list[str]
    trend: list[tuple[str, list[str]]]
    """(line label, formatted value per year) — the chart's figures as a table."""


@dataclass
class Summary:
    version: Version
    year: SchoolYear
    previous: SchoolYear | None
    schools: list[SchoolRow]
    themes: dict[Owner, list[ThemeGroup]]
    agreements: list[tuple[Agreement, SchoolRef]]
    last_year: list[tuple[Agreement, SchoolRef]]
    keywords: list[tuple[SchoolRef | None, str]]
    highlights: list[Highlight]
    outcomes: list[Outcome]

    @property
    def public(self) -> bool:
        return self.version is not Version.INTERNAL

    def agreements_by_status(self) -> list[tuple[AgreementStatus, list[tuple[Agreement, Any]]]]:
        groups: dict[AgreementStatus, list] = defaultdict(list)
        for a, s in self.agreements:
            groups[a.status].append((a, s))
        return [(st, groups[st]) for st in AgreementStatus if groups[st]]


def _normal(title: str) -> str:
    return " ".join(title.lower().split()).rstrip(".")


def build(session: Session, principal, year: SchoolYear, version: Version) -> Summary:
    m_id = year.municipality_id
    public = version is not Version.INTERNAL
    schools = [SchoolRef(*r) for r in session.execute(
        sa.select(col(School.id), col(School.name)).where(School.municipality_id == m_id)
        .order_by(School.name))]
    by_id = {s.id: s for s in schools}
    years = list(session.exec(select(SchoolYear).where(SchoolYear.municipality_id == m_id)
                              .order_by(SchoolYear.start_year)))
    earlier = [y for y in years if y.start_year < year.start_year]
    previous = earlier[-1] if earlier else None

    # Dialogues and notes: one query each.
    dialogues: dict[int, Meeting] = {}
    for mt in session.exec(select(Meeting.id, Meeting.school_id, Meeting.status,
                                  Meeting.starts_at).where(
            Meeting.school_year_id == year.id, Meeting.meeting_type == MeetingType.DIALOGUE,
            Meeting.status != MeetingStatus.CANCELLED).order_by(Meeting.starts_at)):
        if mt.school_id is not None:
            dialogues.setdefault(mt.school_id, mt)
    notes = {n.school_id: n for n in session.exec(select(Note.id, Note.school_id, Note.status)
                                                  .where(Note.school_year_id == year.id))}
    rows = [SchoolRow(s, dialogues.get(s.id), notes.get(s.id)) for s in schools]

    # Themes of the year's dialogue agendas, grouped by who brought them and by title.
    groups: dict[tuple[Owner, str], ThemeGroup] = {}
    q = (sa.select(col(AgendaTheme.title), col(AgendaTheme.from_school),
                   col(AgendaTheme.accepted), col(AgendaItem.owner), col(Agenda.id),
                   col(Agenda.school_id))
         .join(AgendaItem, col(AgendaTheme.item_id) == AgendaItem.id)
         .join(Agenda, col(AgendaItem.agenda_id) == Agenda.id)
         .join(Meeting, col(Agenda.meeting_id) == Meeting.id)
         .where(Agenda.school_year_id == year.id, Meeting.meeting_type == MeetingType.DIALOGUE,
                col(Meeting.confidential).is_(False))
         .order_by(AgendaTheme.position, AgendaTheme.id))  # the first spelling names a group
    for title, from_school, accepted, owner, agenda_id, school_id in session.execute(q):
        if school_id not in by_id or (from_school and not accepted and public):
            continue
        owner = owner or (Owner.SCHOOL if from_school else Owner.JOINT)
        key = (owner, _normal(title))
        group = groups.get(key)
        if group is None:
            group = groups[key] = ThemeGroup(title.strip(), owner)
        group.schools.append((by_id[school_id], agenda_id))
    # The committee's and the administration's points written on their items (Stevns 2.1).
    q_items = (select(AgendaItem.owner, AgendaItem.sub_points, Agenda.id, Agenda.school_id)
               .join(Agenda, col(AgendaItem.agenda_id) == Agenda.id)
               .join(Meeting, col(Agenda.meeting_id) == Meeting.id)
               .where(Agenda.school_year_id == year.id,
                      Meeting.meeting_type == MeetingType.DIALOGUE,
                      col(Meeting.confidential).is_(False),
                      col(AgendaItem.owner).in_([Owner.COMMITTEE, Owner.ADMINISTRATION]))
               .order_by(AgendaItem.id))
    for item_owner, sub_points, agenda_id, school_id in session.exec(q_items):
        if school_id not in by_id or item_owner is None:
            continue
        for point in sub_points or []:
            if point.strip():
                key = (item_owner, _normal(point))
                group = groups.get(key)
                if group is None:
                    group = groups[key] = ThemeGroup(point.strip(), item_owner)
                group.schools.append((by_id[school_id], agenda_id))
    themes: dict[Owner, list[ThemeGroup]] = {}
    for owner in OWNER_ORDER:
        found = sorted((g for (o, _), g in groups.items() if o == owner),
                       key=lambda g: (-g.count, g.title.lower()))
        if found:
            themes[owner] = found

    # Agreements of this year and last year; outcomes of every year: one query.
    columns: list[Any] = [
        Agreement.id, Agreement.school_id, Agreement.school_year_id, Agreement.text,
        Agreement.responsible, Agreement.due_date, Agreement.status, Agreement.status_comment,
        col(Note.status).label("note_status")]
    all_agreements: list[Any] = list(session.execute(
        sa.select(*columns).join(Note, col(Agreement.note_id) == Note.id)
        .where(Agreement.municipality_id == m_id)
        .order_by(Agreement.school_id, Agreement.position)))
    visible = [(a, a.note_status) for a in all_agreements if a.school_id in by_id
               and (not public or a.note_status is NoteStatus.PUBLISHED)]
    this_year = [(a, by_id[a.school_id]) for a, _ in visible if a.school_year_id == year.id]
    last_year = [(a, by_id[a.school_id]) for a, _ in visible
                 if previous is not None and a.school_year_id == previous.id]
    outcomes = []
    for y in earlier:
        mine = [a for a, _ in visible if a.school_year_id == y.id]
        if mine:
            outcomes.append(Outcome(
                y, len(mine), sum(a.status is AgreementStatus.DONE for a in mine),
                sum(a.status in (AgreementStatus.NEW, AgreementStatus.IN_PROGRESS) for a in mine),
                sum(a.status is AgreementStatus.DROPPED for a in mine)))

    keywords: list[tuple[SchoolRef | None, str]] = []
    if not public:
        for kw in session.exec(select(DebriefKeywords).where(
                DebriefKeywords.school_year_id == year.id).order_by(DebriefKeywords.id)):
            for line in kw.text.splitlines():
                if line.strip():
                    keywords.append((by_id.get(kw.school_id) if kw.school_id else None,
                                     line.strip(" -•\t")))
    return Summary(version, year, previous, rows, themes, this_year, last_year, keywords,
                   _highlights(session, principal, year, schools, public), outcomes)


def _highlights(session: Session, principal, year: SchoolYear, schools: list[SchoolRef],
                public: bool) -> list[Highlight]:
    m_id = year.municipality_id
    audience = confidential.Audience.PUBLIC if public else confidential.Audience.SIGNED_IN
    municipality_secret = not confidential.can_see_confidential(
        principal, audience=audience, municipality_id=m_id, school_id=None, session=session)
    first = year.start_year - 4
    span = list(range(first, year.start_year + 1))
    # The chosen indicators: those with a municipal figure this year, in the catalogue's order.
    this_year = (sa.select(col(IndicatorValue.indicator_id)).where(
        IndicatorValue.municipality_id == m_id, IndicatorValue.level == Level.MUNICIPALITY,
        IndicatorValue.subgroup == "", IndicatorValue.start_year == year.start_year))
    chosen = list(session.exec(select(Indicator).where(col(Indicator.id).in_(this_year))
                               .order_by(Indicator.area_id, Indicator.position)
                               .limit(MAX_INDICATORS)))
    # Their figures in one query of plain columns: the municipality's and the country's over
    # five years (the trend) and the schools' (this year only in the public versions; over
    # the five years in the internal one, each school's own trend). Blanked cells (fewer than
    # MIN_N individuals) are None. One part per level, as a UNION ALL: each is answered from
    # its own index (an OR of the levels read every school's values in the country).
    school_first = year.start_year if public else first
    level, start = col(IndicatorValue.level), col(IndicatorValue.start_year)
    columns = (col(IndicatorValue.indicator_id), level, col(IndicatorValue.school_id), start,
               col(IndicatorValue.value), col(IndicatorValue.n))
    common = (col(IndicatorValue.indicator_id).in_([i.id for i in chosen] or [-1]),
              IndicatorValue.subgroup == "", start <= year.start_year)
    parts = sa.union_all(
        sa.select(*columns).where(*common, level == Level.COUNTRY, start >= first),
        sa.select(*columns).where(*common, IndicatorValue.municipality_id == m_id,
                                  level == Level.MUNICIPALITY, start >= first),
        sa.select(*columns).where(*common, IndicatorValue.municipality_id == m_id,
                                  level == Level.SCHOOL, start >= school_first))
    cells: dict[tuple[int, Level, int | None, int], float | None] = {}
    for ind_id, lv, school_id, y, value, n in session.execute(parts):
        cells[(ind_id, Level(lv), school_id, y)] = value if n is None or n >= MIN_N else None
    school_may = {s.id: confidential.can_see_confidential(
        principal, audience=audience, municipality_id=m_id, school_id=s.id, session=session)
        for s in schools} if not public else {}
    labels = [data.year_label(y) for y in span]
    with_schools = {(i, y) for (i, lv, _s, y) in cells if lv is Level.SCHOOL}
    out = []
    for ind in chosen:
        i = ind.id
        memo: dict[tuple[float, bool], str] = {}

        def fmt(x: float | None, axis: bool = False, ind: Indicator = ind,
                memo: dict[tuple[float, bool], str] = memo) -> str:
            if x is None:
                return "–"
            if (x, axis) not in memo:
                memo[(x, axis)] = data.format_value(ind, x, axis=axis)
            return memo[(x, axis)]

        assert i is not None
        # From the first year with a school figure to this year: the tail of `span`.
        since = min((y for y in span if y >= school_first and (i, y) in with_schools),
                    default=year.start_year)
        school_span = span[span.index(since):]
        rows = []
        for s in schools:
            if ind.confidential and (public or not school_may.get(s.id, False)):
                rows.append((s, ["–"] * len(school_span)))
            else:
                rows.append((s, [fmt(cells.get((i, Level.SCHOOL, s.id, y))) for y in school_span]))
        secret_here = ind.confidential and (public or municipality_secret)
        mun = [None if secret_here else cells.get((i, Level.MUNICIPALITY, None, y)) for y in span]
        country = [cells.get((i, Level.COUNTRY, None, y)) for y in span]
        series = [("municipality", _("Municipality"), mun), ("country", _("Denmark"), country)]
        chart = None
        if any(x is not None for x in mun + country):
            chart = charts.build(f"sum-{ind.key}", labels, series, axis_min=ind.axis_min,
                                 axis_max=ind.axis_max, min_change=ind.min_change,
                                 fmt=fmt)
        out.append(Highlight(ind, data.indicator_name(ind), rows,
                             [data.year_label(y) for y in school_span], fmt(mun[-1]),
                             fmt(country[-1]), chart, labels,
                             [(_("Municipality"), [fmt(x) for x in mun]),
                              (_("Denmark"), [fmt(x) for x in country])]))
    return out
