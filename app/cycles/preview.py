"""A cycle template of the catalogue as a municipality would get it: every step with when,
who, how long and where, read-only (issue 15.8). Values the source doesn't give carry the
file's reason (`assumed`)."""

from app.catalog import assumed_reason, entry
from app.i18n import N_, get_locale, gettext
from app.meetings.models import MEETING_TYPE_LABELS, MeetingType
from app.schools.models import function_label

LOCATION_LABELS = {"school": N_("At the school"), "administration": N_("At the administration")}


def _month(m: int) -> str:
    from babel.dates import get_month_names

    return get_month_names("wide", locale=get_locale())[m]


def _when(step: dict, titles: dict[str, str]) -> str:
    if step.get("month") is not None:
        if step.get("month_end") and step["month_end"] != step["month"]:
            return f"{_month(step['month'])}–{_month(step['month_end'])}"
        return _month(step["month"])
    if step.get("iso_week") is not None:
        return gettext("week %(week)s", week=step["iso_week"])
    days, other = step.get("offset_days") or 0, titles.get(step.get("offset_from") or "", "")
    if days < 0:
        return gettext("%(days)s days before \"%(step)s\"", days=-days, step=other)
    if days == 0:
        return gettext("Together with \"%(step)s\"", step=other)
    return gettext("%(days)s days after \"%(step)s\"", days=days, step=other)


def _scope(step: dict) -> str:
    occurrences = step.get("occurrences", 1)
    if step.get("scope") == "per_school":
        if occurrences > 1:
            return gettext("%(count)s meetings with every school", count=occurrences)
        return gettext("A meeting with every school")
    if step.get("meeting_type"):
        return ""  # the meeting type's own label says it ("Internt møde", "Opsamling" …)
    return gettext("Once for the municipality")


def _duration(step: dict) -> str:
    low, high = step.get("duration_minutes"), step.get("duration_minutes_max")
    if not low:
        return ""
    if high:
        return gettext("%(min)s–%(max)s minutes", min=low, max=high)
    return gettext("%(minutes)s minutes", minutes=low)


def cycle_preview(key: str) -> dict | None:
    found = entry("cycles", key)
    if found is None:
        return None
    data = found.data
    titles = {s["key"]: s["title"] for s in data.get("steps", [])}
    steps = []
    for number, s in enumerate(data.get("steps", []), start=1):
        meeting_type = s.get("meeting_type")
        steps.append({
            "number": number, "key": s["key"], "title": s["title"],
            "when": _when(s, titles), "scope": _scope(s), "duration": _duration(s),
            "meeting_type": gettext(MEETING_TYPE_LABELS[MeetingType(meeting_type)])
            if meeting_type else "",
            "participants": [(function_label(p.rstrip("?")), not p.endswith("?"))
                             for p in s.get("participants", [])],
            "location": gettext(LOCATION_LABELS[s["location_kind"]])
            if s.get("location_kind") in LOCATION_LABELS else (s.get("location_kind") or ""),
            "responsible": s.get("responsible", ""),
            "description": s.get("description", ""),
            "attention_points": s.get("attention_points", ""),
            "confidential": bool(s.get("confidential")),
            "follows": titles.get(s.get("follows") or "", ""),
            "assumed": assumed_reason(s),
        })
    return {"key": found.key, "name": data.get("name", found.key),
            "description": data.get("description", ""), "source": data.get("source", ""),
            "steps": steps}
