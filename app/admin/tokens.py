"""Single-use, expiring links to set a password (invitation, reset), and the e-mail that
carries them through the outbox (app.feeds.outbox). No HTTP here."""

import secrets
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.accounts.access import hash_token
from app.accounts.models import User
from app.admin.models import AccountToken, TokenPurpose
from app.admin.people import end_sessions
from app.config import Settings, get_settings
from app.db import utcnow
from app.feeds import outbox
from app.feeds.config import get_env
from app.i18n import gettext as _

LIFETIME = {TokenPurpose.INVITATION: timedelta(days=7), TokenPurpose.RESET: timedelta(hours=2)}
MIN_PASSWORD = 10

RESET_PER_ACCOUNT = 3
"""Reset requests for one e-mail address before each further one must wait."""
RESET_PER_ADDRESS = 10
"""Reset requests from one client address before each further one must wait."""


def issue(session: Session, user: User, purpose: TokenPurpose, *,
          by: User | None = None) -> str:
    """A new link's token (shown once, stored hashed); the user's earlier unused links of any
    kind stop working."""
    token = _issue(session, user, purpose, by)
    session.commit()
    return token


def _issue(session: Session, user: User, purpose: TokenPurpose, by: User | None) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.exec(sa.delete(AccountToken).where(AccountToken.user_id == user.id,
                                               col(AccountToken.used_at).is_(None)))
    session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=hash_token(token),
                             created_at=now, expires_at=now + LIFETIME[purpose],
                             created_by_user_id=by.id if by else None))
    return token


def find(session: Session, token: str) -> AccountToken | None:
    """The link if it is valid: known, unused, not expired, its user active."""
    if not token or len(token) > 100:
        return None
    row = session.exec(select(AccountToken).where(AccountToken.token_hash == hash_token(token)))\
        .first()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    return row if user is not None and user.is_active else None


def pending(session: Session, user: User) -> AccountToken | None:
    """The user's unused link, if any (for the administration page: sent when, valid till)."""
    return session.exec(select(AccountToken).where(
        AccountToken.user_id == user.id, col(AccountToken.used_at).is_(None),
        AccountToken.expires_at > utcnow()).order_by(col(AccountToken.id).desc())).first()


class PasswordProblem(ValueError):
    pass


def check_password(password: str, repeated: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise PasswordProblem(_("The password must have at least %(n)s characters.",
                                n=MIN_PASSWORD))
    if len(password) > 200:
        raise PasswordProblem(_("The password may have at most 200 characters."))
    if password != repeated:
        raise PasswordProblem(_("The two passwords are not the same."))


def use(session: Session, token: str, password: str) -> User | None:
    """Set the password with a valid link and use the link up (once: a conditional UPDATE,
    so two tabs cannot both use it). Every other session of the user ends."""
    row = find(session, token)
    if row is None:
        return None
    password_hash = accounts.hash_password(password)
    row_id, user_id = row.id, row.user_id
    session.commit()
    used = session.execute(sa.update(AccountToken).where(
        AccountToken.id == row_id, col(AccountToken.used_at).is_(None))
        .values(used_at=utcnow())).rowcount  # type: ignore[attr-defined]
    if used != 1:
        session.rollback()
        return None
    user = session.get(User, user_id)
    user.password_hash = password_hash
    session.add(user)
    end_sessions(session, user)
    session.commit()
    session.refresh(user)
    return user


def count_reset_request(session: Session, settings: Settings, email: str, ip: str) -> None:
    """Rate limit for "Glemt adgangskode" (accounts.service.TooManyAttempts), counted before
    anyone looks the address up, so the answer cannot tell whether it exists."""
    accounts.count_request(session, settings, {
        "reset:" + accounts.normalise_email(email)[:254]: RESET_PER_ACCOUNT,
        "reset-address:" + ip[:64]: RESET_PER_ADDRESS})


# --- e-mail ------------------------------------------------------------------------------------


def link(token: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/password/{token}"


def _sender() -> str:
    env = get_env()
    if env.smtp_from:
        return env.smtp_from
    host = urlsplit(get_settings().base_url).hostname or "localhost"
    return formataddr(("SUS", f"noreply@{host}"))


def mail_configured() -> bool:
    env = get_env()
    return bool(env.smtp_host and env.smtp_from)


def message(user: User, token: str, purpose: TokenPurpose) -> EmailMessage:
    url = link(token)
    if purpose is TokenPurpose.INVITATION:
        subject = _("Your login to SUS, the school development dialogues")
        text = _("Hello %(name)s\n\nYou have been given a login to SUS, where your municipality "
                 "holds the annual cycle of school development dialogues. Choose your password "
                 "here:\n\n%(url)s\n\nThe link works once and for 7 days. Your login name is "
                 "%(email)s.\n", name=user.name, url=url, email=user.email)
    else:
        subject = _("Choose a new password for SUS")
        text = _("Hello %(name)s\n\nSomeone asked for a new password for your login to SUS "
                 "(%(email)s). Choose it here:\n\n%(url)s\n\nThe link works once and for 2 "
                 "hours. If you did not ask for it, ignore this e-mail: your password stays "
                 "as it is.\n", name=user.name, url=url, email=user.email)
    msg = EmailMessage()
    sender = _sender()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = formataddr((user.name, user.email))
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].rstrip(">") or "localhost")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    return msg


def send(session: Session, user: User, purpose: TokenPurpose, *, by: User | None = None) -> str:
    """Issue a link and put its e-mail in the outbox, in one transaction; returns the token."""
    token = _issue(session, user, purpose, by)
    session.add(outbox.row(message(user, token, purpose)))
    session.commit()
    outbox.wake()
    return token
