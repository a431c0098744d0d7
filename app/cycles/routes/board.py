"""The municipality's choice whether the dialogue invites the school board's parent
representative (folkeskoleloven § 40 a, from 1 August 2025); the form sits on the scheduling
settings page."""

from fastapi import APIRouter, Request

from app.accounts.access import Staff, require
from app.cycles import planning, policy
from app.db import SessionDep, StaleVersion
from app.forms import FormDep, int_or_none
from app.i18n import gettext as _
from app.loading import checked_id, found
from app.schools import service as schools
from app.web import redirect

router = APIRouter()


@router.post("/municipalities/{municipality_id}/board-representative")
def save_board_representative(request: Request, municipality_id: int, principal: Staff,
                              session: SessionDep, form: FormDep):
    municipality = found(schools.get_municipality(session, checked_id(municipality_id)))
    require(policy.can_choose_invitations(principal, municipality.id))
    invite = form.get("invite") in ("on", "1", "true")
    back = f"/municipalities/{municipality.id}/scheduling#board"
    try:
        changed = planning.set_board_representative_invitations(
            session, municipality, invite, expected_version=int_or_none(form.get("version")))
    except StaleVersion:
        return redirect(request, back, level="error", message=_(
            "Someone else changed the municipality's settings in the meantime. Look at the "
            "choice again and save it."))
    if invite:
        message = _("The school board's representative is invited to the dialogues by default; "
                    "%(count)s dialogues not yet held now invite them.", count=changed)
    else:
        message = _("The school board's representative is no longer invited by default; "
                    "%(count)s dialogues not yet held no longer invite them.", count=changed)
    return redirect(request, back, message=message)
