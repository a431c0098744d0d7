"""Notes (notater/referater) of the dialogues, their agreements (aftaler) and the published,
immutable versions the public reads.

A note is made of sections, each from its template (app/catalog/notes/*.toml). A section holds
one or more text fields (Nyborg's focus area has "Situationsbillede" and "Indsatser"); each
section is versioned on its own, so two editors of different sections never collide, and every
save — applied or not — is kept as a revision: nothing anyone wrote disappears.
"""

from datetime import date, datetime
from enum import Enum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import Timestamped, UTCDateTime, Versioned, enum_type, utcnow
from app.i18n import N_


class NoteStatus(str, Enum):
    DRAFT = "draft"
    COMMENTS = "comments"
    """Sent to the school for comments (leadership, and the board where the template has it)."""
    APPROVED = "approved"
    PUBLISHED = "published"


NOTE_STATUS_LABELS = {
    NoteStatus.DRAFT: N_("Draft"),
    NoteStatus.COMMENTS: N_("Sent to the school for comments"),
    NoteStatus.APPROVED: N_("Approved"),
    NoteStatus.PUBLISHED: N_("Published"),
}


class SectionWriter(str, Enum):
    """Who writes a section (the administration may always correct it)."""

    ADMINISTRATION = "administration"
    SCHOOL = "school"
    """School leadership, while the note is out for comments."""
    BOARD = "board"
    """The school board's comments (Svendborg 4.4), entered by the leadership or the board's
    representative while the note is out for comments."""


class SectionKind(str, Enum):
    TEXT = "text"
    """Free text in one or more fields."""
    AGREEMENTS = "agreements"
    """The agreements for the coming year: Agreement records, not text."""


class Responsible(str, Enum):
    SCHOOL = "school"
    ADMINISTRATION = "administration"
    BOTH = "both"


RESPONSIBLE_LABELS = {
    Responsible.SCHOOL: N_("The school"),
    Responsible.ADMINISTRATION: N_("The administration"),
    Responsible.BOTH: N_("Both"),
}


class AgreementStatus(str, Enum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


AGREEMENT_STATUS_LABELS = {
    AgreementStatus.NEW: N_("New"),
    AgreementStatus.IN_PROGRESS: N_("In progress"),
    AgreementStatus.DONE: N_("Completed"),
    AgreementStatus.DROPPED: N_("Dropped"),
}


class NoteTemplate(Timestamped, table=True):
    """A note template from the catalogue (app/catalog/notes/*.toml)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=200)
    source: str = Field(default="", max_length=300)
    data: dict = Field(default_factory=dict, sa_type=sa.JSON)
    digest: str = Field(default="", max_length=64)


class NoteSettings(Timestamped, Versioned, table=True):
    """A municipality's choices for its notes: which template, and whether and where it
    publishes them (the law requires neither)."""

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", unique=True, ondelete="CASCADE")
    template_key: str = Field(max_length=80)
    special_template_key: str | None = Field(default=None, max_length=80)
    """The template of its special and in-house schools (Roskilde 5.1), if another."""
    publishes: bool = True
    publication_place: str = Field(default="", max_length=300)
    """Where else the notes appear, in words (e.g. "på skolens hjemmeside")."""


class Note(Timestamped, Versioned, table=True):
    """The note of one dialogue. Its version rises with its status; sections carry their own."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True, ondelete="CASCADE")
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    school_id: int = Field(foreign_key="school.id", index=True, ondelete="CASCADE")
    school_year_id: int = Field(foreign_key="schoolyear.id", index=True, ondelete="CASCADE")
    template_key: str = Field(max_length=80)
    title: str = Field(max_length=300)
    status: NoteStatus = Field(default=NoteStatus.DRAFT,
                               sa_type=enum_type(NoteStatus, "note_status"))
    status_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class NoteSection(Timestamped, Versioned, table=True):
    __table_args__ = (sa.UniqueConstraint("note_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="note.id", index=True, ondelete="CASCADE")
    position: int
    key: str = Field(max_length=80)
    kind: SectionKind = Field(default=SectionKind.TEXT,
                              sa_type=enum_type(SectionKind, "note_section_kind"))
    title: str = Field(max_length=300)
    guidance: str = Field(default="", sa_type=sa.Text)
    """The template's help text for the writer (not part of the note)."""
    fields: list = Field(default_factory=list, sa_type=sa.JSON)
    """[{"key", "label"}]: the text fields of the section, in order."""
    values: dict = Field(default_factory=dict, sa_type=sa.JSON)
    """Field key → text."""
    writer: SectionWriter = Field(default=SectionWriter.ADMINISTRATION,
                                  sa_type=enum_type(SectionWriter, "note_section_writer"))
    confidential: bool = False
    """Internal by design (the national test results): never published, shown only to those
    app.confidential lets see the school's confidential data."""
    edited_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class NoteRevision(Timestamped, table=True):
    """Every save of a section, applied or not: the history, and the text of a save that lost
    a conflict until its writer chose."""

    id: int | None = Field(default=None, primary_key=True)
    section_id: int = Field(foreign_key="notesection.id", index=True, ondelete="CASCADE")
    based_on: int | None = None
    """The section version the editor started from."""
    values: dict = Field(default_factory=dict, sa_type=sa.JSON)
    applied: bool = True
    """False: it was based on an old version and is waiting for its writer's choice."""
    author_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    """For an unapplied save: when its writer chose (it stays in the history)."""


class Agreement(Timestamped, Versioned, table=True):
    """An agreement of a dialogue: followed up under the evaluation item of the same school's
    next agenda, where its status is updated."""

    __table_args__ = (sa.CheckConstraint("length(text) > 0", name="text"),)

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="note.id", index=True, ondelete="CASCADE")
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    school_id: int = Field(foreign_key="school.id", index=True, ondelete="CASCADE")
    school_year_id: int = Field(foreign_key="schoolyear.id", index=True, ondelete="CASCADE")
    """The school year of the dialogue that made it."""
    position: int
    text: str = Field(sa_type=sa.Text)
    responsible: Responsible = Field(default=Responsible.BOTH,
                                     sa_type=enum_type(Responsible, "agreement_responsible"))
    due_date: date | None = None
    status: AgreementStatus = Field(default=AgreementStatus.NEW,
                                    sa_type=enum_type(AgreementStatus, "agreement_status"))
    status_comment: str = Field(default="", sa_type=sa.Text)


class PublishedNote(Timestamped, table=True):
    """One published version of a note: written once, never changed. A correction is a new
    row with the next number; the public sees the newest and the history."""

    __table_args__ = (sa.UniqueConstraint("note_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="note.id", index=True, ondelete="CASCADE")
    municipality_id: int = Field(foreign_key="municipality.id", index=True, ondelete="CASCADE")
    school_id: int = Field(foreign_key="school.id", index=True, ondelete="CASCADE")
    school_year_id: int = Field(foreign_key="schoolyear.id", index=True, ondelete="CASCADE")
    number: int
    """1 for the first publication, 2 for the first correction, …"""
    title: str = Field(max_length=300)
    meeting_date: date | None = None
    content: dict = Field(default_factory=dict, sa_type=sa.JSON)
    """{"sections": [{"title", "fields": [{"label", "text"}]}], "agreements": [...]}: only what
    the public may read; confidential sections are left out when the snapshot is made."""
    correction: str = Field(default="", sa_type=sa.Text)
    """Why this version replaces the one before (empty for the first)."""
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    published_by_id: int | None = Field(default=None, foreign_key="user.id",
                                        ondelete="SET NULL")


class NoteComment(Timestamped, table=True):
    """A comment on one section of a note by the school while the note is out for comments,
    or the administration's answer to one (`parent_id`). Part of the note's history: never
    deleted, never edited, never published (the public snapshot is made of sections only)."""

    __table_args__ = (sa.CheckConstraint("length(text) > 0", name="text"),)

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(foreign_key="note.id", index=True, ondelete="CASCADE")
    section_id: int = Field(foreign_key="notesection.id", index=True, ondelete="CASCADE")
    parent_id: int | None = Field(default=None, foreign_key="notecomment.id", index=True,
                                  ondelete="CASCADE")
    """The comment this answers; None for a comment of its own."""
    author_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    text: str = Field(sa_type=sa.Text)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    """When the administration marked the comment as dealt with (comments only, not answers)."""
    resolved_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class TaskMailPreference(SQLModel, table=True):
    """A person's own choice (on their account page) about e-mails on what waits for them
    (app.notes.task_mail); no row means yes."""

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    wants_mail: bool


class TaskMailSent(SQLModel, table=True):
    """One e-mail about one task to one person: its key is unique, so two processes that scan
    at once send it once (the second insert fails and its transaction writes nothing)."""

    __table_args__ = (sa.UniqueConstraint("user_id", "event_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    event_key: str = Field(max_length=200)
    """What happened, e.g. "note:13:comments:2026-12-01T10:00:00" or "meeting:4:moved:3"."""
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
