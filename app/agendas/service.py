"""Agendas of the dialogues: built from the municipality's template and the school's facts.

An agenda's items are copied from the template when the agenda is made. The template and the
facts it was built from are kept in `Agenda.basis`; when they change (another template, a
school that grew past the threshold, a catalogue update) the items nobody edited are built
again, and edited ones, added ones and the school's themes stay. Clock times are never
stored: they are computed from the meeting's start whenever the agenda is shown, so moving
the meeting moves every item with it.
"""

import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path

from pydantic import BaseModel, Field, field_validator
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from app.agendas.contracts import parse_contract
from app.agendas.models import (
    Agenda,
    AgendaItem,
    AgendaSettings,
    AgendaTemplate,
    AgendaTheme,
    Attachment,
    AttachmentKind,
    DevelopmentContract,
    DevelopmentGoal,
    ItemKind,
    Owner,
)
from app.catalog import read as read_catalog
from app.catalog import upsert_templates
from app.cycles.models import SchoolYear, Step
from app.db import check_version
from app.forms import FieldError
from app.i18n import N_, TZ
from app.i18n import gettext as _
from app.meetings.models import Meeting, MeetingType
from app.registry import Registry
from app.schools.models import School, SchoolKind

# --- the catalogue ---------------------------------------------------------------------------


def load_templates(session: Session, entries) -> list[str]:
    """Catalogue loader (app/catalog/load.py): upsert by key, skip unchanged files."""
    return upsert_templates(session, AgendaTemplate, entries, "Agenda template")


def catalog_loader(session: Session, entries):
    yield from load_templates(session, entries)


def list_templates(session: Session) -> list[AgendaTemplate]:
    rows = list(session.exec(select(AgendaTemplate).order_by(AgendaTemplate.name)))
    if not rows:
        # A fresh database that never ran `sus catalog load`: the catalogue is in the package.
        load_templates(session, read_catalog("agendas"))
        rows = list(session.exec(select(AgendaTemplate).order_by(AgendaTemplate.name)))
    return rows


def get_template(session: Session, key: str) -> AgendaTemplate | None:
    return next((t for t in list_templates(session) if t.key == key), None)


# --- a municipality's settings -----------------------------------------------------------------


class SettingsForm(BaseModel):
    template_key: str = Field(min_length=1, max_length=80)
    special_template_key: str | None = Field(default=None, max_length=80)
    large_school_threshold: int = Field(default=600, ge=1, le=5000)


def municipality_settings(session: Session, municipality_id: int) -> AgendaSettings:
    """The municipality's settings, made from the catalogue's defaults on first use."""
    row = session.exec(select(AgendaSettings).where(
        AgendaSettings.municipality_id == municipality_id)).first()
    if row is None:
        templates = list_templates(session)
        default = next((t for t in templates if t.data.get("default")), templates[0])
        special = next((t for t in templates if t.data.get("for_kinds")), None)
        row = AgendaSettings(municipality_id=municipality_id, template_key=default.key,
                             special_template_key=special.key if special else None)
        session.add(row)
        session.commit()
        session.refresh(row)
    return row


def update_settings(session: Session, row: AgendaSettings, data: SettingsForm, *,
                    expected_version: int | None) -> AgendaSettings:
    check_version(row, expected_version)
    keys = {t.key for t in list_templates(session)}
    if data.template_key not in keys:
        raise FieldError("template_key", _("Choose one of the options."))
    if data.special_template_key and data.special_template_key not in keys:
        raise FieldError("special_template_key", _("Choose one of the options."))
    row.template_key = data.template_key
    row.special_template_key = data.special_template_key
    row.large_school_threshold = data.large_school_threshold
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


# --- from template and facts to items ----------------------------------------------------------


SPECIAL_KINDS = {SchoolKind.SPECIAL.value, SchoolKind.INTERNAL.value}


def school_facts(school: School | None, settings: AgendaSettings) -> set[str]:
    """The facts templates' conditions name: the school's kind, "large_school",
    "special_classes"."""
    if school is None:
        return set()
    facts = {school.kind.value}
    if school.student_count is not None and school.student_count >= settings.large_school_threshold:
        facts.add("large_school")
    if school.has_special_classes:
        facts.add("special_classes")
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


def _basis(template: AgendaTemplate, facts: set[str]) -> str:
    return f"{template.key}:{template.digest[:16]}:{','.join(sorted(facts))}"


def school_genitive(name: str) -> str:
    """Danish genitive: "Bakkeskolens", "Veng Skole & Børnehus'"."""
    return name + ("'" if name[-1:].lower() in "sxz" else "s")


_ITEM_FIELDS = ("group", "kind", "title", "description", "owner", "minutes", "sub_points",
                "accepts_themes")


def get_agenda(session: Session, agenda_id: int) -> Agenda | None:
    return session.get(Agenda, agenda_id)


def agenda_for_meeting(session: Session, meeting_id: int) -> Agenda | None:
    return session.exec(select(Agenda).where(Agenda.meeting_id == meeting_id)).first()


def _context(session: Session, meeting: Meeting, template_key: str | None = None):
    school = session.get(School, meeting.school_id) if meeting.school_id else None
    settings = municipality_settings(session, meeting.municipality_id)
    key = template_key or template_key_for(settings, school)
    template = get_template(session, key) or get_template(session, settings.template_key)
    return school, template, school_facts(school, settings)


def ensure_agenda(session: Session, meeting: Meeting) -> Agenda | None:
    """The meeting's agenda, made or brought up to date. Dialogues only."""
    if meeting.meeting_type is not MeetingType.DIALOGUE:
        return None
    agenda = agenda_for_meeting(session, meeting.id)
    school, template, facts = _context(session, meeting,
                                       agenda.template_key if agenda else None)
    if agenda is not None and agenda.basis == _basis(template, facts):
        return agenda
    if agenda is None:
        agenda = Agenda(meeting_id=meeting.id, school_id=meeting.school_id,
                        school_year_id=meeting.school_year_id, template_key=template.key)
        session.add(agenda)
    creating = agenda.id is None
    try:
        session.flush()
        _rebuild(session, agenda, template, facts, school)
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
    school, template, facts = _context(session, meeting, template_key)
    if template.key != template_key:
        raise FieldError("template_key", _("Choose one of the options."))
    _rebuild(session, agenda, template, facts, school)
    session.commit()
    session.refresh(agenda)
    return agenda


def _rebuild(session: Session, agenda: Agenda, template: AgendaTemplate, facts: set[str],
             school: School | None) -> None:
    """Items from the template; edited and added items, and every theme, are kept."""
    same_template = agenda.template_key == template.key and bool(agenda.basis)
    data = template.data
    agenda.template_key = template.key
    agenda.basis = _basis(template, facts)
    agenda.heading = data.get("heading", "").replace(
        "{school_genitive}", school_genitive(school.name) if school else "skolens")
    agenda.intro = data.get("intro", "")
    agenda.closing = data.get("closing", "")
    agenda.footnote = data.get("footnote", "")
    session.add(agenda)

    old = list_items(session, agenda.id)
    by_key = {i.key: i for i in old if i.key}
    wanted = build_items(data, facts)
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
        _renumber_themes(session, item_id)


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


def list_items(session: Session, agenda_id: int) -> list[AgendaItem]:
    return list(session.exec(select(AgendaItem).where(AgendaItem.agenda_id == agenda_id)
                             .order_by(AgendaItem.position, AgendaItem.id)))


def list_themes(session: Session, item_id: int) -> list[AgendaTheme]:
    return list(session.exec(select(AgendaTheme).where(AgendaTheme.item_id == item_id)
                             .order_by(AgendaTheme.position, AgendaTheme.id)))


def _renumber_themes(session: Session, item_id: int) -> None:
    for pos, theme in enumerate(list_themes(session, item_id)):
        if theme.position != pos + 1:
            theme.position = pos + 1
            session.add(theme)


# --- the timeline ------------------------------------------------------------------------------


@dataclass
class Row:
    item: AgendaItem
    number: str
    """"1", "2" … per entry; the items of a group share their group's number."""
    group_start: bool
    """The first item of a group: the group's heading goes above it."""
    starts: datetime | None
    ends: datetime | None
    themes: list[tuple[AgendaTheme, list[Attachment]]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class Timeline:
    rows: list[Row]
    total_minutes: int
    meeting_minutes: int | None
    untimed: int
    """Items without minutes (they take no time in the clock times)."""

    @property
    def overrun(self) -> int:
        if self.meeting_minutes is None:
            return 0
        return max(0, self.total_minutes - self.meeting_minutes)


def timeline(session: Session, agenda: Agenda, meeting: Meeting) -> Timeline:
    items = list_items(session, agenda.id)
    ids = [i.id for i in items]
    themes: dict[int, list[AgendaTheme]] = {i: [] for i in ids}
    for t in session.exec(select(AgendaTheme).where(col(AgendaTheme.item_id).in_(ids))
                          .order_by(AgendaTheme.position, AgendaTheme.id)):
        themes[t.item_id].append(t)
    attachments: dict[tuple[str, int], list[Attachment]] = {}
    for a in session.exec(select(Attachment).where(Attachment.agenda_id == agenda.id)
                          .order_by(Attachment.id)):
        attachments.setdefault(("theme", a.theme_id) if a.theme_id else ("item", a.item_id),
                               []).append(a)

    rows, number, previous_group = [], 0, None
    clock = meeting.starts_at if meeting.starts_at and not meeting.all_day else None
    total = untimed = 0
    for item in items:
        group_start = bool(item.group) and item.group != previous_group
        lone_pause = item.kind is ItemKind.PAUSE and not item.group
        if (group_start or not item.group) and not lone_pause:
            number += 1  # the items of a group share their group's number
        previous_group = item.group or None
        label = "" if lone_pause else str(number)
        minutes = item.minutes or 0
        if item.minutes is None:
            untimed += 1
        starts = clock
        ends = clock + timedelta(minutes=minutes) if clock is not None else None
        if clock is not None:
            clock = ends
        total += minutes
        rows.append(Row(item, label, group_start, starts, ends,
                        [(t, attachments.get(("theme", t.id), [])) for t in themes[item.id]],
                        attachments.get(("item", item.id), [])))
    length = None
    if meeting.starts_at and meeting.ends_at and not meeting.all_day:
        length = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    return Timeline(rows, total, length, untimed)


def total_minutes(session: Session, agenda: Agenda) -> int:
    return sum(i.minutes or 0 for i in list_items(session, agenda.id))


def duration_provider(session: Session, meeting: Meeting) -> int | None:
    """How long a dialogue needs: its agenda's minutes (or its template's, before it has one).

    Registered with app.meetings.service so the scheduler books the agenda's length."""
    if meeting.meeting_type is not MeetingType.DIALOGUE:
        return None
    agenda = agenda_for_meeting(session, meeting.id)
    if agenda is not None:
        return total_minutes(session, agenda) or None
    _, template, facts = _context(session, meeting)
    return sum(i["minutes"] or 0 for i in build_items(template.data, facts)) or None


# --- editing items -----------------------------------------------------------------------------


class ItemForm(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)
    owner: Owner | None = None
    minutes: int | None = Field(default=None, ge=0, le=600)
    sub_points: str = Field(default="", max_length=5000)
    """One sub-point per line."""
    group: str = Field(default="", max_length=200)

    def sub_point_list(self) -> list[str]:
        return [line.strip() for line in self.sub_points.splitlines() if line.strip()]


def get_item(session: Session, agenda: Agenda, item_id: int) -> AgendaItem | None:
    item = session.get(AgendaItem, item_id)
    return item if item is not None and item.agenda_id == agenda.id else None


def update_item(session: Session, item: AgendaItem, data: ItemForm, *,
                expected_version: int | None) -> AgendaItem:
    check_version(item, expected_version)
    item.title, item.description, item.owner = data.title, data.description, data.owner
    item.minutes, item.sub_points, item.group = data.minutes, data.sub_point_list(), data.group
    item.edited = True
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


def add_item(session: Session, agenda: Agenda, data: ItemForm) -> AgendaItem:
    items = list_items(session, agenda.id)
    # Before the closing agreements item, if there is one: that is where new topics belong.
    at = next((i.position for i in items if i.kind is ItemKind.AGREEMENTS), len(items) + 1)
    for i in items:
        if i.position >= at:
            i.position += 1
            session.add(i)
    item = AgendaItem(agenda_id=agenda.id, position=at, title=data.title,
                      description=data.description, owner=data.owner, minutes=data.minutes,
                      sub_points=data.sub_point_list(), group=data.group, edited=True)
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


def delete_item(session: Session, item: AgendaItem) -> None:
    session.delete(item)
    session.commit()


def move_item(session: Session, agenda: Agenda, item: AgendaItem, direction: str) -> None:
    """Swap the item with its neighbour ("up" or "down")."""
    items = list_items(session, agenda.id)
    index = [i.id for i in items].index(item.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for pos, i in enumerate(items):
        if i.position != pos + 1:
            i.position = pos + 1
            session.add(i)
    session.commit()


# --- the school's themes -----------------------------------------------------------------------


class ThemeForm(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=3000)
    goal_id: int | None = None


def theme_item(session: Session, agenda: Agenda) -> AgendaItem | None:
    """The item the school's themes go under."""
    return next((i for i in list_items(session, agenda.id) if i.accepts_themes), None)


def school_input_deadline(session: Session, agenda: Agenda) -> date | None:
    meeting = session.get(Meeting, agenda.meeting_id)
    step = session.get(Step, meeting.step_id) if meeting.step_id else None
    return step.school_input_deadline if step else None


def today() -> date:
    return datetime.now(TZ).date()


def school_input_open(session: Session, agenda: Agenda, on: date | None = None) -> bool:
    """School leadership may change its themes until the step's deadline (that day included);
    without a deadline, until the day of the meeting."""
    on = on or today()
    deadline = school_input_deadline(session, agenda)
    if deadline is not None:
        return on <= deadline
    meeting = session.get(Meeting, agenda.meeting_id)
    return meeting.starts_at is None or on <= meeting.starts_at.astimezone(TZ).date()


def add_theme(session: Session, agenda: Agenda, data: ThemeForm, *, from_school: bool,
              item: AgendaItem | None = None) -> AgendaTheme:
    item = item or theme_item(session, agenda)
    if item is None:
        raise FieldError("title", _("This agenda has no item for the school's themes."))
    goal_id = data.goal_id
    if goal_id is not None:
        goal = session.get(DevelopmentGoal, goal_id)
        if goal is None or goal.school_id != agenda.school_id:
            raise FieldError("goal_id", _("Choose one of the options."))
    position = len(list_themes(session, item.id)) + 1
    theme = AgendaTheme(item_id=item.id, position=position, title=data.title,
                        description=data.description, goal_id=goal_id, from_school=from_school)
    session.add(theme)
    session.commit()
    session.refresh(theme)
    return theme


def theme_from_goal(session: Session, agenda: Agenda, goal: DevelopmentGoal, *,
                    from_school: bool) -> AgendaTheme:
    existing = session.exec(select(AgendaTheme).join(AgendaItem).where(
        AgendaItem.agenda_id == agenda.id, AgendaTheme.goal_id == goal.id)).first()
    if existing is not None:
        return existing
    summary = goal.sections.get("goal", "")
    return add_theme(session, agenda, ThemeForm(title=_short(goal.title, 200),
                                                description=_short(summary, 3000),
                                                goal_id=goal.id), from_school=from_school)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def get_theme(session: Session, agenda: Agenda, theme_id: int) -> AgendaTheme | None:
    theme = session.get(AgendaTheme, theme_id)
    if theme is None:
        return None
    item = session.get(AgendaItem, theme.item_id)
    return theme if item is not None and item.agenda_id == agenda.id else None


def update_theme(session: Session, theme: AgendaTheme, data: ThemeForm, *,
                 expected_version: int | None) -> AgendaTheme:
    check_version(theme, expected_version)
    theme.title, theme.description = data.title, data.description
    session.add(theme)
    session.commit()
    session.refresh(theme)
    return theme


def delete_theme(session: Session, theme: AgendaTheme) -> None:
    for a in session.exec(select(Attachment).where(Attachment.theme_id == theme.id)):
        _remove_file(a)
    session.delete(theme)
    session.commit()


def set_accepted(session: Session, theme: AgendaTheme, accepted: bool) -> AgendaTheme:
    theme.accepted = accepted
    session.add(theme)
    session.commit()
    session.refresh(theme)
    return theme


def move_theme(session: Session, theme: AgendaTheme, direction: str) -> None:
    themes = list_themes(session, theme.item_id)
    index = [t.id for t in themes].index(theme.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(themes):
        return
    themes[index], themes[other] = themes[other], themes[index]
    for pos, t in enumerate(themes):
        t.position = pos + 1
        session.add(t)
    session.commit()


# --- appendices (bilag) ------------------------------------------------------------------------

MAX_FILE_MB = 10
"""Largest uploaded appendix. The whole request is also capped by SUS_MAX_UPLOAD_MB."""

FILE_TYPES = {
    "pdf": ("application/pdf", N_("PDF")),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             N_("Word document")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             N_("Excel workbook")),
}


def sniff(content: bytes) -> str | None:
    """The file's real type from its content: "pdf", "docx", "xlsx" or None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(content)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    return None


def upload_dir() -> Path:
    """Outside static/: files are only served through a route that checks access."""
    from app import config

    path = config.VAR_DIR / "uploads" / "agendas"
    path.mkdir(parents=True, exist_ok=True)
    return path


def add_file(session: Session, agenda: Agenda, *, file_name: str, content: bytes,
             title: str | None, item: AgendaItem | None = None,
             theme: AgendaTheme | None = None, from_school: bool = False) -> Attachment:
    if not content:
        raise FieldError("file", _("Choose a file."))
    if len(content) > MAX_FILE_MB * 1024 * 1024:
        raise FieldError("file", _("The file is too large: at most %(mb)s MB.", mb=MAX_FILE_MB))
    kind = sniff(content)
    extension = Path(file_name).suffix.lower().lstrip(".")
    if kind is None or extension != kind:
        raise FieldError("file", _("Only PDF, Word (.docx) and Excel (.xlsx) files can be "
                                   "attached, and the file's content must match its name."))
    stored = f"{secrets.token_hex(16)}.{kind}"
    (upload_dir() / stored).write_bytes(content)
    row = Attachment(agenda_id=agenda.id, item_id=item.id if item else None,
                     theme_id=theme.id if theme else None, kind=AttachmentKind.FILE,
                     title=(title or Path(file_name).stem)[:200], file_name=Path(file_name).name[:200],
                     stored_name=stored, content_type=FILE_TYPES[kind][0], size=len(content),
                     from_school=from_school)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


class LinkForm(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=500)

    @field_validator("url")
    @classmethod
    def _web_or_local(cls, v: str) -> str:
        if not (v.startswith(("https://", "http://")) or (v.startswith("/") and not v.startswith("//"))):
            raise ValueError(N_("Must be a web address beginning with https://"))
        return v


def add_link(session: Session, agenda: Agenda, data: LinkForm, *, item: AgendaItem | None = None,
             theme: AgendaTheme | None = None, from_school: bool = False) -> Attachment:
    row = Attachment(agenda_id=agenda.id, item_id=item.id if item else None,
                     theme_id=theme.id if theme else None, kind=AttachmentKind.LINK,
                     title=data.title, url=data.url, from_school=from_school)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def get_attachment(session: Session, attachment_id: int) -> Attachment | None:
    return session.get(Attachment, attachment_id)


def attachment_path(row: Attachment) -> Path | None:
    if row.kind is not AttachmentKind.FILE or not row.stored_name:
        return None
    path = upload_dir() / row.stored_name
    return path if path.is_file() else None


def _remove_file(row: Attachment) -> None:
    path = attachment_path(row)
    if path is not None:
        path.unlink(missing_ok=True)


def delete_attachment(session: Session, row: Attachment) -> None:
    _remove_file(row)
    session.delete(row)
    session.commit()


# The data-packages domain says where a section of a school's package lives.
data_section_urls: Registry[Callable[[Session, int, int, str], str | None]] = Registry(
    "agendas.data_section_urls")
"""provider(session, school_id, school_year_id, section_key) → URL or None."""


def attachment_url(session: Session, agenda: Agenda, row: Attachment) -> str | None:
    if row.kind is AttachmentKind.FILE:
        return f"/attachments/{row.id}"
    if row.kind is AttachmentKind.LINK:
        return row.url
    if agenda.school_id is None:
        return None
    for provider in data_section_urls:
        url = provider(session, agenda.school_id, agenda.school_year_id, row.data_section or "")
        if url:
            return url
    return None


# --- follow-up on last year: under the evaluation item -----------------------------------------

followup_providers: Registry[Callable[[Session, Agenda], tuple[str, dict] | None]] = Registry(
    "agendas.followup_providers")
"""The notes domain shows last year's agreements with their status here:
provider(session, agenda) → (template, context) or None. The first answer wins; the agendas
domain's own fallback (last year's agenda) is asked after every registered provider."""


def previous_agenda(session: Session, agenda: Agenda) -> Agenda | None:
    """The same school's agenda in the school year before."""
    if agenda.school_id is None:
        return None
    year = session.get(SchoolYear, agenda.school_year_id)
    return session.exec(
        select(Agenda).join(SchoolYear, SchoolYear.id == Agenda.school_year_id)
        .where(Agenda.school_id == agenda.school_id,
               SchoolYear.start_year == year.start_year - 1)
        .order_by(col(Agenda.id).desc())
    ).first()


def last_years_agenda(session: Session, agenda: Agenda) -> tuple[str, dict] | None:
    """Until notes exist: last year's agenda, its items and the school's themes."""
    previous = previous_agenda(session, agenda)
    if previous is None:
        return None
    meeting = session.get(Meeting, previous.meeting_id)
    items = [(i, list_themes(session, i.id)) for i in list_items(session, previous.id)]
    return "agendas/_followup_last_agenda.html", {"previous": previous, "meeting": meeting,
                                                  "items": items}


def followup(session: Session, agenda: Agenda) -> tuple[str, dict] | None:
    for provider in [*followup_providers, last_years_agenda]:
        found = provider(session, agenda)
        if found is not None:
            return found
    return None


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
