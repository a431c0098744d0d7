"""The agenda as a Word document, laid out to be pasted onto the school's letterhead.

Stevns writes "Dagsorden kopieres til skolens eget brevpapir": so the document has no header,
footer, logo or colours of ours — plain paragraphs in the default style, a heading, the
items with times and minutes, sub-points and themes as lists, and the appendices by name.
"""

import re
from io import BytesIO

from docx import Document
from docx.shared import Pt
from sqlmodel import Session

from app.agendas import timeline as agenda_timeline
from app.agendas.models import OWNER_LABELS, Agenda
from app.i18n import format_date, format_time
from app.i18n import gettext as _
from app.meetings import service as meetings
from app.meetings.models import Meeting
from app.schools.models import School

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# What XML 1.0, and so a .docx, cannot hold: lxml refuses the whole document for one of them.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def docx_text(text: str) -> str:
    """Text as a .docx can hold it. Word's soft line break (\\x0b, what a text copied from
    Word carries for Shift+Enter) and a form feed become line breaks; other control
    characters are dropped."""
    return _NOT_IN_XML.sub("", text.replace("\x0b", "\n").replace("\x0c", "\n"))


class _WordDocument:
    """A python-docx Document whose headings and paragraphs pass through docx_text()."""

    def __init__(self):
        self._doc = Document()

    def add_heading(self, text: str = "", level: int = 1):
        return self._doc.add_heading(docx_text(text), level=level)

    def add_paragraph(self, text: str = "", style=None):
        return self._doc.add_paragraph(docx_text(text), style=style)

    def __getattr__(self, name):
        return getattr(self._doc, name)


def word_document() -> _WordDocument:
    """A new, empty Word document for an export; user text in it is made XML-safe."""
    return _WordDocument()


def agenda_docx(session: Session, agenda: Agenda, meeting: Meeting) -> tuple[bytes, str]:
    school = session.get(School, agenda.school_id) if agenda.school_id else None
    line = agenda_timeline.timeline(session, agenda, meeting)
    doc = word_document()
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(agenda.heading or meeting.title, level=1)
    facts = []
    if meeting.starts_at:
        facts.append(_("%(date)s at %(time)s", date=format_date(meeting.starts_at),
                       time=format_time(meeting.starts_at)))
    if meeting.location:
        facts.append(_("Place: %(place)s", place=meeting.location))
    people = [p.name for p, _x in meetings.participants(session, meeting.id)]
    if people:
        facts.append(_("Participants: %(names)s", names=", ".join(people)))
    for fact in facts:
        doc.add_paragraph(fact)
    if agenda.intro and "brevpapir" not in agenda.intro:
        doc.add_paragraph(agenda.intro)

    current_group = None
    for row in line.rows:
        item = row.item
        if row.group_start:
            doc.add_heading(f"{row.number}. {item.group}", level=2)
        current_group = item.group or None
        label = f"{row.number}. " if row.number and not current_group else ""
        extra = []
        if item.minutes is not None:
            extra.append(_("%(minutes)s min", minutes=item.minutes))
        if item.owner is not None and not current_group:
            extra.append(_(OWNER_LABELS[item.owner]))
        when = f"{format_time(row.starts)}–{format_time(row.ends)}  " if row.starts else ""
        title = f"{when}{label}{item.title}" + (f" ({', '.join(extra)})" if extra else "")
        doc.add_heading(title, level=3 if current_group else 2)
        if item.description:
            doc.add_paragraph(item.description)
        for point in item.sub_points:
            doc.add_paragraph(point, style="List Bullet")
        for theme, files in row.themes:
            doc.add_paragraph(theme.title + (f": {theme.description}" if theme.description
                                             else ""), style="List Bullet")
            for a in files:
                doc.add_paragraph(_("Appendix: %(title)s", title=a.title), style="List Bullet 2")
        for a in row.attachments:
            doc.add_paragraph(_("Appendix: %(title)s", title=a.title), style="List Bullet")
    if agenda.closing:
        doc.add_paragraph(agenda.closing)
    if agenda.footnote:
        note = doc.add_paragraph(agenda.footnote)
        for run in note.runs:
            run.font.size = Pt(9)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue(), f"dagsorden-{slug(school.name if school else 'dagsorden')}.docx"


def slug(name: str) -> str:
    """A file name's part from a Danish name: "Ærø Skole" → "aeroe-skole"."""
    name = name.lower()
    for danish, ascii_ in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        name = name.replace(danish, ascii_)
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in name)
    return "-".join(part for part in out.split("-") if part)
