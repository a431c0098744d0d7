"""A note template of the catalogue as a municipality would get it: every section with its
text, what is filled in from the dialogue, who writes it and what is never published (issue
15.8). Read-only; any signed-in user (the catalogue's templates are public examples)."""

from fastapi import APIRouter, Request

from app.accounts.access import SignedIn
from app.catalog import assumed_reason, entry
from app.i18n import N_, gettext
from app.loading import found
from app.web import render

router = APIRouter()

PREFILL_LABELS = {
    "school": N_("Filled in with the school's name."),
    "datetime": N_("Filled in with the dialogue's date and time."),
    "place": N_("Filled in with the dialogue's place."),
    "participants": N_("Filled in with the dialogue's participants."),
    "material": N_("Filled in with the material sent: the data package and the agenda's appendices."),
    "last_agreements": N_("Filled in with last year's agreements and their status."),
    "themes": N_("Filled in with the agenda's themes."),
    "themes:school": N_("Filled in with the agenda's themes from the school."),
    "themes:committee": N_("Filled in with the agenda's themes from the political committee."),
    "themes:administration": N_("Filled in with the agenda's themes from the administration."),
}
WRITER_LABELS = {
    "school": N_("The school leadership writes it while the note is out for comments."),
    "board": N_("The school board's comments: written while the note is out for comments."),
}


def _fill(title: str) -> str:
    return title.replace("{school_year}", "2026/27").replace("{school}", gettext("the school"))


def note_preview(key: str) -> dict | None:
    found_entry = entry("notes", key)
    if found_entry is None:
        return None
    data = found_entry.data
    sections = []
    for spec in data.get("sections", []):
        prefill = spec.get("prefill", "")
        sections.append({
            "key": spec["key"], "title": spec.get("title", ""),
            "text": spec.get("text", ""), "guidance": spec.get("guidance", ""),
            "prefill": gettext(PREFILL_LABELS[prefill]) if prefill in PREFILL_LABELS else "",
            "fields": [f["label"] for f in spec.get("fields", [])],
            "table": spec.get("table", ""),
            "writer": gettext(WRITER_LABELS[spec["writer"]]) if spec.get("writer") in WRITER_LABELS
            else "",
            "confidential": bool(spec.get("confidential")),
            "agreements": spec.get("kind") == "agreements",
            "per_agenda_item": bool(spec.get("per_agenda_item")),
            "slots": list(spec.get("slots", [])),
            "assumed": assumed_reason(spec),
        })
    return {"key": found_entry.key, "name": data.get("name", found_entry.key),
            "source": data.get("source", ""), "title": _fill(data.get("title", "")),
            "sections": sections}


@router.get("/catalog/notes/{key}")
def note_template_preview(request: Request, key: str, principal: SignedIn):
    return render(request, "notes/catalog_preview.html", {"preview": found(note_preview(key))})
