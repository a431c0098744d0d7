"""Who sees what in a feed, and who may make and revoke feed links.

A private feed shows what its owner may see on the meeting pages (app.meetings.policy), only
within the owner's own municipality, and never confidential content (Audience.FEED): the
meetings rule itself (`readable_meetings`), not a copy of it. A public feed shows only
public events: the municipality has chosen to publish its calendars, and the event is a step
of the year wheel or a dialogue (the statutory meeting), never confidential. Prep meetings,
debriefs and internal meetings are working meetings and stay private.
"""

from dataclasses import dataclass

from sqlalchemy import and_
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, select

from app.accounts.access import ANONYMOUS, Principal, principal_for_user
from app.accounts.models import User
from app.feeds.models import FeedKind
from app.meetings import policy as meetings_policy
from app.meetings.models import Meeting, MeetingType
from app.schools import policy as schools_policy
from app.schools.models import Person

PUBLIC_MEETING_TYPES = (MeetingType.DIALOGUE,)


@dataclass(frozen=True)
class Viewer:
    """Whom a feed is rendered for: the owner of a link, or the public."""

    key: str
    """Identifies the audience in the feed state: "public" or "p<person id>"."""
    person_id: int | None = None
    municipality_id: int | None = None
    principal: Principal = ANONYMOUS
    locale: str | None = None

    @property
    def public(self) -> bool:
        return self.person_id is None


PUBLIC = Viewer(key="public")


LOOK_UP = object()
"""The person's login is not known yet: read it."""


def principal_for_person(session: Session, person: Person,
                         user: "User | None | object" = LOOK_UP) -> Principal | None:
    """The grants of the person's login; an anonymous principal if they have none (they
    then see only meetings they take part in); None if their login is deactivated.
    `user`: the person's login (or None: they have none) when the caller has read it."""
    if user is LOOK_UP:
        user = session.exec(select(User).where(User.person_id == person.id)).first()
    if not isinstance(user, User):
        return ANONYMOUS
    if not user.is_active:
        return None
    return principal_for_user(session, user)


def viewer_for(session: Session, person: Person,
               user: "User | None | object" = LOOK_UP) -> Viewer | None:
    principal = principal_for_person(session, person, user)
    if principal is None or person.municipality_id is None:
        return None
    return Viewer(key=f"p{person.id}", person_id=person.id, municipality_id=person.municipality_id,
                  principal=principal, locale=principal.user.locale if principal.user else None)


# --- what a viewer sees -------------------------------------------------------------------


def meeting_clause(viewer: Viewer) -> ColumnElement[bool]:
    """WHERE clause on Meeting: the meetings this viewer may see in a feed: the meetings
    rule (app.meetings.policy.readable_meetings) within the owner's municipality."""
    if viewer.public:
        return and_(Meeting.meeting_type.in_(PUBLIC_MEETING_TYPES), Meeting.confidential.is_(False))
    return and_(Meeting.municipality_id == viewer.municipality_id,
                meetings_policy.readable_meetings(viewer.principal, person_id=viewer.person_id))


def sees_municipality(viewer: Viewer, municipality_id: int) -> bool:
    """Whether the viewer sees the municipality's year wheel (its steps)."""
    if viewer.public:
        return True
    return (municipality_id == viewer.municipality_id
            and schools_policy.can_view_municipality(viewer.principal, municipality_id))


def may_open(viewer: Viewer, kind: FeedKind, target_municipality_id: int | None,
             target_id: int) -> bool:
    """May this viewer have a feed of this kind about this target at all?"""
    if viewer.public:
        return kind not in (FeedKind.PERSON, FeedKind.CONSULTANT)
    if kind is FeedKind.PERSON:
        return target_id == viewer.person_id
    return target_municipality_id == viewer.municipality_id


# --- managing links -----------------------------------------------------------------------


def can_manage_links(p: Principal, person: Person) -> bool:
    """The person themselves, and the administration of their municipality (to revoke a link
    that leaked, or to make one for a chief without a login). A link never shows more than
    its owner may see, inside their own municipality, which the administration sees anyway."""
    if p.user is not None and p.user.person_id == person.id:
        return True
    return person.municipality_id is not None and schools_policy.can_manage_municipality(
        p, person.municipality_id)


def can_manage_settings(p: Principal, municipality_id: int) -> bool:
    return schools_policy.can_manage_municipality(p, municipality_id)
