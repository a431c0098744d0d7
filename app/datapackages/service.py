"""Data packages: what a school's package holds and shows, and the rules for changing it.

Confidential indicators (national tests, § 55 b) are asked about in one place,
`app.confidential.can_see_confidential`; when the answer is no, their values below national
level are not even read from the database, so no template can leak them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from app import confidential
from app.accounts.access import Principal
from app.catalog import read as read_catalog
from app.config import get_settings
from app.cycles.models import SchoolYear
from app.datapackages import charts
from app.datapackages.catalog import ensure_loaded
from app.datapackages.models import (
    COUNTRY_CODE,
    SMALL_GROUP,
    DataImport,
    DataSettings,
    Indicator,
    IndicatorArea,
    IndicatorValue,
    IndicatorValueHistory,
    Level,
    Package,
    PackageFigure,
    PackageFile,
    PackageHighlight,
    PackageStatus,
    Unit,
)
from app.db import check_version, utcnow
from app.forms import FieldError
from app.i18n import N_, format_number, get_locale
from app.i18n import gettext as _
from app.meetings.models import Meeting, MeetingType
from app.schools.models import Municipality, School, SchoolKind

YEARS_SHOWN = 5
"""Trends show at most this many school years, ending with the package's."""

OWN_DATA_KINDS = (SchoolKind.SPECIAL, SchoolKind.INTERNAL)
"""Schools that bring their own data instead of the indicators (Stevns: "bilag ikke for
specialskoler – skolen indhenter egen data")."""

MAX_FILE_BYTES = 10 * 1024 * 1024
ALLOWED_FILE_TYPES = {
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


# --- addresses -------------------------------------------------------------------------------


def package_url(school_id: int, school_year_id: int, *, absolute: bool = False) -> str:
    """The package page of a school for a school year: what agendas link and what a calendar
    event carries (only this link, never a figure). Valid before the package exists."""
    path = f"/schools/{school_id}/years/{school_year_id}/package"
    return get_settings().base_url.rstrip("/") + path if absolute else path


def section_url(session: Session, school_id: int, school_year_id: int,
                section_key: str) -> str | None:
    """Where a heading of the package lives ("wellbeing", "absence", "national_tests" …: the
    catalogue's area keys), for an agenda's data-package attachment; "" is the whole package."""
    url = package_url(school_id, school_year_id)
    if not section_key:
        return url
    known = session.exec(select(IndicatorArea.id).where(IndicatorArea.key == section_key)).first()
    if known is None and section_key != "own-data":
        return None
    return f"{url}#{'own-data' if section_key == 'own-data' else 'area-' + section_key}"


def calendar_text(school_id: int, school_year_id: int) -> str:
    """All a calendar event (or an invitation) says about the package: its address. Never a
    figure: feeds are an audience that may not see confidential data (app/confidential.py)."""
    return _("Data package: %(url)s", url=package_url(school_id, school_year_id, absolute=True))


def calendar_texts(session: Session):
    for package in session.exec(select(Package)):
        yield (f"package {package.id}", calendar_text(package.school_id, package.school_year_id))


# --- settings --------------------------------------------------------------------------------


def get_settings_for(session: Session, municipality_id: int) -> DataSettings:
    found = session.get(DataSettings, municipality_id)
    return found or DataSettings(municipality_id=municipality_id)


def save_settings(session: Session, municipality_id: int, *, board_representative: bool,
                  expected_version: int | None) -> DataSettings:
    found = session.get(DataSettings, municipality_id)
    if found is None:
        found = DataSettings(municipality_id=municipality_id)
    else:
        check_version(found, expected_version)
    found.board_representative_sees_confidential = board_representative
    session.add(found)
    session.commit()
    session.refresh(found)
    return found


# --- packages --------------------------------------------------------------------------------


def default_template() -> dict:
    entries = read_catalog("packages")
    return entries[0].data if entries else {}


def dialogue_not_before(session: Session, meeting: Meeting) -> datetime | None:
    """For the scheduler: a school's dialogue comes after its data package is ready and
    shared (issue 4); other meetings don't wait for it."""
    if meeting.meeting_type is not MeetingType.DIALOGUE or meeting.school_id is None:
        return None
    package = get_package(session, meeting.school_id, meeting.school_year_id)
    return package.ready_at if package is not None else None


def get_package(session: Session, school_id: int, school_year_id: int) -> Package | None:
    return session.exec(select(Package).where(Package.school_id == school_id,
                                              Package.school_year_id == school_year_id)).first()


def packages_by_key(session: Session, school_ids: list[int],
                    school_year_ids: list[int]) -> dict[tuple[int, int], Package]:
    """The packages of these schools in these years in one query, by (school id, year id)."""
    if not school_ids or not school_year_ids:
        return {}
    rows = session.exec(select(Package).where(col(Package.school_id).in_(school_ids),
                                              col(Package.school_year_id).in_(school_year_ids)))
    return {(p.school_id, p.school_year_id): p for p in rows}


def get_or_create_package(session: Session, school: School, year: SchoolYear) -> Package:
    package = get_package(session, school.id, year.id)
    if package is None:
        template = default_template()
        package = Package(school_id=school.id, school_year_id=year.id,
                          reflection_questions="\n".join(template.get("reflection_questions", [])))
        session.add(package)
        session.commit()
        session.refresh(package)
    return package


class PackageTextForm(BaseModel):
    key_points: str = Field(default="", max_length=20_000)
    admin_text: str = Field(default="", max_length=20_000)
    reflection_questions: str = Field(default="", max_length=10_000)


TEXT_LABELS = {
    "key_points": N_("Key points"),
    "admin_text": N_("The administration's remarks"),
    "reflection_questions": N_("Reflection questions"),
}


def update_texts(session: Session, package: Package, data: PackageTextForm, *,
                 expected_version: int | None) -> Package:
    check_version(package, expected_version)
    for name, value in data.model_dump().items():
        setattr(package, name, (value or "").strip())
    session.add(package)
    session.commit()
    session.refresh(package)
    return package


def mark_ready(session: Session, package: Package, user_id: int | None) -> Package:
    package.status = PackageStatus.READY
    package.ready_at = utcnow()
    package.ready_by_user_id = user_id
    session.add(package)
    session.commit()
    session.refresh(package)
    return package


def mark_draft(session: Session, package: Package) -> Package:
    package.status = PackageStatus.DRAFT
    package.ready_at = None
    package.ready_by_user_id = None
    session.add(package)
    session.commit()
    session.refresh(package)
    return package


def highlights(session: Session, package_id: int) -> list[PackageHighlight]:
    return list(session.exec(select(PackageHighlight)
                             .where(PackageHighlight.package_id == package_id)
                             .order_by(PackageHighlight.position)))


class HighlightForm(BaseModel):
    title: str = Field(default="", max_length=200)
    indicator: str = Field(default="", max_length=80)
    reason: str = Field(default="", max_length=5_000)


def save_highlights(session: Session, package: Package, items: list[HighlightForm],
                    *, expected_version: int | None) -> list[PackageHighlight]:
    """Replace the school's (up to) three highlights. A highlight needs a title; a reason
    without one is an error, so nothing typed is silently dropped."""
    check_version(package, expected_version)
    errors: list[FieldError] = []
    indicators = {i.key: i.id for i in session.exec(select(Indicator))}
    for pos, item in enumerate(items[:3], start=1):
        if not item.title.strip() and (item.reason.strip() or item.indicator):
            errors.append(FieldError(f"title_{pos}", _("Give the highlight a title.")))
        if item.indicator and item.indicator not in indicators:
            errors.append(FieldError(f"indicator_{pos}", _("Choose one of the options.")))
    if errors:
        raise errors[0] if len(errors) == 1 else MultipleFieldErrors(errors)
    for old in highlights(session, package.id):
        session.delete(old)
    session.flush()
    for pos, item in enumerate(items[:3], start=1):
        if item.title.strip():
            session.add(PackageHighlight(package_id=package.id, position=pos,
                                         title=item.title.strip(), reason=item.reason.strip(),
                                         indicator_id=indicators.get(item.indicator)))
    package.updated_at = utcnow()  # bumps the version: a concurrent save is a conflict
    session.add(package)
    session.commit()
    return highlights(session, package.id)


class MultipleFieldErrors(Exception):
    def __init__(self, errors: list[FieldError]):
        super().__init__(", ".join(e.field for e in errors))
        self.errors = errors


def figures(session: Session, package_id: int) -> list[PackageFigure]:
    return list(session.exec(select(PackageFigure).where(PackageFigure.package_id == package_id)
                             .order_by(PackageFigure.id)))


class FigureForm(BaseModel):
    label: str = Field(min_length=1, max_length=200)
    value: str = Field(min_length=1, max_length=100)
    note: str = Field(default="", max_length=5_000)


def add_figure(session: Session, package: Package, data: FigureForm) -> PackageFigure:
    figure = PackageFigure(package_id=package.id, label=data.label, value=data.value,
                           note=data.note or "")
    session.add(figure)
    session.commit()
    session.refresh(figure)
    return figure


def files(session: Session, package_id: int) -> list[PackageFile]:
    # Not the content: listing a package never loads every file into memory.
    return list(session.exec(
        select(PackageFile).where(PackageFile.package_id == package_id)
        .order_by(PackageFile.id)
        .options(defer(PackageFile.content))
    ))


def add_file(session: Session, package: Package, filename: str, content: bytes,
             user_id: int | None) -> PackageFile:
    import os.path

    name = os.path.basename(filename.replace("\\", "/")).strip()[:200]
    ext = os.path.splitext(name)[1].lower()
    if not name or not content:
        raise FieldError("file", _("Choose a file."))
    if ext not in ALLOWED_FILE_TYPES:
        raise FieldError("file", _("Files of this type cannot be attached. Allowed: %(types)s.",
                                   types=", ".join(sorted(ALLOWED_FILE_TYPES))))
    if len(content) > MAX_FILE_BYTES:
        raise FieldError("file", _("The file is larger than %(mb)s MB.",
                                   mb=MAX_FILE_BYTES // (1024 * 1024)))
    f = PackageFile(package_id=package.id, filename=name, content_type=ALLOWED_FILE_TYPES[ext],
                    size=len(content), content=content, uploaded_by_user_id=user_id)
    session.add(f)
    session.commit()
    session.refresh(f)
    return f


# --- values ----------------------------------------------------------------------------------


def brings_own_data(school: School) -> bool:
    return school.kind in OWN_DATA_KINDS


def year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def indicator_name(indicator: Indicator | IndicatorArea) -> str:
    return indicator.name_en if get_locale() == "en" and indicator.name_en else indicator.name


def area_description(area: IndicatorArea) -> str:
    return area.description_en if get_locale() == "en" and area.description_en \
        else area.description


def format_value(indicator: Indicator, value: float | None, *, signed: bool = False,
                 axis: bool = False) -> str:
    if value is None:
        return ""
    decimals = 0 if axis and float(value).is_integer() else indicator.decimals
    text = format_number(round(value, decimals), decimals)
    if signed and value > 0:
        text = "+" + text
    return text


def format_delta(indicator: Indicator, value: float, *, signed: bool = False) -> str:
    """A difference: shares differ in percentage points, not per cent."""
    text = format_value(indicator, value, signed=signed)
    if indicator.unit is Unit.PERCENT:
        return _("%(value)s percentage points", value=text)
    return text


def unit_suffix(indicator: Indicator) -> str:
    return {Unit.PERCENT: " %", Unit.SCORE: "", Unit.GRADE: "", Unit.GRADE_POINTS: "",
            Unit.COUNT: ""}[indicator.unit]


UNIT_LABELS = {
    Unit.SCORE.value: N_("Score"),
    Unit.PERCENT.value: N_("Percent"),
    Unit.GRADE.value: N_("Grade"),
    Unit.GRADE_POINTS.value: N_("Grade points"),
    Unit.COUNT.value: N_("Number"),
}


def month_names(months: list[int]) -> str:
    from babel.dates import get_month_names

    names = get_month_names("wide", locale=get_locale())
    return ", ".join(names[m] for m in months)


@dataclass
class Cell:
    value: float | None = None
    n: int | None = None

    @property
    def blanked(self) -> bool:
        """Fewer than 5 individuals: stored, never shown."""
        return self.value is not None and self.n is not None and self.n < SMALL_GROUP

    @property
    def shown(self) -> float | None:
        return None if self.blanked else self.value


@dataclass
class Change:
    kind: str
    """none | up | down | unknown"""
    delta: float | None
    text: str
    judgement: str = ""
    """better | worse | "" (neither, or no clear change)."""


@dataclass
class IndicatorView:
    indicator: Indicator
    name: str
    years: list[str]
    school: list[Cell]
    municipality: list[Cell]
    country: list[Cell]
    groups: list[tuple[str, Cell]]
    change: Change
    comparison: str
    chart: charts.Chart | None
    blanked_any: bool

    @property
    def current(self) -> Cell:
        return self.school[-1]


@dataclass
class AreaView:
    area: IndicatorArea
    name: str
    description: str
    indicators: list[IndicatorView] = field(default_factory=list)
    withheld: bool = False
    """Confidential and this reader may not see it: only a notice is shown."""


def _change(ind: Indicator, prev: Cell, cur: Cell, prev_year: str) -> Change:
    if prev.shown is None or cur.shown is None:
        return Change("unknown", None, _("No comparison with the year before."))
    # Compared as shown (rounded), so 4,0 → 4,2 is a change of exactly 0,2.
    delta = round(cur.shown - prev.shown, ind.decimals)
    threshold = ind.min_change
    if abs(delta) < threshold or delta == 0:
        return Change("none", delta, _(
            "No clear change since %(year)s (%(delta)s; changes under %(threshold)s are "
            "within the usual variation).", year=prev_year,
            delta=format_delta(ind, delta, signed=True),
            threshold=format_delta(ind, threshold)))
    kind = "up" if delta > 0 else "down"
    judgement = ""
    if ind.higher_is_better is not None:
        judgement = "better" if (delta > 0) == ind.higher_is_better else "worse"
    size = format_delta(ind, abs(delta))
    text = (_("Up %(delta)s since %(year)s.", delta=size, year=prev_year) if kind == "up"
            else _("Down %(delta)s since %(year)s.", delta=size, year=prev_year))
    return Change(kind, delta, text, judgement)


def _comparison(ind: Indicator, school: Cell, country: Cell) -> str:
    if school.shown is None or country.shown is None:
        return ""
    diff = round(school.shown - country.shown, ind.decimals)
    if abs(diff) < ind.min_change or diff == 0:
        return _("On level with Denmark.")
    if diff > 0:
        return _("%(diff)s above Denmark.", diff=format_delta(ind, diff))
    return _("%(diff)s below Denmark.", diff=format_delta(ind, -diff))


def _load_values(session: Session, indicator_ids: list[int], school: School,
                 years: list[int]) -> dict:
    """(indicator_id, level, subgroup, start_year) → Cell, for the school, its municipality
    and Denmark; only for the indicators asked for."""
    if not indicator_ids:
        return {}
    # One query per level, as one UNION ALL: each part is answered from its own index (the
    # school's, the municipality's, the country's values); an OR of the three made SQLite read
    # every school's values nationwide.
    asked = (col(IndicatorValue.indicator_id).in_(indicator_ids),
             col(IndicatorValue.start_year).in_(years))
    # The six columns a cell needs, as rows: hundreds of ORM objects cost more than the query.
    columns = (col(IndicatorValue.indicator_id), col(IndicatorValue.level),
               col(IndicatorValue.subgroup), col(IndicatorValue.start_year),
               col(IndicatorValue.value), col(IndicatorValue.n))
    parts = [
        sa.select(*columns).where(IndicatorValue.school_id == school.id, *asked),
        # With the code too, both are read from the unique index's leading columns alone.
        sa.select(*columns).where(IndicatorValue.municipality_id == school.municipality_id,
                                  IndicatorValue.level == Level.MUNICIPALITY,
                                  IndicatorValue.code == sa.select(col(Municipality.kommunekode))
                                  .where(Municipality.id == school.municipality_id)
                                  .scalar_subquery(), *asked),
        sa.select(*columns).where(IndicatorValue.level == Level.COUNTRY,
                                  IndicatorValue.code == COUNTRY_CODE, *asked),
    ]
    rows = session.execute(sa.union_all(*parts)).all()
    return {(iid, Level(level), sub, start): Cell(value, n)
            for iid, level, sub, start, value, n in rows}


def package_view(session: Session, principal: Principal, school: School,
                 year: SchoolYear) -> dict:
    """Everything the package page shows, with confidential values left out unless
    app.confidential says this reader may see them."""
    ensure_loaded(session)
    sees_confidential = confidential.can_see_confidential(
        principal, audience=confidential.Audience.SIGNED_IN,
        municipality_id=school.municipality_id, school_id=school.id, session=session)
    areas = list(session.exec(select(IndicatorArea).order_by(IndicatorArea.position)))
    indicators = list(session.exec(select(Indicator).order_by(Indicator.position)))
    start_years = list(range(year.start_year - YEARS_SHOWN + 1, year.start_year + 1))
    readable = [i.id for i in indicators
                if sees_confidential or not confidential.value_is_confidential(
                    i.confidential, national=False)]
    cells = _load_values(session, readable, school, start_years)
    # Years with any figure for this school: a trend does not start with empty years.
    school_years = sorted({k[3] for k in cells if k[1] is Level.SCHOOL})
    shown_years = [y for y in start_years if school_years and y >= school_years[0]] \
        or [year.start_year]
    labels = [year_label(y) for y in shown_years]
    has_any: dict[int, bool] = defaultdict(bool)
    for (iid, level, _sub, _y) in cells:
        if level is Level.SCHOOL:
            has_any[iid] = True
    # Only whether withheld figures exist is read, never a value: the notice needs it.
    withheld_ids = [i.id for i in indicators if i.id not in readable]
    confidential_with_data = set(session.exec(
        select(IndicatorValue.indicator_id).distinct().where(
            col(IndicatorValue.indicator_id).in_(withheld_ids),
            IndicatorValue.school_id == school.id,
            col(IndicatorValue.start_year).in_(start_years))).all()) if withheld_ids else set()
    result: list[AreaView] = []
    for area in areas:
        view = AreaView(area, indicator_name(area), area_description(area))
        for ind in (i for i in indicators if i.area_id == area.id):
            if ind.id in confidential_with_data:
                view.withheld = True
                continue
            if not has_any[ind.id]:
                continue
            view.indicators.append(_indicator_view(ind, cells, shown_years, labels,
                                                   year.start_year))
        if view.indicators or view.withheld:
            result.append(view)
    return {
        "areas": result,
        "years": labels,
        "sees_confidential": sees_confidential,
        "observations": _observations(result),
        # For a template with a structure (Svendborg 3.1): its elements name indicators.
        "by_key": {iv.indicator.key: iv for a in result for iv in a.indicators},
        "withheld_keys": {i.key for i in indicators if i.id in confidential_with_data},
        "catalogue": {i.key: i for i in indicators},
    }


def _indicator_view(ind: Indicator, cells: dict, years: list[int], labels: list[str],
                    current_year: int) -> IndicatorView:
    def series(level: Level) -> list[Cell]:
        return [cells.get((ind.id, level, "", y), Cell()) for y in years]

    school, municipality, country = (series(Level.SCHOOL), series(Level.MUNICIPALITY),
                                     series(Level.COUNTRY))
    groups = sorted((sub, cell) for (iid, level, sub, y), cell in cells.items()
                    if iid == ind.id and level is Level.SCHOOL and sub and y == current_year)
    change = (_change(ind, school[-2], school[-1], labels[-2]) if len(years) >= 2
              else Change("unknown", None, _("No comparison with the year before.")))
    chart = None
    if any(c.shown is not None for c in school + municipality + country):
        chart = charts.build(
            f"chart-{ind.key}", labels,
            [("school", _("School"), [c.shown for c in school]),
             ("municipality", _("Municipality"), [c.shown for c in municipality]),
             ("country", _("Denmark"), [c.shown for c in country])],
            axis_min=ind.axis_min, axis_max=ind.axis_max, min_change=ind.min_change,
            fmt=lambda v, axis=False: format_value(ind, v, axis=axis))
    blanked = any(c.blanked for c in school + municipality + country) or any(
        c.blanked for _, c in groups)
    return IndicatorView(ind, indicator_name(ind), labels, school, municipality, country,
                         groups, change, _comparison(ind, school[-1], country[-1]), chart,
                         blanked)


def _observations(areas: list[AreaView]) -> list[str]:
    """Automatic key points: clear changes and clear differences from Denmark only."""
    found = []
    for area in areas:
        for iv in area.indicators:
            if iv.change.kind in ("up", "down") and iv.indicator.higher_is_better is not None:
                found.append(f"{iv.name}: {iv.change.text}")
            elif iv.comparison and iv.indicator.higher_is_better is not None \
                    and iv.comparison != _("On level with Denmark."):
                found.append(f"{iv.name}: {iv.comparison}")
    return found[:8]


def indicator_choices(session: Session) -> list[tuple[str, str]]:
    ensure_loaded(session)
    # Three columns, not the catalogue's objects: every package page asks for them.
    english = get_locale() == "en"
    return [(key, name_en if english and name_en else name) for key, name, name_en in
            session.exec(select(Indicator.key, Indicator.name, Indicator.name_en)
                         .order_by(Indicator.position))]


# --- overviews -------------------------------------------------------------------------------


def catalogue(session: Session) -> list[tuple[IndicatorArea, list[Indicator]]]:
    ensure_loaded(session)
    areas = list(session.exec(select(IndicatorArea).order_by(IndicatorArea.position)))
    indicators = list(session.exec(select(Indicator).order_by(Indicator.position)))
    return [(a, [i for i in indicators if i.area_id == a.id]) for a in areas]


def packages_for_year(session: Session, year: SchoolYear) -> dict[int, Package]:
    return {p.school_id: p for p in session.exec(
        select(Package).where(Package.school_year_id == year.id))}


def highlight_counts(session: Session, year: SchoolYear) -> dict[int, int]:
    from sqlalchemy import func

    return dict(session.exec(
        select(PackageHighlight.package_id, func.count())
        .join(Package, Package.id == PackageHighlight.package_id)
        .where(Package.school_year_id == year.id).group_by(PackageHighlight.package_id)).all())


def list_imports(session: Session, municipality_id: int, limit: int = 20) -> list[DataImport]:
    return list(session.exec(
        select(DataImport).where(DataImport.municipality_id == municipality_id)
        .options(defer(DataImport.content), defer(DataImport.outcomes))
        .order_by(col(DataImport.created_at).desc(), col(DataImport.id).desc()).limit(limit)))


def history_for(session: Session, import_id: int,
                limit: int = 500) -> list[tuple[IndicatorValueHistory, str]]:
    """The values an import replaced (kept in the history), with their indicator's key."""
    return list(session.exec(
        select(IndicatorValueHistory, Indicator.key)
        .join(Indicator, Indicator.id == IndicatorValueHistory.indicator_id)
        .where(IndicatorValueHistory.replaced_by_import_id == import_id)
        .order_by(IndicatorValueHistory.id).limit(limit)).all())
