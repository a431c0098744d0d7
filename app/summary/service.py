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
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
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


@dataclass
class SchoolRow:
    school: School
    dialogue: Meeting | None
    note: Note | None


@dataclass
class ThemeGroup:
    title: str
    owner: Owner
    schools: list[tuple[School, int]] = field(default_factory=list)
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
    rows: list[tuple[School, str]]
    """Each school's value this year, formatted ("–" where blank or not shown)."""
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
    agreements: list[tuple[Agreement, School]]
    last_year: list[tuple[Agreement, School]]
    keywords: list[tuple[School | None, str]]
    highlights: list[Highlight]
    outcomes: list[Outcome]

    @property
    def public(self) -> bool:
        return self.version is not Version.INTERNAL

    def agreements_by_status(self) -> list[tuple[AgreementStatus, list[tuple[Agreement, School]]]]:
        groups: dict[AgreementStatus, list] = defaultdict(list)
        for a, s in self.agreements:
            groups[a.status].append((a, s))
        return [(st, groups[st]) for st in AgreementStatus if groups[st]]


def _normal(title: str) -> str:
    return " ".join(title.lower().split()).rstrip(".")


def build(session: Session, principal, year: SchoolYear, version: Version) -> Summary:
    m_id = year.municipality_id
    public = version is not Version.INTERNAL
    schools = list(session.exec(select(School).where(School.municipality_id == m_id)
                                .order_by(School.name)))
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
    q = (select(AgendaTheme, AgendaItem.owner, Agenda.id, Agenda.school_id)
         .join(AgendaItem, col(AgendaTheme.item_id) == AgendaItem.id)
         .join(Agenda, col(AgendaItem.agenda_id) == Agenda.id)
         .join(Meeting, col(Agenda.meeting_id) == Meeting.id)
         .where(Agenda.school_year_id == year.id, Meeting.meeting_type == MeetingType.DIALOGUE,
                col(Meeting.confidential).is_(False))
         .order_by(AgendaTheme.position))
    for theme, owner, agenda_id, school_id in session.exec(q):
        if school_id not in by_id or (theme.from_school and not theme.accepted and public):
            continue
        owner = owner or (Owner.SCHOOL if theme.from_school else Owner.JOINT)
        key = (owner, _normal(theme.title))
        group = groups.setdefault(key, ThemeGroup(theme.title.strip(), owner))
        group.schools.append((by_id[school_id], agenda_id))
    # The committee's and the administration's points written on their items (Stevns 2.1).
    q_items = (select(AgendaItem, Agenda.id, Agenda.school_id)
               .join(Agenda, col(AgendaItem.agenda_id) == Agenda.id)
               .join(Meeting, col(Agenda.meeting_id) == Meeting.id)
               .where(Agenda.school_year_id == year.id,
                      Meeting.meeting_type == MeetingType.DIALOGUE,
                      col(Meeting.confidential).is_(False),
                      col(AgendaItem.owner).in_([Owner.COMMITTEE, Owner.ADMINISTRATION])))
    for item, agenda_id, school_id in session.exec(q_items):
        if school_id not in by_id or item.owner is None:
            continue
        for point in item.sub_points or []:
            if point.strip():
                group = groups.setdefault((item.owner, _normal(point)),
                                          ThemeGroup(point.strip(), item.owner))
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

    keywords: list[tuple[School | None, str]] = []
    if not public:
        for kw in session.exec(select(DebriefKeywords).where(
                DebriefKeywords.school_year_id == year.id).order_by(DebriefKeywords.id)):
            for line in kw.text.splitlines():
                if line.strip():
                    keywords.append((by_id.get(kw.school_id) if kw.school_id else None,
                                     line.strip(" -•\t")))
    return Summary(version, year, previous, rows, themes, this_year, last_year, keywords,
                   _highlights(session, principal, year, schools, public), outcomes)


def _highlights(session: Session, principal, year: SchoolYear, schools: list[School],
                public: bool) -> list[Highlight]:
    m_id = year.municipality_id
    audience = confidential.Audience.PUBLIC if public else confidential.Audience.SIGNED_IN
    municipality_secret = not confidential.can_see_confidential(
        principal, audience=audience, municipality_id=m_id, school_id=None, session=session)
    first = year.start_year - 4
    # The municipality's and the country's figures over five years (the trend), then the
    # schools' figures of this year for the chosen indicators only: two queries.
    # One part per level, as a UNION ALL: each is answered from its own index (an OR of the
    # two read every school's values in the country).
    span_years = (IndicatorValue.subgroup == "", IndicatorValue.start_year >= first,
                  IndicatorValue.start_year <= year.start_year)
    both = sa.union_all(
        select(IndicatorValue).where(IndicatorValue.municipality_id == m_id,
                                     IndicatorValue.level == Level.MUNICIPALITY, *span_years),
        select(IndicatorValue).where(IndicatorValue.level == Level.COUNTRY, *span_years),
    ).subquery()
    value = aliased(IndicatorValue, both)
    values = [(v, ind) for v, ind in session.execute(
        sa.select(value, Indicator).join(Indicator, both.c.indicator_id == Indicator.id))]
    # Chosen indicators: those with a municipal figure this year, in the catalogue's order.
    chosen = {ind.id: ind for v, ind in values if v.level is Level.MUNICIPALITY
              and v.start_year == year.start_year}
    ids = sorted(chosen, key=lambda i: (chosen[i].area_id, chosen[i].position))[:MAX_INDICATORS]
    values += [(v, chosen[v.indicator_id]) for v in session.exec(select(IndicatorValue).where(
        IndicatorValue.municipality_id == m_id, IndicatorValue.level == Level.SCHOOL,
        IndicatorValue.subgroup == "", IndicatorValue.start_year == year.start_year,
        col(IndicatorValue.indicator_id).in_(ids or [-1])))]
    cells: dict[tuple[int, Level, int | None, int], IndicatorValue] = {}
    for v, _ind in values:
        cells[(v.indicator_id, v.level, v.school_id, v.start_year)] = v
    school_may = {s.id: confidential.can_see_confidential(
        principal, audience=audience, municipality_id=m_id, school_id=s.id, session=session)
        for s in schools} if not public else {}
    span = list(range(first, year.start_year + 1))
    labels = [data.year_label(y) for y in span]
    out = []
    for i in ids:
        ind = chosen[i]

        def shown(v: IndicatorValue | None, *, secret: bool) -> float | None:
            if v is None or secret or (v.n is not None and v.n < MIN_N):
                return None
            return v.value

        memo: dict[tuple[float, bool], str] = {}

        def fmt(x: float | None, axis: bool = False, ind: Indicator = ind,
                memo: dict[tuple[float, bool], str] = memo) -> str:
            if x is None:
                return "–"
            if (x, axis) not in memo:
                memo[(x, axis)] = data.format_value(ind, x, axis=axis)
            return memo[(x, axis)]

        secret_here = ind.confidential and (public or municipality_secret)
        rows = []
        for s in schools:
            cell = cells.get((i, Level.SCHOOL, s.id, year.start_year))
            secret = ind.confidential and (public or not school_may.get(s.id, False))
            rows.append((s, fmt(shown(cell, secret=secret))))
        mun = [shown(cells.get((i, Level.MUNICIPALITY, None, y)), secret=secret_here) for y in span]
        country = [shown(cells.get((i, Level.COUNTRY, None, y)), secret=False) for y in span]
        series = [("municipality", _("Municipality"), mun), ("country", _("Denmark"), country)]
        chart = None
        if any(x is not None for x in mun + country):
            chart = charts.build(f"sum-{ind.key}", labels, series, axis_min=ind.axis_min,
                                 axis_max=ind.axis_max, min_change=ind.min_change,
                                 fmt=fmt)
        out.append(Highlight(ind, data.indicator_name(ind), rows, fmt(mun[-1]), fmt(country[-1]),
                             chart, labels, [(_("Municipality"), [fmt(x) for x in mun]),
                                             (_("Denmark"), [fmt(x) for x in country])]))
    return out
