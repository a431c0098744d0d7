"""Who is asking, and may they? The one permission mechanism every route uses.

Each route depends on exactly one `Access` (PUBLIC, SIGNED_IN, STAFF, ADMIN, …): that is its
declaration of who may use it, and tests walk every registered route to check it. Decisions
about a particular object (this school, that note) are plain policy functions in each
domain's `policy.py` that take the Principal and the object; handlers pass their answer to
`require()`, so every refusal looks the same.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session, select

from app import i18n
from app.accounts.models import Role, RoleAssignment, User, UserSession
from app.db import SESSION, begin_write, utcnow
from app.schools.models import School

SESSION_COOKIE = "sus_session"


class NotAuthenticated(Exception):
    """No valid session: the user is sent to the login page."""


class Forbidden(Exception):
    """Signed in, but not allowed."""


@dataclass(frozen=True)
class Grant:
    role: Role
    municipality_id: int | None
    """For school leadership: the municipality of their school."""
    school_id: int | None


@dataclass(frozen=True)
class Principal:
    user: User | None = None
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def is_admin(self) -> bool:
        return any(g.role is Role.ADMIN for g in self.grants)

    def has_role(self, *roles: Role) -> bool:
        return any(g.role in roles for g in self.grants)

    def municipality_ids(self, *roles: Role) -> set[int]:
        """Municipalities the principal holds any of `roles` in (all roles if none given)."""
        return {
            g.municipality_id
            for g in self.grants
            if g.municipality_id is not None and (not roles or g.role in roles)
        }

    def school_ids(self) -> set[int]:
        """Schools the principal leads."""
        return {g.school_id for g in self.grants if g.role is Role.SCHOOL_LEADER and g.school_id}


ANONYMOUS = Principal()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def load_principal(session: Session, token: str | None) -> Principal:
    if not token:
        return ANONYMOUS
    now = utcnow()
    row = session.exec(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == hash_token(token), UserSession.expires_at > now)
    ).first()
    if row is None:
        return ANONYMOUS
    user_session, user = row
    if not user.is_active:
        return ANONYMOUS
    if now - user_session.last_seen_at > timedelta(minutes=5):
        # Sliding expiry, written at most every few minutes rather than on every request;
        # in a transaction of its own that waits its turn for the write lock.
        begin_write(session)
        user_session.last_seen_at = now
        session.add(user_session)
        session.commit()
    return principal_for_user(session, user)


def principal_for_user(session: Session, user: User) -> Principal:
    """The user with their grants, as a request of theirs would see them (also for work done
    on their behalf outside a request, e.g. the e-mails on what waits for them)."""
    grants = session.exec(
        select(RoleAssignment, School.municipality_id)
        .join(School, School.id == RoleAssignment.school_id, isouter=True)
        .where(RoleAssignment.user_id == user.id)
    ).all()
    return Principal(
        user=user,
        grants=tuple(
            Grant(ra.role, ra.municipality_id or school_municipality, ra.school_id)
            for ra, school_municipality in grants
        ),
    )


class Access:
    """A route's declaration of who may use it; also loads the Principal and the locale."""

    def __init__(self, name: str, *roles: Role, public: bool = False):
        self.name = name
        self.roles = frozenset(roles)
        self.public = public

    def __repr__(self) -> str:
        return f"Access({self.name!r})"

    async def __call__(
        self, request: Request, session: Annotated[Session, SESSION]
    ) -> Principal:
        # Async on purpose: the locale set here must reach the (threaded) handler.
        principal = getattr(request.state, "principal", None)
        if principal is None:
            from starlette.concurrency import run_in_threadpool

            principal = await run_in_threadpool(
                load_principal, session, request.cookies.get(SESSION_COOKIE)
            )
            request.state.principal = principal
        preferred = principal.user.locale if principal.user else None
        i18n.set_locale(i18n.negotiate(request.headers.get("accept-language"), preferred))
        if self.public:
            return principal
        if not principal.is_authenticated:
            raise NotAuthenticated()
        if self.roles and not principal.has_role(*self.roles):
            raise Forbidden()
        return principal


class Stateless(Access):
    """Public, and never looks at a session: for probes that must cost next to nothing."""

    def __init__(self, name: str):
        super().__init__(name, public=True)

    async def __call__(self) -> Principal:  # type: ignore[override]
        return ANONYMOUS


PUBLIC = Access("public", public=True)
HEALTH = Stateless("health")
SIGNED_IN = Access("signed in")
STAFF = Access("staff", Role.ADMIN, Role.CONSULTANT)
ADMIN = Access("admin", Role.ADMIN)

Public = Annotated[Principal, Depends(PUBLIC)]
SignedIn = Annotated[Principal, Depends(SIGNED_IN)]
Staff = Annotated[Principal, Depends(STAFF)]
AdminOnly = Annotated[Principal, Depends(ADMIN)]


def require(allowed: bool) -> None:
    """Refuse unless a policy function said yes."""
    if not allowed:
        raise Forbidden()
