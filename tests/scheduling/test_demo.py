"""The scheduling demo books a Svendborg-like demo year, and a second run changes nothing."""

from datetime import date, datetime, timezone

from sqlmodel import select

from app.meetings import service as meetings
from app.meetings.models import MeetingStatus, MeetingType
from app.scheduling import conflicts, demo, instance, problem, proposals
from app.scheduling.models import BusyPeriod
from tests.scheduling.conftest import build_year


def test_demo_books_every_planned_meeting_without_conflicts(db, factory):
    m = factory.municipality(is_demo=True)
    y = build_year(db, factory, municipality=m, schools=8)
    y.chief.title = "Skolechef"
    messages = list(demo.load(db))
    assert any("busy periods" in msg for msg in messages)
    assert any("Booked 24 meetings" in msg for msg in messages), messages
    everything = meetings.list_meetings(db, school_year_id=y.year.id)
    assert all(x.status is MeetingStatus.BOOKED for x in everything)
    assert conflicts.check(db, everything) == {}
    # The chief's weekly management meeting is never used for a dialogue.
    busy = list(db.exec(select(BusyPeriod).where(BusyPeriod.person_id == y.chief.id)))
    assert busy and all(b.note == "Direktionsmøde" for b in busy)
    for x in everything:
        if x.meeting_type is MeetingType.DIALOGUE:
            assert not any(b.starts_at < x.ends_at and x.starts_at < b.ends_at for b in busy)
    # Prep meetings were booked first, so every dialogue comes after its school's prep.
    preps = {x.school_id: x for x in everything if x.meeting_type is MeetingType.PREP}
    for x in everything:
        if x.meeting_type is MeetingType.DIALOGUE:
            assert preps[x.school_id].ends_at <= x.starts_at

    before = {x.id: (x.sequence, x.starts_at) for x in everything}
    busy_count = len(list(db.exec(select(BusyPeriod))))
    assert list(demo.load(db)) == []
    assert {x.id: (x.sequence, x.starts_at) for x in
            meetings.list_meetings(db, school_year_id=y.year.id)} == before
    assert len(list(db.exec(select(BusyPeriod)))) == busy_count


def test_demo_leaves_other_municipalities_and_booked_meetings_alone(db, factory):
    real = build_year(db, factory, schools=2)
    demo_year = build_year(db, factory, municipality=factory.municipality(is_demo=True),
                           schools=2)
    own = meetings.list_meetings(db, step_id=demo_year.dialogue.id)[0]
    t = datetime(2027, 4, 14, 11, tzinfo=timezone.utc)
    meetings.reschedule(db, own, starts_at=t, ends_at=t.replace(hour=12, minute=30))
    list(demo.load(db))
    db.refresh(own)
    assert own.starts_at == t
    assert all(x.status is MeetingStatus.PLANNED
               for x in meetings.list_meetings(db, school_year_id=real.year.id))


def test_a_recurring_series_is_spread_over_the_period(db, factory):
    from app.cycles.models import Step, StepScope
    from tests.conftest import make_person, make_year

    m = factory.municipality()
    year = make_year(db, m, 2026)
    step = Step(school_year_id=year.id, position=1, key="udviklingssamtaler",
                title="Udviklingssamtaler", scope=StepScope.PER_SCHOOL,
                meeting_type="development_talk", start_date=date(2026, 8, 10),
                end_date=date(2027, 6, 18), duration_minutes=90)
    db.add(step)
    db.commit()
    school = factory.school(m)
    chief = make_person(db, m, "Chef", "chief")
    for i in range(1, 7):
        meetings.create_meeting(db, school_year=year, step=step, school=school,
                                meeting_type=MeetingType.DEVELOPMENT_TALK,
                                title=f"Udviklingssamtale {i}", series_key="talks",
                                series_index=i, participants=[(chief.id, "chief", True)])
    proposal = proposals.run(db, problem.PlanRequest(step=step, window_start=step.start_date,
                                                   window_end=step.end_date), time_limit=0.5)
    starts = sorted(item.starts_at for item, _ in proposals.proposal_items(db, proposal))
    assert len(starts) == 6
    gaps = [(b - a).days for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= 14, gaps
    assert instance.DAY == 1440


def test_the_demo_books_svendborgs_first_prep_round_in_two_contiguous_half_days():
    """Seed 004, 1.3: "30 min. pr. skole, 2 sammenhængende formiddage eller eftermiddage,
    hvor psykologer og pædagogiske konsulenter skiftes til at deltage" — read on the
    database `sus demo` loaded (Skanderborg runs the Svendborg template)."""
    from collections import defaultdict

    from sqlmodel import Session

    from app.cycles import years as cycle_years
    from app.db import make_engine
    from app.i18n import TZ
    from app.schools import service as schools
    from tests.conftest import demo_database

    engine = make_engine(demo_database())
    try:
        with Session(engine) as db:
            m = schools.get_municipality_by_code(db, "740")
            year = cycle_years.find_school_year(db, m.id, 2026)
            step = cycle_years.step_by_key(db, year.id, "prep_round1")
            assert step.blocks == 2
            preps = sorted(meetings.list_meetings(db, step_id=step.id), key=lambda x: x.starts_at)
            assert len(preps) == len(schools.list_schools(db, m.id)) == 12
            assert all(x.status is MeetingStatus.BOOKED for x in preps)
            assert all((x.ends_at - x.starts_at).total_seconds() == 30 * 60 for x in preps)
            by_day = defaultdict(list)
            for x in preps:
                by_day[x.starts_at.astimezone(TZ).date()].append(x)
            assert len(by_day) == 2  # two half days, on two days
            for run in by_day.values():
                # Back to back, no gaps…
                assert all(a.ends_at == b.starts_at for a, b in zip(run, run[1:]))
                first, last = run[0].starts_at.astimezone(TZ), run[-1].ends_at.astimezone(TZ)
                # …within one morning or one afternoon.
                assert (last.hour, last.minute) <= (12, 0) or first.hour >= 12, (first, last)
                assert len(run) == 6
            # Each psychologist comes for one stretch: their schools sit together.
            for run in by_day.values():
                seen: list[int] = []
                for x in run:
                    (psych,) = [p.id for p, mp in meetings.participants(db, x.id)
                                if mp.function == "psychologist"]
                    if not seen or seen[-1] != psych:
                        assert psych not in seen, "a psychologist would come twice"
                        seen.append(psych)
            assert conflicts.check(db, preps) == {}
            # One of them on its own (its page) is checked as the block it sits in: no
            # "needs 15 minutes between" with its neighbours.
            assert conflicts.current(db, preps[3]) == []
            # The internal meetings of the cycle were planned by the scheduler too.
            summary = cycle_years.step_by_key(db, year.id, "summary_meeting")
            (opsamling,) = meetings.list_meetings(db, step_id=summary.id)
            assert opsamling.status is MeetingStatus.BOOKED
            assert summary.start_date <= opsamling.starts_at.astimezone(TZ).date() \
                <= summary.end_date
    finally:
        engine.dispose()
