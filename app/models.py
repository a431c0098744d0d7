"""Every domain's tables, imported in one place for Alembic and the tests."""

from sqlmodel import SQLModel

from app.accounts.models import LoginThrottle, RoleAssignment, User, UserSession  # noqa: F401
from app.admin.models import AccountToken  # noqa: F401
from app.agendas.models import (  # noqa: F401
    Agenda,
    AgendaItem,
    AgendaSettings,
    AgendaTemplate,
    AgendaTheme,
    Attachment,
    DevelopmentContract,
    DevelopmentGoal,
)
from app.audit.models import AuditEntry  # noqa: F401
from app.cycles.models import (  # noqa: F401
    CycleTemplate,
    HolidayPeriod,
    HolidaySettings,
    SchoolAssignment,
    SchoolYear,
    Step,
    TemplateStep,
)
from app.datapackages.models import (  # noqa: F401
    DataImport,
    DataSettings,
    Indicator,
    IndicatorArea,
    IndicatorValue,
    IndicatorValueHistory,
    Package,
    PackageFigure,
    PackageFile,
    PackageHighlight,
)
from app.feeds.models import (  # noqa: F401
    FeedLink,
    FeedSettings,
    FeedState,
    InvitationPreference,
    OutboxMessage,
)
from app.meetings.models import Meeting, MeetingParticipant  # noqa: F401
from app.notes.models import (  # noqa: F401
    Agreement,
    Note,
    NoteComment,
    NoteRevision,
    NoteSection,
    NoteSettings,
    NoteTemplate,
    PublishedNote,
    TaskMailPreference,
    TaskMailSent,
)
from app.scheduling.models import (  # noqa: F401
    Availability,
    BusyPeriod,
    Proposal,
    ProposalItem,
    SchedulingSettings,
    SchoolPreference,
)
from app.schools.models import Municipality, Person, School  # noqa: F401
from app.sso.models import SsoSettings  # noqa: F401
from app.summary.models import DebriefKeywords, SlideChoices  # noqa: F401

metadata = SQLModel.metadata
