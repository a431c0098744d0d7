"""The agenda as a Word document, laid out to be pasted onto the school's letterhead.

Stevns writes "Dagsorden kopieres til skolens eget brevpapir": so the document has no header,
footer, logo or colours of ours — plain paragraphs in the default style, a heading, the
items with times and minutes, sub-points and themes as lists, and the appendices by name.
"""

from io import BytesIO

from docx.shared import Pt
from sqlmodel import Session

from app.agendas import settings as agenda_settings
from app.agendas import timeline as agenda_timeline
from app.agendas.models import OWNER_LABELS, Agenda
from app.agendas.word import DEFAULT_PAGE, WordDocument, bullet_lines, docx_text
from app.i18n import format_date, format_time
from app.i18n import gettext as _
from app.meetings import service as meetings
from app.meetings.models import Meeting
from app.schools.models import Municipality, School

__all__ = ["DOCX_TYPE", "agenda_docx", "docx_text", "slug", "word_document"]

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def word_document(title: str = "", author: str = "", *, session: Session | None = None,
                  municipality_id: int | None = None) -> WordDocument:
    """A new, empty Word document for an export (A4 with the municipality's margins when one
    is given, Danish); user text in it is XML-safe."""
    page = (agenda_settings.page_setup(session, municipality_id)
            if session is not None and municipality_id is not None else DEFAULT_PAGE)
    return WordDocument(title=title, author=author, page=page)


def _named_by_sub_point(title: str, sub_points: list[str]) -> bool:
    """ "Trivsel – se bilag" already names the appendix "Trivsel": one line, not two."""
    t = title.strip().lower()
    return any(p.lower().startswith(t) and "bilag" in p.lower() for p in sub_points)


def _intro_lines(intro: str, has_participants: bool) -> list[tuple[str, bool]]:
    """The template's intro as (line, is_list_point); its "Deltagere:" line is left out when
    the meeting names its participants (printed once, above)."""
    out = []
    for raw in intro.replace("\r\n", "\n").split("\n"):
        if "brevpapir" in raw or (has_participants and raw.strip().lower().startswith("deltagere:")):
            continue
        prose, points = bullet_lines(raw)
        out += [(p, False) for p in prose] + [(p, True) for p in points]
    return out


def author(session: Session, agenda: Agenda) -> str:
    """The document's author: the municipality of the agenda's school."""
    school = session.get(School, agenda.school_id) if agenda.school_id else None
    municipality = session.get(Municipality, school.municipality_id) if school else None
    return municipality.name if municipality else ""


def file_name(session: Session, agenda: Agenda, extension: str) -> str:
    school = session.get(School, agenda.school_id) if agenda.school_id else None
    return f"dagsorden-{slug(school.name if school else 'dagsorden')}.{extension}"


def agenda_docx(session: Session, agenda: Agenda, meeting: Meeting) -> tuple[bytes, str]:
    line = agenda_timeline.timeline(session, agenda, meeting)
    heading = agenda.heading or meeting.title
    doc = word_document(title=heading, author=author(session, agenda), session=session,
                        municipality_id=meeting.municipality_id)
    doc.add_heading(heading, level=1)
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
    for text, point in _intro_lines(agenda.intro or "", bool(people)):
        doc.add_paragraph(text, style="List Bullet" if point else None)

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
        # Owner labels only on items added by hand: the templates' items name their owner in
        # their title or not at all (no seed agenda prints "Fælles").
        if item.owner is not None and item.key is None and not current_group:
            extra.append(_(OWNER_LABELS[item.owner]))
        # A clock time only for a real slot: an item without minutes has none.
        when = (f"{format_time(row.starts)}–{format_time(row.ends)}  "
                if row.starts and row.ends and item.minutes else "")
        title = f"{when}{label}{item.title}" + (f" ({', '.join(extra)})" if extra else "")
        doc.add_heading(title, level=3 if current_group else 2)
        if item.description:
            prose, points = bullet_lines(item.description)
            for para in prose:
                doc.add_paragraph(para)
            for point in points:
                doc.add_paragraph(point, style="List Bullet")
        for point in item.sub_points:
            doc.add_paragraph(point, style="List Bullet")
        for theme, files in row.themes:
            doc.add_paragraph(theme.title, style="List Bullet")
            prose, points = bullet_lines(theme.description or "")
            for para in prose:
                doc.add_paragraph(para, style="List Continue")
            for point in points:
                doc.add_paragraph(point, style="List Bullet 2")
            for a in files:
                doc.add_paragraph(_("Appendix: %(title)s", title=a.title), style="List Bullet 2")
        for a in row.attachments:
            if not _named_by_sub_point(a.title, item.sub_points):
                doc.add_paragraph(_("Appendix: %(title)s", title=a.title), style="List Bullet")
    if agenda.closing:
        doc.add_paragraph(agenda.closing)
    if agenda.footnote:
        note = doc.add_paragraph(agenda.footnote)
        for run in note.runs:
            run.font.size = Pt(9)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue(), file_name(session, agenda, "docx")


def slug(name: str) -> str:
    """A file name's part from a Danish name: "Ærø Skole" → "aeroe-skole"."""
    name = name.lower()
    for danish, ascii_ in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        name = name.replace(danish, ascii_)
    out = "".join(c if c.isascii() and c.isalnum() else "-" for c in name)
    return "-".join(part for part in out.split("-") if part)
