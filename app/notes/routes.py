"""The signed-in note: made from a dialogue, written section by section (autosaved with HTMX,
submitted without), conflicts shown side by side, agreements, workflow and publication; the
note sections on the meeting and school pages; the municipality's note settings."""

from dataclasses import dataclass, field
from textwrap import shorten

from fastapi import APIRouter, HTTPException, Request
from sqlmodel import col, select

from app import confirm
from app.accounts.access import Principal, SignedIn, Staff, require
from app.accounts.models import User
from app.cycles import years as cycle_years
from app.db import SessionDep, StaleVersion
from app.forms import FieldError, FormDep, int_or_none, parse_form
from app.i18n import gettext as _
from app.i18n import ngettext
from app.loading import checked_id, found
from app.meetings import service as meetings
from app.meetings.models import Meeting
from app.notes import agreements, comments, policy, publication, service
from app.notes.loaders import (
    NoteAgreementDep,
    NoteDep,
    SectionDep,
    SettingsMunicipalityDep,
    StaffNoteDep,
    section_visible,
)
from app.notes.models import (
    AGREEMENT_STATUS_LABELS,
    NOTE_STATUS_LABELS,
    RESPONSIBLE_LABELS,
    Agreement,
    Note,
    NoteRevision,
    NoteSection,
    NoteStatus,
    Responsible,
    SectionKind,
)
from app.schools import service as schools
from app.schools.models import School
from app.versioned import save_versioned, stale_settings
from app.web import is_htmx, redirect, render

router = APIRouter()


# --- sections on other domains' pages ----------------------------------------------------------


def meeting_note(session, principal, meeting: Meeting):
    if not service.may_have_note(meeting):
        return None
    return {"meeting": meeting, "note": service.note_for_meeting(session, meeting.id),
            "can_create": policy.can_manage_note(principal, meeting),
            "status_labels": NOTE_STATUS_LABELS}


def school_notes(session, principal, school: School):
    rows = []
    for note in service.notes_for_school(session, school.id, principal):
        rows.append((cycle_years.get_school_year(session, note.school_year_id), note))
    if not rows and not policy.can_manage_note(principal, school):
        return None
    return {"rows": rows, "status_labels": NOTE_STATUS_LABELS}




# --- helpers -----------------------------------------------------------------------------------


def _names(session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.name for u in session.exec(select(User).where(col(User.id).in_(ids)))}


@dataclass
class SectionView:
    """What the page shows of one section."""

    section: NoteSection
    can_write: bool
    history: list[NoteRevision]
    names: dict[int, str]
    values: dict = field(default_factory=dict)
    conflict: dict | None = None
    """{"revision", "mine", "theirs"}: a save of this user not applied, awaiting their choice."""
    saved: bool = False
    threads: list = field(default_factory=list)
    """The school's comments on the section (app.notes.comments.Thread), if the user reads them."""
    can_comment: bool = False
    can_answer: bool = False
    comment_error: dict | None = None
    """{"comment_id" (None: a new comment), "text", "message"}: a comment or answer refused."""


def _thread_people(threads) -> list:
    people = []
    for t in threads:
        people += [t.comment.author_id, t.comment.resolved_by_id] + [a.author_id for a in t.answers]
    return people


def _section_view(session, principal: Principal, note: Note, section: NoteSection, *,
                  values: dict | None = None, conflict=None, saved=False, threads=None,
                  comment_error=None, history: list | None = None,
                  names: dict[int, str] | None = None) -> SectionView:
    """`history` and `names`: the section's revisions and the names of its writers and
    commenters, where the page read those of every section at once."""
    if history is None:
        history = service.history(session, section.id)
    user_id = principal.user.id if principal.user else None
    can_write = policy.can_write_section(session, principal, note, section)
    if conflict is None and can_write and section.kind is SectionKind.TEXT:
        pending = service.pending_in(history, user_id)
        if pending:  # a conflict left unresolved: shown again until its writer chooses
            conflict = service.Conflict(section, pending[-1].values,
                                        service.clean_values(section, section.values),
                                        pending[-1])
    reads_comments = policy.can_read_comments(principal, note)
    if threads is None:
        threads = comments.threads(session, note.id) if reads_comments else {}
    own = threads.get(section.id, []) if reads_comments else []
    if names is None:
        names = _names(session, [r.author_id for r in history] + [section.edited_by_id]
                       + _thread_people(own))
    view = SectionView(section, can_write, history, names,
                       values if values is not None else service.clean_values(section,
                                                                               section.values),
                       saved=saved, threads=own,
                       can_comment=policy.can_comment(principal, note),
                       can_answer=policy.can_answer_comments(principal, note),
                       comment_error=comment_error)
    if conflict is not None:
        view.conflict = {"revision": conflict.revision, "mine": conflict.mine,
                         "theirs": conflict.theirs}
    return view


def _note_context(session, principal, note: Note, meeting: Meeting, **extra) -> dict:
    threads = comments.threads(session, note.id) \
        if policy.can_read_comments(principal, note) else {}
    shown = [s for s in service.sections(session, note.id)
             if section_visible(session, principal, note, s)]
    histories = service.histories(session, [s.id for s in shown])
    names = _names(session, [r.author_id for rs in histories.values() for r in rs]
                   + [s.edited_by_id for s in shown]
                   + _thread_people([t for ts in threads.values() for t in ts]))
    views = [_section_view(session, principal, note, s, threads=threads,
                           history=histories[s.id], names=names)
             for s in shown]
    for view in extra.pop("replace", []):
        views = [view if v.section.id == view.section.id else v for v in views]
    can_manage = policy.can_manage_note(principal, note)
    versions = publication.versions(session, note.id)
    context = {
        "note": note, "meeting": meeting,
        "school": schools.get_school(session, note.school_id),
        "municipality": schools.get_municipality(session, note.municipality_id),
        "school_year": cycle_years.get_school_year(session, note.school_year_id),
        "when": service.meeting_when(meeting),
        "views": views, "can_manage": can_manage,
        "status_labels": NOTE_STATUS_LABELS, "NoteStatus": NoteStatus,
        "transitions": service.TRANSITIONS[note.status] - {NoteStatus.PUBLISHED},
        "cannot_publish": publication.can_publish(session, note),
        "versions": versions,
        "changed": publication.changed_since_published(session, note) if versions else False,
        "publisher_names": _names(session, [v.published_by_id for v in versions]),
        "agreements": agreements.for_note(session, note.id),
        "responsible_labels": RESPONSIBLE_LABELS, "agreement_status_labels": AGREEMENT_STATUS_LABELS,
        "responsible_options": [(r.value, _(RESPONSIBLE_LABELS[r])) for r in Responsible],
        "values": {}, "errors": {}, "status_error": None,
        "unresolved": comments.unresolved_count(session, note.id) if can_manage else 0,
    }
    context.update(extra)
    return context


def _page(request, session, principal, note, meeting, *, status_code=200, **extra):
    return render(request, "notes/note.html",
                  _note_context(session, principal, note, meeting, **extra),
                  status_code=status_code)


def _section_fragment(request, session, principal, note, meeting, view, *, status_code=200):
    """HTMX: the section alone; without JS: the whole page with this section as given."""
    if is_htmx(request):
        return render(request, "notes/_section.html", {
            "note": note, "view": view, "htmx_swap": True}, status_code=status_code,
            headers={"HX-Retarget": f"#section-{view.section.id}", "HX-Reswap": "outerHTML"})
    return _page(request, session, principal, note, meeting, status_code=status_code,
                 replace=[view])


# --- creating and reading a note ---------------------------------------------------------------


@router.post("/meetings/{meeting_id}/note")
def create_note(request: Request, meeting_id: int, principal: SignedIn, session: SessionDep):
    meeting = found(meetings.get_meeting(session, checked_id(meeting_id)))
    require(policy.can_manage_note(principal, meeting))
    try:
        note = service.create_note(session, meeting)
    except FieldError as err:
        return redirect(request, f"/meetings/{meeting.id}", message=err.message, level="error")
    return redirect(request, f"/notes/{note.id}", message=_("The note is made from the template."))


@router.get("/notes/{note_id}")
def note_page(request: Request, note_and_meeting: NoteDep, principal: SignedIn, session: SessionDep):
    note, meeting = note_and_meeting
    return _page(request, session, principal, note, meeting)


# --- writing sections --------------------------------------------------------------------------


def _field_values(section: NoteSection, form, prefix: str) -> dict:
    return {f["key"]: str(form.get(f"{prefix}{f['key']}") or "") for f in section.fields}


@router.post("/notes/{note_id}/sections/{section_id}")
def save_section(request: Request, note_and_meeting: NoteDep, section: SectionDep, principal: SignedIn,
                 session: SessionDep, form: FormDep):
    note, meeting = note_and_meeting
    require(policy.can_write_section(session, principal, note, section))
    values = _field_values(section, form, "field-")
    try:
        result = service.save_section(session, section, values,
                                      expected_version=int_or_none(form.get("version")),
                                      author_id=principal.user.id)
    except FieldError as err:
        raise HTTPException(400, err.message) from err
    if isinstance(result, service.Conflict):
        view = _section_view(session, principal, note, result.section, conflict=result)
        return _section_fragment(request, session, principal, note, meeting, view,
                                 status_code=409)
    if is_htmx(request):
        # Autosave: only the version and the "saved at" line change; the text being typed stays.
        return render(request, "notes/_saved.html", {"section": result, "now": service.now()})
    return redirect(request, f"/notes/{note.id}#section-{section.id}",
                    message=_("The section is saved."))


@router.post("/notes/{note_id}/sections/{section_id}/resolve")
def resolve_conflict(request: Request, note_and_meeting: NoteDep, section: SectionDep, principal: SignedIn,
                     session: SessionDep, form: FormDep):
    note, meeting = note_and_meeting
    require(policy.can_write_section(session, principal, note, section))
    revision = session.get(NoteRevision, int_or_none(form.get("revision_id")) or 0)
    if revision is None or revision.section_id != section.id \
            or revision.author_id != principal.user.id:
        raise HTTPException(404)
    choice = form.get("choice")
    if choice == "mine":
        values = revision.values
    elif choice == "theirs":
        values = _field_values(section, form, "theirs-")
    else:
        values = _field_values(section, form, "merge-")
    result = service.resolve_conflict(session, section, revision, values,
                                      expected_version=int_or_none(form.get("version")),
                                      author_id=principal.user.id)
    if isinstance(result, service.Conflict):  # saved again meanwhile: choose again
        view = _section_view(session, principal, note, result.section, conflict=result)
        return _section_fragment(request, session, principal, note, meeting, view,
                                 status_code=409)
    if is_htmx(request):
        view = _section_view(session, principal, note, result, saved=True)
        return _section_fragment(request, session, principal, note, meeting, view)
    return redirect(request, f"/notes/{note.id}#section-{section.id}",
                    message=_("Your choice is saved. Both texts stay in the history."))


# --- workflow and publication ------------------------------------------------------------------


@router.post("/notes/{note_id}/status")
def change_status(request: Request, note_and_meeting: NoteDep, principal: SignedIn, session: SessionDep,
                  form: FormDep):
    note, meeting = note_and_meeting
    require(policy.can_manage_note(principal, note))
    try:
        status = NoteStatus(str(form.get("status") or ""))
    except ValueError:
        raise HTTPException(400) from None
    open_comments = comments.unresolved_count(session, note.id)
    if status is NoteStatus.APPROVED and open_comments and not confirm.confirmed(form):
        return confirm.ask(
            request, form, action=f"/notes/{note.id}/status", back=f"/notes/{note.id}",
            title=_("Approve the note with comments not resolved?"),
            consequences=[ngettext("%(num)s comment from the school is not resolved.",
                                   "%(num)s comments from the school are not resolved.",
                                   open_comments),
                          _("The school can no longer comment once the note is approved; the "
                            "comments stay in the note's history and are never published.")],
            button=_("Approve anyway"), danger=False)
    try:
        service.set_status(session, note, status, expected_version=int_or_none(form.get("version")))
    except FieldError as err:
        return _page(request, session, principal, note, meeting, status_code=422,
                     status_error=err.message)
    except StaleVersion:
        return redirect(request, f"/notes/{note.id}", level="warning",
                        message=_("Someone else changed the note meanwhile. Check it and try "
                                  "again."))
    messages = {NoteStatus.COMMENTS: _("The note is sent to the school for comments."),
                NoteStatus.DRAFT: _("The note is a draft again."),
                NoteStatus.APPROVED: _("The note is approved.")}
    return redirect(request, f"/notes/{note.id}", message=messages[status])


@router.post("/notes/{note_id}/publish")
def publish(request: Request, note_and_meeting: NoteDep, principal: SignedIn, session: SessionDep,
            form: FormDep):
    note, meeting = note_and_meeting
    require(policy.can_manage_note(principal, note))
    correction = str(form.get("correction") or "")
    try:
        if not confirm.confirmed(form):
            said = publication.what_publishing_does(session, note, correction)
            first = not publication.versions(session, note.id)
            return confirm.ask(
                request, form, action=f"/notes/{note.id}/publish",
                title=_("Publish \"%(title)s\"?", title=note.title) if first else
                _("Publish the correction of \"%(title)s\"?", title=note.title),
                consequences=said, back=f"/notes/{note.id}", danger=False,
                button=_("Yes, publish the note") if first else _("Yes, publish the correction"))
        row = publication.publish(session, note, expected_version=int_or_none(form.get("version")),
                                  user_id=principal.user.id, correction=correction)
    except FieldError as err:
        if is_htmx(request) and not confirm.confirmed(form):
            return confirm.refuse(request, title=_("The note cannot be published yet"),
                                  reason=err.message)
        return _page(request, session, principal, note, meeting, status_code=422,
                     errors={err.field: err.message}, values={"correction": correction},
                     status_error=err.message if err.field == "status" else None)
    except StaleVersion:
        return redirect(request, f"/notes/{note.id}", level="warning",
                        message=_("Someone else changed the note meanwhile. Check it and try "
                                  "again."))
    message = _("The note is published.") if row.number == 1 else \
        _("The correction is published as version %(n)s.", n=row.number)
    return redirect(request, f"/notes/{note.id}#versions", message=message)


# --- agreements --------------------------------------------------------------------------------


def _agreement_values(row: Agreement) -> dict:
    return {"text": row.text, "responsible": row.responsible.value,
            "due_date": row.due_date.isoformat() if row.due_date else ""}


@router.post("/notes/{note_id}/agreements")
def add_agreement(request: Request, note_and_meeting: StaffNoteDep, principal: Staff, session: SessionDep,
                  form: FormDep):
    note, meeting = note_and_meeting
    require(policy.can_manage_note(principal, note))
    result = parse_form(agreements.AgreementForm, form)
    if result.ok:
        row = agreements.add(session, note, result.data)
        return redirect(request, f"/notes/{note.id}#agreement-{row.id}",
                        message=_("The agreement is added."))
    return _page(request, session, principal, note, meeting, status_code=422,
                 values=result.values, errors=result.errors)


def _agreement_form(request, session, principal, note, meeting, row, *, values, errors,
                    conflict=None, status_code=200):
    return render(request, "notes/note_agreement_form.html", {
        **_note_context(session, principal, note, meeting), "agreement": row,
        "values": values, "errors": errors, "conflict": conflict}, status_code=status_code)


@router.get("/notes/{note_id}/agreements/{agreement_id}/edit")
def edit_agreement_form(request: Request, note_and_meeting: StaffNoteDep, row: NoteAgreementDep,
                        principal: Staff, session: SessionDep):
    note, meeting = note_and_meeting
    require(policy.can_manage_note(principal, note))
    return _agreement_form(request, session, principal, note, meeting, row,
                           values=_agreement_values(row), errors={})


@router.post("/notes/{note_id}/agreements/{agreement_id}")
def save_agreement(request: Request, note_and_meeting: StaffNoteDep, row: NoteAgreementDep, principal: Staff,
                   session: SessionDep, form: FormDep):
    note, meeting = note_and_meeting
    require(policy.can_manage_note(principal, note))
    return save_versioned(
        session, form, row, parse_form(agreements.AgreementForm, form),
        apply=lambda data, version: agreements.update(session, row, data,
                                                      expected_version=version),
        done=lambda _saved: redirect(request, f"/notes/{note.id}#agreement-{row.id}",
                                     message=_("The agreement is saved.")),
        again=lambda **kw: _agreement_form(request, session, principal, note, meeting, row,
                                           **kw),
        theirs=_agreement_values)


@router.post("/notes/{note_id}/agreements/{agreement_id}/delete")
def delete_agreement(request: Request, note_and_meeting: StaffNoteDep, row: NoteAgreementDep,
                     principal: Staff, session: SessionDep, form: FormDep):
    note, _meeting = note_and_meeting
    require(policy.can_manage_note(principal, note))
    if not confirm.confirmed(form):
        said = [_("The agreement is deleted from the note, and next year's dialogue no longer "
                  "follows it up.")]
        if publication.versions(session, note.id):
            said.append(_("Versions already published keep it; a correction you publish "
                          "afterwards leaves it out."))
        return confirm.ask(
            request, form, action=f"/notes/{note.id}/agreements/{row.id}/delete",
            title=_("Delete the agreement \"%(text)s\"?", text=shorten(row.text, 80, placeholder="…")),
            consequences=said, back=f"/notes/{note.id}#agreement-{row.id}",
            button=_("Yes, delete the agreement"))
    agreements.delete(session, row)
    return redirect(request, f"/notes/{note.id}#agreements",
                    message=_("The agreement is removed."))


# --- the municipality's settings ---------------------------------------------------------------


def _settings_page(request, session, municipality, row, *, values=None, errors=None,
                   status_code=200):
    return render(request, "notes/settings.html", {
        "municipality": municipality, "settings": row,
        "template_options": [(t.key, t.name) for t in service.list_templates(session)],
        "values": values or {"template_key": row.template_key,
                             "special_template_key": row.special_template_key or "",
                             "publishes": row.publishes,
                             "publication_place": row.publication_place},
        "errors": errors or {},
    }, status_code=status_code)


@router.get("/municipalities/{municipality_id}/note-settings")
def settings_page(request: Request, municipality: SettingsMunicipalityDep, principal: SignedIn,
                  session: SessionDep):
    row = service.municipality_settings(session, municipality.id)
    return _settings_page(request, session, municipality, row)


@router.post("/municipalities/{municipality_id}/note-settings")
def save_settings(request: Request, municipality: SettingsMunicipalityDep, principal: SignedIn,
                  session: SessionDep, form: FormDep):
    row = service.municipality_settings(session, municipality.id)
    return save_versioned(
        session, form, row, parse_form(service.SettingsForm, form),
        apply=lambda data, version: service.update_settings(session, row, data,
                                                            expected_version=version),
        done=lambda _saved: redirect(request, f"/municipalities/{municipality.id}/note-settings",
                                     message=_("Changes saved.")),
        again=lambda values, errors, conflict, status_code: _settings_page(
            request, session, municipality, row, values=values,
            errors=stale_settings(errors, conflict, "template_key"), status_code=status_code))
