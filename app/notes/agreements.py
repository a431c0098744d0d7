"""Agreements (aftaler): records, not text. Made in a dialogue's note, followed up under the
evaluation item of the same school's agenda the next year, where their status is updated."""

from datetime import date

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, col, select

from app.accounts.access import Principal
from app.cycles.models import SchoolYear
from app.db import check_version
from app.notes import policy
from app.notes.models import Agreement, AgreementStatus, Note, Responsible


class AgreementForm(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    responsible: Responsible = Responsible.BOTH
    due_date: date | None = None

    @field_validator("text")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("empty")
        return value


class StatusForm(BaseModel):
    status: AgreementStatus
    status_comment: str = Field(default="", max_length=4000)


def for_note(session: Session, note_id: int) -> list[Agreement]:
    return list(session.exec(select(Agreement).where(Agreement.note_id == note_id)
                             .order_by(Agreement.position, Agreement.id)))


def get(session: Session, agreement_id: int) -> Agreement | None:
    return session.get(Agreement, agreement_id)


def add(session: Session, note: Note, data: AgreementForm) -> Agreement:
    position = len(for_note(session, note.id)) + 1
    row = Agreement(note_id=note.id, municipality_id=note.municipality_id,
                    school_id=note.school_id, school_year_id=note.school_year_id,
                    position=position, **data.model_dump())
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def update(session: Session, row: Agreement, data: AgreementForm, *,
           expected_version: int | None) -> Agreement:
    check_version(row, expected_version)
    for name, value in data.model_dump().items():
        setattr(row, name, value)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def set_status(session: Session, row: Agreement, data: StatusForm, *,
               expected_version: int | None) -> Agreement:
    check_version(row, expected_version)
    row.status = data.status
    row.status_comment = data.status_comment.strip()
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def delete(session: Session, row: Agreement) -> None:
    session.delete(row)
    session.commit()


def for_school(session: Session, school_id: int, principal: Principal
               ) -> list[tuple[SchoolYear, list[Agreement]]]:
    """Every agreement of the school `principal` may read, newest school year first."""
    rows = session.exec(
        select(Agreement, SchoolYear).join(SchoolYear, SchoolYear.id == Agreement.school_year_id)
        .where(Agreement.school_id == school_id, policy.readable_agreements(principal))
        .order_by(col(SchoolYear.start_year).desc(), Agreement.position, Agreement.id)).all()
    out: dict[int, tuple[SchoolYear, list[Agreement]]] = {}
    for agreement, year in rows:
        out.setdefault(year.id, (year, []))[1].append(agreement)
    return list(out.values())


def for_municipality(session: Session, municipality_id: int, principal: Principal, *,
                     school_year_id: int | None = None,
                     status: AgreementStatus | None = None) -> list[Agreement]:
    query = select(Agreement).where(Agreement.municipality_id == municipality_id,
                                    policy.readable_agreements(principal))
    if school_year_id is not None:
        query = query.where(Agreement.school_year_id == school_year_id)
    if status is not None:
        query = query.where(Agreement.status == status)
    return list(session.exec(query.order_by(Agreement.school_id, Agreement.position,
                                            Agreement.id)))


def previous_year(session: Session, school_id: int, start_year: int, *,
                  readable_by: Principal | None = None) -> list[Agreement]:
    """The agreements of the school's dialogue the school year before `start_year`: what this
    year's dialogue follows up. With `readable_by`, only those that principal may read;
    without, all (for the note's own pre-fill, written by the administration)."""
    query = (select(Agreement).join(SchoolYear, SchoolYear.id == Agreement.school_year_id)
             .where(Agreement.school_id == school_id, SchoolYear.start_year == start_year - 1))
    if readable_by is not None:
        query = query.where(policy.readable_agreements(readable_by))
    return list(session.exec(query.order_by(Agreement.position, Agreement.id)))
