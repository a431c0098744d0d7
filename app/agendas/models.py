"""Agendas (dagsordener) of the dialogues, their templates, the school's themes, appendices
(bilag) and the schools' development goals (udviklingsmål)."""

from enum import Enum

import sqlalchemy as sa
from sqlmodel import Field

from app.db import Timestamped, Versioned, enum_type
from app.i18n import N_


class Owner(str, Enum):
    """Who brings an item to the dialogue (Stevns 2.1 names four)."""

    SCHOOL = "school"
    COMMITTEE = "committee"
    """det politiske udvalg"""
    ADMINISTRATION = "administration"
    """forvaltningen"""
    MINISTRY = "ministry"
    """Undervisningsministeriet (the obligatory national tests)"""
    JOINT = "joint"
    """everyone: evaluation, agreements, open discussion"""


OWNER_LABELS = {
    Owner.SCHOOL: N_("The school"),
    Owner.COMMITTEE: N_("The political committee"),
    Owner.ADMINISTRATION: N_("The administration"),
    Owner.MINISTRY: N_("The ministry"),
    Owner.JOINT: N_("Joint"),
}


class ItemKind(str, Enum):
    ITEM = "item"
    EVALUATION = "evaluation"
    """Follow-up on last year's dialogue and agreements: shows them (see service.followup)."""
    PAUSE = "pause"
    AGREEMENTS = "agreements"


class AttachmentKind(str, Enum):
    FILE = "file"
    """An uploaded PDF, DOCX or XLSX."""
    LINK = "link"
    """A web address (e.g. a section of the data package)."""
    DATA = "data"
    """A section of the school's data package, resolved to a link when one exists."""


class VillageItemFor(str, Enum):
    ALL = "all"
    """Every school, as the source prints the item."""
    VILLAGE = "village"
    """Only village schools (landsbyordninger)."""


class LargeSpecialDepartment(str, Enum):
    SPECIAL_CLASSES = "special_classes"
    """Every school with a special-class department."""
    NONE = "none"
    """No school: the item never gets the extra time."""


class MinistryName(str, Enum):
    SOURCE = "source"
    """"Undervisningsministeriet", as the seed agendas write it."""
    CURRENT = "current"
    """"Børne- og Undervisningsministeriet", the ministry's name today."""


MINISTRY_NAMES = {
    MinistryName.SOURCE: "Undervisningsministeriet",
    MinistryName.CURRENT: "Børne- og Undervisningsministeriet",
}


class AgendaTemplate(Timestamped, table=True):
    """An agenda from the catalogue (app/catalog/agendas/*.toml)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=200)
    source: str = Field(default="", max_length=300)
    data: dict = Field(default_factory=dict, sa_type=sa.JSON)
    """The catalogue file's content: heading, items, conditions, footnote."""
    digest: str = Field(default="", max_length=64)


class AgendaSettings(Timestamped, Versioned, table=True):
    """A municipality's choices for its agendas."""

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", unique=True, ondelete="CASCADE")
    template_key: str = Field(max_length=80)
    """The agenda template of its ordinary schools."""
    special_template_key: str | None = Field(default=None, max_length=80)
    """The template of its special and in-house schools (Roskilde 5.1), if another."""
    large_school_threshold: int = Field(default=600)
    """Pupils from which a school counts as large (Aalborg: +10 min on results)."""
    village_item_for: VillageItemFor = Field(
        default=VillageItemFor.ALL, sa_type=enum_type(VillageItemFor, "village_item_for"))
    """Which schools get Aalborg's "Landsbyordninger" item: the source lists it for all."""
    large_special_department: LargeSpecialDepartment = Field(
        default=LargeSpecialDepartment.SPECIAL_CLASSES,
        sa_type=enum_type(LargeSpecialDepartment, "large_special_department"))
    """Which schools have a "stor specialafdeling" (Aalborg: +10 min on special classes)."""
    ministry_name: MinistryName = Field(
        default=MinistryName.SOURCE, sa_type=enum_type(MinistryName, "ministry_name"))
    """The ministry's name in agendas: as the sources write it, or its current name."""
    margin_top_mm: int = Field(default=25)
    """The Word documents' page margins, in millimetres (A4)."""
    margin_bottom_mm: int = Field(default=25)
    margin_left_mm: int = Field(default=25)
    margin_right_mm: int = Field(default=20)


class Agenda(Timestamped, Versioned, table=True):
    """The agenda of one dialogue meeting."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True, ondelete="CASCADE")
    school_id: int | None = Field(default=None, foreign_key="school.id", index=True,
                                  ondelete="CASCADE")
    school_year_id: int = Field(foreign_key="schoolyear.id", index=True, ondelete="CASCADE")
    template_key: str = Field(max_length=80)
    basis: str = Field(default="", max_length=200)
    """Template digest and school facts the items were last built from: when it differs,
    unedited items are rebuilt (edited ones are kept)."""
    heading: str = Field(default="", max_length=300)
    intro: str = Field(default="", sa_type=sa.Text)
    closing: str = Field(default="", sa_type=sa.Text)
    footnote: str = Field(default="", sa_type=sa.Text)


class AgendaItem(Timestamped, Versioned, table=True):
    __table_args__ = (
        sa.CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agenda_id: int = Field(foreign_key="agenda.id", index=True, ondelete="CASCADE")
    position: int
    key: str | None = Field(default=None, max_length=80)
    """The template item it came from; None for an item added by hand."""
    group: str = Field(default="", max_length=200)
    """Consecutive items with the same group are numbered as one (Stevns' "2. Temaer …")."""
    kind: ItemKind = Field(default=ItemKind.ITEM, sa_type=enum_type(ItemKind, "item_kind"))
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_type=sa.Text)
    owner: Owner | None = Field(default=None, sa_type=enum_type(Owner, "item_owner"))
    minutes: int | None = None
    """None: the template gives no time for it."""
    sub_points: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    accepts_themes: bool = False
    """The school's own themes are listed under this item."""
    edited: bool = False
    """Changed by hand: a rebuild from the template leaves it alone."""


class AgendaTheme(Timestamped, Versioned, table=True):
    """A theme the school (or the administration) brings under the school's item."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agendaitem.id", index=True, ondelete="CASCADE")
    position: int
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    goal_id: int | None = Field(default=None, foreign_key="developmentgoal.id",
                                ondelete="SET NULL")
    """The development goal it brings up ("husk udviklingspunkter")."""
    from_school: bool = True
    """Proposed by school leadership (they may change it until the deadline)."""
    accepted: bool = False
    """Accepted by the administration."""


class Attachment(Timestamped, table=True):
    """A bilag on an item or a theme: an uploaded file, a link or a data-package section."""

    __table_args__ = (
        sa.CheckConstraint("item_id IS NOT NULL OR theme_id IS NOT NULL", name="target"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agenda_id: int = Field(foreign_key="agenda.id", index=True, ondelete="CASCADE")
    item_id: int | None = Field(default=None, foreign_key="agendaitem.id", index=True,
                                ondelete="CASCADE")
    theme_id: int | None = Field(default=None, foreign_key="agendatheme.id", index=True,
                                 ondelete="CASCADE")
    kind: AttachmentKind = Field(sa_type=enum_type(AttachmentKind, "attachment_kind"))
    title: str = Field(max_length=200)
    url: str | None = Field(default=None, max_length=500)
    data_section: str | None = Field(default=None, max_length=80)
    """For DATA: the data package's section key (e.g. "wellbeing")."""
    file_name: str | None = Field(default=None, max_length=200)
    """The uploaded file's name as the user had it (shown, never used as a path)."""
    stored_name: str | None = Field(default=None, max_length=80, unique=True)
    """Random name under the upload folder."""
    content_type: str | None = Field(default=None, max_length=100)
    size: int | None = None
    from_school: bool = False


class DevelopmentContract(Timestamped, table=True):
    """A school's udviklingskontrakt, imported from pasted text."""

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=300)
    year: int | None = None
    preamble: str = Field(default="", sa_type=sa.Text)
    source_text: str = Field(default="", sa_type=sa.Text)
    """The pasted text as it was: nothing a user typed is lost."""


class DevelopmentGoal(Timestamped, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="developmentcontract.id", index=True,
                             ondelete="CASCADE")
    school_id: int = Field(foreign_key="school.id", index=True, ondelete="CASCADE")
    position: int
    title: str = Field(sa_type=sa.Text)
    track: str = Field(default="", max_length=300)
    sections: dict = Field(default_factory=dict, sa_type=sa.JSON)
    """Section key (app.agendas.contracts.SECTION_KEYS) → text."""
