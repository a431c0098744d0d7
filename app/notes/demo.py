"""Demo notes: the 2025/26 dialogues held in the demo municipalities get notes from their
municipality's template, written in plausible Danish, with two or three agreements each
whose status has since moved on (so next year's agendas show them under their evaluation
item). Most are published; one is approved and not yet published, one is still out with the
school for comments.

Runs after the agendas demo (the notes are pre-filled from the agendas). Idempotent: a note is
made once per meeting, and nothing is written into a note that exists already.
"""

from collections.abc import Iterator
from datetime import date, timedelta

from sqlmodel import Session, select

from app.cycles.models import SchoolYear
from app.i18n import local
from app.meetings.models import Meeting, MeetingStatus, MeetingType
from app.notes import agreements, publication, service
from app.notes.models import AgreementStatus, NoteStatus, Responsible, SectionKind
from app.schools.models import Municipality, School

# (agreement, responsible, status, comment at next year's follow-up)
AGREEMENTS = [
    [("Skolen udarbejder en plan for at nedbringe det ulovlige fravær i udskolingen.",
      Responsible.SCHOOL, AgreementStatus.DONE, "Planen er vedtaget og følges op hvert kvartal."),
     ("Forvaltningen deltager i et personalemøde om trivselsmålingens resultater.",
      Responsible.ADMINISTRATION, AgreementStatus.DONE, ""),
     ("Læsevejlederen fortsætter arbejdet med læsebånd i 1.–3. klasse.",
      Responsible.SCHOOL, AgreementStatus.IN_PROGRESS, "Udvidet til 4. klasse fra januar.")],
    [("Skolen og PPR aftaler et fælles forløb om ro og orden i mellemtrinnet.",
      Responsible.BOTH, AgreementStatus.IN_PROGRESS, "Første forløb er holdt; to mangler."),
     ("Skolen afprøver holddeling i matematik i 7. årgang.",
      Responsible.SCHOOL, AgreementStatus.DROPPED,
      "Opgivet: skemaet kunne ikke bære det. Erstattes af to-lærer-timer.")],
    [("Skolebestyrelsen inddrages i arbejdet med skolens værdiregelsæt.",
      Responsible.SCHOOL, AgreementStatus.DONE, ""),
     ("Forvaltningen leverer fraværstal pr. måned til skolens ledelse.",
      Responsible.ADMINISTRATION, AgreementStatus.IN_PROGRESS, "Leveres fra februar."),
     ("Skolen beskriver sine forventninger til elevernes faglige udbytte i dansk.",
      Responsible.SCHOOL, AgreementStatus.NEW, "")],
]

DISCUSSION = {
    "evaluation": "Følgende blev drøftet:\n- Skolen har arbejdet med sidste års aftaler; "
                  "fraværet er faldet en smule.\n- Samarbejdet med PPR fungerer godt.",
    "national_tests": "Følgende blev drøftet:\n- Resultaterne i læsning i 4. klasse og "
                      "skolens opfølgning på dem (fortroligt).",
    "minutes": "- Skolen fortalte om sine indsatser for trivsel.\n- Forvaltningen spurgte "
               "til fraværet i udskolingen.",
    "situation": "Skolen har et stærkt fællesskab og engagerede medarbejdere.",
    "initiatives": "Fortsætte arbejdet med læringsfællesskaber.",
    "background": "Trivselsmålingen viser, at ro og orden kan blive bedre.",
}


def _fill(session: Session, note) -> None:
    """Write plausible text into the sections a consultant writes after the dialogue."""
    for section in service.sections(session, note.id):
        if section.kind is not SectionKind.TEXT:
            continue
        values = dict(section.values)
        changed = False
        for field in section.fields:
            text = DISCUSSION.get(section.key) or DISCUSSION.get(field["key"])
            if text:
                values[field["key"]] = text
                changed = True
        if changed:
            service.save_section(session, section, values, expected_version=section.version,
                                 author_id=None)


def _dialogues(session: Session) -> list[tuple[Meeting, School, SchoolYear]]:
    return list(session.exec(
        select(Meeting, School, SchoolYear)
        .join(School, School.id == Meeting.school_id)
        .join(SchoolYear, SchoolYear.id == Meeting.school_year_id)
        .join(Municipality, Municipality.id == Meeting.municipality_id)
        .where(Municipality.is_demo == True,  # noqa: E712 - SQL comparison
               Meeting.meeting_type == MeetingType.DIALOGUE,
               Meeting.status == MeetingStatus.HELD, SchoolYear.start_year == 2025)
        .order_by(Meeting.starts_at, Meeting.id)).all())


def load(session: Session) -> Iterator[str]:
    made = published = 0
    rows = _dialogues(session)
    for n, (meeting, _school, _year) in enumerate(rows):
        if service.note_for_meeting(session, meeting.id) is not None:
            continue
        note = service.create_note(session, meeting)
        made += 1
        _fill(session, note)
        for text, responsible, status, comment in AGREEMENTS[n % len(AGREEMENTS)]:
            held = local(meeting.starts_at).date() if meeting.starts_at else date(2026, 4, 1)
            row = agreements.add(session, note, agreements.AgreementForm(
                text=text, responsible=responsible, due_date=held + timedelta(days=200)))
            agreements.set_status(session, row, agreements.StatusForm(
                status=status, status_comment=comment), expected_version=row.version)
        if n == len(rows) - 1:  # the last dialogue's note is still with the school
            service.set_status(session, note, NoteStatus.COMMENTS, expected_version=note.version)
            continue
        service.set_status(session, note, NoteStatus.APPROVED, expected_version=note.version)
        if n == len(rows) - 2:  # approved, not yet published
            continue
        if publication.can_publish(session, note) is None:
            version = publication.publish(session, note, expected_version=note.version,
                                          user_id=None)
            if meeting.ends_at:
                # The demo's history: published three weeks after the dialogue.
                version.published_at = meeting.ends_at + timedelta(days=21)
                session.add(version)
                session.commit()
            published += 1
    if made:
        yield f"Wrote {made} demo notes for the 2025/26 dialogues ({published} published)."
