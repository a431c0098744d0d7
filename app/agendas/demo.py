"""Demo agendas: every dialogue meeting gets an agenda from its municipality's template, and
the three seed schools carry the goals of their seed contracts, some of them as themes.

Runs after the cycles demo (which makes the school years and the dialogues) and works on
whatever dialogue meetings exist. Idempotent: a contract is imported once per school, an
agenda is made once per meeting (ensure_agenda keeps every edit), and themes are only added
to an agenda made in this same run, so a theme someone removed never comes back.
"""

from collections.abc import Iterator
from pathlib import Path

from sqlmodel import Session, select

from app.agendas import build as agenda_build
from app.agendas import goals as agenda_goals
from app.agendas import themes as agenda_themes
from app.agendas.models import Agenda
from app.catalog import CATALOG_DIR
from app.meetings.models import Meeting, MeetingStatus, MeetingType
from app.schools.models import Municipality, School

CONTRACTS = CATALOG_DIR / "contracts"

# school (in the demo municipality) → (seed contract, goal titles put on its agenda as themes)
SEED_SCHOOLS = {
    "Morten Børup Skolen": ("mortenboerup.txt", ["Lokale mål: Fællesskab",
                                                 "Lokale mål: Teknologiforståelse"]),
    "Bakkeskolen": ("bakkeskolen.txt", ["1:", "4:"]),
    "Veng Skole & Børnehus": ("veng.txt", ["Trivsel i dagtilbud, skole og fritidstilbud",
                                           "Grøn Skanderborg – Grøn formidling og dannelse"]),
}


def _demo_schools(session: Session) -> dict[str, School]:
    rows = session.exec(select(School).join(Municipality).where(
        Municipality.is_demo == True,  # noqa: E712 - SQL comparison
        School.name.in_(list(SEED_SCHOOLS)))).all()
    return {s.name: s for s in rows}


def _goal_matches(goal, wanted: str) -> bool:
    if wanted.endswith(":") and wanted[:-1].isdigit():
        return goal.position == int(wanted[:-1])
    return goal.title == wanted


def load(session: Session) -> Iterator[str]:
    schools = _demo_schools(session)
    for name, school in schools.items():
        if agenda_goals.list_contracts(session, school.id):
            continue
        text = Path(CONTRACTS / SEED_SCHOOLS[name][0]).read_text(encoding="utf-8")
        contract = agenda_goals.import_contract(session, school, text)
        yield f"Imported the development contract of {name} ({contract.title})."

    made = 0
    dialogues = session.exec(select(Meeting).where(
        Meeting.meeting_type == MeetingType.DIALOGUE,
        Meeting.status != MeetingStatus.CANCELLED).order_by(Meeting.id)).all()
    seed_ids = {s.id: n for n, s in schools.items()}
    for meeting in dialogues:
        existed = session.exec(select(Agenda.id).where(Agenda.meeting_id == meeting.id)).first()
        agenda = agenda_build.ensure_agenda(session, meeting)
        if existed is not None or agenda is None:
            continue
        made += 1
        name = seed_ids.get(meeting.school_id)
        if name is None or agenda_themes.theme_item(session, agenda) is None:
            continue
        goals = agenda_goals.list_goals(session, meeting.school_id)
        for n, wanted in enumerate(SEED_SCHOOLS[name][1]):
            goal = next((g for g in goals if _goal_matches(g, wanted)), None)
            if goal is not None:
                theme = agenda_themes.theme_from_goal(session, agenda, goal, from_school=True)
                if n == 0:
                    agenda_themes.set_accepted(session, theme, True)
    if made:
        yield f"Made {made} agendas for the dialogues."
