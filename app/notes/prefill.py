"""A new note's sections, from its template and what the app knows of the dialogue: the
school, date and time, place, participants, the material sent, the themes on the agenda by
who brought them, the agenda's slots (Roskilde), and last year's agreements.

A template section (app/catalog/notes/*.toml) may say `prefill = "<source>"`; the text the
source gives replaces the template's placeholder lines. Sources:

  school · datetime · place · participants · material · last_agreements · themes ·
  themes:school · themes:committee · themes:administration · themes:ministry

and `per_agenda_item = true` repeats the section once per agenda item (not pauses), titled
with the item's clock time and title.
"""

from sqlmodel import Session

from app.cycles.models import SchoolYear
from app.i18n import format_time
from app.i18n import gettext as _
from app.meetings.models import Meeting
from app.notes.models import SectionKind, SectionWriter
from app.schools.models import School

TEXT = [{"key": "text", "label": ""}]


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def _with_lead(template_text: str, lines: list[str]) -> str:
    """Keep the template's lead line ("Følgende blev drøftet:"), replace its empty bullets."""
    lead = [ln for ln in template_text.splitlines() if ln.strip() and ln.strip() not in ("-", "•")]
    # A line the template already has ("Resultater af Nationale overgangstests …") once only.
    lines = [x for x in dict.fromkeys(lines)
             if not any(ln.lstrip("-• ").startswith(x) for ln in lead)]
    body = _bullets(lines) if lines else "- "
    return "\n".join(lead + [body]) if lead else body


def _agenda(session: Session, meeting: Meeting):
    from app.agendas import build as agenda_build
    from app.agendas import timeline as agenda_timeline

    agenda = agenda_build.agenda_for_meeting(session, meeting.id)
    if agenda is None:
        return None, None
    return agenda, agenda_timeline.timeline(session, agenda, meeting)


def _themes(session: Session, meeting: Meeting, owner: str | None) -> list[str]:
    agenda, line = _agenda(session, meeting)
    if agenda is None:
        return []
    out = []
    for row in line.rows:
        if owner and (row.item.owner is None or row.item.owner.value != owner):
            continue
        if row.themes:
            out += [t.title for t, _x in row.themes]
        elif owner and owner != "school" and row.item.kind.value == "item":
            out += list(row.item.sub_points) or [row.item.title]
    return out


def _participants(session: Session, meeting: Meeting) -> list[str]:
    from app.meetings import service as meetings

    out = []
    for person, _p in meetings.participants(session, meeting.id):
        out.append(f"{person.name}, {person.title}" if person.title else person.name)
    return out


def _material(session: Session, meeting: Meeting, school: School, year: SchoolYear) -> list[str]:
    from app.datapackages import service as packages

    out = []
    package = packages.get_package(session, school.id, year.id)
    if package is not None and getattr(package, "ready_at", None) is not None:
        out.append(_("The data package for %(year)s", year=year.label))
    agenda, line = _agenda(session, meeting)
    if agenda is not None:
        seen = set()
        for row in line.rows:
            for a in row.attachments + [x for _t, xs in row.themes for x in xs]:
                if a.title not in seen:
                    seen.add(a.title)
                    out.append(a.title)
    return out


def _last_agreements(session: Session, school: School, year: SchoolYear) -> list[str]:
    from app.notes import agreements
    from app.notes.models import AGREEMENT_STATUS_LABELS

    return [f"{a.text} ({_(AGREEMENT_STATUS_LABELS[a.status]).lower()})"
            for a in agreements.previous_year(session, school.id, year.start_year)]


def _source(session, source: str, meeting: Meeting, school: School, year: SchoolYear,
            template_text: str) -> str:
    from app.notes.service import meeting_when

    if source == "school":
        return school.name
    if source == "datetime":
        return meeting_when(meeting)
    if source == "place":
        return meeting.location or ""
    if source == "participants":
        return "\n".join(_participants(session, meeting))
    if source == "material":
        return _with_lead(template_text, _material(session, meeting, school, year))
    if source == "last_agreements":
        return _with_lead(template_text, _last_agreements(session, school, year))
    if source.startswith("themes"):
        owner = source.partition(":")[2] or None
        return _with_lead(template_text, _themes(session, meeting, owner))
    raise ValueError(f"unknown prefill source {source!r}")


def _writer(spec: dict) -> SectionWriter:
    """The template's writer; "owner" (per agenda item) is decided per item in _per_item."""
    writer = spec.get("writer", "administration")
    return SectionWriter.ADMINISTRATION if writer == "owner" else SectionWriter(writer)


def _item_writer(spec: dict, owner: str | None, position: int, *, from_agenda: bool
                 ) -> SectionWriter:
    """With `writer = "owner"`, the school writes the minutes of the school's own items (of
    the agenda, or the template's `school_slots` when there is none)."""
    if spec.get("writer") != "owner":
        return _writer(spec)
    school = owner == "school" if from_agenda else position in spec.get("school_slots", [])
    return SectionWriter.SCHOOL if school else SectionWriter.ADMINISTRATION


def sections(session: Session, template: dict, meeting: Meeting, school: School,
             year: SchoolYear) -> list[dict]:
    """NoteSection fields for every section of the template, pre-filled."""
    out = []
    for spec in template.get("sections", []):
        kind = SectionKind(spec.get("kind", "text"))
        fields = spec.get("fields") or TEXT
        base = {"kind": kind, "guidance": spec.get("guidance", ""), "fields": fields,
                "writer": _writer(spec), "confidential": bool(spec.get("confidential"))}
        if spec.get("per_agenda_item"):
            out += _per_item(session, spec, base, meeting)
            continue
        values = {f["key"]: f.get("text", "") for f in fields}
        if "text" in spec:
            values[fields[0]["key"]] = spec["text"]
        if spec.get("prefill"):
            values[fields[0]["key"]] = _source(session, spec["prefill"], meeting, school, year,
                                               spec.get("text", ""))
        out.append({**base, "key": spec["key"], "title": spec["title"], "values": values})
    return out


def _per_item(session: Session, spec: dict, base: dict, meeting: Meeting) -> list[dict]:
    """Roskilde 5.1: the note's "Referat" column, one section per agenda slot."""
    agenda, line = _agenda(session, meeting)
    rows = [r for r in (line.rows if line else []) if r.item.kind.value != "pause"]
    if not rows:  # no agenda: the template's own slots
        return [{**base, "key": f"{spec['key']}-{i}", "title": slot,
                 "writer": _item_writer(spec, None, i, from_agenda=False),
                 "values": {f["key"]: "" for f in base["fields"]}}
                for i, slot in enumerate(spec.get("slots", []), start=1)]
    out = []
    for i, row in enumerate(rows, start=1):
        when = ""
        if row.starts and row.ends:
            when = _("%(start)s–%(end)s", start=format_time(row.starts),
                     end=format_time(row.ends)) + " "
        owner = row.item.owner.value if row.item.owner is not None else None
        out.append({**base, "key": f"{spec['key']}-{i}", "title": f"{when}{row.item.title}",
                    "writer": _item_writer(spec, owner, i, from_agenda=True),
                    "values": {f["key"]: "" for f in base["fields"]}})
    return out
