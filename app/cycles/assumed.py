"""What a step holds that its source doesn't give: the catalogue marks such steps
`assumed = true` with a one-line `assumed_reason`, and names the facts in `assumed_fields`
("dates", "duration", "participants", "location", "attention_points"). The pages mark each
such fact "antaget" while the step still has the template's value; once the municipality has
changed it (dates set by hand, another duration, other participants …) the mark goes.
"""

from sqlmodel import Session, select

from app.catalog import read
from app.cycles.models import CycleTemplate, SchoolYear, Step, TemplateStep

FACT_ATTRIBUTES = {
    "dates": ("month", "month_end", "iso_week", "offset_from", "offset_days"),
    "duration": ("duration_minutes", "duration_minutes_max"),
    "participants": ("participant_functions",),
    "location": ("location_kind",),
    "attention_points": ("attention_points",),
}
"""A fact shown on the step pages → the step's attributes it is made of."""


def catalogue_assumptions(template_key: str) -> dict[str, tuple[list[str], str]]:
    """Step key → (assumed facts, reason) in the catalogue file of `template_key`."""
    entry = next((e for e in read("cycles") if e.key == template_key), None)
    steps = entry.data.get("steps", []) if entry else []
    return {s["key"]: (list(s.get("assumed_fields", [])), s.get("assumed_reason", ""))
            for s in steps if s.get("assumed")}


def year_assumptions(session: Session, year: SchoolYear,
                     steps: list[Step]) -> dict[int, dict[str, str]]:
    """Step id → {fact: reason} for the facts of `steps` still as the template assumed them."""
    template = session.get(CycleTemplate, year.template_id) if year.template_id else None
    if template is None:
        return {}
    assumptions = catalogue_assumptions(template.key)
    if not assumptions:
        return {}
    originals = {t.key: t for t in session.exec(select(TemplateStep).where(
        TemplateStep.template_id == template.id))}
    out: dict[int, dict[str, str]] = {}
    for step in steps:
        facts, reason = assumptions.get(step.key, ([], ""))
        original = originals.get(step.key)
        if original is None or step.id is None:
            continue
        marks = {fact: reason for fact in facts
                 if not (fact == "dates" and step.dates_by_hand)
                 and all(getattr(step, a) == getattr(original, a) for a in FACT_ATTRIBUTES[fact])}
        if marks:
            out[step.id] = marks
    return out


def step_assumptions(session: Session, year: SchoolYear, step: Step) -> dict[str, str]:
    """{fact: reason} for the step's facts still as the template assumed them."""
    return year_assumptions(session, year, [step]).get(step.id or 0, {})
