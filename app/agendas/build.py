"""An agenda built from the municipality's template and the school's facts.

An agenda's items are copied from the template when the agenda is made. The template and the
facts it was built from are kept in `Agenda.basis`; when they change (another template, a
school that grew past the threshold, a catalogue update) the items nobody edited are built
again, and edited ones, added ones and the school's themes stay.
"""

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from app.agendas.items import list_items
from app.agendas.models import (
    Agenda,
    AgendaItem,
    AgendaSettings,
    AgendaTemplate,
    Attachment,
    AttachmentKind,
    ItemKind,
    LargeSpecialDepartment,
    Owner,
    VillageItemFor,
)
from app.agendas.settings import get_template, municipality_settings, with_ministry_name
from app.agendas.themes import list_themes, renumber_themes
from app.db import check_version
from app.forms import FieldError
from app.i18n import gettext as _
from app.meetings.models import Meeting, MeetingType
from app.schools.models import School, SchoolKind

# --- from template and facts to items ----------------------------------------------------------


SPECIAL_KINDS = {SchoolKind.SPECIAL.value, SchoolKind.INTERNAL.value}


def school_facts(school: School | None, settings: AgendaSettings) -> set[str]:
    """The facts templates' conditions name: the school's kind, "large_school",
    "special_classes", and the municipality's readings of what the sources leave open:
    "large_special_department" (Aalborg's "stor specialafdeling") and "village_item" (the
    school gets Aalborg's "Landsbyordninger" item)."""
    if school is None:
        return set()
    facts = {school.kind.value}
    if school.student_count is not None and school.student_count >= settings.large_school_threshold:
        facts.add("large_school")
    if school.has_special_classes:
        facts.add("special_classes")
        if settings.large_special_department is LargeSpecialDepartment.SPECIAL_CLASSES:
            facts.add("large_special_department")
    if settings.village_item_for is VillageItemFor.ALL or school.kind is SchoolKind.VILLAGE:
        facts.add("village_item")
    return facts


def applies(spec: dict, facts: set[str]) -> bool:
    only, never = spec.get("only_for"), spec.get("not_for")
    if only and not facts & set(only):
        return False
    return not (never and facts & set(never))


def template_key_for(settings: AgendaSettings, school: School | None) -> str:
    if school is not None and school.kind.value in SPECIAL_KINDS and settings.special_template_key:
        return settings.special_template_key
    return settings.template_key


def build_items(data: dict, facts: set[str]) -> list[dict]:
    """The template's items that apply to a school with these facts, minutes extended."""
    items = []
    for spec in data.get("items", []):
        if not applies(spec, facts):
            continue
        minutes = spec.get("minutes")
        if minutes is not None:
            minutes += sum(e["minutes"] for e in spec.get("extra_minutes", [])
                           if e["when"] in facts)
        sub_points = [
            p if isinstance(p, str) else p["text"]
            for p in spec.get("sub_points", [])
            if isinstance(p, str) or applies(p, facts)
        ]
        items.append({
            "key": spec["key"],
            "group": spec.get("group", ""),
            "kind": ItemKind(spec.get("kind", "item")),
            "title": spec["title"],
            "description": spec.get("description", ""),
            "owner": Owner(spec["owner"]) if spec.get("owner") else None,
            "minutes": minutes,
            "sub_points": sub_points,
            "accepts_themes": bool(spec.get("accepts_themes")),
            "appendices": [a for a in spec.get("appendices", []) if applies(a, facts)],
        })
    return items


def _basis(template: AgendaTemplate, facts: set[str], settings: AgendaSettings) -> str:
    return (f"{template.key}:{template.digest[:16]}:{settings.ministry_name.value}:"
            f"{','.join(sorted(facts))}")


def school_genitive(name: str) -> str:
    """Danish genitive: "Bakkeskolens", "Veng Skole & Børnehus'"."""
    return name + ("'" if name[-1:].lower() in "sxz" else "s")


_ITEM_FIELDS = ("group", "kind", "title", "description", "owner", "minutes", "sub_points",
                "accepts_themes")


def get_agenda(session: Session, agenda_id: int) -> Agenda | None:
    return session.get(Agenda, agenda_id)


def agenda_for_meeting(session: Session, meeting_id: int) -> Agenda | None:
    return session.exec(select(Agenda).where(Agenda.meeting_id == meeting_id)).first()


def build_context(session: Session, meeting: Meeting, template_key: str | None = None):
    school = session.get(School, meeting.school_id) if meeting.school_id else None
    settings = municipality_settings(session, meeting.municipality_id)
    key = template_key or template_key_for(settings, school)
    template = get_template(session, key) or get_template(session, settings.template_key)
    return school, template, school_facts(school, settings), settings


def ensure_agenda(session: Session, meeting: Meeting) -> Agenda | None:
    """The meeting's agenda, made or brought up to date. Dialogues only."""
    if meeting.meeting_type is not MeetingType.DIALOGUE:
        return None
    agenda = agenda_for_meeting(session, meeting.id)
    school, template, facts, settings = build_context(session, meeting,
                                                      agenda.template_key if agenda else None)
    if agenda is not None and agenda.basis == _basis(template, facts, settings):
        return agenda
    if agenda is None:
        agenda = Agenda(meeting_id=meeting.id, school_id=meeting.school_id,
                        school_year_id=meeting.school_year_id, template_key=template.key)
        session.add(agenda)
    creating = agenda.id is None
    try:
        session.flush()
        _rebuild(session, agenda, template, facts, school, settings)
        session.commit()
    except (IntegrityError, StaleDataError, OperationalError):
        # Two first views of the same meeting at once: the other request made it (SQLite
        # refuses the late writer as "locked", PostgreSQL by the unique meeting_id).
        session.rollback()
        found = agenda_for_meeting(session, meeting.id)
        if found is None or not creating:
            raise
        return found
    session.refresh(agenda)
    return agenda


def change_template(session: Session, agenda: Agenda, template_key: str, *,
                    expected_version: int | None) -> Agenda:
    check_version(agenda, expected_version)
    meeting = session.get(Meeting, agenda.meeting_id)
    school, template, facts, settings = build_context(session, meeting, template_key)
    if template.key != template_key:
        raise FieldError("template_key", _("Choose one of the options."))
    _rebuild(session, agenda, template, facts, school, settings)
    session.commit()
    session.refresh(agenda)
    return agenda


def _named(spec: dict, settings: AgendaSettings) -> dict:
    """An item's texts with the ministry under the name the municipality chose."""
    return {**spec,
            "title": with_ministry_name(spec["title"], settings),
            "description": with_ministry_name(spec["description"], settings),
            "sub_points": [with_ministry_name(p, settings) for p in spec["sub_points"]]}


def _rebuild(session: Session, agenda: Agenda, template: AgendaTemplate, facts: set[str],
             school: School | None, settings: AgendaSettings) -> None:
    """Items from the template; edited and added items, and every theme, are kept."""
    same_template = agenda.template_key == template.key and bool(agenda.basis)
    data = template.data
    agenda.template_key = template.key
    agenda.basis = _basis(template, facts, settings)
    agenda.heading = with_ministry_name(data.get("heading", ""), settings).replace(
        "{school_genitive}", school_genitive(school.name) if school else "skolens")
    agenda.intro = with_ministry_name(data.get("intro", ""), settings)
    agenda.closing = with_ministry_name(data.get("closing", ""), settings)
    agenda.footnote = with_ministry_name(data.get("footnote", ""), settings)
    session.add(agenda)

    old = list_items(session, agenda.id)
    by_key = {i.key: i for i in old if i.key}
    wanted = [_named(spec, settings) for spec in build_items(data, facts)]
    kept_from_template: list[AgendaItem] = []
    created: list[tuple[int, AgendaItem]] = []
    for index, spec in enumerate(wanted):
        item = by_key.pop(spec["key"], None)
        if item is None:
            item = AgendaItem(agenda_id=agenda.id, key=spec["key"], position=0,
                              **{f: spec[f] for f in _ITEM_FIELDS})
            session.add(item)
            session.flush()
            created.append((index, item))
        elif not item.edited:
            for f in _ITEM_FIELDS:
                setattr(item, f, spec[f])
            session.add(item)
        kept_from_template.append(item)
        if not item.edited:
            _sync_data_attachments(session, agenda, item, spec["appendices"])

    theme_target = next((i for i in kept_from_template if i.accepts_themes), None)
    for item in by_key.values():  # template items the template no longer has
        themes = list_themes(session, item.id)
        if item.edited or (themes and theme_target is None) or _own_attachments(session, item):
            continue
        for theme in themes:
            assert theme_target is not None and theme_target.id is not None  # themes imply it
            theme.item_id = theme_target.id
            theme.position += 1000
            session.add(theme)
        session.flush()
        session.delete(item)
        old = [i for i in old if i.id != item.id]
    session.flush()

    # Ordering by id: table models compare by value and are not hashable.
    items_by_id = {i.id: i for i in old + kept_from_template}
    old_ids = [i.id for i in old]
    if same_template:
        # Keep the consultant's order; new items go after their predecessor in the template.
        order = list(old_ids)
        for index, item in created:
            before = kept_from_template[index - 1].id if index else None
            order.insert(order.index(before) + 1 if before in order else 0, item.id)
    else:
        order = [i.id for i in kept_from_template]
        for pos, item_id in enumerate(old_ids):
            if item_id in order:
                continue
            before = old_ids[pos - 1] if pos else None
            order.insert(order.index(before) + 1 if before in order else len(order), item_id)
    for pos, item_id in enumerate(order):
        items_by_id[item_id].position = pos + 1
        session.add(items_by_id[item_id])
    session.flush()
    for item_id in order:
        renumber_themes(session, item_id)


def _own_attachments(session: Session, item: AgendaItem) -> bool:
    return session.exec(select(Attachment.id).where(
        Attachment.item_id == item.id, Attachment.kind != AttachmentKind.DATA)).first() is not None


def _sync_data_attachments(session: Session, agenda: Agenda, item: AgendaItem,
                           appendices: list[dict]) -> None:
    existing = {a.data_section: a for a in session.exec(select(Attachment).where(
        Attachment.item_id == item.id, Attachment.kind == AttachmentKind.DATA))}
    for spec in appendices:
        row = existing.pop(spec["data_section"], None) or Attachment(
            agenda_id=agenda.id, item_id=item.id, kind=AttachmentKind.DATA,
            data_section=spec["data_section"], title=spec["title"])
        row.title = spec["title"]
        session.add(row)
    for row in existing.values():
        session.delete(row)
