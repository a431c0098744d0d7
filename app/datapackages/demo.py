"""Demo data packages: invented figures for every demo school over three school years.

Every figure is drawn from a seeded random generator around plausible levels: clearly
synthetic (the municipality is flagged `is_demo` and packages carry `is_demo`, so the UI says
so), and the same on every run. Loading twice changes nothing: values are added only where
none exist for the key, packages only where the school has none for the year, and nothing a
user changed is overwritten.
"""

import random
from collections.abc import Iterator

from sqlmodel import Session, select

from app.cycles import years as cycle_years
from app.datapackages import service
from app.datapackages.catalog import ensure_loaded
from app.datapackages.models import (
    COUNTRY_CODE,
    Indicator,
    IndicatorValue,
    Level,
    PackageFigure,
    PackageFile,
    PackageHighlight,
    PackageStatus,
)
from app.db import utcnow
from app.schools import service as schools
from app.schools.demo import SKANDERBORG
from app.schools.models import School

YEARS = (2023, 2024, 2025)

# indicator key → (centre, spread between schools, drift a year) of the invented figures
LEVELS = {
    "trivsel_samlet": (3.95, 0.15, 0.03), "trivsel_social": (4.05, 0.15, 0.03),
    "trivsel_faglig": (3.75, 0.15, 0.03), "trivsel_stoette_inspiration": (3.25, 0.2, 0.04),
    "trivsel_ro_orden": (3.7, 0.2, 0.04), "trivsel_03_glad_for_skolen": (88, 4, 2),
    "fravaer_samlet": (7.0, 1.0, 0.4),
    "kedsomhed_03": (22, 5, 2), "kedsomhed_49": (30, 6, 2), "stoette_inspiration_hoejest": (27, 5, 2),
    "afgang_bundne_gennemsnit": (7.2, 0.5, 0.2), "afgang_koensforskel": (0.7, 0.4, 0.2),
    "socio_reference": (7.1, 0.4, 0.1), "loefteevne_1aar": (0.0, 0.4, 0.3),
    "loefteevne_3aar": (0.0, 0.3, 0.1), "elever_saerlige_behov": (5.0, 1.5, 0.3),
}
TESTS = ("overgang_laesning_2", "overgang_laesning_3", "overgang_laesning_4", "overgang_laesning_6",
         "overgang_laesning_8", "overgang_matematik_2", "overgang_matematik_4",
         "overgang_matematik_6", "overgang_matematik_7", "overgang_matematik_8")
SENIOR = {"overgang_laesning_8", "overgang_matematik_7", "overgang_matematik_8",
          "afgang_bundne_gennemsnit", "afgang_koensforskel", "socio_reference",
          "loefteevne_1aar", "loefteevne_3aar"}
"""Figures that need grades 7–9: the small village schools here end after 6th grade."""

HIGHLIGHTS = [
    ("Ro og orden i udskolingen",
     "Vi er optaget af, at ro og orden ligger lavere i 7.–9. klasse end på mellemtrinnet. "
     "Tallene bekræfter, hvad lærerne fortæller, og vi vil se på klasseledelse i teamene."),
    ("Fravær efter jul",
     "Det samlede fravær er stort set uændret, men det ulovlige fravær fylder mere i foråret. "
     "Vi vil følge op sammen med PPR og forældrene."),
    ("Støtte og inspiration",
     "Vi vil forstå, hvad der giver eleverne støtte og inspiration i undervisningen. Hvad giver "
     "tallene anledning til lokalt – og hvad kan vi lære af de andre skoler?"),
]

KEY_POINTS = ("Demodata – opfundne tal til afprøvning.\n"
              "Forvaltningen har gennemgået tallene: se især afsnittene om trivsel og fravær, "
              "og hvad der er tydelige ændringer, og hvad der er almindelige udsving.")

ADMIN_TEXT = ("Forvaltningen foreslår, at samtalen særligt drøfter fraværet og elevernes oplevelse "
              "af støtte og inspiration. (Demodata.)")

SPECIAL_KEY_POINTS = ("Demodata – opfundne tal til afprøvning.\n"
                      "Skolen medbringer egne opgørelser; se tal og filer nedenfor.")

SPECIAL_FIGURES = [
    ("Elever indskrevet", "58", "Opgjort 5. september. (Demodata.)"),
    ("Elever med fuld skoledag", "41", "Mål i skolens handleplan. (Demodata.)"),
    ("Elever i delvis udslusning til almenskole", "6", ""),
]


def _draw(rng: random.Random, key: str, school_bias: float, year_index: int) -> float:
    centre, spread, drift = LEVELS[key]
    value = centre + school_bias * spread + rng.uniform(-drift, drift) * (1 + year_index * 0.3)
    return value


def _school_values(school: School, indicators: dict[str, Indicator]) -> list[dict]:
    rng = random.Random(int(school.institution_number))
    small = (school.student_count or 0) < 200
    bias = {key: rng.gauss(0, 1) for key in (*LEVELS, *TESTS)}
    rows = []

    def add(key: str, year: int, value: float, n: int | None, subgroup: str = "") -> None:
        ind = indicators[key]
        lo = ind.scale_min if ind.scale_min is not None else value
        hi = ind.scale_max if ind.scale_max is not None else value
        rows.append({"key": key, "start_year": year, "subgroup": subgroup,
                     "value": round(min(max(value, lo), hi), ind.decimals), "n": n})

    pupils = school.student_count or 300
    for i, year in enumerate(YEARS):
        count = round(pupils * (1 + (i - 2) * rng.uniform(-0.02, 0.03)))
        add("elever_antal", year, count, count)
        add("klasser_antal", year, max(7, round(count / 22)), count)
        for key in LEVELS:
            if small and key in SENIOR:
                continue
            n = round(count * (0.3 if key == "trivsel_03_glad_for_skolen" or key == "kedsomhed_03"
                               else 0.55))
            value = _draw(rng, key, bias[key], i)
            add(key, year, value, n)
            if key.startswith("trivsel_") and key != "trivsel_03_glad_for_skolen" and not small:
                # Wellbeing by grade band (Svendborg): the older pupils a little lower.
                add(key, year, value + 0.08, round(n * 0.5), "4.-6. klasse")
                add(key, year, value - 0.1, round(n * 0.5), "7.-9. klasse")
        total = _draw(rng, "fravaer_samlet", bias["fravaer_samlet"], i)
        add("fravaer_samlet", year, total, count)
        add("fravaer_sygdom", year, total * 0.62, count)
        add("fravaer_tilladelse", year, total * 0.24, count)
        add("fravaer_ulovligt", year, total * 0.14, count)
        if not small:
            avg = _draw(rng, "afgang_bundne_gennemsnit", bias["afgang_bundne_gennemsnit"], i)
            gap = abs(_draw(rng, "afgang_koensforskel", bias["afgang_koensforskel"], i))
            add("afgang_bundne_gennemsnit", year, avg + gap / 2, round(count / 20), "piger")
            add("afgang_bundne_gennemsnit", year, avg - gap / 2, round(count / 20), "drenge")
        cohort = max(4, round(count / (7 if small else 10)))
        for key in TESTS:
            if small and key in SENIOR:
                continue
            n = cohort
            if small and key == "overgang_matematik_6" and year == 2024:
                n = 4  # a tiny cohort: stored, shown blanked (public statistics' rule of 5)
            add(key, year, 60 + bias[key] * 8 + rng.uniform(-6, 6), n)
    return rows


def _level_rows(school_rows: list[list[dict]], indicators) -> tuple[list[dict], list[dict]]:
    """The municipality as the mean of its schools; Denmark a little below, for contrast."""
    sums: dict[tuple, list[float]] = {}
    for rows in school_rows:
        for r in rows:
            if r["subgroup"] == "":
                sums.setdefault((r["key"], r["start_year"]), []).append(r["value"])
    municipal, country = [], []
    for (key, year), values in sums.items():
        ind = indicators[key]
        mean = sum(values) / len(values)
        if ind.key in ("elever_antal", "klasser_antal"):
            continue
        municipal.append({"key": key, "start_year": year, "subgroup": "",
                          "value": round(mean, ind.decimals), "n": None})
        offset = -0.05 if ind.unit.value == "score" else (
            0.6 if key.startswith("fravaer") else -1.0 if key.startswith("overgang") else 0.0)
        country.append({"key": key, "start_year": year, "subgroup": "",
                        "value": round(mean + offset, ind.decimals), "n": None})
    return municipal, country


def _insert_missing(session: Session, rows: list[dict], indicators, *, level: Level, code: str,
                    school_id: int | None, municipality_id: int, existing: set) -> int:
    added = 0
    for r in rows:
        ind = indicators[r["key"]]
        key = (ind.id, r["start_year"], level, code, r["subgroup"])
        if key in existing:
            continue
        session.add(IndicatorValue(indicator_id=ind.id, start_year=r["start_year"], level=level,
                                   code=code, school_id=school_id,
                                   municipality_id=municipality_id if level is not Level.COUNTRY
                                   else None, subgroup=r["subgroup"], value=r["value"],
                                   n=r["n"]))
        existing.add(key)
        added += 1
    return added


def load(session: Session) -> Iterator[str]:
    ensure_loaded(session)
    m = schools.get_municipality_by_code(session, SKANDERBORG["kommunekode"])
    if m is None:
        return
    indicators = {i.key: i for i in session.exec(select(Indicator))}
    existing = {(v.indicator_id, v.start_year, v.level, v.code, v.subgroup)
                for v in session.exec(select(IndicatorValue).where(
                    IndicatorValue.start_year.in_(YEARS)))}
    all_schools = schools.list_schools(session, m.id)
    added = 0
    school_rows = []
    for school in all_schools:
        if service.brings_own_data(school):
            continue
        rows = _school_values(school, indicators)
        school_rows.append(rows)
        added += _insert_missing(session, rows, indicators, level=Level.SCHOOL,
                                 code=school.institution_number, school_id=school.id,
                                 municipality_id=m.id, existing=existing)
    municipal, country = _level_rows(school_rows, indicators)
    added += _insert_missing(session, municipal, indicators, level=Level.MUNICIPALITY,
                             code=m.kommunekode, school_id=None, municipality_id=m.id,
                             existing=existing)
    added += _insert_missing(session, country, indicators, level=Level.COUNTRY,
                             code=COUNTRY_CODE, school_id=None, municipality_id=m.id,
                             existing=existing)
    session.commit()
    if added:
        yield f"Added {added} demo figures for {m.name}."
    packages = 0
    for year_start in YEARS:
        year = cycle_years.find_school_year(session, m.id, year_start) \
            or cycle_years.create_school_year(session, m, year_start)
        for school in all_schools:
            if service.get_package(session, school.id, year.id) is None:
                _package(session, school, year, ready=year_start < YEARS[-1]
                         or school.name in ("Bakkeskolen", "Morten Børup Skolen"))
                packages += 1
    if packages:
        yield f"Created {packages} demo data packages."


def _package(session: Session, school: School, year, *, ready: bool) -> None:
    package = service.get_or_create_package(session, school, year)
    package.is_demo = True
    package.key_points = SPECIAL_KEY_POINTS if service.brings_own_data(school) else KEY_POINTS
    package.admin_text = ADMIN_TEXT
    if ready:
        package.status = PackageStatus.READY
        package.ready_at = utcnow()
    session.add(package)
    if service.brings_own_data(school):
        for label, value, note in SPECIAL_FIGURES:
            session.add(PackageFigure(package_id=package.id, label=label, value=value, note=note))
        text = (f"Demodata: {school.name}, skoleåret {year.label}\n"
                "Skolens egne opgørelser af trivsel og fravær (opfundne tal).\n"
                "Trivsel (egen måling, 1-5);3,8\nFravær i procent;9,5\n")
        session.add(PackageFile(package_id=package.id, filename=f"egne-data-{year.start_year}.csv",
                                content_type="text/csv", size=len(text.encode()),
                                content=text.encode()))
    elif ready:
        indicator_ids = {i.key: i.id for i in session.exec(select(Indicator))}
        for pos, ((title, reason), key) in enumerate(zip(HIGHLIGHTS, (
                "trivsel_ro_orden", "fravaer_ulovligt", "trivsel_stoette_inspiration")), start=1):
            session.add(PackageHighlight(package_id=package.id, position=pos, title=title,
                                         reason=reason, indicator_id=indicator_ids.get(key)))
    session.commit()
