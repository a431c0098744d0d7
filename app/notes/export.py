"""A note to print, or as a Word document to paste onto the letterhead (like the agendas'
export: no header, footer or colours of ours).

Both show what the signed-in reader may see: a confidential section (the national test
results) only for those `publication.section_visible` lets see it. The content has the shape
of a published snapshot (PublishedNote.content), so one template renders both.
"""

from datetime import date
from io import BytesIO

from docx.shared import Pt
from sqlmodel import Session

from app import confidential
from app.agendas.export import DOCX_TYPE, slug, word_document
from app.cycles.models import SchoolYear
from app.i18n import format_date
from app.i18n import gettext as _
from app.notes import agreements, publication, service
from app.notes.models import AGREEMENT_STATUS_LABELS, RESPONSIBLE_LABELS, Note, SectionKind
from app.schools.models import School

__all__ = ["DOCX_TYPE", "note_content", "note_docx"]


def note_content(session: Session, note: Note, principal) -> dict:
    """The note as `principal` may read it, shaped like a published snapshot."""
    out = []
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
        if any(f["text"] for f in fields):
            out.append({"title": section.title, "kind": "text", "fields": fields,
                        "confidential": section.confidential})
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


def note_docx(session: Session, note: Note, principal) -> tuple[bytes, str]:
    content = note_content(session, note, principal)
    doc = word_document()
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(note.title, level=1)
    for section in content["sections"]:
        doc.add_heading(section["title"], level=2)
        if section["kind"] == "agreements":
            _docx_agreements(doc, content["agreements"])
            continue
        for field in section["fields"]:
            if not field["text"]:
                continue
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
    school = session.get(School, note.school_id)
    year = session.get(SchoolYear, note.school_year_id)
    return buffer.getvalue(), f"notat-{slug(school.name)}-{year.start_year}.docx"


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
