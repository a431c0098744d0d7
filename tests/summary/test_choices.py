"""The presentation's choices are kept between visits, per school year and version: saved from
the page's form (with HTMX on each change, without it by the Save button), shown again when
the page opens, used by the exports; a save based on choices someone changed since is refused
(409) with theirs named and the user's own kept in the form."""

import io

import pytest
from bs4 import BeautifulSoup
from pptx import Presentation

from app.summary import choices
from app.summary.service import Version
from app.summary.slides import Slide
from tests.conftest import login, post_form


def _url(world, tail=""):
    return f"/municipalities/{world.municipality.id}/years/2026/summary{tail}"


def _form(client, world, version="committee"):
    page = BeautifulSoup(client.get(_url(world, f"?version={version}")).text, "html.parser")
    form = page.find("form", action=_url(world, "/presentation"))
    data = {i["name"]: i.get("value", "on") for i in form.find_all("input")
            if i.get("type") != "checkbox" or i.has_attr("checked")}
    data.update({t["name"]: t.get_text() for t in form.find_all("textarea")})
    data.pop("csrf_token")
    return data


@pytest.mark.parametrize("htmx", [False, True])
def test_choices_are_kept_and_used_by_the_export(client, db, world, htmx):
    login(client, db, world.consultant)
    data = _form(client, world)
    data.pop("show-agreements")
    data["order-trend"] = "0"
    data["comment-trend"] = "Se udviklingen"
    r = post_form(client, _url(world, "/slides"), data, htmx=htmx)
    if htmx:
        assert r.status_code == 200
        fragment = BeautifulSoup(r.text, "html.parser")
        assert fragment.find(id="choices-version")["value"] == "1"
        assert "Gemt" in fragment.find(id="choices-status").get_text()
    else:
        assert r.status_code == 303 and r.headers["location"].endswith("#presentation")
    # The next visit: the same order, the hidden slide unticked, the comment written.
    again = _form(client, world)
    keys = [k.removeprefix("order-") for k in again if k.startswith("order-")]
    assert keys[0] == "trend"
    assert "show-agreements" not in again and "show-trend" in again
    assert again["comment-trend"] == "Se udviklingen"
    # The leaders' version has choices of its own.
    assert "show-agreements" in _form(client, world, "leaders")
    # Exported from the page as it opens: the stored choices.
    r = post_form(client, _url(world, "/presentation"), {**again, "format": "pptx"})
    prs = Presentation(io.BytesIO(r.content))
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles[0] == "Aftaler på tværs af år" and "Årets aftaler" not in titles
    assert prs.slides[0].notes_slide.notes_text_frame.text == "Se udviklingen"


@pytest.mark.parametrize("htmx", [False, True])
def test_a_stale_save_is_refused_and_names_theirs(client, db, world, htmx):
    login(client, db, world.consultant)
    mine = _form(client, world)
    theirs = dict(mine)
    theirs.pop("show-trend")
    assert post_form(client, _url(world, "/slides"), theirs).status_code == 303
    stored = choices.get(db, world.year.id, Version.COMMITTEE)
    assert next(e for e in stored.slides if e["key"] == "trend")["hidden"] is True
    # Mine was opened before theirs was saved (a first save, and then a second one).
    mine["comment-title"] = "Min kommentar"
    r = post_form(client, _url(world, "/slides"), {**mine, "version": "0"}, htmx=htmx)
    assert r.status_code == 409
    soup = BeautifulSoup(r.text, "html.parser")
    status = soup.find(id="choices-status").get_text(" ")
    assert "Nogen har gemt" in status and "Aftaler på tværs af år" not in status
    db.expire_all()
    stored = choices.get(db, world.year.id, Version.COMMITTEE)
    assert next(e for e in stored.slides if e["key"] == "trend")["hidden"] is True  # not lost
    assert all(e["comment"] == "" for e in stored.slides)
    if not htmx:  # the whole page, the form holding my comment and based on their version
        assert soup.find("textarea", attrs={"name": "comment-title"}).get_text() == "Min kommentar"
    assert soup.find(id="choices-version")["value"] == str(stored.version)


def test_saving_needs_the_csrf_token_and_a_public_version(client, db, world):
    login(client, db, world.consultant)
    assert client.post(_url(world, "/slides"), data={"audience": "committee"}).status_code == 403
    assert post_form(client, _url(world, "/slides"), {"audience": "internal"}).status_code == 400
    login(client, db, world.leader)
    assert post_form(client, _url(world, "/slides"),
                     {"audience": "committee", "choices": "1"}).status_code == 403


def test_new_slides_take_their_place_and_gone_ones_are_forgotten():
    deck = [Slide("title", "T"), Slide("themes-school", "S"), Slide("school-9", "9", hidden=True),
            Slide("agreements", "A")]
    saved = [{"key": "agreements", "hidden": False, "comment": "x"},
             {"key": "title", "hidden": False, "comment": ""},
             {"key": "gone", "hidden": True, "comment": ""}]
    arranged = choices.apply(deck, saved)
    # "themes-school" and "school-9" were not saved: after "title", the slide they follow.
    assert [s.key for s in arranged] == ["agreements", "title", "themes-school", "school-9"]
    assert arranged[0].comment == "x" and arranged[3].hidden
