"""An agenda template of the catalogue as a municipality would get it: every item with its
minutes, who brings it, its sub-points and appendices, and the conditions that add, drop or
lengthen them (issue 15.8). Values the source doesn't give carry the file's reason."""

from app.agendas.build import build_items, school_genitive
from app.agendas.models import OWNER_LABELS, AgendaSettings, ItemKind, Owner, VillageItemFor
from app.catalog import assumed_reason, entry
from app.i18n import N_, gettext
from app.schools.models import SCHOOL_KIND_LABELS, SchoolKind

FACT_LABELS = {
    "large_school": N_("large schools"),
    "special_classes": N_("schools with special classes"),
    # Municipality settings (agenda settings), named by the source's reading, the default.
    "large_special_department": N_("schools with special classes"),
    "village_item": N_("the schools the municipality's setting names (the source: every school)"),
    **{k.value: label for k, label in SCHOOL_KIND_LABELS.items()},
}

KIND_NOTES = {
    ItemKind.EVALUATION.value: N_("Last year's agreements are shown here with their status."),
    ItemKind.AGREEMENTS.value: N_("The agreements are written in the note after the dialogue."),
}


def _facts(names) -> str:
    return ", ".join(gettext(FACT_LABELS.get(n, n)).lower() for n in names)


def condition(spec: dict) -> str:
    """When the item, sub-point or appendix applies, in words; "" when always."""
    parts = []
    if spec.get("only_for"):
        parts.append(gettext("Only for %(which)s", which=_facts(spec["only_for"])))
    if spec.get("not_for"):
        parts.append(gettext("Not for %(which)s", which=_facts(spec["not_for"])))
    return "; ".join(parts)


def agenda_preview(key: str, *, large_school_threshold: int = 600) -> dict | None:
    found = entry("agendas", key)
    if found is None:
        return None
    data = found.data
    items, number, previous_group = [], 0, None
    for spec in data.get("items", []):
        group = spec.get("group", "")
        kind = spec.get("kind", "item")
        lone_pause = kind == ItemKind.PAUSE.value and not group
        group_start = bool(group) and group != previous_group
        if (group_start or not group) and not lone_pause:
            number += 1
        previous_group = group or None
        owner = spec.get("owner")
        items.append({
            "key": spec["key"], "number": "" if lone_pause else str(number),
            "group": group, "group_start": group_start, "title": spec["title"],
            "kind": kind, "description": spec.get("description", ""),
            "owner": gettext(OWNER_LABELS[Owner(owner)]) if owner else "",
            "minutes": spec.get("minutes"),
            "extra_minutes": [gettext("+%(minutes)s min. for %(which)s", minutes=e["minutes"],
                                      which=_facts([e["when"]]))
                              for e in spec.get("extra_minutes", [])],
            "condition": condition(spec),
            "sub_points": [(p, "") if isinstance(p, str) else (p["text"], condition(p))
                           for p in spec.get("sub_points", [])],
            "appendices": [(a["title"], condition(a)) for a in spec.get("appendices", [])],
            "accepts_themes": bool(spec.get("accepts_themes")),
            "kind_note": gettext(KIND_NOTES[kind]) if kind in KIND_NOTES else "",
            "assumed": assumed_reason(spec),
        })
    # An ordinary school as the default settings read it (Aalborg's village item: every school).
    facts = {SchoolKind.ORDINARY.value}
    if AgendaSettings().village_item_for is VillageItemFor.ALL:
        facts.add("village_item")
    ordinary = build_items(data, facts)
    return {
        "key": found.key, "name": data.get("name", found.key), "source": data.get("source", ""),
        "heading": data.get("heading", "").replace("{school_genitive}", school_genitive("Skolen")
                                                   .lower()),
        "intro": data.get("intro", ""), "closing": data.get("closing", ""),
        "footnote": data.get("footnote", ""), "agenda_items": items,
        "for_kinds": _facts(data.get("for_kinds", [])),
        "default": bool(data.get("default")),
        "ordinary_minutes": sum(i["minutes"] or 0 for i in ordinary),
        "untimed": sum(1 for i in ordinary if i["minutes"] is None),
        "large_school_threshold": large_school_threshold,
    }
