"""The year summary's content: themes grouped and counted across schools, agreements by
status and last year's outcomes, the trend across years, and the data highlights with what
each audience may see."""

from app.accounts.access import ANONYMOUS, Grant, Principal
from app.accounts.models import Role
from app.agendas.models import Owner
from app.notes.models import AgreementStatus
from app.summary import service
from app.summary.service import Version
from tests.summary.conftest import CANARY, SECRET_KEYWORD


def _consultant(world):
    return Principal(user=world.consultant,
                     grants=(Grant(Role.CONSULTANT, world.municipality.id, None),))


def test_every_school_at_a_glance(db, world):
    s = service.build(db, _consultant(world), world.year, Version.INTERNAL)
    assert [r.school.name for r in s.schools] == ["Bakkeskolen", "Engskolen", "Åskolen"]
    assert [r.dialogue.status.value for r in s.schools] == ["held", "booked", "booked"]
    assert [r.note.status.value if r.note else None for r in s.schools] == [
        "draft", "published", None]


def test_themes_grouped_by_who_brought_them_and_counted(db, world):
    s = service.build(db, _consultant(world), world.year, Version.INTERNAL)
    school_themes = [(g.title, g.count) for g in s.themes[Owner.SCHOOL]]
    # "Læsning" and "læsning " are one theme, brought by two schools; the most common first.
    assert school_themes == [("Læsning", 2), ("Trivsel i udskolingen", 1)]
    lit = s.themes[Owner.SCHOOL][0]
    assert {sc.name for sc, _ in lit.schools} == {"Bakkeskolen", "Engskolen"}
    # The committee's points on Stevns' committee item, one per school that had them.
    committee = s.themes[Owner.COMMITTEE]
    assert committee[0].title == "sammen MED børnene" and committee[0].count == 3


def test_agreements_by_status_and_last_years_outcomes(db, world):
    s = service.build(db, _consultant(world), world.year, Version.INTERNAL)
    assert sorted(a.text for a, _ in s.agreements) == [
        "Trivselsindsats i udskolingen", "Upubliceret aftale om kanariefuglen"]
    assert [st for st, _ in s.agreements_by_status()] == [AgreementStatus.NEW]
    ended = {sc.name: a.status for a, sc in s.last_year}
    assert ended == {"Bakkeskolen": AgreementStatus.DONE, "Engskolen": AgreementStatus.DROPPED,
                     "Åskolen": AgreementStatus.IN_PROGRESS}
    [outcome] = s.outcomes
    assert outcome.year.start_year == 2025 and outcome.total == 3
    assert (outcome.share(outcome.done), outcome.share(outcome.carried),
            outcome.share(outcome.dropped)) == (33, 33, 33)


def test_debrief_keywords_internal_only(db, world):
    internal = service.build(db, _consultant(world), world.year, Version.INTERNAL)
    assert [kw for _, kw in internal.keywords] == ["Stærk læsekultur", SECRET_KEYWORD]
    for version in (Version.LEADERS, Version.COMMITTEE):
        assert service.build(db, _consultant(world), world.year, version).keywords == []


def test_public_versions_show_only_published_agreements(db, world):
    s = service.build(db, _consultant(world), world.year, Version.COMMITTEE)
    assert [a.text for a, _ in s.agreements] == ["Trivselsindsats i udskolingen"]


def test_highlights_school_figures_as_the_viewer_may_see_them(db, world):
    secret_key = world.secret_indicator.key
    internal = {h.indicator.key: h for h in service.build(
        db, _consultant(world), world.year, Version.INTERNAL).highlights}
    assert [v[-1] for _, v in internal[secret_key].rows] == ["31,417"] * 3
    # Each school's own trend, internally: last year's figure beside this year's.
    assert internal[world.open_indicator.key].school_years == ["2025/26", "2026/27"]
    assert [v for _, v in internal[world.open_indicator.key].rows] == [["3,9", "3,9"]] * 3
    assert internal[world.open_indicator.key].municipality == "2,9"
    assert internal[world.open_indicator.key].country == "1,9"
    # The committee's version, even when a consultant prepares it: no school-level test result.
    for version in (Version.LEADERS, Version.COMMITTEE):
        public = {h.indicator.key: h for h in service.build(
            db, _consultant(world), world.year, version).highlights}
        # This year only, and no school-level test result.
        assert public[world.open_indicator.key].school_years == ["2026/27"]
        assert [v for _, v in public[secret_key].rows] == [["–"]] * 3
        assert [v for _, v in public[world.open_indicator.key].rows] == [["3,9"]] * 3
    anon = service.build(db, ANONYMOUS, world.year, Version.INTERNAL)
    assert CANARY not in str([h.rows for h in anon.highlights])


def test_trend_chart_keeps_the_indicators_scale(db, world):
    s = service.build(db, _consultant(world), world.year, Version.COMMITTEE)
    h = next(h for h in s.highlights if h.indicator.key == world.open_indicator.key)
    assert h.chart is not None
    assert (h.chart.lo, h.chart.hi) == (world.open_indicator.axis_min or 1,
                                        world.open_indicator.axis_max or 5)
    assert h.trend[0][1][-2:] == ["2,9", "2,9"]
