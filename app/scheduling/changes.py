"""Changing a meeting's place and people: the input checked (a FieldError names the field),
then the change conflict-checked like a move (conflicts.checked_change); and what taking a
person off the meeting will do, said before it is done.
"""

from sqlmodel import Session

from app.db import check_version
from app.feeds import service as feeds
from app.feeds.config import get_env
from app.forms import FieldError
from app.i18n import gettext as _
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingStatus
from app.scheduling import conflicts, flows
from app.schools import service as schools
from app.schools.models import Person

PLACE_KINDS = ("school", "administration", "online", "other")


def change_place(session: Session, meeting: Meeting, *, kind: str, location: str,
                 force: bool = False, expected_version: int | None = None
                 ) -> list[conflicts.Conflict]:
    """Where the meeting is held. Raises FieldError for a wrong choice or a missing link or
    address, StaleVersion, or ChangeConflicts (nothing saved)."""
    location = (location or "").strip()
    if kind not in PLACE_KINDS or (kind == "school" and not meeting.school_id):
        raise FieldError("kind", _("Choose where the meeting is held."))
    if kind in ("online", "other") and not location:
        raise FieldError("location", _(
            "Give the link of an online meeting, or the address of another place."))
    if kind == "school" and not location:
        school = schools.get_school(session, meeting.school_id)
        location = school.address and f"{school.name}, {school.address}" or school.name
    check_version(meeting, expected_version)
    return conflicts.checked_change(
        session, meeting,
        lambda s: meetings.set_place(s, meeting, kind=kind, location=location, commit=False),
        force=force)


def add_participant(session: Session, meeting: Meeting, *, person_id: int | None,
                    guest_name: str = "", guest_email: str = "", required: bool = True,
                    force: bool = False) -> list[conflicts.Conflict]:
    """A person of the municipality, or a guest by name and e-mail. Raises FieldError or
    ChangeConflicts (nothing saved)."""
    name, email = guest_name.strip(), guest_email.strip()
    if person_id is not None:
        person = schools.get_person(session, person_id)
        if person is None or person.municipality_id != meeting.municipality_id:
            raise FieldError("person_id", _("Choose one of the options."))
    elif not name and not email:
        raise FieldError("person_id", _(
            "Choose a person, or give a guest's name and e-mail address."))
    elif not name:
        raise FieldError("guest_name", _("Give the guest's name."))
    elif "@" not in email or "." not in email.rsplit("@", 1)[-1]:
        raise FieldError("guest_email", _(
            "Give the guest's e-mail address, such as navn@skole.dk."))

    def change(s):
        if person_id is not None:
            meetings.add_participant(s, meeting, person_id, required=required, commit=False)
        else:
            flows.invite_guest(s, meeting, name=name, email=email, required=required)

    return conflicts.checked_change(session, meeting, change, force=force)


def removal_consequences(session: Session, meeting: Meeting, person: Person) -> list[str]:
    """What taking `person` off the meeting does, in words for the one who asks."""
    said = [_("%(name)s is taken off \"%(title)s\".", name=person.name, title=meeting.title)]
    if meeting.status is not MeetingStatus.BOOKED or meeting.starts_at is None:
        return said + [_("The meeting has no time yet, so nobody is told.")]
    if get_env().invitations_on and person.email and feeds.wants_invitations(session, person):
        said.append(_("%(name)s gets a cancellation by e-mail (%(email)s), so the meeting "
                      "leaves their Outlook calendar.", name=person.name, email=person.email))
    else:
        said.append(_("%(name)s gets no e-mail about it; a calendar they subscribe to drops "
                      "the meeting at its next refresh.", name=person.name))
    return said
