"""The indicator catalogue: `app/catalog/indicators/*.toml` into the database.

One file is one area (a heading of the package) with its indicators; `[defaults]` hold what
its indicators share. Loading is keyed by the area's and indicators' keys: a second load of
unchanged files changes nothing, and a changed file updates its rows in place (imported
values hang on the indicator's id, so they stay). Indicators are never deleted by a load.
"""

from collections.abc import Iterator

from sqlmodel import Session, select

from app.catalog import CatalogError, Entry
from app.datapackages.models import Indicator, IndicatorArea, Unit
from app.i18n import N_

_FIELDS = ("name", "name_en", "description", "unit", "scale_min", "scale_max", "axis_min",
           "axis_max", "decimals", "higher_is_better", "min_change", "grades", "source",
           "arrival_months", "confidential", "first_year", "last_year")


def _indicator_fields(area_key: str, defaults: dict, raw: dict) -> dict:
    data = {**defaults, **raw}
    if "key" not in data or "name" not in data or "unit" not in data:
        raise CatalogError(f"indicators/{area_key}: an indicator needs key, name and unit")
    fields = {name: data.get(name) for name in _FIELDS}
    fields["unit"] = Unit(fields["unit"])
    # TOML has no null: "neither" for no direction, -1 for an open-ended year range,
    # "none" for an axis end the chart chooses.
    hib = fields["higher_is_better"]
    fields["higher_is_better"] = None if hib in (None, "neither") else bool(hib)
    for year in ("first_year", "last_year"):
        if fields[year] == -1:
            fields[year] = None
    months = fields["arrival_months"] or []
    if any(not 1 <= m <= 12 for m in months):
        raise CatalogError(f"indicators/{area_key}/{data['key']}: arrival months are 1–12")
    fields["arrival_months"] = list(months)
    fields["name_en"] = fields["name_en"] or ""
    fields["description"] = fields["description"] or ""
    fields["grades"] = fields["grades"] or ""
    fields["source"] = fields["source"] or ""
    fields["decimals"] = int(fields["decimals"] if fields["decimals"] is not None else 1)
    fields["min_change"] = float(fields["min_change"] or 0.0)
    fields["confidential"] = bool(fields["confidential"])
    for name in ("scale_min", "scale_max", "axis_min", "axis_max"):
        if fields[name] == "none":  # override a default with "no fixed end"
            fields[name] = None
        if fields[name] is not None:
            fields[name] = float(fields[name])
    return fields


def load(session: Session, entries: list[Entry]) -> Iterator[str]:
    areas = {a.key: a for a in session.exec(select(IndicatorArea))}
    indicators = {i.key: i for i in session.exec(select(Indicator))}
    seen: set[str] = set()
    changed_files = 0
    for entry in entries:
        area = areas.get(entry.key)
        if area is not None and area.digest == entry.digest:
            seen.update(raw["key"] for raw in entry.data.get("indicator", []))
            continue
        data = entry.data
        if area is None:
            area = IndicatorArea(key=entry.key, name=data["name"])
            session.add(area)
        area.position = int(data.get("position", 0))
        area.name = data["name"]
        area.name_en = data.get("name_en", "")
        area.description = data.get("description", "").strip()
        area.description_en = data.get("description_en", "").strip()
        area.digest = entry.digest
        session.flush()
        defaults = data.get("defaults", {})
        for position, raw in enumerate(data.get("indicator", []), start=1):
            fields = _indicator_fields(entry.key, defaults, raw)
            key = raw["key"]
            if key in seen:
                raise CatalogError(f"indicators: the key {key} is used twice")
            seen.add(key)
            indicator = indicators.get(key)
            if indicator is None:
                indicator = Indicator(key=key, area_id=area.id, **fields)
                indicators[key] = indicator
            indicator.area_id = area.id
            indicator.position = area.position * 100 + position
            for name, value in fields.items():
                setattr(indicator, name, value)
            session.add(indicator)
        changed_files += 1
    session.commit()
    if changed_files:
        yield f"Loaded {changed_files} indicator areas ({len(seen)} indicators)."


def ensure_loaded(session: Session) -> None:
    """Load the indicator catalogue if the database has none (tests, a fresh `sus import`)."""
    if session.exec(select(Indicator.id)).first() is None:
        from app.catalog import read

        for _ in load(session, read("indicators")):
            pass


# When each area's figures for a school year arrive (the data calendar, DESIGN.md): the
# package's empty state says so instead of showing dashes.
_WELLBEING = N_("The wellbeing survey is answered January–March; its results arrive in the spring.")
ARRIVALS = {
    "student_base": N_("The pupil figures arrive at the start of the school year."),
    "national_tests": N_("The national tests are taken August–October; their results arrive in May."),
    "absence": N_("The absence statistics arrive around November."),
    "wellbeing": _WELLBEING,
    "boredom_support": _WELLBEING,
    "exams": N_("The exit exams are held May–June; their results arrive after the summer holiday."),
    "value_added": N_("Value-added is computed from the exit exams; it arrives after the summer holiday."),
}
DEFAULT_ARRIVAL = N_("No figures for this school year have arrived yet.")
