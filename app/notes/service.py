"""Notes of the dialogues: made from the municipality's template, pre-filled from what the app
knows, written section by section without losing anyone's text, sent to the school for
comments, approved and published as immutable versions.

Agreements live in app.notes.agreements; the public snapshot in app.notes.publication.
"""

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from app.accounts.access import Principal
from app.catalog import templates_or_load, upsert_templates
from app.cycles.models import SchoolYear
from app.db import StaleVersion, check_version, utcnow
from app.forms import FieldError
from app.i18n import format_date, format_time
from app.i18n import gettext as _
from app.meetings.models import Meeting, MeetingType
from app.notes import policy
from app.notes.models import (
    Note,
    NoteRevision,
    NoteSection,
    NoteSettings,
    NoteStatus,
    NoteTemplate,
    PublishedNote,
    SectionKind,
    SectionWriter,
)
from app.schools.models import School, SchoolKind

# --- the catalogue -----------------------------------------------------------------------------


def load_templates(session: Session, entries) -> list[str]:
    """Catalogue loader (app/catalog/load.py): upsert by key, skip unchanged files."""
    return upsert_templates(session, NoteTemplate, entries, "Note template")


def list_templates(session: Session) -> list[NoteTemplate]:
    return templates_or_load(session, NoteTemplate, "notes", load_templates)


def get_template(session: Session, key: str) -> NoteTemplate | None:
    return next((t for t in list_templates(session) if t.key == key), None)


# --- a municipality's settings -----------------------------------------------------------------


class SettingsForm(BaseModel):
    template_key: str = Field(min_length=1, max_length=80)
    special_template_key: str | None = Field(default=None, max_length=80)
    publishes: bool = False
    publication_place: str = Field(default="", max_length=300)


def municipality_settings(session: Session, municipality_id: int) -> NoteSettings:
    """The municipality's settings, made from the catalogue's defaults on first use."""
    row = session.exec(select(NoteSettings).where(
        NoteSettings.municipality_id == municipality_id)).first()
    if row is None:
        templates = list_templates(session)
        default = next((t for t in templates if t.data.get("default")), templates[0])
        special = next((t for t in templates if t.data.get("for_kinds")), None)
        row = NoteSettings(municipality_id=municipality_id, template_key=default.key,
                           special_template_key=special.key if special else None)
        session.add(row)
        try:
            session.commit()
        except IntegrityError:  # made by a concurrent first request
            session.rollback()
            return municipality_settings(session, municipality_id)
        session.refresh(row)
    return row


def update_settings(session: Session, row: NoteSettings, data: SettingsForm, *,
                    expected_version: int | None) -> NoteSettings:
    check_version(row, expected_version)
    keys = {t.key for t in list_templates(session)}
    if data.template_key not in keys:
        raise FieldError("template_key", _("Choose one of the options."))
    if data.special_template_key and data.special_template_key not in keys:
        raise FieldError("special_template_key", _("Choose one of the options."))
    row.template_key = data.template_key
    row.special_template_key = data.special_template_key or None
    row.publishes = data.publishes
    row.publication_place = data.publication_place.strip()
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def template_for(session: Session, school: School) -> NoteTemplate:
    settings = municipality_settings(session, school.municipality_id)
    key = settings.template_key
    if settings.special_template_key and school.kind in (SchoolKind.SPECIAL, SchoolKind.INTERNAL):
        key = settings.special_template_key
    return get_template(session, key) or get_template(session, settings.template_key) \
        or list_templates(session)[0]


# --- the note of a dialogue --------------------------------------------------------------------


def note_for_meeting(session: Session, meeting_id: int) -> Note | None:
    return session.exec(select(Note).where(Note.meeting_id == meeting_id)).first()


def get_note(session: Session, note_id: int) -> Note | None:
    return session.get(Note, note_id)


def may_have_note(meeting: Meeting) -> bool:
    """A note per dialogue with a school."""
    return meeting.meeting_type is MeetingType.DIALOGUE and meeting.school_id is not None


def create_note(session: Session, meeting: Meeting, *, template_key: str | None = None) -> Note:
    """The dialogue's note, made from the template and pre-filled (app.notes.prefill).
    Returns the existing one if it is there already."""
    from app.notes import prefill

    if not may_have_note(meeting):
        raise FieldError("meeting", _("Only a dialogue with a school has a note."))
    existing = note_for_meeting(session, meeting.id)
    if existing is not None:
        return existing
    school = session.get(School, meeting.school_id)
    year = session.get(SchoolYear, meeting.school_year_id)
    template = (get_template(session, template_key) if template_key else None) \
        or template_for(session, school)
    note = Note(meeting_id=meeting.id, municipality_id=meeting.municipality_id,
                school_id=school.id, school_year_id=year.id, template_key=template.key,
                title=template.data.get("title", "{school} {school_year}").format(
                    school=school.name, school_year=year.label))
    session.add(note)
    try:
        session.flush()
        for pos, spec in enumerate(prefill.sections(session, template.data, meeting, school, year),
                                   start=1):
            session.add(NoteSection(note_id=note.id, position=pos, **spec))
        session.commit()
    except (IntegrityError, OperationalError):
        # Two first clicks at once: the other request made it.
        session.rollback()
        found = note_for_meeting(session, meeting.id)
        if found is None:
            raise
        return found
    session.refresh(note)
    return note


def sections(session: Session, note_id: int) -> list[NoteSection]:
    return list(session.exec(select(NoteSection).where(NoteSection.note_id == note_id)
                             .order_by(NoteSection.position)))


def get_section(session: Session, note: Note, section_id: int) -> NoteSection | None:
    row = session.get(NoteSection, section_id)
    return row if row is not None and row.note_id == note.id else None


def notes_for_school(session: Session, school_id: int, principal: Principal) -> list[Note]:
    """The school's notes `principal` may read, newest school year first."""
    return list(session.exec(
        select(Note).join(SchoolYear, SchoolYear.id == Note.school_year_id)
        .where(Note.school_id == school_id, policy.readable_notes(principal))
        .order_by(col(SchoolYear.start_year).desc())))


def notes_for_year(session: Session, school_year_id: int) -> dict[int, Note]:
    """meeting id → note, for the step pages' status columns."""
    return {n.meeting_id: n for n in session.exec(
        select(Note).where(Note.school_year_id == school_year_id))}


# --- writing: nothing lost between editors -----------------------------------------------------


@dataclass
class Conflict:
    """A save based on an old version: not applied. `mine` is kept as a revision until the
    writer chooses; `theirs` is what is stored now."""

    section: NoteSection
    mine: dict
    theirs: dict
    revision: NoteRevision


def clean_values(section: NoteSection, values: dict) -> dict:
    """Only the section's own fields, as text with Windows line ends made plain."""
    keys = [f["key"] for f in section.fields]
    return {k: str(values.get(k, "") or "").replace("\r\n", "\n") for k in keys}


def save_section(session: Session, section: NoteSection, values: dict, *,
                 expected_version: int | None, author_id: int | None) -> NoteSection | Conflict:
    """Apply the editor's text if it was based on the stored version; otherwise keep it as an
    unapplied revision and return a Conflict for the editor to resolve."""
    values = clean_values(section, values)
    if section.kind is not SectionKind.TEXT:
        raise FieldError("section", _("This section is not written as text."))
    if expected_version is not None and expected_version == section.version \
            and values == clean_values(section, section.values):
        return section  # an autosave of nothing new: no version, no revision
    try:
        check_version(section, expected_version)
        section.values = values
        section.edited_by_id = author_id
        session.add(section)
        session.add(NoteRevision(section_id=section.id, based_on=expected_version,
                                 values=values, applied=True, author_id=author_id))
        session.commit()
    except StaleVersion:
        return _conflict(session, section, values, expected_version, author_id)
    except Exception as exc:  # the mapper's version check: a save slipped in between
        from sqlalchemy.orm.exc import StaleDataError

        if not isinstance(exc, StaleDataError):
            raise
        session.rollback()
        session.refresh(section)
        return _conflict(session, section, values, expected_version, author_id)
    session.refresh(section)
    return section


def _conflict(session: Session, section: NoteSection, values: dict, based_on: int | None,
              author_id: int | None) -> Conflict:
    session.rollback()
    session.refresh(section)
    revision = NoteRevision(section_id=section.id, based_on=based_on, values=values,
                            applied=False, author_id=author_id)
    session.add(revision)
    session.commit()
    session.refresh(section)
    return Conflict(section=section, mine=values, theirs=clean_values(section, section.values),
                    revision=revision)


def pending_revisions(session: Session, section_id: int, author_id: int | None
                      ) -> list[NoteRevision]:
    """Saves of this writer that lost a conflict and await their choice."""
    return list(session.exec(select(NoteRevision).where(
        NoteRevision.section_id == section_id, col(NoteRevision.applied).is_(False),
        NoteRevision.resolved_at.is_(None), NoteRevision.author_id == author_id
    ).order_by(col(NoteRevision.id))))


def resolve_conflict(session: Session, section: NoteSection, revision: NoteRevision,
                     values: dict, *, expected_version: int | None, author_id: int | None
                     ) -> NoteSection | Conflict:
    """The writer chose (their text, the stored one, or a merge of both): save it against
    the version they saw side by side. The losing revision stays in the history."""
    result = save_section(session, section, values, expected_version=expected_version,
                          author_id=author_id)
    if isinstance(result, NoteSection):
        revision.resolved_at = utcnow()
        session.add(revision)
        session.commit()
    return result


def history(session: Session, section_id: int) -> list[NoteRevision]:
    return histories(session, [section_id]).get(section_id, [])


def histories(session: Session, section_ids: list[int]) -> dict[int, list[NoteRevision]]:
    """The revisions of these sections, newest first, in one query, by section id."""
    found: dict[int, list[NoteRevision]] = {i: [] for i in section_ids}
    if section_ids:
        for r in session.exec(select(NoteRevision).where(
                col(NoteRevision.section_id).in_(section_ids)).order_by(
                col(NoteRevision.id).desc())):
            found[r.section_id].append(r)
    return found


def pending_in(revisions: list[NoteRevision], author_id: int | None) -> list[NoteRevision]:
    """Of a section's revisions, the saves of this writer that lost a conflict and await their
    choice, oldest first (as `pending_revisions`)."""
    return sorted((r for r in revisions if not r.applied and r.resolved_at is None
                   and r.author_id == author_id), key=lambda r: r.id or 0)


# --- workflow ----------------------------------------------------------------------------------

TRANSITIONS = {
    NoteStatus.DRAFT: {NoteStatus.COMMENTS, NoteStatus.APPROVED},
    NoteStatus.COMMENTS: {NoteStatus.DRAFT, NoteStatus.APPROVED},
    NoteStatus.APPROVED: {NoteStatus.DRAFT, NoteStatus.PUBLISHED},
    NoteStatus.PUBLISHED: set(),
}


def set_status(session: Session, note: Note, status: NoteStatus, *,
               expected_version: int | None) -> Note:
    """Move the note along draft → comments → approved. Publishing goes through
    app.notes.publication.publish, which writes the immutable version."""
    check_version(note, expected_version)
    if status is NoteStatus.PUBLISHED or status not in TRANSITIONS[note.status]:
        raise FieldError("status", _("The note cannot go from “%(a)s” to “%(b)s”.",
                                     a=_(status_label(note.status)), b=_(status_label(status))))
    note.status = status
    note.status_changed_at = utcnow()
    session.add(note)
    session.commit()
    session.refresh(note)
    return note


def status_label(status: NoteStatus) -> str:
    from app.notes.models import NOTE_STATUS_LABELS

    return NOTE_STATUS_LABELS[status]


def writable_by_school(note: Note, section: NoteSection) -> bool:
    """School leadership (and the board's representative) write their own sections while the
    note is out for comments."""
    return note.status is NoteStatus.COMMENTS and section.writer in (
        SectionWriter.SCHOOL, SectionWriter.BOARD)


def meeting_when(meeting: Meeting) -> str:
    if meeting.starts_at is None:
        return ""
    text = format_date(meeting.starts_at)
    if not meeting.all_day:
        text += " " + _("at %(time)s", time=format_time(meeting.starts_at))
        if meeting.ends_at:
            text += "–" + format_time(meeting.ends_at)
    return text


def now() -> datetime:
    return utcnow()


def schools_with_note(session: Session, step_id: int, school_ids: list[int], *,
                      published: bool) -> set[int]:
    """Of the schools given, those whose meeting in the step has a note (a published one)."""
    query = select(Note.school_id).join(Meeting, col(Meeting.id) == Note.meeting_id).where(
        Meeting.step_id == step_id, col(Note.school_id).in_(school_ids))
    if published:
        query = query.join(PublishedNote, col(PublishedNote.note_id) == Note.id)
    return set(session.exec(query))
