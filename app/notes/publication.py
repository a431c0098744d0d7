"""Publishing a note: an immutable snapshot of what the public may read.

The snapshot is made with the same decision every page, export and feed uses
(`app.confidential.can_see_confidential` with the PUBLIC audience): a section the template
marks confidential (the national test results, § 55 b) is left out, and a confidential
meeting (LUS) is never published at all. A published version is never changed; a correction
publishes the next version, and the public sees the newest with the history beside it.
"""

import re

from sqlmodel import Session, col, select

from app import confidential
from app.cycles.models import SchoolYear
from app.db import check_version, utcnow
from app.forms import FieldError
from app.i18n import gettext as _
from app.i18n import local
from app.meetings.models import Meeting
from app.notes import agreements, service
from app.notes.models import (
    AGREEMENT_STATUS_LABELS,
    RESPONSIBLE_LABELS,
    Note,
    NoteSection,
    NoteStatus,
    PublishedNote,
    SectionKind,
)


def section_visible(section: NoteSection, *, principal, note: Note, audience,
                    session: Session | None = None) -> bool:
    """May this section be shown to `principal` in `audience`? The one rule for notes."""
    if not section.confidential:
        return True
    return confidential.can_see_confidential(
        principal, audience=audience, municipality_id=note.municipality_id,
        school_id=note.school_id, session=session)


def published_text(text: str) -> str:
    """The text without the template's unfilled placeholder lines ("-" bullets), and empty if
    only a lead line such as "Følgende blev drøftet:" is left."""
    lines = [ln.rstrip() for ln in (text or "").splitlines()
             if not re.fullmatch(r"[-•]|\d+\.", ln.strip())]
    kept = "\n".join(lines).strip()
    if all(ln.strip().endswith(":") for ln in lines if ln.strip()):
        return ""
    return kept


def snapshot(session: Session, note: Note) -> dict:
    """What the public may read of the note, as plain data."""
    out = []
    for section in service.sections(session, note.id):
        if not section_visible(section, principal=None, note=note,
                               audience=confidential.Audience.PUBLIC):
            continue
        if section.kind is SectionKind.AGREEMENTS:
            out.append({"title": section.title, "kind": "agreements", "fields": []})
            continue
        fields = [{"label": f.get("label", ""),
                   "text": published_text(section.values.get(f["key"]) or "")}
                  for f in section.fields]
        if any(f["text"] for f in fields):
            out.append({"title": section.title, "kind": "text", "fields": fields})
    agreed = [{"text": a.text, "responsible": _(RESPONSIBLE_LABELS[a.responsible]),
               "due_date": a.due_date.isoformat() if a.due_date else None,
               "status": _(AGREEMENT_STATUS_LABELS[a.status])}
              for a in agreements.for_note(session, note.id)]
    return {"sections": out, "agreements": agreed}


def can_publish(session: Session, note: Note) -> str | None:
    """None if the note may be published; else why not, in words for the user."""
    settings = service.municipality_settings(session, note.municipality_id)
    if not settings.publishes:
        return _("The municipality does not publish its notes (see the note settings).")
    meeting = session.get(Meeting, note.meeting_id)
    if meeting is None or meeting.confidential:
        return _("A confidential meeting's note is never published.")
    if note.status not in (NoteStatus.APPROVED, NoteStatus.PUBLISHED):
        return _("Approve the note before publishing it.")
    return None


def _refuse_unpublishable(session: Session, note: Note, correction: str) -> list[PublishedNote]:
    """Raise FieldError if the note may not be published now; else its published versions."""
    reason = can_publish(session, note)
    if reason:
        raise FieldError("status", reason)
    previous = versions(session, note.id)
    if previous and not correction.strip():
        raise FieldError("correction", _("Say briefly what the correction changes."))
    return previous


def what_publishing_does(session: Session, note: Note, correction: str = "") -> list[str]:
    """What publishing the note now will do, said before it is done (FieldError if it may not
    be published)."""
    previous = _refuse_unpublishable(session, note, correction)
    settings = service.municipality_settings(session, note.municipality_id)
    if previous:
        said = [_("The note as it is now is published as version %(n)s, with your explanation: "
                  "\"%(correction)s\".", n=previous[0].number + 1, correction=correction.strip()),
                _("Earlier versions stay readable for everyone, so readers see what changed.")]
    else:
        said = [_("Everyone can read the note on the municipality's public pages, without "
                  "logging in."),
                _("It cannot be taken back or changed: a correction is published as a new "
                  "version, and the history stays visible.")]
    if settings.publication_place:
        said.append(_("Where else it appears: %(place)s.", place=settings.publication_place))
    hidden = [sec.title for sec in service.sections(session, note.id)
              if not section_visible(sec, principal=None, note=note,
                                     audience=confidential.Audience.PUBLIC)]
    if hidden:
        said.append(_("Left out as confidential: %(sections)s.", sections=", ".join(hidden)))
    return said


def publish(session: Session, note: Note, *, expected_version: int | None,
            user_id: int | None, correction: str = "") -> PublishedNote:
    """Publish the note as it is now: version 1, or the next version as a correction."""
    check_version(note, expected_version)
    previous = _refuse_unpublishable(session, note, correction)
    correction = correction.strip()
    meeting = session.get(Meeting, note.meeting_id)
    row = PublishedNote(
        note_id=note.id, municipality_id=note.municipality_id, school_id=note.school_id,
        school_year_id=note.school_year_id, number=(previous[0].number + 1 if previous else 1),
        title=note.title, content=snapshot(session, note), correction=correction,
        meeting_date=local(meeting.starts_at).date() if meeting and meeting.starts_at else None,
        published_by_id=user_id)
    session.add(row)
    note.status = NoteStatus.PUBLISHED
    note.status_changed_at = utcnow()
    session.add(note)
    session.commit()
    session.refresh(row)
    return row


def versions(session: Session, note_id: int) -> list[PublishedNote]:
    """The note's published versions, newest first."""
    return list(session.exec(select(PublishedNote).where(PublishedNote.note_id == note_id)
                             .order_by(col(PublishedNote.number).desc())))


def get_version(session: Session, published_id: int) -> PublishedNote | None:
    return session.get(PublishedNote, published_id)


def changed_since_published(session: Session, note: Note) -> bool:
    """Has the note changed since its newest published version (a correction is due)?"""
    found = versions(session, note.id)
    return bool(found) and found[0].content != snapshot(session, note)


def latest_for_school(session: Session, school_id: int) -> list[tuple[SchoolYear, PublishedNote,
                                                                       list[PublishedNote]]]:
    """Per school year (newest first): the newest published version and all versions."""
    rows = session.exec(
        select(PublishedNote, SchoolYear).join(SchoolYear, SchoolYear.id == PublishedNote.school_year_id)
        .where(PublishedNote.school_id == school_id)
        .order_by(col(SchoolYear.start_year).desc(), col(PublishedNote.note_id),
                  col(PublishedNote.number).desc())).all()
    out: dict[int, tuple[SchoolYear, PublishedNote, list[PublishedNote]]] = {}
    for row, year in rows:
        if row.note_id not in out:
            out[row.note_id] = (year, row, [])
        out[row.note_id][2].append(row)
    return list(out.values())


def schools_with_published(session: Session, municipality_id: int) -> dict[int, int]:
    """school id → number of published notes, for the municipality's public index."""
    counts: dict[int, set[int]] = {}
    for row in session.exec(select(PublishedNote).where(
            PublishedNote.municipality_id == municipality_id)):
        counts.setdefault(row.school_id, set()).add(row.note_id)
    return {k: len(v) for k, v in counts.items()}
