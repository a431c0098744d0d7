"""Appendices (bilag): uploaded files, links, and the data package's sections.
"""

import secrets
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session

from app.agendas.models import Agenda, AgendaItem, AgendaTheme, Attachment, AttachmentKind
from app.forms import FieldError
from app.i18n import N_
from app.i18n import gettext as _
from app.registry import Registry

# --- appendices (bilag) ------------------------------------------------------------------------

MAX_FILE_MB = 10
"""Largest uploaded appendix. The whole request is also capped by SUS_MAX_UPLOAD_MB."""

FILE_TYPES = {
    "pdf": ("application/pdf", N_("PDF")),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             N_("Word document")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             N_("Excel workbook")),
}


def sniff(content: bytes) -> str | None:
    """The file's real type from its content: "pdf", "docx", "xlsx" or None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(content)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def upload_dir() -> Path:
    """Outside static/: files are only served through a route that checks access."""
    from app import config

    path = config.VAR_DIR / "uploads" / "agendas"
    path.mkdir(parents=True, exist_ok=True)
    return path


def add_file(session: Session, agenda: Agenda, *, file_name: str, content: bytes,
             title: str | None, item: AgendaItem | None = None,
             theme: AgendaTheme | None = None, from_school: bool = False) -> Attachment:
    if not content:
        raise FieldError("file", _("Choose a file."))
    if len(content) > MAX_FILE_MB * 1024 * 1024:
        raise FieldError("file", _("The file is too large: at most %(mb)s MB.", mb=MAX_FILE_MB))
    kind = sniff(content)
    extension = Path(file_name).suffix.lower().lstrip(".")
    if kind is None or extension != kind:
        raise FieldError("file", _("Only PDF, Word (.docx) and Excel (.xlsx) files can be "
                                   "attached, and the file's content must match its name."))
    stored = f"{secrets.token_hex(16)}.{kind}"
    (upload_dir() / stored).write_bytes(content)
    row = Attachment(agenda_id=agenda.id, item_id=item.id if item else None,
                     theme_id=theme.id if theme else None, kind=AttachmentKind.FILE,
                     title=(title or Path(file_name).stem)[:200], file_name=Path(file_name).name[:200],
                     stored_name=stored, content_type=FILE_TYPES[kind][0], size=len(content),
                     from_school=from_school)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


class LinkForm(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=500)

    @field_validator("url")
    @classmethod
    def _web_or_local(cls, v: str) -> str:
        if not (v.startswith(("https://", "http://")) or (v.startswith("/") and not v.startswith("//"))):
            raise ValueError(N_("Must be a web address beginning with https://"))
        return v


def add_link(session: Session, agenda: Agenda, data: LinkForm, *, item: AgendaItem | None = None,
             theme: AgendaTheme | None = None, from_school: bool = False) -> Attachment:
    row = Attachment(agenda_id=agenda.id, item_id=item.id if item else None,
                     theme_id=theme.id if theme else None, kind=AttachmentKind.LINK,
                     title=data.title, url=data.url, from_school=from_school)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def get_attachment(session: Session, attachment_id: int) -> Attachment | None:
    return session.get(Attachment, attachment_id)


def attachment_path(row: Attachment) -> Path | None:
    if row.kind is not AttachmentKind.FILE or not row.stored_name:
        return None
    path = upload_dir() / row.stored_name
    return path if path.is_file() else None


def remove_file(row: Attachment) -> None:
    path = attachment_path(row)
    if path is not None:
        path.unlink(missing_ok=True)


def what_removing_does(row: Attachment) -> list[str]:
    """What removing the appendix does, said before it is done."""
    if row.kind is AttachmentKind.FILE:
        said = [_("The file %(name)s is deleted; it cannot be brought back, only uploaded "
                  "again.", name=row.file_name or row.title)]
    elif row.kind is AttachmentKind.LINK:
        said = [_("The link is taken off the agenda; the page it points to is not touched.")]
    else:
        said = [_("The appendix is taken off the agenda; the data package keeps its section.")]
    return said + [_("Those who read the agenda no longer see it.")]


def delete_attachment(session: Session, row: Attachment) -> None:
    remove_file(row)
    session.delete(row)
    session.commit()


# The data-packages domain says where a section of a school's package lives.
data_section_urls: Registry[Callable[[Session, int, int, str], str | None]] = Registry(
    "agendas.data_section_urls")
"""provider(session, school_id, school_year_id, section_key) → URL or None."""


def attachment_url(session: Session, agenda: Agenda, row: Attachment) -> str | None:
    if row.kind is AttachmentKind.FILE:
        return f"/attachments/{row.id}"
    if row.kind is AttachmentKind.LINK:
        return row.url
    if agenda.school_id is None:
        return None
    for provider in data_section_urls:
        url = provider(session, agenda.school_id, agenda.school_year_id, row.data_section or "")
        if url:
            return url
    return None
