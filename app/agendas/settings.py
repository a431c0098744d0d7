"""The agenda templates of the catalogue, and a municipality's choice among them.
"""

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from app.agendas.models import AgendaSettings, AgendaTemplate
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


def assumed_items(session: Session, template_key: str) -> dict[str, str]:
    """Item key → the catalogue's reason, for the template's items whose values the source
    doesn't give (`assumed = true`, `assumed_reason`). The UI marks them "antaget" while
    the item is as the template made it."""
    template = get_template(session, template_key)
    items = template.data.get("items", []) if template else []
    return {i["key"]: i.get("assumed_reason", "") for i in items if i.get("assumed")}


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
