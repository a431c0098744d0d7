"""The account page's choice of e-mails on what waits for me (app.notes.task_mail)."""

from fastapi import APIRouter, HTTPException, Request

from app.accounts.access import SignedIn
from app.db import SessionDep
from app.forms import FormDep
from app.i18n import gettext as _
from app.notes import task_mail
from app.web import redirect

router = APIRouter()


@router.post("/account/task-mail")
def save_task_mail(request: Request, principal: SignedIn, session: SessionDep, form: FormDep):
    """Each signed-in user chooses for themselves."""
    choice = form.get("wants")
    if choice not in ("yes", "no"):
        raise HTTPException(400)
    task_mail.set_preference(session, principal.user, choice == "yes")
    return redirect(request, "/account#task-mail",
                    message=_("You get e-mails on what waits for you.") if choice == "yes"
                    else _("You get no e-mails on what waits for you."))
