"""School pages, with and without HTMX."""

from bs4 import BeautifulSoup

from tests.conftest import htmx_get, login, post_form


def _consultant(client, db, factory, **school_kw):
    m = factory.municipality(name="Skanderborg Kommune", kommunekode="740")
    school = factory.school(m, name="Bakkeskolen", student_count=644, **school_kw)
    login(client, db, factory.user("consultant", municipality=m))
    return m, school


def test_municipality_overview_counts_schools(client, db, factory):
    m, _ = _consultant(client, db, factory)
    factory.school(m, name="Veng Skole & Børnehus", kind="village")
    soup = BeautifulSoup(client.get(f"/municipalities/{m.id}").text, "html.parser")
    assert soup.h1.text == "Skanderborg Kommune"
    stats = [s.get_text(" ", strip=True) for s in soup.select(".stat")]
    assert "2 skoler i alt" in stats
    assert "1 Landsbyordning (skole og dagtilbud)" in stats


def test_home_is_the_users_landing_page_with_the_municipality_menu(client, db, factory):
    m, _ = _consultant(client, db, factory)
    r = client.get("/")
    assert r.status_code == 200
    # The menu of the user's one municipality, and a way to its overview.
    assert f'href="/municipalities/{m.id}/years"' in r.text
    assert f'href="/municipalities/{m.id}"' in r.text
    r = htmx_get(client, "/")
    assert r.status_code == 200 and "<html" not in r.text and "Mine skoler i år" in r.text


def test_school_list_and_htmx_search(client, db, factory):
    m, _ = _consultant(client, db, factory)
    factory.school(m, name="Ry Skole")
    page = client.get(f"/municipalities/{m.id}/schools")
    assert "Bakkeskolen" in page.text and "Ry Skole" in page.text
    r = htmx_get(client, f"/municipalities/{m.id}/schools?q=ry", **{"HX-Target": "school-rows"})
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.find().name == "tbody" and "<html" not in r.text
    assert [a.text for a in soup.select("a")] == ["Ry Skole"]
    # Without JavaScript the same search is a whole page.
    r = client.get(f"/municipalities/{m.id}/schools?q=ry")
    assert "<html" in r.text and "Bakkeskolen" not in r.text


def test_demo_municipality_is_labelled(client, db, factory):
    m = factory.municipality(is_demo=True)
    login(client, db, factory.user("consultant", municipality=m))
    assert "Demodata." in client.get(f"/municipalities/{m.id}").text


def test_create_school_with_errors_rerenders_danish_messages_and_input(client, db, factory):
    m, _ = _consultant(client, db, factory)
    r = post_form(client, f"/municipalities/{m.id}/schools/new",
                  {"name": "Nyskolen", "institution_number": "12", "kind": "ordinary",
                   "student_count": "-3", "website": "www.nyskolen.dk"})
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.select_one("#f-name")["value"] == "Nyskolen"
    assert soup.select_one("#f-website")["value"] == "www.nyskolen.dk"
    assert soup.select_one("#f-institution_number-error").text == "Ugyldigt format."
    assert soup.select_one("#f-student_count-error").text == "Skal være mindst 0."
    assert soup.select_one("#f-institution_number")["aria-invalid"] == "true"
    assert "Formularen har fejl" in r.text


def test_create_school_duplicate_number_names_the_other_school(client, db, factory):
    m, school = _consultant(client, db, factory)
    r = post_form(client, f"/municipalities/{m.id}/schools/new",
                  {"name": "Nyskolen", "institution_number": school.institution_number,
                   "kind": "ordinary"})
    assert r.status_code == 422 and "tilhører allerede Bakkeskolen" in r.text


def test_create_school_then_see_it(client, db, factory):
    m, _ = _consultant(client, db, factory)
    r = post_form(client, f"/municipalities/{m.id}/schools/new",
                  {"name": "Nyskolen", "institution_number": "745099", "kind": "special",
                   "student_count": "45", "has_special_classes": "on",
                   "website": "https://nyskolen.dk"})
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "Nyskolen er oprettet." in page.text
    assert "Specialskole" in page.text and "https://nyskolen.dk" in page.text
    # The flash message is shown once.
    assert "er oprettet" not in client.get(r.headers["location"]).text


def test_edit_school_conflict_keeps_both_versions(client, db, factory):
    m, school = _consultant(client, db, factory)
    opened = school.version
    post_form(client, f"/schools/{school.id}/fields/student_count",
              {"student_count": "700", "version": opened})  # someone else saves first
    r = post_form(client, f"/schools/{school.id}/edit",
                  {"name": "Bakkeskolen", "institution_number": school.institution_number,
                   "kind": "ordinary", "student_count": "650", "version": opened})
    assert r.status_code == 409
    soup = BeautifulSoup(r.text, "html.parser")
    conflict = soup.select_one(".conflict").get_text(" ", strip=True)
    assert "700" in conflict and "650" in conflict
    assert soup.select_one("#f-student_count")["value"] == "650"
    db.refresh(school)
    assert school.student_count == 700
    # Saving again from the conflict page (now based on the current version) applies it.
    version = soup.select_one("input[name=version]")["value"]
    r = post_form(client, f"/schools/{school.id}/edit",
                  {"name": "Bakkeskolen", "institution_number": school.institution_number,
                   "kind": "ordinary", "student_count": "650", "version": version})
    assert r.status_code == 303
    db.refresh(school)
    assert school.student_count == 650


def test_inline_edit_with_htmx_returns_only_the_field(client, db, factory):
    _, school = _consultant(client, db, factory)
    r = htmx_get(client, f"/schools/{school.id}/fields/student_count/edit")
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.find().get("id") == "field-student_count" and "<html" not in r.text
    assert soup.select_one("#input-student_count")["value"] == "644"
    r = post_form(client, f"/schools/{school.id}/fields/student_count",
                  {"student_count": "650", "version": school.version}, htmx=True)
    assert r.status_code == 200
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.select_one("[data-field=student_count]").text.strip() == "650"
    assert "Gemt" in r.text


def test_inline_edit_without_javascript_is_whole_pages(client, db, factory):
    _, school = _consultant(client, db, factory)
    r = client.get(f"/schools/{school.id}/fields/student_count/edit")
    assert "<html" in r.text and 'id="input-student_count"' in r.text
    r = post_form(client, f"/schools/{school.id}/fields/student_count",
                  {"student_count": "651", "version": school.version})
    assert r.status_code == 303 and r.headers["location"] == f"/schools/{school.id}"
    page = client.get(r.headers["location"]).text
    assert "Ændringerne er gemt." in page and "651" in page


def test_inline_edit_error_keeps_input(client, db, factory):
    _, school = _consultant(client, db, factory)
    for htmx in (True, False):
        r = post_form(client, f"/schools/{school.id}/fields/student_count",
                      {"student_count": "mange", "version": school.version}, htmx=htmx)
        assert r.status_code == 422
        soup = BeautifulSoup(r.text, "html.parser")
        assert soup.select_one("#input-student_count")["value"] == "mange"
        assert "Skal være et helt tal." in soup.select_one("#error-student_count").text


def test_inline_edit_conflict_is_explained(client, db, factory):
    _, school = _consultant(client, db, factory)
    opened = school.version
    post_form(client, f"/schools/{school.id}/fields/address",
              {"address": "Ny vej 1", "version": opened})
    r = post_form(client, f"/schools/{school.id}/fields/student_count",
                  {"student_count": "650", "version": opened}, htmx=True)
    assert r.status_code == 409
    soup = BeautifulSoup(r.text, "html.parser")
    assert "En anden har ændret skolen" in soup.select_one("#error-student_count").text
    assert soup.select_one("#input-student_count")["value"] == "650"


def test_checkbox_field_inline(client, db, factory):
    _, school = _consultant(client, db, factory)
    r = post_form(client, f"/schools/{school.id}/fields/has_special_classes",
                  {"has_special_classes": "on", "version": school.version}, htmx=True)
    assert "Ja" in BeautifulSoup(r.text, "html.parser").select_one("[data-field]").text
    db.refresh(school)
    assert school.has_special_classes is True
    post_form(client, f"/schools/{school.id}/fields/has_special_classes",
              {"version": school.version}, htmx=True)
    db.refresh(school)
    assert school.has_special_classes is False


def test_unknown_inline_field_is_404(client, db, factory):
    _, school = _consultant(client, db, factory)
    assert client.get(f"/schools/{school.id}/fields/institution_number/edit").status_code == 404


def test_unknown_or_out_of_range_ids_are_404(client, db, factory):
    m, school = _consultant(client, db, factory)
    for path in (f"/schools/{school.id + 1000}", f"/schools/{2**63}", f"/schools/{2**31}",
                 f"/municipalities/{2**63}/schools", f"/people/{2**63}",
                 f"/schools/{2**63}/fields/name/edit"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/municipalities/{m.id}/schools").status_code == 200
