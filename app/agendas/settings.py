"""The agenda templates of the catalogue, and a municipality's choice among them.
"""

import re

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from app.agendas.models import (
    MINISTRY_NAMES,
    AgendaSettings,
    AgendaTemplate,
    LargeSpecialDepartment,
    MinistryName,
    VillageItemFor,
)
from app.agendas.word import PageSetup
from app.catalog import templates_or_load, upsert_templates
from app.db import check_version
from app.forms import FieldError
from app.i18n import gettext as _

# --- the catalogue ---------------------------------------------------------------------------


def load_templates(session: Session, entries) -> list[str]:
    """Catalogue loader (app/catalog/load.py): upsert by key, skip unchanged files."""
    return upsert_templates(session, AgendaTemplate, entries, "Agenda template")


def catalog_loader(session: Session, entries):
    yield from load_templates(session, entries)


def list_templates(session: Session) -> list[AgendaTemplate]:
    return templates_or_load(session, AgendaTemplate, "agendas", load_templates)


def assumed_items(session: Session, template_key: str,
                  settings: AgendaSettings | None = None) -> dict[str, str]:
    """Item key → the catalogue's reason, for the template's items whose values the source
    doesn't give (`assumed = true`, `assumed_reason`). The UI marks them "antaget" while
    the item is as the template made it, and, for an item whose value comes from a setting
    (`assumed_setting`), while the municipality keeps that setting at its assumed default."""
    template = get_template(session, template_key)
    items = template.data.get("items", []) if template else []
    still = assumed_settings(settings) if settings is not None else ASSUMED_SETTINGS
    return {i["key"]: i.get("assumed_reason", "") for i in items
            if i.get("assumed") and i.get("assumed_setting", "") in {"", *still}}


def get_template(session: Session, key: str) -> AgendaTemplate | None:
    return next((t for t in list_templates(session) if t.key == key), None)


# --- a municipality's settings -----------------------------------------------------------------


class SettingsForm(BaseModel):
    template_key: str = Field(min_length=1, max_length=80)
    special_template_key: str | None = Field(default=None, max_length=80)
    large_school_threshold: int = Field(default=600, ge=1, le=5000)
    village_item_for: VillageItemFor = VillageItemFor.ALL
    large_special_department: LargeSpecialDepartment = LargeSpecialDepartment.SPECIAL_CLASSES
    ministry_name: MinistryName = MinistryName.SOURCE
    margin_top_mm: int = Field(default=25, ge=5, le=60)
    margin_bottom_mm: int = Field(default=25, ge=5, le=60)
    margin_left_mm: int = Field(default=25, ge=5, le=60)
    margin_right_mm: int = Field(default=20, ge=5, le=60)


FIELDS = tuple(SettingsForm.model_fields)

ASSUMED_SETTINGS = {
    "large_school_threshold": (600, "Kilden (Aalborg) siger \"store skoler\" uden grænse: "
                                    "600 elever er vores antagelse."),
    "large_special_department": (
        LargeSpecialDepartment.SPECIAL_CLASSES,
        "Kilden (Aalborg) siger \"skoler med stor specialafdeling\" uden grænse: at det er "
        "alle skoler med specialklasser, er vores antagelse."),
}
"""Settings whose default the sources don't give: field → (default, reason). The settings
page marks them "antaget" while they have that value."""


def assumed_settings(row: AgendaSettings) -> dict[str, str]:
    """The fields of `row` still at a default the source doesn't give → the reason."""
    return {field: reason for field, (default, reason) in ASSUMED_SETTINGS.items()
            if getattr(row, field) == default}


def ministry_name(row: AgendaSettings) -> str:
    return MINISTRY_NAMES[row.ministry_name]


def with_ministry_name(text: str, row: AgendaSettings) -> str:
    """The sources' "Undervisningsministeriet" under the name the municipality chose."""
    if row.ministry_name is MinistryName.SOURCE or not text:
        return text
    return re.sub(r"(?<![\w-])Undervisningsministeri", "Børne- og Undervisningsministeri", text)


def page_setup(session: Session, municipality_id: int | None) -> PageSetup:
    """The Word documents' A4 margins of the municipality (the default when it has none)."""
    if municipality_id is None:
        return PageSetup()
    row = municipality_settings(session, municipality_id)
    return PageSetup(top=row.margin_top_mm / 10, bottom=row.margin_bottom_mm / 10,
                     left=row.margin_left_mm / 10, right=row.margin_right_mm / 10)


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
    if data.margin_left_mm + data.margin_right_mm > 150:
        raise FieldError("margin_right_mm", _("The margins leave too little room for the text."))
    for field in FIELDS:
        setattr(row, field, getattr(data, field))
    session.add(row)
    session.commit()
    session.refresh(row)
    return row
