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
from app.forms import FormDep, FormResult
from app.i18n import gettext as _
from app.meetings.loaders import MeetingDep
from app.meetings.models import MEETING_STATUS_LABELS, Meeting, MeetingType
from app.notes.models import AGREEMENT_STATUS_LABELS, NOTE_STATUS_LABELS, RESPONSIBLE_LABELS
from app.schools.loaders import MunicipalityDep
from app.schools.policy import can_manage_municipality
from app.summary import choices, debrief, export, service, slides
from app.summary.service import VERSION_LABELS, Version
from app.versioned import save_versioned
from app.web import is_htmx, redirect, render

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
    saved = choices.get(session, year.id, v) if summary.public else None
    deck = choices.apply(slides.build(summary, m.name), saved.slides) if saved else []
    return _page(request, session, m, year, summary, deck, saved)


def _page(request: Request, session, m, year, summary: service.Summary, deck: list,
          saved, *, conflict: list | None = None, status_code: int = 200):
    v = summary.version
    return render(request, "summary/summary.html", {
        "municipality": m, "school_year": year, "summary": summary, "version": v,
        "versions": [(x, _(VERSION_LABELS[x]), summary_url(m.id, year.start_year, x))
                     for x in Version],
        "slides": deck, "choices": saved, "conflict": conflict,
        "owner_labels": OWNER_LABELS, "note_labels": NOTE_STATUS_LABELS,
        "meeting_labels": MEETING_STATUS_LABELS, "status_labels": AGREEMENT_STATUS_LABELS,
        "responsible_labels": RESPONSIBLE_LABELS,
        "years": cycle_years.list_school_years(session, m.id),
    }, status_code=status_code, headers={"Cache-Control": "private, no-store",
                                         "Vary": "HX-Request"})


FORMATS = {"pptx": export.PPTX_TYPE, "pdf": export.PDF_TYPE, "docx": export.DOCX_TYPE}


def _arranged(session, principal, m, year, form):
    """The public version the form names, its stored choices, and its deck arranged first
    by those choices and then by the form's own (what the consultant sees on the page)."""
    v = _version(str(form.get("audience") or ""))
    if v is Version.INTERNAL:
        raise HTTPException(400)
    summary = service.build(session, principal, year, v)
    saved = choices.get(session, year.id, v)
    deck = choices.from_form(choices.apply(slides.build(summary, m.name), saved.slides), form)
    return summary, saved, deck


@router.post("/municipalities/{municipality_id}/years/{start_year}/summary/presentation")
def presentation(opened: OpenYear, principal: SignedIn, session: SessionDep, form: FormDep):
    """The file made from the form's slides: the stored choices as the page shows them, with
    any change not saved yet (a download does not leave the page, so it saves nothing)."""
    m, year = opened
    require(can_manage_municipality(principal, m.id))
    fmt = str(form.get("format") or "pptx")
    if fmt not in FORMATS:
        raise HTTPException(400)
    summary, _saved, deck = _arranged(session, principal, m, year, form)
    content = {"pptx": export.pptx, "pdf": export.pdf, "docx": export.docx}[fmt](deck)
    name = f"opsamling-{slug(m.name)}-{year.start_year}-{summary.version.value}.{fmt}"
    return Response(content, media_type=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store"})


@router.post("/municipalities/{municipality_id}/years/{start_year}/summary/slides")
def save_slides(request: Request, opened: OpenYear, principal: SignedIn, session: SessionDep,
                form: FormDep):
    """Keep the consultant's choices for the next visit (htmx saves on every change; without
    script the Save button). Choices someone saved since the page opened are not overwritten:
    the answer (409) names theirs beside the form that keeps the user's own."""
    m, year = opened
    require(can_manage_municipality(principal, m.id))
    summary, saved, deck = _arranged(session, principal, m, year, form)
    url = summary_url(m.id, year.start_year, summary.version)

    def answer(row, conflict: list | None, status_code: int):
        if is_htmx(request):
            return render(request, "summary/_choices_saved.html", {
                "choices": row, "conflict": conflict}, status_code=status_code)
        return _page(request, session, m, year, summary, deck, row, conflict=conflict,
                     status_code=status_code)

    def done(row):
        if is_htmx(request):
            return answer(row, None, 200)
        return redirect(request, url + "#presentation",
                        message=_("The presentation's choices are saved."))

    def again(status_code=409, **_kw):
        stored = choices.get(session, year.id, summary.version)  # theirs; the form keeps mine
        theirs = choices.apply(slides.build(summary, m.name), stored.slides)
        return answer(stored, [s.title for s in theirs if not s.hidden], status_code)

    return save_versioned(
        session, form, saved, FormResult(values={}, data=deck),
        apply=lambda arranged, version: choices.save(session, saved, arranged,
                                                     expected_version=version),
        done=done, again=again)


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
