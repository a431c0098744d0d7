"""The meeting a route is about: loaded once, 404 when missing, refused unless the signed-in
user may view it (see app/loading.py)."""

from typing import Annotated

from fastapi import Depends

from app.accounts.access import SignedIn, require
from app.db import SessionDep
from app.loading import checked_id, found
from app.meetings import policy, service
from app.meetings.models import Meeting


def load_meeting(meeting_id: int, session: SessionDep, principal: SignedIn) -> Meeting:
    meeting = found(service.get_meeting(session, checked_id(meeting_id)))
    require(policy.can_view_meeting(session, principal, meeting))
    return meeting


MeetingDep = Annotated[Meeting, Depends(load_meeting)]
