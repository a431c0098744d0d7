"""E-mailed invitations (iTIP, RFC 5546): REQUEST when a meeting is booked or moved, CANCEL
when it is cancelled. Optional and off by default (SUS_INVITATIONS=true and an SMTP server).

Who gets them: participants with an e-mail address who want them: their own choice on their
page, or by default those who sit in most meetings (chief, director, head of PPR). The event
is the one the feeds show (same UID, same SEQUENCE, same text rules: nothing confidential),
with METHOD matching the MIME part's method parameter, ORGANIZER a real mailbox and every
ATTENDEE asked to RSVP, so Outlook and Google put it straight into the calendar.

Messages are built inside the committing transaction (app.feeds.hooks), stored in the outbox
table with it and sent afterwards (app.feeds.outbox), so a booking of 60 dialogues does not
wait for the mail server and a process that dies loses none.
"""

import logging
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from sqlmodel import Session, select

from app import i18n
from app.config import get_settings
from app.feeds import ical, service
from app.feeds.config import get_env
from app.feeds.hooks import Change
from app.feeds.ical import Address
from app.i18n import gettext as _
from app.meetings.models import Meeting, MeetingParticipant, MeetingStatus
from app.schools.models import Municipality, Person, School

log = logging.getLogger("sus.invitations")


def _people(session: Session, ids: set[int]) -> dict[int, Person]:
    if not ids:
        return {}
    return {p.id: p for p in session.exec(select(Person).where(Person.id.in_(ids)))}


def build(session: Session, pending: dict[int, Change]) -> list[EmailMessage]:
    env = get_env()
    messages: list[EmailMessage] = []
    with service.locale(get_settings().default_locale):
        for meeting_id, change in sorted(pending.items()):
            meeting = session.get(Meeting, meeting_id)
            if meeting is None or meeting.starts_at is None:
                continue
            rows = session.exec(select(MeetingParticipant).where(
                MeetingParticipant.meeting_id == meeting.id)).all()
            required = {r.person_id: r.required for r in rows}
            people = _people(session, set(required) | change.removed)
            cancelled = meeting.status is MeetingStatus.CANCELLED
            if change.changed:
                to = set(required)
            elif cancelled:
                to = set()
            else:
                to = change.added & set(required)
            municipality = session.get(Municipality, meeting.municipality_id)
            organizer = service.organizer(session, municipality)
            if organizer is None:
                log.warning("no organizer mailbox set: invitations for meeting %s not sent",
                            meeting.id)
                continue
            attendees = [Address(people[pid].email, people[pid].name, required[pid])
                         for pid in sorted(required, key=lambda i: (people[i].name, i))
                         if people[pid].email]
            school = session.get(School, meeting.school_id) if meeting.school_id else None
            for pid in sorted(to):
                person = people[pid]
                if person.email and service.wants_invitations(session, person):
                    messages.append(_message(
                        session, env, meeting, school, organizer, attendees, person,
                        method="CANCEL" if cancelled else "REQUEST", new=change.new))
            for pid in sorted(change.removed - set(required)):
                person = people.get(pid)
                if person and person.email and service.wants_invitations(session, person):
                    # Taken off the meeting: for them it is cancelled.
                    messages.append(_message(
                        session, env, meeting, school, organizer,
                        [Address(person.email, person.name)], person, method="CANCEL",
                        new=False))
    return messages


def _message(session, env, meeting: Meeting, school, organizer: Address,
             attendees: list[Address], person: Person, *, method: str, new: bool) -> EmailMessage:
    event = service.meeting_event(
        meeting, school=(school.name, school.address) if school else None, public=False,
        agenda=[] if meeting.confidential else service.registry.agenda_items(
            session, [meeting.id]).get(meeting.id, []),
        organizer=organizer, attendees=attendees)
    if method == "CANCEL" and not event.cancelled:
        from dataclasses import replace

        event = replace(event, cancelled=True)
    body = ical.calendar(meeting.title, [event], method=method, rsvp=method == "REQUEST")

    when = i18n.format_datetime(meeting.starts_at)
    if method == "CANCEL":
        subject = _("Cancelled: %(title)s, %(when)s", title=meeting.title, when=when)
        text = _("The meeting %(title)s, %(when)s, is cancelled.", title=meeting.title, when=when)
    elif new:
        subject = _("Invitation: %(title)s, %(when)s", title=meeting.title, when=when)
        text = _("You are invited to %(title)s, %(when)s.", title=meeting.title, when=when)
    else:
        subject = _("Changed: %(title)s, %(when)s", title=meeting.title, when=when)
        text = _("The meeting %(title)s has changed. It is now %(when)s.", title=meeting.title,
                 when=when)
    if event.location:
        text += "\n" + _("Place: %(place)s", place=event.location)
    text += "\n\n" + event.description + "\n"

    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = env.smtp_from
    msg["To"] = formataddr((person.name, person.email))
    msg["Reply-To"] = formataddr((organizer.name, organizer.email))
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain=organizer.email.rsplit("@", 1)[-1])
    msg.set_content(text)
    # The calendar part: bytes, so its CRLF line ends and folding arrive untouched.
    msg.add_alternative(body, maintype="text", subtype="calendar", cte="base64",
                        params={"method": method, "charset": "utf-8"})
    return msg
