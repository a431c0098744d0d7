"""The year summary page (for the administration), its public versions and the presentation
export; the debrief keywords on a debrief meeting. Only those who run the municipality's
cycle (consultants, administrators) use these routes; the public versions are what they
show to the school leaders and the political committee."""

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.accounts.access import SignedIn, require
from app.agendas.export import slug
from app.agendas.models import OWNER_LABELS
from app.cycles import years as cycle_years
from app.cycles.models import Step
from app.cycles.routes.common import OpenYear
from app.db import SessionDep
from app.forms import FormDep
from app.i18n import gettext as _
from app.meetings.loaders import MeetingDep
from app.meetings.models import MEETING_STATUS_LABELS, Meeting, MeetingType
from app.notes.models import AGREEMENT_STATUS_LABELS, NOTE_STATUS_LABELS, RESPONSIBLE_LABELS
from app.schools.loaders import MunicipalityDep
from app.schools.policy import can_manage_municipality
from app.summary import debrief, export, service, slides
from app.summary.service import VERSION_LABELS, Version
from app.web import redirect, render

router = APIRouter()

SUMMARY_STEPS = {"summary_meeting", "presentation_prep", "presentation_leaders",
                 "presentation_committee"}
"""Svendborg's closing steps (seed 004, 1.3): their step pages link to the summary."""


def summary_url(municipality_id: int, start_year: int, version: Version = Version.INTERNAL) -> str:
    url = f"/municipalities/{municipality_id}/years/{start_year}/summary"
    return url if version is Version.INTERNAL else f"{url}?version={version.value}"


def _version(raw: str | None) -> Version:
    try:
        return Version(raw or Version.INTERNAL.value)
    except ValueError:
        raise HTTPException(404) from None


@router.get("/municipalities/{municipality_id}/summary")
def current_summary(m: MunicipalityDep, principal: SignedIn, session: SessionDep,
                    request: Request):
    require(can_manage_municipality(principal, m.id))
    years = cycle_years.list_school_years(session, m.id)
    if not years:
        raise HTTPException(404)
    start = cycle_years.school_year_start(date.today())
    chosen = [y for y in years if y.start_year <= start] or years
    return redirect(request, summary_url(m.id, chosen[-1].start_year))


@router.get("/municipalities/{municipality_id}/years/{start_year}/summary")
def summary_page(request: Request, opened: OpenYear, principal: SignedIn, session: SessionDep,
                 version: str | None = None):
    m, year = opened
    require(can_manage_municipality(principal, m.id))
    v = _version(version)
    summary = service.build(session, principal, year, v)
    deck = slides.build(summary, m.name) if summary.public else []
    return render(request, "summary/summary.html", {
        "municipality": m, "school_year": year, "summary": summary, "version": v,
        "versions": [(x, _(VERSION_LABELS[x]), summary_url(m.id, year.start_year, x))
                     for x in Version],
        "slides": deck, "owner_labels": OWNER_LABELS, "note_labels": NOTE_STATUS_LABELS,
        "meeting_labels": MEETING_STATUS_LABELS, "status_labels": AGREEMENT_STATUS_LABELS,
        "responsible_labels": RESPONSIBLE_LABELS,
        "years": cycle_years.list_school_years(session, m.id),
    }, headers={"Cache-Control": "private, no-store", "Vary": "HX-Request"})


FORMATS = {"pptx": export.PPTX_TYPE, "pdf": export.PDF_TYPE, "docx": export.DOCX_TYPE}


@router.post("/municipalities/{municipality_id}/years/{start_year}/summary/presentation")
def presentation(opened: OpenYear, principal: SignedIn, session: SessionDep, form: FormDep):
    m, year = opened
    require(can_manage_municipality(principal, m.id))
    v = _version(str(form.get("version") or ""))
    fmt = str(form.get("format") or "pptx")
    if v is Version.INTERNAL or fmt not in FORMATS:
        raise HTTPException(400)
    deck = slides.arrange(slides.build(service.build(session, principal, year, v), m.name), form)
    content = {"pptx": export.pptx, "pdf": export.pdf, "docx": export.docx}[fmt](deck)
    name = f"opsamling-{slug(m.name)}-{year.start_year}-{v.value}.{fmt}"
    return Response(content, media_type=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store"})


@router.post("/meetings/{meeting_id}/debrief-keywords")
def save_keywords(request: Request, meeting: MeetingDep, principal: SignedIn,
                  session: SessionDep, form: FormDep):
    require(can_manage_municipality(principal, meeting.municipality_id)
            and meeting.meeting_type in debrief.KEYWORD_MEETINGS)
    debrief.save(session, meeting, str(form.get("keywords") or ""))
    return redirect(request, f"/meetings/{meeting.id}", message=_("The keywords are saved."))


# --- sections on other domains' pages --------------------------------------------------------


def step_section(session, principal, step: Step):
    year = cycle_years.get_school_year(session, step.school_year_id)
    if step.key not in SUMMARY_STEPS or year is None \
            or not can_manage_municipality(principal, year.municipality_id):
        return None
    return {"url": summary_url(year.municipality_id, year.start_year), "year": year}


def meeting_section(session, principal, meeting: Meeting):
    if meeting.meeting_type not in debrief.KEYWORD_MEETINGS \
            or not can_manage_municipality(principal, meeting.municipality_id):
        return None
    if meeting.meeting_type is MeetingType.DIALOGUE and debrief.year_has_debriefs(session, meeting):
        return None
    return {"meeting": meeting, "keywords": debrief.text_for(session, meeting.id)}
