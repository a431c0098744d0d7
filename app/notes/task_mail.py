"""E-mails on what waits for me: the same tasks as the home page's list (app.notes.home.tasks —
a note to comment on, a themes deadline within 14 days, a meeting moved or cancelled), sent
where an SMTP server is set, to everyone who has not said no on their account page.

`scan()` looks at every active login's tasks and writes, for the tasks not mailed before, one
e-mail per person into the outbox (app.feeds.outbox, which sends it) and one TaskMailSent row
per task, in the same transaction. The row's (user, event key) is unique: when two processes
scan at once, the second one's insert fails, its transaction writes nothing, and nobody gets
the e-mail twice. Each app process's outbox worker runs the scan every
SUS_TASK_MAIL_INTERVAL_SECONDS (registered in app.wiring); `sus outbox send` runs it once.
"""

import logging
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import i18n
from app.accounts.access import principal_for_user
from app.accounts.models import User
from app.config import get_settings
from app.db import begin_write
from app.feeds import outbox
from app.feeds.config import get_env
from app.feeds.service import locale
from app.i18n import gettext as _
from app.i18n import ngettext
from app.notes import home
from app.notes.models import TaskMailPreference, TaskMailSent

log = logging.getLogger("sus.task_mail")


def wants_mail(session: Session, user: User) -> bool:
    pref = session.get(TaskMailPreference, user.id)
    return True if pref is None else pref.wants_mail


def set_preference(session: Session, user: User, wants: bool) -> None:
    pref = session.get(TaskMailPreference, user.id) or TaskMailPreference(user_id=user.id,
                                                                           wants_mail=wants)
    pref.wants_mail = wants
    session.add(pref)
    session.commit()


def account_section(session: Session, principal, user: User) -> dict:
    """The choice on the account page."""
    return {"wants": wants_mail(session, user), "on": get_env().mail_on, "email": user.email}


def _line(task: dict) -> str:
    text = task["text"]
    if task.get("when"):
        text += " — " + i18n.format_datetime(task["when"])
    if task.get("due"):
        text += " — " + _("deadline %(date)s, %(week)s", date=i18n.format_date(task["due"]),
                          week=i18n.format_week(task["due"]))
    return text


def _sender() -> str:
    env = get_env()
    if env.smtp_from:
        return env.smtp_from
    host = urlsplit(get_settings().base_url).hostname or "localhost"
    return formataddr(("SUS", f"noreply@{host}"))


def message(user: User, tasks: list[dict]) -> EmailMessage:
    base = get_settings().base_url.rstrip("/")
    subject = ngettext("Something new waits for you in SUS: %(first)s",
                       "%(num)s new things wait for you in SUS", len(tasks),
                       first=tasks[0]["text"])
    lines = [_("Hello %(name)s", name=user.name), "",
             ngettext("This waits for you in the school development dialogues:",
                      "These wait for you in the school development dialogues:", len(tasks)), ""]
    for task in tasks:
        lines += [f"- {_line(task)}", f"  {base}{task['url']}", ""]
    lines += [_("Everything that waits for you is on your home page: %(url)s", url=f"{base}/"),
              "", _("You get this e-mail because you have a login to SUS. You can turn these "
                    "e-mails off on your account page: %(url)s", url=f"{base}/account")]
    msg = EmailMessage()
    sender = _sender()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = formataddr((user.name, user.email))
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].rstrip(">") or "localhost")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content("\n".join(lines) + "\n")
    return msg


def _mailed(session: Session, user_id: int, keys: list[str]) -> set[str]:
    return set(session.exec(select(TaskMailSent.event_key).where(
        TaskMailSent.user_id == user_id, col(TaskMailSent.event_key).in_(keys))))


def scan(session: Session) -> int:
    """Queue the e-mails about tasks not mailed before; returns how many e-mails."""
    if not get_env().mail_on:
        return 0
    refused = set(session.exec(select(TaskMailPreference.user_id).where(
        col(TaskMailPreference.wants_mail).is_(False))))
    users = [u for u in session.exec(select(User).where(col(User.is_active).is_(True))
                                     .order_by(User.id)) if u.id not in refused]
    queued = 0
    for user in users:
        data = home.tasks(session, principal_for_user(session, user), None)
        tasks = {t["key"]: t for t in (data["tasks"] if data else [])}
        if not tasks or not set(tasks) - _mailed(session, user.id, list(tasks)):
            continue
        # Look again holding the write lock (SQLite: another process's scan has committed or
        # waits); PostgreSQL's unique key stops the one whose insert comes second.
        user_id, user_locale = user.id, user.locale
        begin_write(session)
        new = [t for key, t in tasks.items()
               if key not in _mailed(session, user_id, list(tasks))]
        if not new:
            session.commit()
            continue
        user = session.get(User, user_id)
        with locale(user_locale or get_settings().default_locale):
            msg = message(user, new)
        session.add_all(TaskMailSent(user_id=user_id, event_key=t["key"]) for t in new)
        session.add(outbox.row(msg))
        try:
            session.commit()
        except IntegrityError:  # another process mailed these meanwhile
            session.rollback()
            log.info("task e-mail for user %s was sent by another process", user_id)
            continue
        queued += 1
    if queued:
        outbox.wake()
    return queued
