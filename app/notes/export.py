"""A note to print, or as a Word document to paste onto the letterhead (like the agendas'
export: no header, footer or colours of ours).

Both show what the signed-in reader may see: a confidential section (the national test
results) only for those `publication.section_visible` lets see it. The content has the shape
of a published snapshot (PublishedNote.content), so one template renders both.
"""

from datetime import date
from io import BytesIO

from sqlmodel import Session

from app import confidential
from app.agendas.export import DOCX_TYPE, docx_text, slug, word_document
from app.cycles.models import SchoolYear
from app.i18n import format_date
from app.i18n import gettext as _
from app.notes import agreements, publication, service
from app.notes.models import AGREEMENT_STATUS_LABELS, RESPONSIBLE_LABELS, Note, SectionKind
from app.schools.models import Municipality, School

__all__ = ["DOCX_TYPE", "note_content", "note_docx"]


def note_content(session: Session, note: Note, principal) -> dict:
    """The note as `principal` may read it, shaped like a published snapshot."""
    out = []
    template = service.get_template(session, note.template_key)
    tables = {s.get("key"): s.get("table") for s in (template.data.get("sections", [])
                                                      if template else [])}
    for section in service.sections(session, note.id):
        if not publication.section_visible(section, principal=principal, note=note,
                                           audience=confidential.Audience.SIGNED_IN,
                                           session=session):
            continue
        if section.kind is SectionKind.AGREEMENTS:
            out.append({"title": section.title, "kind": "agreements", "fields": []})
            continue
        fields = [{"label": f.get("label", ""),
                   "text": (section.values.get(f["key"]) or "").strip()} for f in section.fields]
        # Every section of the template, empty ones too: a new note prints as the
        # municipality's form, with room to write in.
        out.append({"title": section.title, "kind": "text", "fields": fields,
                    "confidential": section.confidential, "table": tables.get(section.key)})
    agreed = [{"text": a.text, "responsible": _(RESPONSIBLE_LABELS[a.responsible]),
               "due_date": a.due_date.isoformat() if a.due_date else None,
               "status": _(AGREEMENT_STATUS_LABELS[a.status])}
              for a in agreements.for_note(session, note.id)]
    return {"sections": out, "agreements": agreed}


def agreements_title(content: dict) -> str | None:
    """The heading the agreements go under when the template has no section for them."""
    if content["agreements"] and not any(s["kind"] == "agreements" for s in content["sections"]):
        return _("Agreements")
    return None


def table_groups(sections: list[dict]) -> list[list[dict]]:
    """Consecutive text sections of the same `table` (catalogue) form one table, as in the
    seeds (Nyborg's focus area × situation × initiatives); every other section stands alone
    (a group of one; with two or more fields it is a table of its own: Svendborg's two
    columns)."""
    groups: list[list[dict]] = []
    for section in sections:
        table = section.get("table")
        if table and groups and groups[-1][0].get("table") == table:
            groups[-1].append(section)
        else:
            groups.append([section])
    return groups


def _labels(section: dict) -> tuple[str, ...] | None:
    fields = section.get("fields") or []
    if section["kind"] != "text" or len(fields) < 2:
        return None
    return tuple(f["label"] for f in fields)


EMPTY_LINES = 3
"""Empty paragraphs under an empty section: room to write in on the printed form."""


def note_docx(session: Session, note: Note, principal) -> tuple[bytes, str]:
    content = note_content(session, note, principal)
    school = session.get(School, note.school_id)
    year = session.get(SchoolYear, note.school_year_id)
    municipality = session.get(Municipality, school.municipality_id)
    doc = word_document(title=note.title, author=municipality.name, session=session,
                        municipality_id=municipality.id)
    doc.add_heading(note.title, level=1)
    for group in table_groups(content["sections"]):
        if group[0].get("table") or _labels(group[0]):
            _docx_table(doc, group)
            continue
        section = group[0]
        doc.add_heading(section["title"], level=2)
        if section["kind"] == "agreements":
            _docx_agreements(doc, content["agreements"])
            continue
        if not any(f["text"] for f in section["fields"]):
            for _i in range(EMPTY_LINES):
                doc.add_paragraph("")
            continue
        for field in section["fields"]:
            if field["label"] and len(section["fields"]) > 1:
                doc.add_heading(field["label"], level=3)
            for para in field["text"].split("\n\n"):
                doc.add_paragraph(para)
    extra = agreements_title(content)
    if extra:
        doc.add_heading(extra, level=2)
        _docx_agreements(doc, content["agreements"])
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue(), f"notat-{slug(school.name)}-{year.start_year}.docx"


def _docx_table(doc, group: list[dict]) -> None:
    """One Word table: a header row (the sections' title column, then the field labels) and a
    row per section; a table of one section has its title above it."""
    labels = _labels(group[0]) or ()
    if len(group) == 1:
        doc.add_heading(group[0]["title"], level=2)
        table = doc.add_table(rows=2, cols=len(labels))
        header, cells = table.rows[0].cells, [table.rows[1].cells]
    else:
        table = doc.add_table(rows=1 + len(group), cols=1 + len(labels))
        header = table.rows[0].cells[1:]
        cells = [row.cells[1:] for row in table.rows[1:]]
        table.rows[0].cells[0].text = docx_text(group[0].get("table") or "")
        for run in table.rows[0].cells[0].paragraphs[0].runs:
            run.bold = True
        for row, section in zip(table.rows[1:], group, strict=True):
            row.cells[0].text = docx_text(section["title"])
    for cell, label in zip(header, labels, strict=True):
        cell.text = docx_text(label)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row_cells, section in zip(cells, group, strict=True):
        for cell, field in zip(row_cells, section["fields"], strict=True):
            cell.text = docx_text(field["text"]) if field["text"] else ""
            if not field["text"]:  # room to write in
                cell.add_paragraph("")
                cell.add_paragraph("")
    doc.add_paragraph("")


def _docx_agreements(doc, rows: list[dict]) -> None:
    if not rows:
        doc.add_paragraph(_("No agreements."))
    for row in rows:
        facts = [_("Responsible: %(who)s", who=row["responsible"])]
        if row["due_date"]:
            facts.append(_("due %(date)s", date=format_date(_date(row["due_date"]), "long")))
        facts.append(_("status: %(status)s", status=row["status"]))
        doc.add_paragraph(f"{row['text']} ({', '.join(facts)})", style="List Number")


def _date(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


TEMPLATE_HELPERS = {"as_date": _date, "agreements_title": agreements_title}
"""What templates/notes/public/_content.html needs besides the content."""
