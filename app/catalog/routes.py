"""The catalogue's templates, listed to look at before choosing one (issue 15.8). Any signed-in
user: the templates are the municipal examples of the package, nothing confidential."""

from fastapi import APIRouter, Request

from app.accounts.access import SignedIn
from app.catalog import read
from app.i18n import N_
from app.web import render

router = APIRouter()

# kind (catalogue folder) → heading, and the preview's address
KINDS = [("cycles", N_("Cycle templates")), ("agendas", N_("Agenda templates")),
         ("notes", N_("Note templates")), ("packages", N_("Data package templates"))]


def preview_url(kind: str, key: str) -> str:
    return f"/catalog/{kind}/{key}"


@router.get("/catalog")
def catalog_index(request: Request, principal: SignedIn):
    kinds = [(kind, label, [(e.data.get("name", e.key), e.data.get("source", ""),
                             preview_url(kind, e.key)) for e in read(kind)])
             for kind, label in KINDS]
    return render(request, "catalog/index.html", {"kinds": kinds})
