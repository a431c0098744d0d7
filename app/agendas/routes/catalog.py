"""An agenda template of the catalogue, read-only, before a municipality chooses it. Any
signed-in user: the catalogue's templates are public examples, nothing in them is confidential."""

from fastapi import APIRouter, Request

from app.accounts.access import SignedIn
from app.agendas import preview
from app.loading import found
from app.web import render

router = APIRouter()


@router.get("/catalog/agendas/{key}")
def agenda_template_preview(request: Request, key: str, principal: SignedIn):
    return render(request, "agendas/catalog_preview.html",
                  {"preview": found(preview.agenda_preview(key))})
