"""The public pages of the published notes: no login, per municipality and per school, and a
fragment for the school's own website.

Everything shown comes from PublishedNote.content, the immutable snapshot made without the
confidential sections: never from the live note. A municipality that does not publish (or
stopped) shows none of its notes.
"""

import json
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, select

from app.accounts.access import Public
from app.agendas.export import slug
from app.config import get_settings
from app.cycles.models import SchoolYear
from app.db import SessionDep
from app.loading import checked_id, found
from app.notes import export, publication
from app.notes.models import NoteSettings, PublishedNote
from app.pdf import pdf_response
from app.schools import service as schools
from app.schools.models import Municipality, School
from app.security import EMBEDDABLE_CSP
from app.web import render, static_url

router = APIRouter()


def publishes(session: Session, municipality_id: int) -> bool:
    """Read only (a public GET writes nothing): a municipality that never chose has no
    published notes either."""
    row = session.exec(select(NoteSettings).where(
        NoteSettings.municipality_id == municipality_id)).first()
    return row is not None and row.publishes


def _school(session: Session, school_id: int) -> tuple[School, Municipality]:
    school = found(schools.get_school(session, checked_id(school_id)))
    return school, schools.get_municipality(session, school.municipality_id)


def load_public_school(school_id: int, session: SessionDep,
                       _principal: Public) -> tuple[School, Municipality]:
    """Any school, for anyone: what is public of it is decided by `publishes`."""
    return _school(session, school_id)


PublicSchoolDep = Annotated[tuple[School, Municipality], Depends(load_public_school)]


def school_notes(session: Session, school) -> list[tuple[SchoolYear, PublishedNote,
                                                          list[PublishedNote]]]:
    if not publishes(session, school.municipality_id):
        return []
    return publication.latest_for_school(session, school.id)


def _context(**extra) -> dict:
    return {"base_url": get_settings().base_url.rstrip("/"), **export.TEMPLATE_HELPERS, **extra}


@router.get("/public")
def public_index(request: Request, principal: Public, session: SessionDep):
    """The public way in: every municipality that publishes, each with its schools that have
    published notes."""
    entries = []
    for municipality in session.exec(
            select(Municipality).join(NoteSettings, NoteSettings.municipality_id == Municipality.id)
            .where(NoteSettings.publishes.is_(True)).order_by(Municipality.name)):
        counts = publication.schools_with_published(session, municipality.id)
        rows = [(s, counts[s.id]) for s in schools.list_schools(session, municipality.id)
                if s.id in counts]
        entries.append((municipality, rows))
    return render(request, "notes/public/index.html", _context(entries=entries))


@router.get("/public/municipalities/{municipality_id}/notes")
def municipality_index(request: Request, municipality_id: int, principal: Public,
                       session: SessionDep):
    municipality = found(schools.get_municipality(session, checked_id(municipality_id)))
    on = publishes(session, municipality.id)
    counts = publication.schools_with_published(session, municipality.id) if on else {}
    rows = [(s, counts[s.id]) for s in schools.list_schools(session, municipality.id)
            if s.id in counts]
    return render(request, "notes/public/municipality.html", _context(
        municipality=municipality, publishes=on, rows=rows))


@router.get("/public/schools/{school_id}/notes")
def school_page(request: Request, school_and_municipality: PublicSchoolDep, principal: Public,
                session: SessionDep):
    school, municipality = school_and_municipality
    return render(request, "notes/public/school.html", _context(
        school=school, municipality=municipality, entries=school_notes(session, school),
        publishes=publishes(session, municipality.id)))


@router.get("/public/notes/{published_id:int}.pdf")
def version_pdf(request: Request, published_id: int, principal: Public, session: SessionDep):
    """The published version as PDF/A-3b, for the municipality's records system (journal)."""
    row = publication.get_version(session, checked_id(published_id))
    if row is None or not publishes(session, row.municipality_id):
        raise HTTPException(404)
    return version_pdf_response(request, session, row, cache="public, max-age=300")


def version_pdf_response(request: Request, session: Session, row: PublishedNote, *,
                         cache: str) -> Response:
    school, municipality = _school(session, row.school_id)
    year = session.get(SchoolYear, row.school_year_id)
    return pdf_response(request, "notes/public/print.html", _context(
        row=row, school=school, municipality=municipality, year=year),
        filename=f"notat-{slug(school.name)}-{year.start_year}-v{row.number}.pdf",
        archival=True, cache=cache)


@router.get("/public/notes/{published_id}")
def version_page(request: Request, published_id: int, principal: Public, session: SessionDep):
    row = publication.get_version(session, checked_id(published_id))
    if row is None or not publishes(session, row.municipality_id):
        raise HTTPException(404)
    school, municipality = _school(session, row.school_id)
    history = publication.versions(session, row.note_id)
    return render(request, "notes/public/version.html", _context(
        row=row, school=school, municipality=municipality, history=history,
        newest=history[0], year=session.get(SchoolYear, row.school_year_id)))


@router.get("/public/schools/{school_id}/notes/embed")
def embed(request: Request, school_and_municipality: PublicSchoolDep, principal: Public,
          session: SessionDep):
    """A fragment for the school's website: framed or fetched, so it may be framed anywhere
    and read from any origin; links are absolute."""
    school, municipality = school_and_municipality
    response = render(request, "notes/public/embed.html", _context(
        school=school, municipality=municipality, entries=school_notes(session, school),
        style_url=static_url("css/embed.css")))
    response.headers["content-security-policy"] = EMBEDDABLE_CSP
    response.headers["access-control-allow-origin"] = "*"
    response.headers["cache-control"] = "public, max-age=300"
    return response


def published_snapshots(session: Session):
    """Every published version as stored, whether or not its municipality shows it now."""
    for row in session.exec(select(PublishedNote)):
        yield f"published note {row.id}", row.title + json.dumps(row.content, ensure_ascii=False)
