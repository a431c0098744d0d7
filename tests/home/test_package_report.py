"""The data package reads like a report: contents with anchors, foldable areas, a link to the
print view, and an empty state that says when the figures arrive."""

import re

import pytest
from sqlmodel import Session, select

from tests.demo_site import client_for, demo_app


def _package_url(start_year: int) -> str:
    from app.cycles.models import SchoolYear
    from app.schools.models import School

    _app, engine = demo_app()
    with Session(engine) as s:
        school = s.exec(select(School).where(School.name == "Bakkeskolen")).one()
        year = s.exec(select(SchoolYear).where(SchoolYear.municipality_id == school.municipality_id,
                                               SchoolYear.start_year == start_year)).one()
        return f"/schools/{school.id}/years/{year.id}/package"


@pytest.mark.parametrize("htmx", [False, True])
def test_package_has_contents_with_anchors_and_foldable_areas(htmx):
    url = _package_url(2025)
    r = client_for("konsulent@skanderborg.demo").get(
        url, headers={"HX-Request": "true"} if htmx else {})
    assert r.status_code == 200
    toc = r.text.split('id="toc-heading"')[1].split("</nav>")[0]
    anchors = re.findall(r'href="#(area-[\w-]+)"', toc)
    assert len(anchors) >= 3
    for anchor in anchors:
        assert f'id="{anchor}"' in r.text
    assert r.text.count('<details class="area__details" open>') == len(anchors)
    assert f'href="{url}/print"' in r.text


def test_current_years_empty_package_says_when_the_data_arrive():
    url = _package_url(2026)
    r = client_for("konsulent@skanderborg.demo").get(url)
    assert r.status_code == 200
    assert "Trivselsmålingen besvares januar–marts" in r.text
    assert "Afgangsprøverne holdes maj–juni" in r.text
