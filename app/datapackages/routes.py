"""Pages for data packages: the package per school and year, imports, catalogue, settings."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from app import confirm
from app.accounts.access import SignedIn, require
from app.agendas.export import slug
from app.cycles import years as cycle_years
from app.cycles.models import SchoolYear
from app.datapackages import catalog as data_catalog
from app.datapackages import charts, importer, policy, service
from app.datapackages.models import (
    LEVEL_LABELS,
    PACKAGE_STATUS_LABELS,
    DataImport,
    DataImportStatus,
    PackageFigure,
    PackageFile,
    PackageStatus,
)
from app.datapackages.service import HighlightForm, MultipleFieldErrors, PackageTextForm
from app.db import SessionDep, StaleVersion
from app.forms import FieldError, FormDep, int_or_none, parse_form
from app.i18n import N_
from app.i18n import gettext as _
from app.loading import checked_id, found, get_or_404
from app.meetings.models import Meeting, MeetingType
from app.paths import STATIC
from app.pdf import pdf_response
from app.schools import service as schools
from app.schools.loaders import MunicipalityDep
from app.schools.models import Municipality, School
from app.versioned import save_versioned
from app.web import redirect, render

router = APIRouter()

SAMPLES = STATIC / "samples" / "datapackages"
"""Sample import files: static, so that they ship wherever the app does (the Docker image)."""
PAGE_SIZE = 100



# --- sections on other domains' pages --------------------------------------------------------


def meeting_package(session, principal, meeting: Meeting):
    if meeting.school_id is None or meeting.meeting_type not in (
            MeetingType.DIALOGUE, MeetingType.GRUS, MeetingType.DEVELOPMENT_TALK,
            MeetingType.PREP):
        return None
    school = schools.get_school(session, meeting.school_id)
    year = cycle_years.get_school_year(session, meeting.school_year_id)
    package = service.get_package(session, school.id, year.id)
    if not policy.can_open_package(session, principal, school, year, package):
        return None
    return {"package": package, "url": service.package_url(school.id, year.id),
            "year": year, "ready": package is not None
            and package.status is PackageStatus.READY,
            "can_manage": policy.can_manage_data(principal, school.municipality_id)}


def school_packages(session, principal, school: School):
    years = list(reversed(session.exec(policy.openable_years(principal, school)).all()))
    packages = service.packages_by_key(session, [school.id], [y.id for y in years])
    rows = [(year, packages.get((school.id, year.id)), service.package_url(school.id, year.id))
            for year in years]
    if not rows:
        return None
    return {"rows": rows, "status_labels": PACKAGE_STATUS_LABELS}


def municipality_packages(session, principal, municipality: Municipality):
    """School leadership lands here: their own school's packages, one click away."""
    years = cycle_years.list_school_years(session, municipality.id)
    own = [s for s in schools.list_schools(session, municipality.id) if s.id in principal.school_ids()]
    if not years or not own:
        return None
    recent = list(reversed(years[-3:]))
    packages = service.packages_by_key(session, [s.id for s in own], [y.id for y in recent])
    rows = [(school, year, packages.get((school.id, year.id)),
             service.package_url(school.id, year.id)) for school in own for year in recent]
    return {"rows": rows, "status_labels": PACKAGE_STATUS_LABELS}


# --- helpers ---------------------------------------------------------------------------------


def load_data_municipality(municipality_id: int, session: SessionDep,
                           principal: SignedIn) -> Municipality:
    """A municipality whose data the signed-in user manages."""
    m = found(schools.get_municipality(session, checked_id(municipality_id)))
    require(policy.can_manage_data(principal, m.id))
    return m


def load_school_year(school_id: int, school_year_id: int, session: SessionDep,
                     _principal: SignedIn) -> tuple[School, SchoolYear]:
    """A school and one of its municipality's school years; each route applies its policy."""
    school = schools.get_school(session, checked_id(school_id))
    year = cycle_years.get_school_year(session, checked_id(school_year_id))
    if school is None or year is None or year.municipality_id != school.municipality_id:
        raise HTTPException(404)
    return school, year


def load_import(import_id: int, session: SessionDep, principal: SignedIn) -> DataImport:
    imp = get_or_404(session, DataImport, import_id)
    require(imp.municipality_id is not None
            and policy.can_manage_data(principal, imp.municipality_id)
            or (imp.municipality_id is None and principal.is_admin))
    return imp


DataMunicipalityDep = Annotated[Municipality, Depends(load_data_municipality)]
SchoolYearDep = Annotated[tuple[School, SchoolYear], Depends(load_school_year)]
ImportDep = Annotated[DataImport, Depends(load_import)]


# --- the package page ------------------------------------------------------------------------


def _package_context(session, principal, school, year, package, **extra) -> dict:
    municipality = schools.get_municipality(session, school.municipality_id)
    readable = policy.can_read_package(session, principal, school, year, package)
    own_data = service.brings_own_data(school)
    ctx = {
        "school": school, "year": year, "municipality": municipality, "package": package,
        "status_labels": PACKAGE_STATUS_LABELS, "level_labels": LEVEL_LABELS,
        "readable": readable, "own_data": own_data,
        "can_manage": policy.can_manage_data(principal, school.municipality_id),
        "can_edit_highlights": policy.can_edit_highlights(principal, school),
        "can_add_own_data": policy.can_add_own_data(principal, school),
        "url": service.package_url(school.id, year.id),
        "other_years": [(y, service.package_url(school.id, y.id))
                        for y in session.exec(policy.openable_years(principal, school))],
        "highlights": service.highlights(session, package.id) if package else [],
        "figures": service.figures(session, package.id) if package else [],
        "files": service.files(session, package.id) if package else [],
        "indicator_choices": service.indicator_choices(session),
        "template": service.default_template(),
        "editing_highlights": False, "values": {}, "errors": {}, "conflict": False,
        "view": {"areas": [], "observations": [], "sees_confidential": False, "years": []},
        "is_demo": bool(package and package.is_demo) or municipality.is_demo,
    }
    if readable and not own_data:
        ctx["view"] = service.package_view(session, principal, school, year)
    ctx["indicator_names"] = dict(ctx["indicator_choices"])
    ctx["indicator_keys"] = {i_id: key for key, i_id in _indicator_ids(session).items()}
    ctx["format_value"] = service.format_value
    ctx["arrivals"] = data_catalog.ARRIVALS
    ctx["default_arrival"] = data_catalog.DEFAULT_ARRIVAL
    ctx["unit"] = service.unit_suffix
    ctx["format_delta"] = service.format_delta
    ctx["chart_svg"] = charts.svg
    ctx.update(extra)
    return ctx


def _opened(session, principal, place):
    """The school, year and package the reader may open, or 403: one check for page, print and PDF."""
    school, year = place
    package = service.get_package(session, school.id, year.id)
    require(policy.can_open_package(session, principal, school, year, package))
    return school, year, package


@router.get("/schools/{school_id}/years/{school_year_id}/package")
def package_page(request: Request, place: SchoolYearDep, principal: SignedIn,
                 session: SessionDep):
    school, year, package = _opened(session, principal, place)
    return render(request, "datapackages/package.html",
                  _package_context(session, principal, school, year, package))


@router.get("/schools/{school_id}/years/{school_year_id}/package/print")
def package_print(request: Request, place: SchoolYearDep, principal: SignedIn,
                  session: SessionDep):
    """The package to print: every section on a page of its own, no menus or forms."""
    school, year, package = _opened(session, principal, place)
    return render(request, "datapackages/print.html",
                  _package_context(session, principal, school, year, package),
                  headers={"Cache-Control": "private, no-store"})


@router.get("/schools/{school_id}/years/{school_year_id}/package.pdf")
@router.get("/schools/{school_id}/years/{school_year_id}/package/pdf")
@router.get("/schools/{school_id}/years/{school_year_id}/package/print.pdf")
def package_pdf(request: Request, place: SchoolYearDep, principal: SignedIn,
                session: SessionDep):
    """The print view as PDF."""
    school, year, package = _opened(session, principal, place)
    return pdf_response(request, "datapackages/print.html",
                        _package_context(session, principal, school, year, package),
                        filename=f"datapakke-{slug(school.name)}-{year.start_year}.pdf")


@router.get("/schools/{school_id}/years/{school_year_id}/package/edit")
def edit_package(request: Request, place: SchoolYearDep, principal: SignedIn,
                 session: SessionDep):
    school, year = place
    require(policy.can_manage_data(principal, school.municipality_id))
    package = service.get_or_create_package(session, school, year)
    return _edit_page(request, session, school, year, package,
                      values={k: getattr(package, k) for k in service.TEXT_LABELS})


def _edit_page(request, session, school, year, package, *, values, errors=None,
               conflict=None, status_code=200):
    return render(request, "datapackages/package_edit.html", {
        "school": school, "year": year, "package": package, "values": values,
        "errors": errors or {}, "conflict": conflict, "labels": service.TEXT_LABELS,
        "municipality": schools.get_municipality(session, school.municipality_id),
        "url": service.package_url(school.id, year.id),
    }, status_code=status_code)


@router.post("/schools/{school_id}/years/{school_year_id}/package/edit")
def save_package(request: Request, place: SchoolYearDep, principal: SignedIn,
                 session: SessionDep, form: FormDep):
    school, year = place
    require(policy.can_manage_data(principal, school.municipality_id))
    package = service.get_or_create_package(session, school, year)
    return save_versioned(
        session, form, package, parse_form(PackageTextForm, form),
        apply=lambda data, version: service.update_texts(session, package, data,
                                                         expected_version=version),
        done=lambda _saved: redirect(request, service.package_url(school.id, year.id),
                                     message=_("Changes saved.")),
        again=lambda **kw: _edit_page(request, session, school, year, package, **kw))


@router.post("/schools/{school_id}/years/{school_year_id}/package/ready")
def mark_ready(request: Request, place: SchoolYearDep, principal: SignedIn,
               session: SessionDep):
    school, year = place
    require(policy.can_manage_data(principal, school.municipality_id))
    package = service.get_or_create_package(session, school, year)
    service.mark_ready(session, package, principal.user.id)
    return redirect(request, service.package_url(school.id, year.id),
                    message=_("The package is ready: the dialogue's participants can see it now."))


@router.post("/schools/{school_id}/years/{school_year_id}/package/draft")
def mark_draft(request: Request, place: SchoolYearDep, principal: SignedIn,
               session: SessionDep):
    school, year = place
    require(policy.can_manage_data(principal, school.municipality_id))
    package = service.get_or_create_package(session, school, year)
    service.mark_draft(session, package)
    return redirect(request, service.package_url(school.id, year.id),
                    message=_("The package is a draft again: only the administration sees it."))


# --- highlights: edited in place with HTMX, or on the page without JavaScript -----------------


@router.get("/schools/{school_id}/years/{school_year_id}/package/highlights")
def edit_highlights(request: Request, place: SchoolYearDep, principal: SignedIn,
                    session: SessionDep):
    school, year = place
    require(policy.can_edit_highlights(principal, school))
    package = service.get_or_create_package(session, school, year)
    names = {i_id: key for key, i_id in _indicator_ids(session).items()}
    values = {}
    for h in service.highlights(session, package.id):
        values[f"title_{h.position}"] = h.title
        values[f"reason_{h.position}"] = h.reason
        values[f"indicator_{h.position}"] = names.get(h.indicator_id, "")
    ctx = _package_context(session, principal, school, year, package,
                           editing_highlights=True, values=values)
    return render(request, "datapackages/package.html", ctx,
                  partial="datapackages/_highlights.html")


def _indicator_ids(session) -> dict[str, int]:
    from sqlmodel import select

    from app.datapackages.models import Indicator

    return dict(session.exec(select(Indicator.key, Indicator.id)).all())


@router.post("/schools/{school_id}/years/{school_year_id}/package/highlights")
def save_highlights(request: Request, place: SchoolYearDep,
                    principal: SignedIn, session: SessionDep, form: FormDep):
    school, year = place
    require(policy.can_edit_highlights(principal, school))
    package = service.get_or_create_package(session, school, year)
    values = {}
    items = []
    for pos in (1, 2, 3):
        item = {name: (form.get(f"{name}_{pos}") or "").strip()
                for name in ("title", "indicator", "reason")}
        values.update({f"{name}_{pos}": v for name, v in item.items()})
        items.append(HighlightForm(title=item["title"][:200], indicator=item["indicator"][:80],
                                   reason=item["reason"][:5000]))
    errors, conflict = {}, False
    try:
        service.save_highlights(session, package, items,
                                expected_version=int_or_none(form.get("version")))
    except FieldError as err:
        errors[err.field] = err.message
    except MultipleFieldErrors as errs:
        errors = {e.field: e.message for e in errs.errors}
    except StaleVersion:
        session.refresh(package)
        conflict = True
    else:
        url = service.package_url(school.id, year.id)
        if request.headers.get("hx-request") == "true":
            ctx = _package_context(session, principal, school, year, package, saved=True)
            return render(request, "datapackages/package.html", ctx,
                          partial="datapackages/_highlights.html")
        return redirect(request, url + "#highlights", message=_("The highlights are saved."))
    ctx = _package_context(session, principal, school, year, package, editing_highlights=True,
                           values=values, errors=errors, conflict=conflict)
    return render(request, "datapackages/package.html", ctx,
                  partial="datapackages/_highlights.html",
                  status_code=409 if conflict else 422)


# --- the school's own data: figures and files ------------------------------------------------


@router.post("/schools/{school_id}/years/{school_year_id}/package/figures")
def add_figure(request: Request, place: SchoolYearDep, principal: SignedIn,
               session: SessionDep, form: FormDep):
    school, year = place
    require(policy.can_add_own_data(principal, school))
    package = service.get_or_create_package(session, school, year)
    result = parse_form(service.FigureForm, form)
    if result.ok:
        service.add_figure(session, package, result.data)
        return redirect(request, service.package_url(school.id, year.id) + "#own-data",
                        message=_("The figure is added."))
    ctx = _package_context(session, principal, school, year, package,
                           figure_values=result.values, figure_errors=result.errors)
    return render(request, "datapackages/package.html", ctx, status_code=422)


@router.post("/schools/{school_id}/years/{school_year_id}/package/figures/{figure_id}/delete")
def delete_figure(request: Request, place: SchoolYearDep, figure_id: int,
                  principal: SignedIn, session: SessionDep, form: FormDep):
    school, year = place
    require(policy.can_add_own_data(principal, school))
    package = service.get_package(session, school.id, year.id)
    figure = session.get(PackageFigure, checked_id(figure_id))
    if package is None or figure is None or figure.package_id != package.id:
        raise HTTPException(404)
    url = service.package_url(school.id, year.id)
    if not confirm.confirmed(form):
        return confirm.ask(
            request, form, action=f"{url}/figures/{figure.id}/delete",
            title=_("Remove the figure \"%(label)s\"?", label=figure.label),
            consequences=[_("The figure and its note leave %(school)s's data package for "
                            "%(year)s; it cannot be brought back.", school=school.name,
                            year=year.label)],
            back=f"{url}#own-data", button=_("Yes, remove the figure"))
    session.delete(figure)
    session.commit()
    return redirect(request, service.package_url(school.id, year.id) + "#own-data",
                    message=_("The figure is removed."))


@router.post("/schools/{school_id}/years/{school_year_id}/package/files")
def add_file(request: Request, place: SchoolYearDep, principal: SignedIn,
             session: SessionDep, form: FormDep):
    school, year = place
    require(policy.can_add_own_data(principal, school))
    package = service.get_or_create_package(session, school, year)
    upload = form.get("file")
    try:
        if upload is None or isinstance(upload, str):
            raise FieldError("file", _("Choose a file."))
        service.add_file(session, package, upload.filename or "", upload.file.read(),
                         principal.user.id)
    except FieldError as err:
        ctx = _package_context(session, principal, school, year, package,
                               file_error=err.message)
        return render(request, "datapackages/package.html", ctx, status_code=422)
    return redirect(request, service.package_url(school.id, year.id) + "#own-data",
                    message=_("The file is attached."))


def _package_file(session, principal, school, year, file_id: int) -> PackageFile:
    package = service.get_package(session, school.id, year.id)
    require(policy.can_read_package(session, principal, school, year, package)
            or policy.can_add_own_data(principal, school))
    f = session.get(PackageFile, checked_id(file_id))
    if package is None or f is None or f.package_id != package.id:
        raise HTTPException(404)
    return f


@router.get("/schools/{school_id}/years/{school_year_id}/package/files/{file_id}")
def download_file(request: Request, place: SchoolYearDep, file_id: int,
                  principal: SignedIn, session: SessionDep):
    school, year = place
    f = _package_file(session, principal, school, year, file_id)
    # Always a download, never rendered in our origin (an uploaded HTML/SVG cannot run).
    return Response(f.content, media_type=f.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(f.filename)}",
        "Cache-Control": "private, no-store"})


@router.post("/schools/{school_id}/years/{school_year_id}/package/files/{file_id}/delete")
def delete_file(request: Request, place: SchoolYearDep, file_id: int,
                principal: SignedIn, session: SessionDep, form: FormDep):
    school, year = place
    require(policy.can_add_own_data(principal, school))
    f = _package_file(session, principal, school, year, file_id)
    url = service.package_url(school.id, year.id)
    if not confirm.confirmed(form):
        return confirm.ask(
            request, form, action=f"{url}/files/{f.id}/delete",
            title=_("Remove the file \"%(name)s\"?", name=f.filename),
            consequences=[_("The file leaves %(school)s's data package for %(year)s; it "
                            "cannot be brought back. Keep a copy if it may be needed.",
                            school=school.name, year=year.label)],
            back=f"{url}#own-data", button=_("Yes, remove the file"))
    session.delete(f)
    session.commit()
    return redirect(request, service.package_url(school.id, year.id) + "#own-data",
                    message=_("The file is removed."))


# --- the municipality's data overview ----------------------------------------------------------


@router.get("/municipalities/{municipality_id}/data")
def data_overview(request: Request, m: DataMunicipalityDep, principal: SignedIn,
                  session: SessionDep, year: int | None = None):
    years = cycle_years.list_school_years(session, m.id)
    chosen = next((y for y in years if y.start_year == year), None) or (years[-1] if years
                                                                         else None)
    rows = []
    if chosen is not None:
        packages = service.packages_for_year(session, chosen)
        for school in schools.list_schools(session, m.id):
            rows.append((school, packages.get(school.id),
                         service.package_url(school.id, chosen.id)))
    return render(request, "datapackages/overview.html", {
        "municipality": m, "years": years, "chosen": chosen, "rows": rows,
        "status_labels": PACKAGE_STATUS_LABELS,
        "highlight_counts": service.highlight_counts(session, chosen) if chosen else {},
        "imports": service.list_imports(session, m.id, limit=5),
        "own_data": service.brings_own_data,
    })


@router.get("/municipalities/{municipality_id}/data/indicators")
def indicator_catalogue(request: Request, m: MunicipalityDep, principal: SignedIn,
                        session: SessionDep):
    return render(request, "datapackages/indicators.html", {
        "municipality": m, "catalogue": service.catalogue(session),
        "name": service.indicator_name, "describe": service.area_description,
        "unit_labels": service.UNIT_LABELS, "months": service.month_names,
        "can_manage": policy.can_manage_data(principal, m.id),
    })


@router.get("/municipalities/{municipality_id}/data/settings")
def settings_page(request: Request, m: DataMunicipalityDep, principal: SignedIn,
                  session: SessionDep):
    settings = service.get_settings_for(session, m.id)
    return render(request, "datapackages/settings.html", {
        "municipality": m, "settings": settings, "conflict": False,
        "package_template": _package_template(),
        "values": {"board_representative": settings.board_representative_sees_confidential}})


def _package_template() -> tuple[str, str] | None:
    """The catalogue's package template every package starts from: (key, name)."""
    data = service.default_template()
    return (data["key"], data.get("name", data["key"])) if data.get("key") else None


@router.post("/municipalities/{municipality_id}/data/settings")
def save_settings(request: Request, m: DataMunicipalityDep, principal: SignedIn,
                  session: SessionDep, form: FormDep):
    wanted = form.get("board_representative") in ("on", "true", "1")
    try:
        service.save_settings(session, m.id, board_representative=wanted,
                              expected_version=int_or_none(form.get("version")))
    except StaleVersion:
        settings = service.get_settings_for(session, m.id)
        session.refresh(settings)
        return render(request, "datapackages/settings.html", {
            "municipality": m, "settings": settings, "conflict": True,
            "package_template": _package_template(),
            "values": {"board_representative": wanted}}, status_code=409)
    return redirect(request, f"/municipalities/{m.id}/data/settings",
                    message=_("Changes saved."))


# --- imports: upload → preview → commit ----------------------------------------------------------


@router.get("/municipalities/{municipality_id}/data/imports")
def imports_page(request: Request, m: DataMunicipalityDep, principal: SignedIn,
                 session: SessionDep):
    return _imports_page(request, session, m)


def _imports_page(request, session, m, *, error=None, status_code=200):
    return render(request, "datapackages/imports.html", {
        "municipality": m, "imports": service.list_imports(session, m.id),
        "error": error, "samples": sorted(p.name for p in SAMPLES.glob("*") if p.is_file()),
        "status_labels": IMPORT_STATUS_LABELS,
    }, status_code=status_code)


IMPORT_STATUS_LABELS = {
    DataImportStatus.PREVIEW: N_("Preview, not imported"),
    DataImportStatus.COMMITTED: N_("Imported"),
    DataImportStatus.DISCARDED: N_("Discarded"),
}


@router.post("/municipalities/{municipality_id}/data/imports")
def upload_import(request: Request, m: DataMunicipalityDep, principal: SignedIn,
                  session: SessionDep, form: FormDep):
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return _imports_page(request, session, m, error=_("Choose a file."), status_code=422)
    imp, _analysis = importer.create_preview(session, upload.file.read(), upload.filename,
                                             municipality_id=m.id, user_id=principal.user.id)
    return redirect(request, f"/data-imports/{imp.id}")


OUTCOME_LABELS = {
    importer.ERROR: N_("Error"),
    importer.NEW: N_("New"),
    importer.REPLACED: N_("Replaces"),
    importer.UNCHANGED: N_("Unchanged"),
}


COUNT_LABELS = {
    importer.ERROR: N_("Rows with errors"),
    importer.NEW: N_("New values"),
    importer.REPLACED: N_("Replace a value"),
    importer.UNCHANGED: N_("Unchanged values"),
}


@router.get("/data-imports/{import_id}")
def import_preview(request: Request, imp: ImportDep, principal: SignedIn, session: SessionDep,
                   show: str | None = None, page: int = 1):
    rows = imp.outcomes or []
    if show in OUTCOME_LABELS:
        rows = [r for r in rows if r[1] == show]
    pages = max(1, (len(rows) + PAGE_SIZE - 1) // PAGE_SIZE)
    page = min(max(page, 1), pages)
    municipality = schools.get_municipality(session, imp.municipality_id) \
        if imp.municipality_id else None
    ctx = {
        "imp": imp, "municipality": municipality,
        "rows": rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], "page": page, "pages": pages,
        "show": show if show in OUTCOME_LABELS else "", "total": len(rows),
        "outcome_labels": OUTCOME_LABELS, "status_labels": IMPORT_STATUS_LABELS,
        "count_labels": COUNT_LABELS,
        "errors": [r for r in (imp.outcomes or []) if r[1] == importer.ERROR][:500],
        "same_file": importer.previous_import_of_same_file(session, imp),
        "history": service.history_for(session, imp.id)
        if imp.status is DataImportStatus.COMMITTED else [],
    }
    partial = "datapackages/_outcomes.html" if request.headers.get("hx-target") == "outcomes" \
        else None
    return render(request, "datapackages/import_preview.html", ctx, partial=partial)


@router.post("/data-imports/{import_id}/commit")
def commit_import(request: Request, imp: ImportDep, principal: SignedIn, session: SessionDep):
    if imp.status is not DataImportStatus.PREVIEW:
        return redirect(request, f"/data-imports/{imp.id}",
                        message=_("This file has already been handled."), level="info")
    try:
        analysis = importer.commit(session, imp)
    except importer.AlreadyHandled:
        return redirect(request, f"/data-imports/{imp.id}", level="info", message=_(
            "The file was handled at the same moment from elsewhere (perhaps another window). "
            "Nothing is imported twice; its status is shown below."))
    except importer.ImportRefused:
        return redirect(request, f"/data-imports/{imp.id}", level="error", message=_(
            "Nothing is imported: the file has errors. Correct them and upload it again."))
    written = analysis.counts.get(importer.NEW, 0) + analysis.counts.get(importer.REPLACED, 0)
    return redirect(request, f"/data-imports/{imp.id}", message=_(
        "Imported. New values: %(new)s; replaced: %(replaced)s; unchanged: %(unchanged)s.",
        new=analysis.counts.get(importer.NEW, 0),
        replaced=analysis.counts.get(importer.REPLACED, 0),
        unchanged=analysis.counts.get(importer.UNCHANGED, 0))
        if written else _("Nothing changed: every value was already there."))


@router.post("/data-imports/{import_id}/discard")
def discard_import(request: Request, imp: ImportDep, principal: SignedIn, session: SessionDep):
    importer.discard(session, imp)
    target = f"/municipalities/{imp.municipality_id}/data/imports" if imp.municipality_id \
        else "/"
    return redirect(request, target, message=_("The file is discarded; nothing was imported."))
