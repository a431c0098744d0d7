"""The cycle templates of the catalogue, loaded and looked up.
"""

from collections.abc import Iterator

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.cycles.models import CycleTemplate, StepScope, TemplateStep
from app.meetings.models import MeetingType
from app.schools.models import PersonFunction

# --- the cycle catalogue ------------------------------------------------------------------

_STEP_FIELDS = ("title", "description", "attention_points", "responsible", "month", "month_end",
                "iso_week", "offset_from", "offset_days", "meeting_type", "duration_minutes",
                "duration_minutes_max", "occurrences", "location_kind", "confidential", "follows",
                "blocks")


def _template_steps(entry) -> list[dict]:
    """The steps of a catalogue file, checked: a broken file is refused whole."""
    from app.catalog import CatalogError

    functions = {f.value for f in PersonFunction}
    types = {t.value for t in MeetingType}
    steps = entry.data.get("steps") or []
    keys = [s.get("key") for s in steps]
    if not steps or None in keys or len(keys) != len(set(keys)):
        raise CatalogError(f"cycles/{entry.key}: every step needs a unique key")
    out = []
    for s in steps:
        where = f"cycles/{entry.key}, step {s['key']}"
        rules = [s.get("month") is not None, s.get("iso_week") is not None,
                 s.get("offset_from") is not None]
        if sum(rules) != 1:
            raise CatalogError(f"{where}: give exactly one of month, iso_week, offset_from")
        if s.get("offset_from") and s["offset_from"] not in keys:
            raise CatalogError(f"{where}: offset_from names no step")
        if s.get("follows") and s["follows"] not in keys:
            raise CatalogError(f"{where}: follows names no step")
        if s.get("meeting_type") and s["meeting_type"] not in types:
            raise CatalogError(f"{where}: unknown meeting_type {s['meeting_type']}")
        if s.get("blocks") is not None and (not isinstance(s["blocks"], int) or s["blocks"] < 1):
            raise CatalogError(f"{where}: blocks must be a whole number of half days")
        for p in s.get("participants", []):
            if p.rstrip("?") not in functions:
                raise CatalogError(f"{where}: unknown participant function {p}")
        try:
            scope = StepScope(s.get("scope", "municipal"))
        except ValueError as exc:
            raise CatalogError(f"{where}: {exc}") from exc
        row = {name: s.get(name) for name in _STEP_FIELDS}
        row.update(key=s["key"], scope=scope, participant_functions=list(s.get("participants", [])),
                   description=s.get("description", ""), responsible=s.get("responsible", ""),
                   attention_points=s.get("attention_points", ""),
                   occurrences=s.get("occurrences", 1), confidential=s.get("confidential", False))
        out.append(row)
    return out


def load_catalog(session: Session, entries) -> Iterator[str]:
    """Catalogue loader for cycle templates: by key, skipped when the file is unchanged."""
    for entry in entries:
        template = session.exec(select(CycleTemplate).where(
            col(CycleTemplate.municipality_id).is_(None), CycleTemplate.key == entry.key)).first()
        if template is not None and template.digest == entry.digest:
            continue
        steps = _template_steps(entry)
        created = template is None
        if created:
            template = CycleTemplate(key=entry.key, name="")
        template.name = entry.data.get("name", entry.key)
        template.description = entry.data.get("description", "")
        template.source = entry.data.get("source", "")
        template.digest = entry.digest
        session.add(template)
        session.flush()
        existing = {s.key: s for s in session.exec(
            select(TemplateStep).where(TemplateStep.template_id == template.id))}
        for position, data in enumerate(steps, start=1):
            row = existing.pop(data["key"], None) or TemplateStep(
                template_id=template.id, key=data["key"], position=position, title="")
            for name, value in data.items():
                setattr(row, name, value)
            row.position = position
            session.add(row)
        for gone in existing.values():
            session.delete(gone)
        session.commit()
        yield f"Cycle template {entry.key}: {'created' if created else 'updated'}."


def list_templates(session: Session, municipality_id: int | None = None) -> list[CycleTemplate]:
    """The catalogue's templates and the municipality's own."""
    stmt = select(CycleTemplate).where(or_(col(CycleTemplate.municipality_id).is_(None),
                                           CycleTemplate.municipality_id == municipality_id))
    return list(session.exec(stmt.order_by(CycleTemplate.name)))


def template_by_key(session: Session, key: str) -> CycleTemplate | None:
    return session.exec(select(CycleTemplate).where(
        col(CycleTemplate.municipality_id).is_(None), CycleTemplate.key == key)).first()


def template_steps(session: Session, template_id: int) -> list[TemplateStep]:
    return list(session.exec(select(TemplateStep).where(TemplateStep.template_id == template_id)
                             .order_by(TemplateStep.position)))
