"""Feeds over HTTP, subscribe boxes on other domains' pages, and link management.

Feed responses are made for calendar clients, not browsers: `text/calendar; charset=utf-8`
whatever the Accept header says (Google sends none), no attachment disposition, no cookies, no
CSRF, no gzip, an ETag that is a hash of the exact bytes, and 304 on If-None-Match (checked
first) or If-Modified-Since. An unknown or revoked token is a plain 404.
"""

from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, select

from app.accounts.access import Principal, SignedIn, Stateless, require
from app.config import get_settings
from app.cycles import years as cycle_years
from app.cycles.models import SchoolAssignment
from app.db import SessionDep
from app.feeds import policy, polls, service
from app.feeds.config import get_env
from app.feeds.models import FEED_KIND_LABELS, FeedKind, FeedLink, InvitationPreference
from app.forms import FormDep, parse_form
from app.i18n import N_
from app.i18n import gettext as _
from app.loading import checked_id, get_or_404
from app.meetings import policy as meetings_policy
from app.meetings import service as meetings
from app.schools import service as schools
from app.schools.loaders import MunicipalityDep
from app.schools.models import Person
from app.web import redirect, render

router = APIRouter()

FEED = Stateless("feed")
"""Calendar clients: public, and never reads or sets a cookie; the token is the access."""
Feed = Annotated[Principal, Depends(FEED)]



# --- feed responses -------------------------------------------------------------------------


def _not_found() -> Response:
    return Response("Kalenderen findes ikke (længere).\n", status_code=404,
                    media_type="text/plain", headers={"Cache-Control": "no-store"})


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x".
    tags = [t.strip().removeprefix("W/").strip('"') for t in header.split(",")]
    return etag in tags


def _since(header: str | None) -> datetime | None:
    if not header:
        return None
    try:
        value = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _fresh(request: Request, etag: str, last_modified: datetime) -> bool:
    """Whether the client's copy is current (If-None-Match wins over If-Modified-Since)."""
    inm = request.headers.get("if-none-match")
    if inm is not None:
        return _etag_matches(inm, etag)
    since = _since(request.headers.get("if-modified-since"))
    return since is not None and last_modified <= since


def feed_response(request: Request, snap: service.Snapshot | service.Fixed | polls.Decision, *,
                  private: bool, filename: str | None = None,
                  body: bytes | None = None) -> Response:
    def headers() -> dict[str, str]:
        h = {
            "ETag": f'"{snap.etag}"',
            "Last-Modified": format_datetime(snap.last_modified, usegmt=True),
            # no-transform: proxies must not recompress (Outlook mishandles gzip feeds).
            "Cache-Control": ("private" if private else "public") + ", no-cache, no-transform",
        }
        if private:
            h["X-Robots-Tag"] = "noindex, nofollow"
        if filename:
            h["Content-Disposition"] = f'inline; filename="{filename}"'
        return h

    if _fresh(request, snap.etag, snap.last_modified):
        return Response(status_code=304, headers=headers())
    body = body if body is not None else snap.body()
    return Response(body, status_code=200,
                    headers={**headers(), "Content-Type": "text/calendar; charset=utf-8"})


@router.api_route("/feeds/{token}.ics", methods=["GET", "HEAD"])
def private_feed(request: Request, token: str, _p: Feed, session: SessionDep,
                 history: str | None = None):
    seen = polls.poll(session, token, full_history=history == "all")
    if seen is None:
        return _not_found()
    if seen.known is not None:  # nothing changed since this process last answered
        if _fresh(request, seen.known.etag, seen.known.last_modified):
            return feed_response(request, seen.known, private=True)
        body = seen.known.body()
        if body is not None:
            return feed_response(request, seen.known, private=True, body=body)
    found = service.open_link(session, token)
    if found is None:
        return _not_found()
    link, owner = found
    spec = service.private_spec(session, link, full_history=history == "all", owner=owner)
    if spec is None:
        return _not_found()
    service.note_use(session, link)
    snap = service.snapshot(session, spec)
    polls.remember(seen, spec, snap)
    return feed_response(request, snap, private=True)


@router.api_route("/feeds/public/{kind}/{target_id}.ics", methods=["GET", "HEAD"])
def public_feed(request: Request, kind: str, target_id: int, _p: Feed, session: SessionDep,
                history: str | None = None):
    try:
        feed_kind = FeedKind(kind)
    except ValueError:
        return _not_found()
    spec = service.public_spec(session, feed_kind, target_id, full_history=history == "all")
    if spec is None:
        return _not_found()
    return feed_response(request, service.snapshot(session, spec), private=False)


@router.get("/meetings/{meeting_id}/calendar.ics")
def meeting_ics(request: Request, meeting_id: int, principal: SignedIn, session: SessionDep):
    # Not MeetingDep: an unbooked meeting has no calendar, whoever asks (404 before 403).
    meeting = meetings.get_meeting(session, checked_id(meeting_id))
    if meeting is None or meeting.starts_at is None:
        raise HTTPException(404)
    require(meetings_policy.can_view_meeting(session, principal, meeting))
    with service.locale(principal.user.locale or get_settings().default_locale):
        body = service.render_meeting(session, meeting, with_people=True)
    snap = service.Fixed(service.etag_of(body), service.whole_second(meeting.changed_at), body)
    return feed_response(request, snap, private=True, filename=f"mode-{meeting.id}.ics")


# --- subscribe boxes ------------------------------------------------------------------------

BOX_TITLES = {
    FeedKind.MUNICIPALITY: N_("Subscribe to the municipality's calendar"),
    FeedKind.YEAR: N_("Subscribe to the school year"),  # with its label, see make_box
    FeedKind.STEP: N_("Subscribe to this step"),
    FeedKind.SCHOOL: N_("Subscribe to the school's meetings"),
    FeedKind.PERSON: N_("Subscribe to my meetings"),
    FeedKind.CONSULTANT: N_("Subscribe to the assigned schools"),
}
BOX_TEXTS = {
    FeedKind.MUNICIPALITY: N_("The year wheel's steps and the meetings you have access to, for "
                              "last, this and next school year."),
    FeedKind.YEAR: N_("The school year's steps and the meetings you have access to."),
    FeedKind.STEP: N_("The step and its meetings that you have access to."),
    FeedKind.SCHOOL: N_("The school's meetings that you have access to, for last, this and "
                        "next school year."),
    FeedKind.PERSON: N_("Every meeting you take part in and the steps you are responsible for, "
                        "for last, this and next school year."),
    FeedKind.CONSULTANT: N_("The meetings at the schools assigned to this person, as far as "
                            "you have access to them."),
}


@dataclass
class Box:
    id: str
    kind: FeedKind
    target_id: int
    title: str
    text: str
    person: Person | None
    """Whose link the box makes (the viewer's own person, or one managed for them)."""
    link: FeedLink | None = None
    can_create: bool = False
    public: dict | None = None
    created: dict | None = None
    next: str = "/"
    note: str | None = None


def _viewer_person(session: Session, principal: Principal) -> Person | None:
    if principal.user is None or principal.user.person_id is None:
        return None
    return session.get(Person, principal.user.person_id)


@dataclass
class Viewing:
    """What every box on one page shares: whose links they make, as whom that person sees, the
    person's links and whether a municipality gives public feeds (read once per page)."""

    person: Person | None
    viewer: policy.Viewer | None = None
    links: dict[tuple[FeedKind, int], FeedLink] = field(default_factory=dict)
    public_on: dict[int, bool] = field(default_factory=dict)


def viewing(session: Session, principal: Principal, person: Person | None = None) -> Viewing:
    person = person or _viewer_person(session, principal)
    if person is None:
        return Viewing(person=None)
    return Viewing(person=person, viewer=policy.viewer_for(session, person),
                   links={(link.kind, link.target_id): link
                          for link in service.links_of(session, person.id)})


def make_box(session: Session, principal: Principal, kind: FeedKind, target_id: int, *,
             next_url: str, person: Person | None = None, created: str | None = None,
             seen: Viewing | None = None) -> Box:
    seen = seen or viewing(session, principal, person)
    person = seen.person
    target = service.resolve_target(session, kind, target_id)
    title = _(BOX_TITLES[kind])
    if kind is FeedKind.YEAR and target is not None:
        title = _("Subscribe to the school year %(year)s", year=target.name)
    box = Box(id=f"feed-{kind.value}-{target_id}", kind=kind, target_id=target_id,
              title=title, text=_(BOX_TEXTS[kind]), person=person, next=next_url)
    if kind in (FeedKind.MUNICIPALITY, FeedKind.YEAR, FeedKind.STEP, FeedKind.SCHOOL) \
            and target is not None:
        m_id = target.municipality.id
        if m_id not in seen.public_on:
            seen.public_on[m_id] = service.public_feeds_on(session, m_id)
        if seen.public_on[m_id] and service.public_spec(session, kind, target_id,
                                                        public_on=True) is not None:
            box.public = service.urls(service.public_path(kind, target_id))
    viewer = seen.viewer
    if person is not None and viewer is not None and target is not None and policy.may_open(
            viewer, kind, target.municipality.id, target_id):
        box.can_create = policy.can_manage_links(principal, person)
        box.link = seen.links.get((kind, target_id))
    elif box.public is None:
        box.note = _("Your login is not linked to a person in this municipality, so you cannot "
                     "get a personal calendar link here.")
    if created:
        box.created = service.urls(service.feed_path(created))
    return box


def step_section(session, principal, step):
    return {"box": make_box(session, principal, FeedKind.STEP, step.id,
                            next_url=f"/steps/{step.id}")}


def school_section(session, principal, school):
    return {"box": make_box(session, principal, FeedKind.SCHOOL, school.id,
                            next_url=f"/schools/{school.id}")}


def municipality_section(session, principal, municipality):
    return {"box": make_box(session, principal, FeedKind.MUNICIPALITY, municipality.id,
                            next_url=f"/municipalities/{municipality.id}"),
            "more": f"/municipalities/{municipality.id}/calendars"}


def meeting_section(session, principal, meeting):
    if meeting.starts_at is None:
        return None
    return {"url": f"/meetings/{meeting.id}/calendar.ics"}


def home_section(session, principal, _obj):
    """The home page: the signed-in person's own calendar subscription ("Mine møder")."""
    person = _viewer_person(session, principal)
    if person is None:
        return None
    return {"boxes": [make_box(session, principal, FeedKind.PERSON, person.id, next_url="/",
                               person=person)],
            "links": [], "invitations": None, "person": person, "next": "/"}


def _is_consultant(session: Session, person: Person) -> bool:
    return session.exec(select(SchoolAssignment.id).where(
        SchoolAssignment.person_id == person.id)).first() is not None


def person_section(session, principal, person):
    own = principal.user is not None and principal.user.person_id == person.id
    manage = policy.can_manage_links(principal, person)
    boxes = []
    next_url = f"/people/{person.id}"
    has_login = policy.principal_for_person(session, person) is not policy.ANONYMOUS
    if own or (manage and not has_login):
        # Staff make the personal link for people without a login (e.g. a chief who never
        # signs in); it shows what that person may see, and no more.
        boxes.append(make_box(session, principal, FeedKind.PERSON, person.id,
                              next_url=next_url, person=person))
    if _is_consultant(session, person):
        boxes.append(make_box(session, principal, FeedKind.CONSULTANT, person.id,
                              next_url=next_url))
    links = []
    if manage:
        for link in service.links_of(session, person.id):
            target = service.resolve_target(session, link.kind, link.target_id)
            links.append((link, _(FEED_KIND_LABELS[link.kind]),
                          target.name if target else "–"))
    invitations = None
    if manage:
        pref = session.get(InvitationPreference, person.id)
        invitations = {
            "choice": "default" if pref is None else ("yes" if pref.wants_invitations else "no"),
            "default": person.function in service.INVITED_BY_DEFAULT,
            "on": get_env().invitations_on,
            "email": person.email,
        }
    if not boxes and not links and invitations is None:
        return None
    return {"person": person, "boxes": boxes, "links": links, "own": own,
            "invitations": invitations, "next": next_url}


# --- making, rotating and revoking links ------------------------------------------------------


def _safe_next(value: str | None, default: str = "/") -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default


class LinkForm(BaseModel):
    person_id: int
    kind: FeedKind
    target_id: int


def _created(request: Request, session: Session, principal: Principal, link: FeedLink,
             token: str, next_url: str, person: Person) -> Response:
    box = make_box(session, principal, link.kind, link.target_id, next_url=next_url,
                   person=person, created=token)
    response = render(request, "feeds/link_created.html",
                      {"box": box, "person": person, "next": next_url,
                       "municipality": schools.get_municipality(session, person.municipality_id)},
                      partial="feeds/_box_partial.html")
    # Shown once: never kept by a cache, never in the browser's history cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/calendar-links")
def create_link(request: Request, principal: SignedIn, session: SessionDep, form: FormDep):
    result = parse_form(LinkForm, form)
    if not result.ok:
        raise HTTPException(400)
    data = result.data
    person = get_or_404(session, Person, data.person_id)
    require(policy.can_manage_links(principal, person))
    viewer = policy.viewer_for(session, person)
    target = service.resolve_target(session, data.kind, data.target_id)
    require(viewer is not None and target is not None and policy.may_open(
        viewer, data.kind, target.municipality.id, data.target_id))
    link, token = service.issue_link(session, person, data.kind, data.target_id,
                                     by_user_id=principal.user.id)
    return _created(request, session, principal, link, token,
                    _safe_next(form.get("next"), f"/people/{person.id}"), person)


def load_link(link_id: int, session: SessionDep, principal: SignedIn) -> tuple[FeedLink, Person]:
    """A calendar link with the person it belongs to, for whoever manages their links."""
    link = get_or_404(session, FeedLink, link_id)
    person = get_or_404(session, Person, link.person_id)
    require(policy.can_manage_links(principal, person))
    return link, person


LinkDep = Annotated[tuple[FeedLink, Person], Depends(load_link)]


@router.post("/calendar-links/{link_id}/rotate")
def rotate_link(request: Request, link_and_person: LinkDep, principal: SignedIn,
                session: SessionDep, form: FormDep):
    link, person = link_and_person
    link, token = service.issue_link(session, person, link.kind, link.target_id,
                                     by_user_id=principal.user.id)
    return _created(request, session, principal, link, token,
                    _safe_next(form.get("next"), f"/people/{person.id}"), person)


@router.post("/calendar-links/{link_id}/revoke")
def revoke_link(request: Request, link_and_person: LinkDep, session: SessionDep,
                form: FormDep):
    link, person = link_and_person
    service.revoke_link(session, link)
    return redirect(request, _safe_next(form.get("next"), f"/people/{person.id}"),
                    message=_("The calendar link is deleted. Calendars that used it get "
                              "nothing more from it."))


@router.post("/people/{person_id}/invitations")
def invitation_preference(request: Request, person_id: int, principal: SignedIn,
                          session: SessionDep, form: FormDep):
    person = get_or_404(session, Person, person_id)
    require(policy.can_manage_links(principal, person))
    choice = form.get("choice")
    if choice not in ("default", "yes", "no"):
        raise HTTPException(400)
    service.set_invitation_preference(
        session, person, None if choice == "default" else choice == "yes")
    return redirect(request, f"/people/{person.id}", message=_("Changes saved."))


# --- the municipality's calendars page and settings -------------------------------------------


class SettingsForm(BaseModel):
    public_feeds: bool = False
    organizer_name: str | None = Field(default=None, max_length=160)
    organizer_email: str | None = Field(default=None, max_length=254)

    @field_validator("organizer_email")
    @classmethod
    def _mailbox(cls, v: str | None) -> str | None:
        import re

        if v is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v):
            raise ValueError(N_("Must be an e-mail address."))
        return v


def _calendars_page(request, session, principal, municipality, *, values=None, errors=None,
                    status_code=200):
    settings = service.settings_of(session, municipality.id)
    years = cycle_years.list_school_years(session, municipality.id)
    seen = viewing(session, principal)
    here = f"/municipalities/{municipality.id}/calendars"
    return render(request, "feeds/calendars.html", {
        "municipality": municipality,
        "box": make_box(session, principal, FeedKind.MUNICIPALITY, municipality.id,
                        next_url=here, seen=seen),
        "year_boxes": [make_box(session, principal, FeedKind.YEAR, y.id, next_url=here,
                                seen=seen) for y in reversed(years)],
        "years": {y.id: y for y in years},
        "can_manage": policy.can_manage_settings(principal, municipality.id),
        "values": values if values is not None else {
            "public_feeds": settings.public_feeds, "organizer_name": settings.organizer_name,
            "organizer_email": settings.organizer_email},
        "errors": errors or {},
        "grace_days": get_env().feed_cancelled_days,
    }, status_code=status_code)


@router.get("/municipalities/{municipality_id}/calendars")
def calendars_page(request: Request, municipality: MunicipalityDep, principal: SignedIn,
                   session: SessionDep):
    return _calendars_page(request, session, principal, municipality)


@router.post("/municipalities/{municipality_id}/calendars")
def save_calendar_settings(request: Request, municipality: MunicipalityDep, principal: SignedIn,
                           session: SessionDep, form: FormDep):
    require(policy.can_manage_settings(principal, municipality.id))
    result = parse_form(SettingsForm, form)
    if not result.ok:
        return _calendars_page(request, session, principal, municipality, values=result.values,
                               errors=result.errors, status_code=422)
    service.save_settings(session, municipality.id, **result.data.model_dump())
    return redirect(request, f"/municipalities/{municipality.id}/calendars",
                    message=_("Changes saved."))
