"""The summary's pages, with and without HTMX; who may open them; the presentation export;
the debrief keywords form; and the links from the opsamling step and the menu."""

import io

import pytest
from bs4 import BeautifulSoup
from pptx import Presentation

from app.cycles.models import Step
from tests.conftest import htmx_get, login, post_form
from tests.summary.conftest import CANARY, SECRET_KEYWORD


def _url(world, tail=""):
    return f"/municipalities/{world.municipality.id}/years/2026/summary{tail}"


@pytest.mark.parametrize("htmx", [False, True])
def test_consultant_reads_the_internal_summary(client, db, world, htmx):
    login(client, db, world.consultant)
    r = htmx_get(client, _url(world)) if htmx else client.get(_url(world))
    assert r.status_code == 200
    soup = BeautifulSoup(r.text, "html.parser")
    assert (soup.find("html") is None) == htmx  # a fragment for HTMX, a whole page without
    text = soup.get_text(" ")
    for expected in ("Bakkeskolen", "Læsning", "Upubliceret aftale om kanariefuglen",
                     SECRET_KEYWORD, CANARY):
        assert expected in text
    assert soup.find("a", href=f"/agendas/{_agenda_id(db, world)}") is not None
    assert r.headers["Vary"] == "HX-Request"


def _agenda_id(db, world):
    from app.agendas import build

    return build.agenda_for_meeting(db, world.dialogues[0].id).id


@pytest.mark.parametrize("version", ["leaders", "committee"])
@pytest.mark.parametrize("htmx", [False, True])
def test_public_versions_hold_no_confidential_text(client, db, world, version, htmx):
    login(client, db, world.consultant)
    url = _url(world, f"?version={version}")
    r = htmx_get(client, url) if htmx else client.get(url)
    assert r.status_code == 200
    for secret in (CANARY, "31.417", SECRET_KEYWORD, "kanariefuglen"):
        assert secret not in r.text
    assert "Trivselsindsats i udskolingen" in r.text
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.find("form", action=_url(world, "/presentation")) is not None


def test_leader_and_anonymous_may_not_open_it(client, db, world):
    assert client.get(_url(world)).status_code in (302, 303, 401)
    login(client, db, world.leader)
    assert client.get(_url(world)).status_code == 403
    assert client.get(_url(world, "?version=committee")).status_code == 403


def test_unknown_version_is_404(client, db, world):
    login(client, db, world.consultant)
    assert client.get(_url(world, "?version=secret")).status_code == 404


@pytest.mark.parametrize("htmx", [False, True])
def test_export_committee_presentation_with_a_hidden_slide(client, db, world, htmx):
    login(client, db, world.consultant)
    page = BeautifulSoup(client.get(_url(world, "?version=committee")).text, "html.parser")
    form = page.find("form", action=_url(world, "/presentation"))
    data = {i["name"]: i.get("value", "on") for i in form.find_all("input")
            if i.get("type") != "checkbox" or i.has_attr("checked")}
    data.pop("csrf_token")
    data.pop("show-agreements")
    data["format"] = "pptx"
    data["comment-trend"] = "Se udviklingen"
    r = post_form(client, _url(world, "/presentation"), data, htmx=htmx)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    prs = Presentation(io.BytesIO(r.content))
    titles = [s.shapes.title.text for s in prs.slides]
    assert "Årets aftaler" not in titles and "Aftaler på tværs af år" in titles
    assert len(titles) == sum(1 for k in data if k.startswith("show-"))
    for fmt, magic in (("pdf", b"%PDF"), ("docx", b"PK")):
        r = post_form(client, _url(world, "/presentation"), {**data, "format": fmt})
        assert r.status_code == 200 and r.content.startswith(magic)


def test_export_refuses_the_internal_version_and_unknown_formats(client, db, world):
    login(client, db, world.consultant)
    for data in ({"audience": "internal", "format": "pptx"},
                 {"audience": "committee", "format": "exe"}):
        assert post_form(client, _url(world, "/presentation"), data).status_code == 400


def test_export_needs_the_csrf_token(client, db, world):
    login(client, db, world.consultant)
    r = client.post(_url(world, "/presentation"), data={"audience": "committee"})
    assert r.status_code == 403


def test_debrief_keywords_form_on_the_debrief_meeting(client, db, world):
    from sqlmodel import select

    from app.meetings.models import Meeting, MeetingType

    debrief = db.exec(select(Meeting).where(Meeting.meeting_type == MeetingType.DEBRIEF,
                                            Meeting.school_year_id == world.year.id)).one()
    login(client, db, world.consultant)
    page = client.get(f"/meetings/{debrief.id}")
    assert SECRET_KEYWORD in page.text
    r = post_form(client, f"/meetings/{debrief.id}/debrief-keywords",
                  {"keywords": "Ny opmærksomhed\nLæsning"})
    assert r.status_code == 303
    assert "Ny opmærksomhed" in client.get(_url(world)).text
    login(client, db, world.leader)
    assert post_form(client, f"/meetings/{debrief.id}/debrief-keywords",
                     {"keywords": "x"}).status_code == 403


def test_linked_from_the_opsamling_step_and_the_menu(client, db, world):
    step = Step(school_year_id=world.year.id, position=20, key="summary_meeting",
                title="Opsamlingsmøde for konsulenter")
    db.add(step)
    db.commit()
    login(client, db, world.consultant)
    soup = BeautifulSoup(client.get(f"/steps/{step.id}").text, "html.parser")
    assert soup.find("a", href=_url(world)) is not None
    r = client.get(f"/municipalities/{world.municipality.id}/summary")
    assert r.status_code == 303 and r.headers["location"].endswith("/summary")
    years_page = BeautifulSoup(client.get(f"/municipalities/{world.municipality.id}/years/2026")
                               .text, "html.parser")
    assert years_page.find("a", href=f"/municipalities/{world.municipality.id}/summary")
