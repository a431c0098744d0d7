"""Data packages: the indicator catalogue, imported values with their history, imports,
the package per school and school year, and the municipality's confidentiality setting.

Values are keyed by what they describe, not by our rows: (indicator, school year, level,
code, subgroup), where code is the institution number, the kommunekode or "DK". A value for
a key that exists replaces it, and the replaced value is kept in `IndicatorValueHistory`.
"""

from datetime import datetime
from enum import Enum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db import Timestamped, UTCDateTime, Versioned, enum_type, utcnow
from app.i18n import N_

SMALL_GROUP = 5
"""Public statistics blank cells with fewer than 5 individuals; so do we (stored, not shown)."""


class Level(str, Enum):
    SCHOOL = "school"
    MUNICIPALITY = "municipality"
    COUNTRY = "country"


LEVEL_LABELS = {
    Level.SCHOOL: N_("School"),
    Level.MUNICIPALITY: N_("Municipality"),
    Level.COUNTRY: N_("Denmark"),
}

COUNTRY_CODE = "DK"


class Unit(str, Enum):
    SCORE = "score"
    """A mean on a scale, e.g. wellbeing 1–5."""
    PERCENT = "percent"
    GRADE = "grade"
    """The 7-point grading scale (-3 … 12)."""
    GRADE_POINTS = "grade_points"
    """A difference in grade points (value-added, gender gap): may be negative."""
    COUNT = "count"


class IndicatorArea(SQLModel, table=True):
    """A heading of the package (trivsel, fravær, nationale test …): one catalogue file."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    position: int = 0
    name: str = Field(max_length=200)
    """Danish name."""
    name_en: str = Field(default="", max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    """Danish; what the figures are and how to read them."""
    description_en: str = Field(default="", sa_type=sa.Text)
    digest: str = Field(default="", max_length=64)
    """sha256 of the catalogue file it was last loaded from."""


class Indicator(SQLModel, table=True):
    __table_args__ = (
        sa.CheckConstraint("scale_min IS NULL OR scale_max IS NULL OR scale_min < scale_max",
                           name="scale"),
        sa.CheckConstraint("min_change >= 0", name="min_change"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)
    """The identity used in import files, e.g. "trivsel_social"."""
    area_id: int = Field(foreign_key="indicatorarea.id", index=True, ondelete="CASCADE")
    position: int = 0
    name: str = Field(max_length=200)
    """Danish name."""
    name_en: str = Field(default="", max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    unit: Unit = Field(sa_type=enum_type(Unit, "indicator_unit"))
    scale_min: float | None = None
    """Lowest possible value; imports refuse values outside the scale."""
    scale_max: float | None = None
    axis_min: float | None = None
    """Charts start here (the scale's minimum by default): never a truncated axis."""
    axis_max: float | None = None
    decimals: int = 1
    higher_is_better: bool | None = None
    """None: neither (pupils, classes)."""
    min_change: float = 0.0
    """Changes smaller than this are shown as "no clear change", never as a rise or fall."""
    grades: str = Field(default="", max_length=60)
    """Which grades it covers, e.g. "4.–9. klasse"."""
    source: str = Field(default="", max_length=300)
    arrival_months: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    """Months (1–12) the figures usually arrive: transition tests 8–10, wellbeing 1–3 …"""
    confidential: bool = False
    """Confidential below national level (folkeskoleloven § 55 b): see app/confidential.py."""
    first_year: int | None = None
    """First school year (start year) it exists for; imports refuse earlier years."""
    last_year: int | None = None


class DataImportStatus(str, Enum):
    PREVIEW = "preview"
    COMMITTED = "committed"
    DISCARDED = "discarded"


class DataImport(SQLModel, table=True):
    """An uploaded file: previewed row by row, then committed whole or not at all."""

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id",
                                        index=True, ondelete="CASCADE")
    """The municipality whose consultant uploaded it; None from the command line (any school)."""
    user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64, index=True)
    size: int = 0
    content: bytes = Field(default=b"", sa_type=sa.LargeBinary)
    """The file as uploaded: committing re-reads it, so nothing typed between preview and
    commit can slip in."""
    status: DataImportStatus = Field(
        default=DataImportStatus.PREVIEW, sa_type=enum_type(DataImportStatus, "data_import_status")
    )
    rows: int = 0
    counts: dict = Field(default_factory=dict, sa_type=sa.JSON)
    """Outcome counts: new, replaced, unchanged, error."""
    outcomes: list = Field(default_factory=list, sa_type=sa.JSON)
    """One entry per data row: [row, outcome, message, where, indicator, subgroup, value, old]."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    committed_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class IndicatorValue(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("indicator_id", "start_year", "level", "code", "subgroup"),
        sa.Index("ix_indicatorvalue_school_year", "school_id", "start_year"),
        sa.Index("ix_indicatorvalue_municipality_year", "municipality_id", "start_year"),
        sa.CheckConstraint("n IS NULL OR n >= 0", name="n"),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", ondelete="CASCADE")
    start_year: int
    """The school year the figure belongs to: 2025 for 2025/26."""
    level: Level = Field(sa_type=enum_type(Level, "value_level"))
    code: str = Field(max_length=6)
    """Institution number, kommunekode, or "DK"."""
    school_id: int | None = Field(default=None, foreign_key="school.id", ondelete="CASCADE")
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id",
                                        ondelete="CASCADE")
    """The municipality the value belongs to (for a school: the school's)."""
    subgroup: str = Field(default="", max_length=60)
    """"" for all pupils; otherwise e.g. "piger", "4.-6. klasse", "3. klasse"."""
    value: float
    n: int | None = None
    """How many individuals the value is about; under 5 it is stored but shown blanked."""
    import_id: int | None = Field(default=None, foreign_key="dataimport.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class IndicatorValueHistory(SQLModel, table=True):
    """A value that a later import replaced."""

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True, ondelete="CASCADE")
    start_year: int
    level: Level = Field(sa_type=enum_type(Level, "value_level"))
    code: str = Field(max_length=6)
    school_id: int | None = Field(default=None, foreign_key="school.id", index=True,
                                  ondelete="CASCADE")
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id",
                                        ondelete="CASCADE")
    subgroup: str = Field(default="", max_length=60)
    value: float
    n: int | None = None
    import_id: int | None = Field(default=None, foreign_key="dataimport.id", ondelete="SET NULL")
    """The import that brought the old value."""
    replaced_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    replaced_by_import_id: int | None = Field(default=None, foreign_key="dataimport.id",
                                              ondelete="SET NULL")


class PackageStatus(str, Enum):
    DRAFT = "draft"
    READY = "ready"


PACKAGE_STATUS_LABELS = {
    PackageStatus.DRAFT: N_("Draft"),
    PackageStatus.READY: N_("Ready"),
}


class Package(Timestamped, Versioned, table=True):
    """The data package (datapakke) of one school for one school year."""

    __table_args__ = (sa.UniqueConstraint("school_id", "school_year_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True, ondelete="CASCADE")
    school_year_id: int = Field(foreign_key="schoolyear.id", index=True, ondelete="CASCADE")
    status: PackageStatus = Field(
        default=PackageStatus.DRAFT, sa_type=enum_type(PackageStatus, "package_status")
    )
    ready_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    ready_by_user_id: int | None = Field(default=None, foreign_key="user.id",
                                         ondelete="SET NULL")
    key_points: str = Field(default="", sa_type=sa.Text)
    """Hovedpointer, written by the administration."""
    admin_text: str = Field(default="", sa_type=sa.Text)
    """The administration's own remarks."""
    reflection_questions: str = Field(default="", sa_type=sa.Text)
    """One question a line; new packages start from the catalogue's questions."""
    is_demo: bool = False


class PackageHighlight(SQLModel, table=True):
    """One of the school's three chosen highlights ("udvælg tre nedslag i jeres data")."""

    __table_args__ = (
        sa.UniqueConstraint("package_id", "position"),
        sa.CheckConstraint("position BETWEEN 1 AND 3", name="position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="package.id", index=True, ondelete="CASCADE")
    position: int
    indicator_id: int | None = Field(default=None, foreign_key="indicator.id",
                                     ondelete="SET NULL")
    title: str = Field(max_length=200)
    reason: str = Field(default="", sa_type=sa.Text)
    """Why the school is occupied with exactly these data, and what they tell."""


class PackageFigure(SQLModel, table=True):
    """A figure the school brings itself (special schools: "skolen indhenter egen data")."""

    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="package.id", index=True, ondelete="CASCADE")
    label: str = Field(max_length=200)
    value: str = Field(max_length=100)
    note: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class PackageFile(SQLModel, table=True):
    """A file the school or the administration attached to the package."""

    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="package.id", index=True, ondelete="CASCADE")
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    content: bytes = Field(sa_type=sa.LargeBinary)
    uploaded_by_user_id: int | None = Field(default=None, foreign_key="user.id",
                                            ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class DataSettings(Timestamped, Versioned, table=True):
    """A municipality's choices for data packages."""

    municipality_id: int = Field(foreign_key="municipality.id", primary_key=True,
                                 ondelete="CASCADE")
    board_representative_sees_confidential: bool = False
    """The school board's parent representative (from 1 August 2025) may see confidential
    indicators of their own school's package: the municipality decides."""
