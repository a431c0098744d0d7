"""The school's comments on its note: while the note is out for comments ("til skolens
kommentarer"), the school's leadership comments on any section; the administration answers
and resolves them, and approving the note asks about those not resolved (app.notes.routes).

Comments and answers are rows of their own (NoteComment), never edited or deleted: they are
the note's history of the school's hearing. They are never published: the public snapshot
(app.notes.publication) is made of the sections alone.
"""

from dataclasses import dataclass, field

from pydantic import BaseModel, Field
from sqlmodel import Session, col, func, select

from app.db import utcnow
from app.forms import FieldError
from app.i18n import gettext as _
from app.notes.models import Note, NoteComment, NoteSection

MAX_LENGTH = 5000


class CommentForm(BaseModel):
    text: str = Field(default="", max_length=MAX_LENGTH)


@dataclass
class Thread:
    """A comment with its answers, oldest first."""

    comment: NoteComment
    answers: list[NoteComment] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return self.comment.resolved_at is not None


def _clean(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise FieldError("text", _("Write the comment first."))
    if len(text) > MAX_LENGTH:
        raise FieldError("text", _("At most %(n)s characters.", n=MAX_LENGTH))
    return text


def add(session: Session, note: Note, section: NoteSection, text: str, *,
        author_id: int | None) -> NoteComment:
    """A comment of the school on one section (the route has checked policy.can_comment)."""
    if section.note_id != note.id:
        raise ValueError("the section is not the note's")
    row = NoteComment(note_id=note.id, section_id=section.id, author_id=author_id,
                      text=_clean(text))
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def answer(session: Session, comment: NoteComment, text: str, *,
           author_id: int | None) -> NoteComment:
    """The administration's answer, under the comment it answers."""
    root = comment if comment.parent_id is None else session.get(NoteComment, comment.parent_id)
    row = NoteComment(note_id=root.note_id, section_id=root.section_id, parent_id=root.id,
                      author_id=author_id, text=_clean(text))
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def resolve(session: Session, comment: NoteComment, *, user_id: int | None) -> NoteComment:
    """Mark the comment as dealt with; it stays in the history. Resolving twice changes
    nothing (two consultants clicking at once)."""
    if comment.parent_id is not None:
        raise FieldError("comment", _("An answer is not resolved on its own; resolve the "
                                      "comment it answers."))
    if comment.resolved_at is None:
        comment.resolved_at = utcnow()
        comment.resolved_by_id = user_id
        session.add(comment)
        session.commit()
        session.refresh(comment)
    return comment


def get(session: Session, note: Note, comment_id: int) -> NoteComment | None:
    row = session.get(NoteComment, comment_id)
    return row if row is not None and row.note_id == note.id else None


def threads(session: Session, note_id: int) -> dict[int, list[Thread]]:
    """section id → its threads, oldest first: one query for the whole note."""
    rows = session.exec(select(NoteComment).where(NoteComment.note_id == note_id)
                        .order_by(col(NoteComment.created_at), col(NoteComment.id))).all()
    by_id = {r.id: Thread(r) for r in rows if r.parent_id is None}
    for r in rows:
        if r.parent_id is not None and r.parent_id in by_id:
            by_id[r.parent_id].answers.append(r)
    out: dict[int, list[Thread]] = {}
    for thread in by_id.values():
        out.setdefault(thread.comment.section_id, []).append(thread)
    return out


def unresolved_count(session: Session, note_id: int) -> int:
    return session.exec(select(func.count()).select_from(NoteComment).where(
        NoteComment.note_id == note_id, col(NoteComment.parent_id).is_(None),
        col(NoteComment.resolved_at).is_(None))).one()
