"""A cycle template of the catalogue, read-only, before a municipality chooses it. Any signed-in
user: the catalogue's templates are public examples, nothing in them is confidential."""

from fastapi import APIRouter, Request

from app.accounts.access import SignedIn
from app.cycles import preview
from app.loading import found
from app.web import render

router = APIRouter()


@router.get("/catalog/cycles/{key}")
def cycle_template_preview(request: Request, key: str, principal: SignedIn):
    return render(request, "cycles/catalog_preview.html",
                  {"preview": found(preview.cycle_preview(key))})
