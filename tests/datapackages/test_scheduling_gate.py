"""The scheduler books no school's dialogue before its data package is ready (issue 4)."""

from datetime import datetime, timezone

from app.datapackages import service as packages
from app.meetings import service as meetings
from app.scheduling import problem, proposals
from tests.scheduling.conftest import build_year

READY = datetime(2027, 5, 24, 12, 0, tzinfo=timezone.utc)  # Monday 24 May 2027, 14:00


def _plan(db, y):
    proposal = proposals.run(db, problem.PlanRequest(
        step=y.dialogue, window_start=y.dialogue.start_date, window_end=y.dialogue.end_date),
        time_limit=0.5)
    items = {m.id: item for item, m in proposals.proposal_items(db, proposal)}
    proposals.discard(db, proposal)
    return items


def test_dialogue_waits_for_the_package(db, factory):
    y = build_year(db, factory, schools=2)
    late = y.schools[0]
    (dialogue,) = meetings.list_meetings(db, step_id=y.dialogue.id, school_id=late.id)
    assert problem.ready_at(db, dialogue) is None  # no package yet: no gate
    before = _plan(db, y)
    assert before[dialogue.id].starts_at < READY  # the control: otherwise it comes earlier

    package = packages.get_or_create_package(db, late, y.year)
    package.ready_at = READY
    db.add(package)
    db.commit()
    assert problem.ready_at(db, dialogue) == READY
    assert _plan(db, y)[dialogue.id].starts_at >= READY
