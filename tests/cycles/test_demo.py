"""`sus demo`: Skanderborg's two school years and Ringsted Kommune, loaded once."""

from datetime import date

from app import demo
from app.accounts import service as accounts
from app.cycles import assignments as cycle_assignments
from app.cycles import catalog as cycle_catalog
from app.cycles import years as cycle_years
from app.cycles.models import StepScope, StepStatus
from app.i18n import local
from app.meetings import service as meetings
from app.meetings.models import MeetingStatus
from app.schools import service as schools


def test_demo_years_and_second_municipality(db):
    first = list(demo.load(db))
    assert "Created the school year 2025/26 in Skanderborg Kommune, held." in first
    assert list(demo.load(db)) == []  # a second run changes nothing

    today = date.today()
    skanderborg = schools.get_municipality_by_code(db, "740")
    old = cycle_years.find_school_year(db, skanderborg.id, 2025)
    current = cycle_years.find_school_year(db, skanderborg.id, 2026)
    svendborg = cycle_catalog.template_by_key(db, "svendborg")
    assert old.template_id == current.template_id == svendborg.id
    assert {s.status for s in cycle_years.list_steps(db, old.id)} == {StepStatus.DONE}
    held = meetings.list_meetings(db, school_year_id=old.id)
    assert held and {m.status for m in held} == {MeetingStatus.HELD}
    assert all(m.starts_at for m in held)
    # Debriefs come right after their school's dialogue.
    steps = {s.key: s for s in cycle_years.list_steps(db, old.id)}
    for school in schools.list_schools(db, skanderborg.id):
        ms = meetings.list_meetings(db, school_year_id=old.id, school_id=school.id)
        dialogue = next(m for m in ms if m.step_id == steps["dialogue"].id)
        debrief = next(m for m in ms if m.step_id == steps["debrief"].id)
        assert debrief.starts_at == dialogue.ends_at
    # 2026/27: steps done up to today; the scheduler's demo (after this one) has booked every
    # future per-school meeting inside its step's window.
    for s in cycle_years.list_steps(db, current.id):
        if s.end_date < today:
            assert s.status is StepStatus.DONE, s.key
        if s.start_date > today:
            assert s.status is StepStatus.NOT_STARTED, s.key
        if s.scope is StepScope.PER_SCHOOL and s.start_date > today:
            future = meetings.list_meetings(db, step_id=s.id)
            assert {m.status for m in future} == {MeetingStatus.BOOKED}, s.key
            for m in future:
                assert s.start_date <= local(m.starts_at).date() <= s.end_date, s.key
    # Every school has a consultant and a psychologist.
    for school in schools.list_schools(db, skanderborg.id):
        functions = {a_function for (sid, a_function) in cycle_assignments.assignments(db, current)
                     if sid == school.id}
        assert {"consultant", "psychologist"} <= functions

    ringsted = schools.get_municipality_by_code(db, "329")
    assert ringsted.is_demo and ringsted.name == "Ringsted Kommune"
    year = cycle_years.find_school_year(db, ringsted.id, 2026)
    assert year.template_id == cycle_catalog.template_by_key(db, "ringsted").id
    for school in schools.list_schools(db, ringsted.id):
        kinds = sorted(m.meeting_type.value for m in meetings.list_meetings(
            db, school_year_id=year.id, school_id=school.id))
        assert kinds == ["development_talk"] * 6 + ["grus", "lus"]
    user = accounts.get_user_by_email(db, "konsulent@ringsted.demo")
    assert user is not None and user.person_id is not None
    _ringsted_cadence(db, ringsted, year)


def _ringsted_cadence(db, ringsted, year):
    """Ringsted's six development talks per school spread over the school year at the chief's
    office, numbered in date order, each with its place; the GRUS at the school with the
    director; the LUS confidential; the calendar's description counts the school's own six."""
    from app.cycles.demo import RINGSTED_OFFICE
    from app.feeds import service as feeds
    from app.meetings.models import MeetingType
    from app.schools.models import PersonFunction

    for school in schools.list_schools(db, ringsted.id):
        ms = meetings.list_meetings(db, school_year_id=year.id, school_id=school.id)
        talks = [m for m in ms if m.meeting_type is MeetingType.DEVELOPMENT_TALK]
        assert all(m.starts_at for m in talks), school.name
        by_date = sorted(talks, key=lambda m: m.starts_at)
        assert [m.series_index for m in by_date] == [1, 2, 3, 4, 5, 6], school.name
        assert len({local(m.starts_at).month for m in talks}) == 6  # one a month, spread
        span = (by_date[-1].starts_at - by_date[0].starts_at).days
        assert span > 200, (school.name, span)  # September to spring, not Sept–Nov
        assert all(m.location == RINGSTED_OFFICE for m in talks)
        assert all(f"({m.series_index}/6)" in m.title for m in talks)
        grus = next(m for m in ms if m.meeting_type is MeetingType.GRUS)
        assert grus.location and (school.address in grus.location or school.name in grus.location)
        invited = {p.function for p, _x in meetings.participants(db, grus.id)}
        assert PersonFunction.DIRECTOR in invited
        lus = next(m for m in ms if m.meeting_type is MeetingType.LUS)
        assert lus.confidential
        sizes = feeds._series_sizes(db, ringsted.id, {"development_talks"})
        assert sizes[feeds.series_of(talks[0])] == 6  # "Møde 1 af 6", as the title's "(1/6)"
