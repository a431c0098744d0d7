"""A school's development goals, imported from its development contract.
"""

from sqlmodel import Session, col, select

from app.agendas.contracts import parse_contract
from app.agendas.models import Agenda, DevelopmentContract, DevelopmentGoal
from app.forms import FieldError
from app.i18n import gettext as _
from app.schools.models import School

# --- development goals -------------------------------------------------------------------------


def list_goals(session: Session, school_id: int) -> list[DevelopmentGoal]:
    return list(session.exec(
        select(DevelopmentGoal).join(DevelopmentContract)
        .where(DevelopmentGoal.school_id == school_id)
        .order_by(col(DevelopmentContract.year).desc(), DevelopmentContract.id,
                  DevelopmentGoal.position)))


def list_contracts(session: Session, school_id: int) -> list[DevelopmentContract]:
    return list(session.exec(select(DevelopmentContract)
                             .where(DevelopmentContract.school_id == school_id)
                             .order_by(col(DevelopmentContract.year).desc(),
                                       DevelopmentContract.id)))


def import_contract(session: Session, school: School, text: str) -> DevelopmentContract:
    """Save the contract and every goal found, all or nothing."""
    parsed = parse_contract(text)
    if not parsed.goals:
        raise FieldError("text", _("No development goals were found in the text. Each goal "
                                   "needs headings such as \"Baggrund og formål\"."))
    contract = DevelopmentContract(
        school_id=school.id, title=parsed.title or _("Development contract"),
        year=parsed.year, preamble=parsed.preamble, source_text=text)
    session.add(contract)
    session.flush()
    for pos, g in enumerate(parsed.goals, start=1):
        session.add(DevelopmentGoal(contract_id=contract.id, school_id=school.id, position=pos,
                                    title=g.title or _("Goal %(n)s", n=pos), track=g.track,
                                    sections=g.sections))
    session.commit()
    session.refresh(contract)
    return contract


def get_contract(session: Session, contract_id: int) -> DevelopmentContract | None:
    return session.get(DevelopmentContract, contract_id)


def delete_contract(session: Session, contract: DevelopmentContract) -> None:
    session.delete(contract)
    session.commit()


def get_goal(session: Session, goal_id: int) -> DevelopmentGoal | None:
    return session.get(DevelopmentGoal, goal_id)


def agendas_for_school(session: Session, school_id: int) -> list[Agenda]:
    return list(session.exec(select(Agenda).where(Agenda.school_id == school_id)
                             .order_by(col(Agenda.school_year_id).desc())))
