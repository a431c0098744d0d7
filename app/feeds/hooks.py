"""Meeting changes → e-mailed invitations, without touching the meetings domain's code.

Four session events, installed by `install()` from app.wiring.bootstrap():
after each flush we note which meetings got a new SEQUENCE (the meetings domain's own hook
raises it for every change of time, place or status), which were created with a time, and
which participants came or went; just before the commit the invitations are built from the
database as it will be committed and written to the outbox table in the same transaction;
after the commit the sender is woken (app.feeds.outbox). A rolled-back transaction writes
nothing. With invitations off (the default) the flush hook returns at once.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from app.meetings.models import Meeting, MeetingParticipant

PENDING = "sus_feeds_invitations_pending"
QUEUED = "sus_feeds_invitations_queued"


@dataclass
class Change:
    new: bool = False
    """Created in this transaction."""
    changed: bool = False
    """Time, place or status changed (SEQUENCE rose), or created with a time."""
    added: set[int] = field(default_factory=set)
    removed: set[int] = field(default_factory=set)


def _enabled() -> bool:
    from app.feeds.config import get_env

    return get_env().invitations_on


def _note_changes(session, _flush_context) -> None:
    if not _enabled():
        return
    pending: dict[int, Change] = session.info.setdefault(PENDING, {})
    # In after_flush, new/dirty/deleted and attribute history still show what was flushed.
    for obj in session.new:
        if isinstance(obj, Meeting):
            c = pending.setdefault(obj.id, Change())
            c.new = True
            c.changed = c.changed or obj.starts_at is not None
        elif isinstance(obj, MeetingParticipant):
            pending.setdefault(obj.meeting_id, Change()).added.add(obj.person_id)
    for obj in session.dirty:
        if isinstance(obj, Meeting) and sa.inspect(obj).attrs.sequence.history.has_changes():
            pending.setdefault(obj.id, Change()).changed = True
    for obj in session.deleted:
        if isinstance(obj, MeetingParticipant):
            pending.setdefault(obj.meeting_id, Change()).removed.add(obj.person_id)


def _build(session) -> None:
    # before_commit runs before the commit's own flush: flush now, so that after_flush has
    # seen every change of this transaction. The rows added here go in with that flush.
    if not _enabled():
        return
    session.flush()
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    from app.feeds import invitations, outbox

    messages = invitations.build(session, pending)
    if messages:
        session.add_all(outbox.row(msg) for msg in messages)
        session.info[QUEUED] = True


def _wake(session) -> None:
    if session.info.pop(QUEUED, False):
        from app.feeds import outbox

        outbox.wake()


def _forget(session, _previous_transaction) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(QUEUED, None)


EVENTS = (("after_flush", _note_changes), ("before_commit", _build),
             ("after_commit", _wake), ("after_soft_rollback", _forget))


def install() -> None:
    """Register the listeners on every session (once, however often it is called)."""
    for name, fn in EVENTS:
        if not event.contains(OrmSession, name, fn):
            event.listen(OrmSession, name, fn)
