"""The data-package template of the catalogue as a school would get it: its parts and
elements in the source's order, the indicators that show each, their level, what is
confidential, gaps and what is missing, the prompt and the reflection questions, and when the
data arrive (issue 15.8). Read-only; any signed-in user (the catalogue is public examples:
templates, never figures)."""

from fastapi import APIRouter, Request

from app.accounts.access import SignedIn
from app.catalog import assumed_reason, entry, read
from app.datapackages.catalog import ARRIVALS
from app.i18n import gettext
from app.loading import found
from app.web import render

router = APIRouter()


def _indicators() -> dict[str, dict]:
    """Indicator key → name, whether confidential, its area's key."""
    out = {}
    for area in read("indicators"):
        defaults = area.data.get("defaults", {})
        for i in area.data.get("indicator", []):
            out[i["key"]] = {"name": i.get("name", i["key"]), "area": area.key,
                             "confidential": bool(i.get("confidential",
                                                        defaults.get("confidential")))}
    return out


def package_preview(key: str) -> dict | None:
    found_entry = entry("packages", key)
    if found_entry is None:
        return None
    data, known = found_entry.data, _indicators()
    parts = []
    for number, part in enumerate(data.get("structure", []), start=1):
        elements = []
        for e in part.get("elements", []):
            shown = [known[k] for k in e.get("indicators", []) if k in known]
            elements.append({
                "text": e["text"], "level": e.get("level", ""), "gap": e.get("gap", ""),
                "missing": e.get("missing", ""), "by_package": e.get("shown_by") == "package",
                "indicators": shown,
                "confidential": any(i["confidential"] for i in shown),
                "assumed": assumed_reason(e),
            })
        areas = {i["area"] for e in elements for i in e["indicators"]}
        arrivals = sorted({gettext(ARRIVALS[a]) for a in areas if a in ARRIVALS})
        parts.append({"number": number, "title": part["title"], "elements": elements,
                      "arrivals": arrivals})
    return {"key": found_entry.key, "name": data.get("name", found_entry.key),
            "source": data.get("source", ""), "parts": parts,
            "highlights_prompt": data.get("highlights_prompt", ""),
            "reflection_questions": list(data.get("reflection_questions", []))}


@router.get("/catalog/packages/{key}")
def package_template_preview(request: Request, key: str, principal: SignedIn):
    return render(request, "datapackages/catalog_preview.html",
                  {"preview": found(package_preview(key))})
