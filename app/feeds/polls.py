"""A calendar's poll of a private feed in one statement when nothing has changed.

Calendar clients ask for the same URL every few minutes, all day, and almost always get the
same answer. The full decision (app/feeds/service.py: the link's owner, their login and
grants, the target, the fingerprint, the stored state) takes several statements. This
process remembers its last decision per link (the feed's key, fingerprint, ETag and
Last-Modified) with the owner's municipality's feed counter it was made at. A poll reads the
link by its token hash together with that counter in one statement; when the link still
exists, the counter has not risen and the day is the same, the decision still holds:
every change that can alter the feed, and every change of who may see what (a login's
roles, activation, language or person) raises the counter in its own transaction
(app/feeds/counter.py). A revoked or rotated link is not found, at once, in every process.
Anything else takes the full path, which then remembers its new decision.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session

from app.db import UTCDateTime
from app.feeds import service
from app.recent import Recent

_POLL = sa.text(
    "SELECT feedlink.last_used_at, person.municipality_id, "
    "feedcounter.counter FROM feedlink JOIN person ON person.id = feedlink.person_id "
    "LEFT JOIN feedcounter ON feedcounter.municipality_id = person.municipality_id "
    "WHERE feedlink.token_hash = :h"
).columns(last_used_at=UTCDateTime(), municipality_id=sa.Integer, counter=sa.Integer)


@dataclass(frozen=True)
class Decision:
    """What the full path answered for a link, and under which circumstances."""

    municipality_id: int
    counter: int
    today: date
    cutoff: date
    """The day cancelled meetings leave the feed from (they leave by time alone)."""
    key: str
    fingerprint: str
    etag: str
    last_modified: datetime

    def body(self) -> bytes | None:
        """The feed's bytes if this process still holds them."""
        return service.cache.get((self.key, self.fingerprint))


@dataclass(frozen=True)
class Poll:
    token_hash: str
    full_history: bool
    known: Decision | None
    """The remembered decision, when it still holds."""


decisions: Recent[tuple[str, bool], Decision] = Recent(50_000)
"""(token hash, full history?) → the last decision for that link."""


def _cutoff(now: datetime) -> date:
    return service.grace_cutoff(now).date()


def _read(session: Session, params: dict):
    bind = session.get_bind()
    if (isinstance(bind, sa.Engine) and bind.dialect.name != "sqlite"
            and not session.in_transaction()):
        # As /healthz: autocommit spares PostgreSQL the BEGIN and ROLLBACK round trips.
        with bind.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            return conn.execute(_POLL, params).first()
    return session.connection().execute(_POLL, params).first()


def poll(session: Session, token: str, *, full_history: bool,
         now: datetime | None = None) -> Poll | None:
    """The link of a token (None: there is none) and the decision that still holds for it."""
    if not token or len(token) > 100:
        return None
    token_hash = service.hash_token(token)
    row = _read(session, {"h": token_hash})
    if row is None:
        return None
    now = now or service.utcnow()  # the feeds domain's one clock (tests move it)
    known = decisions.get((token_hash, full_history))
    if known is not None and not (
            known.municipality_id == row.municipality_id and known.counter == (row.counter or 0)
            and known.today == service.today() and known.cutoff == _cutoff(now)
            and not service.use_due(row.last_used_at, now)):
        known = None
    return Poll(token_hash, full_history, known)


def remember(found: Poll, spec: service.FeedSpec, snap: service.Snapshot,
             now: datetime | None = None) -> None:
    """Keep the full path's answer for the next poll of the same link."""
    decisions.put((found.token_hash, found.full_history), Decision(
        spec.target.municipality_id, snap.fingerprint.counter, spec.today,
        _cutoff(now or service.utcnow()), spec.key, snap.fingerprint.digest, snap.etag,
        snap.last_modified))
