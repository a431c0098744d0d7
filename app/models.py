"""Every domain's tables, imported in one place for Alembic and the tests."""

from sqlmodel import SQLModel

from app.accounts.models import LoginAttempt, RoleAssignment, User, UserSession  # noqa: F401
from app.cycles.models import (  # noqa: F401
    CycleTemplate,
    HolidayPeriod,
    SchoolAssignment,
    SchoolYear,
    Step,
    TemplateStep,
)
from app.meetings.models import Meeting, MeetingParticipant  # noqa: F401
from app.scheduling.models import (  # noqa: F401
    Availability,
    BusyPeriod,
    Proposal,
    ProposalItem,
    SchedulingSettings,
    SchoolPreference,
)
from app.schools.models import Municipality, Person, School  # noqa: F401

metadata = SQLModel.metadata
