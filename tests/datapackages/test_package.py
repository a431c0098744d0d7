"""The package page: figures beside municipality and Denmark, honest charts, highlights,
ready-and-shared, the school's own data, and who sees what."""

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.datapackages import service
from app.datapackages.models import (
    IndicatorValue,
    PackageFigure,
    PackageFile,
    PackageHighlight,
    PackageStatus,
)
from tests.confirming import asks_first
from tests.conftest import htmx_get, login, post_form


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def _series_points(soup, indicator_key: str, series: str) -> dict[str, float]:
    """What a reader reads off the chart: each marker's height turned back into a value
    through the drawn axis (its tick labels), not through any data attribute."""
    svg = soup.select_one(f"svg#chart-{indicator_key}")
    ticks = [(float(line["y1"]), float(text.get_text().replace(",", ".")))
             for line, text in zip(svg.select(".chart__gridline"), svg.select(".chart__grid text"))]
    (y0, v0), (y1, v1) = ticks[0], ticks[-1]
    out = {}
    for circle in svg.select(f"g[data-series={series}] circle"):
        cy = float(circle["cy"])
        out[circle["data-year"]] = v0 + (cy - y0) / (y1 - y0) * (v1 - v0)
    return out


def _table(soup, indicator_key: str) -> dict[tuple[str, str], str]:
    table = soup.select_one(f"#fig-{indicator_key} table")
    return {(tr["data-year"], td["data-series"]): td.get_text(strip=True)
            for tr in table.select("tbody tr[data-year]") for td in tr.select("td")}


def test_consultant_sees_every_indicator_beside_municipality_and_denmark(client, db, package_setup):
    s = package_setup
    login(client, db, s["consultant"])
    r = client.get(s["url"])
    assert r.status_code == 200
    soup = _soup(r)
    table = _table(soup, "trivsel_social")
    assert table[("2025/26", "school")] == "4,4"
    assert table[("2025/26", "municipality")] == "4,0"
    assert table[("2025/26", "country")] == "3,9"
    assert _table(soup, "overgang_laesning_2")[("2025/26", "school")] == "64 %"
    frag = htmx_get(client, s["url"])
    assert "<html" not in frag.text and "trivsel_social" in frag.text


def test_chart_numbers_match_the_data(client, db, package_setup):
    s = package_setup
    login(client, db, s["consultant"])
    soup = _soup(client.get(s["url"]))
    stored = {v.start_year: v.value for v in db.exec(select(IndicatorValue).where(
        IndicatorValue.school_id == s["school"].id, IndicatorValue.subgroup == ""))
        if v.indicator_id == _indicator_id(db, "fravaer_samlet")}
    for key, series, expected in (
        ("trivsel_social", "school", {"2023/24": 4.0, "2024/25": 4.1, "2025/26": 4.4}),
        ("trivsel_social", "municipality", {"2023/24": 4.0, "2024/25": 4.0, "2025/26": 4.0}),
        ("trivsel_social", "country", {"2023/24": 3.9, "2024/25": 3.9, "2025/26": 3.9}),
        ("fravaer_samlet", "school", {f"{y}/{(y + 1) % 100:02d}": v for y, v in stored.items()}),
        ("overgang_laesning_2", "school", {"2023/24": 55, "2024/25": 60, "2025/26": 64}),
    ):
        drawn = _series_points(soup, key, series)
        svg = soup.select_one(f"svg#chart-{key}")
        # Coordinates are written to 0.1 px: the reading is exact to half of that.
        per_px = (float(svg["data-hi"]) - float(svg["data-lo"])) / (
            float(svg["data-bottom"]) - float(svg["data-top"]))
        assert drawn == pytest.approx(expected, abs=0.05 * per_px + 1e-9), (key, series)
        table = _table(soup, key)
        for year, value in expected.items():
            assert float(table[(year, series)].rstrip(" %").replace(",", ".")) == \
                pytest.approx(value), (key, series, year)
    # The polyline runs through the markers, and nowhere else.
    svg = soup.select_one("svg#chart-trivsel_social")
    line = svg.select_one("g[data-series=school] polyline")["points"].split()
    markers = [f'{c["cx"]},{c["cy"]}' for c in svg.select("g[data-series=school] circle")]
    assert line == markers


def _indicator_id(db, key):
    from app.datapackages.models import Indicator

    return db.exec(select(Indicator.id).where(Indicator.key == key)).one()


def test_axes_are_never_truncated_to_the_data(client, db, package_setup):
    s = package_setup
    login(client, db, s["consultant"])
    soup = _soup(client.get(s["url"]))
    wellbeing = soup.select_one("svg#chart-trivsel_social")
    assert (float(wellbeing["data-lo"]), float(wellbeing["data-hi"])) == (1.0, 5.0)
    absence = soup.select_one("svg#chart-fravaer_samlet")
    assert float(absence["data-lo"]) == 0.0
    tests = soup.select_one("svg#chart-overgang_laesning_2")
    assert (float(tests["data-lo"]), float(tests["data-hi"])) == (0.0, 100.0)


def test_small_changes_are_marked_as_no_clear_change(client, db, package_setup):
    s = package_setup
    login(client, db, s["consultant"])
    soup = _soup(client.get(s["url"]))
    # Absence 7,5 → 7,6: under the indicator's 0,5 percentage points.
    absence = soup.select_one("#fig-fravaer_samlet .trend__change").get_text()
    assert "Ingen tydelig ændring siden 2024/25" in absence
    assert "trend__change--none" in soup.select_one("#fig-fravaer_samlet .trend__change")["class"]
    # Wellbeing 4,1 → 4,4: a clear rise, judged better.
    social = soup.select_one("#fig-trivsel_social .trend__change")
    assert social.get_text().startswith("Steget 0,3 siden 2024/25.")
    assert "trend__change--better" in social["class"]
    # The band of no clear change is drawn around last year's value.
    band = soup.select_one("svg#chart-fravaer_samlet rect.chart__band")
    assert band is not None


def test_small_groups_are_stored_but_blanked(client, db, package_setup):
    s = package_setup
    login(client, db, s["consultant"])
    soup = _soup(client.get(s["url"]))
    table = _table(soup, "kedsomhed_49")
    assert table[("2024/25", "school")] == "–*"
    assert "2024/25" not in _series_points(soup, "kedsomhed_49", "school")
    assert "41" not in soup.select_one("#fig-kedsomhed_49").get_text()
    groups = soup.select_one("#fig-trivsel_social").select("tr.trend__group")
    assert [g.get_text(" ", strip=True) for g in groups] == [
        "2025/26, drenge 4,2", "2025/26, piger –*"]
    assert "Færre end 5 personer: tallet vises ikke." in soup.select_one(
        "#fig-trivsel_social").get_text()
    # Stored all the same.
    assert db.exec(select(IndicatorValue).where(IndicatorValue.subgroup == "piger")).one().value == 4.6


def test_ready_and_shared(client, db, package_setup):
    s = package_setup
    login(client, db, s["invited"])
    r = client.get(s["url"])
    assert r.status_code == 200
    assert "ikke markeret datapakken som klar" in r.text and "trivsel_social" not in r.text
    meeting_page = client.get(f"/meetings/{s['meeting'].id}").text
    assert "Datapakken er ikke klar endnu." in meeting_page

    client.cookies.clear()
    login(client, db, s["consultant"])
    assert post_form(client, s["url"] + "/ready").status_code == 303
    package = service.get_package(db, s["school"].id, s["year"].id)
    assert package.status is PackageStatus.READY and package.ready_at is not None

    client.cookies.clear()
    login(client, db, s["invited"])
    page = client.get(s["url"]).text
    assert "Social trivsel" in page
    assert "Overgangstest, læsning" not in page  # a participant: the tests are withheld
    assert "overgang_laesning_2" not in page
    assert "fortrolige under landsniveau" in page
    meeting_page = _soup(client.get(f"/meetings/{s['meeting'].id}"))
    assert meeting_page.select_one(f"a[href='{s['url']}']")


def test_only_the_administration_marks_ready_and_outsiders_are_refused(client, db, factory,
                                                                       package_setup):
    s = package_setup
    login(client, db, s["leader"])
    assert post_form(client, s["url"] + "/ready").status_code == 403
    assert client.get(s["url"] + "/edit").status_code == 403
    client.cookies.clear()
    login(client, db, factory.user("participant", municipality=s["m"]))  # not invited
    assert client.get(s["url"]).status_code == 403
    client.cookies.clear()
    login(client, db, factory.user("consultant", municipality=s["foreign_m"]))
    assert client.get(s["url"]).status_code == 403
    client.cookies.clear()
    login(client, db, factory.user("school_leader", school=s["other"]))
    assert client.get(s["url"]).status_code == 403


def test_package_url_is_what_agendas_and_calendars_link(package_setup):
    s = package_setup
    assert service.package_url(s["school"].id, s["year"].id) == s["url"]
    assert service.package_url(s["school"].id, s["year"].id, absolute=True) == \
        "http://testserver" + s["url"]


def test_section_urls_for_agenda_attachments(db, package_setup):
    s = package_setup
    school_id, year_id = s["school"].id, s["year"].id
    assert service.section_url(db, school_id, year_id, "wellbeing") == s["url"] + "#area-wellbeing"
    assert service.section_url(db, school_id, year_id, "national_tests") == \
        s["url"] + "#area-national_tests"
    assert service.section_url(db, school_id, year_id, "") == s["url"]
    assert service.section_url(db, school_id, year_id, "no-such-section") is None


def test_highlights_with_and_without_htmx(client, db, package_setup):
    s = package_setup
    login(client, db, s["leader"])
    post_form(client, s["url"] + "/ready")  # refused for a leader; the form works anyway
    form = client.get(s["url"] + "/highlights")
    assert form.status_code == 200 and 'name="title_1"' in form.text and "<html" in form.text
    frag = htmx_get(client, s["url"] + "/highlights")
    assert "<html" not in frag.text and 'id="highlights"' in frag.text
    version = _soup(frag).select_one("input[name=version]")["value"]
    data = {"version": version, "title_1": "Ro og orden", "indicator_1": "trivsel_ro_orden",
            "reason_1": "Vi er optaget af udskolingen.", "title_2": "", "reason_2": "Uden titel"}
    r = post_form(client, s["url"] + "/highlights", data, htmx=True)
    assert r.status_code == 422
    assert "Giv nedslaget en titel." in r.text and "Uden titel" in r.text  # input kept
    data["title_2"] = "Fravær"
    r = post_form(client, s["url"] + "/highlights", data, htmx=True)
    assert r.status_code == 200 and "Gemt" in r.text and "Ro og orden" in r.text
    saved = db.exec(select(PackageHighlight).order_by(PackageHighlight.position)).all()
    assert [(h.position, h.title, h.reason) for h in saved] == [
        (1, "Ro og orden", "Vi er optaget af udskolingen."), (2, "Fravær", "Uden titel")]
    # A stale form (someone saved in between) is a conflict, not an overwrite.
    r = post_form(client, s["url"] + "/highlights", {**data, "title_1": "Gammel"})
    assert r.status_code == 409
    assert db.exec(select(PackageHighlight).where(PackageHighlight.position == 1)).one().title \
        == "Ro og orden"
    # Without JavaScript: POST → redirect.
    package = service.get_package(db, s["school"].id, s["year"].id)
    r = post_form(client, s["url"] + "/highlights",
                  {**data, "version": package.version, "title_3": "Støtte"})
    assert r.status_code == 303 and r.headers["location"].endswith("#highlights")


def test_texts_and_conflict(client, db, package_setup):
    s = package_setup
    login(client, db, s["consultant"])
    page = client.get(s["url"] + "/edit")
    assert "Hvorfor er I optaget af netop disse data?" in page.text  # from the catalogue
    version = _soup(page).select_one("input[name=version]")["value"]
    r = post_form(client, s["url"] + "/edit", {"version": version, "key_points": "Trivslen stiger.",
                                               "admin_text": "Godt arbejde.",
                                               "reflection_questions": "Hvad nu?"})
    assert r.status_code == 303
    r = post_form(client, s["url"] + "/edit", {"version": version, "key_points": "Forældet",
                                               "admin_text": "", "reflection_questions": ""},
                  htmx=True)
    assert r.status_code == 409 and "Forældet" in r.text and "Trivslen stiger." in r.text
    page = client.get(s["url"]).text
    assert "Trivslen stiger." in page and "Godt arbejde." in page and "Hvad nu?" in page


def test_mark_ready_with_htmx_redirects(client, db, package_setup):
    s = package_setup
    login(client, db, s["consultant"])
    r = post_form(client, s["url"] + "/ready", htmx=True)
    assert r.status_code == 204 and r.headers["hx-redirect"] == s["url"]
    r = post_form(client, s["url"] + "/draft", htmx=True)
    assert r.status_code == 204
    assert service.get_package(db, s["school"].id, s["year"].id).status is PackageStatus.DRAFT


def _special_school_leader_logged_in(client, db, factory, s) -> tuple:
    """A special school (it brings its own data) and its leader, logged in: (school, url)."""
    special = factory.school(s["m"], name="Heldagsskolen", institution_number="701050",
                             kind="special")
    login(client, db, factory.user("school_leader", school=special))
    return special, service.package_url(special.id, s["year"].id)


def test_special_school_brings_its_own_data(client, db, factory, package_setup):
    s = package_setup
    special, url = _special_school_leader_logged_in(client, db, factory, s)
    r = post_form(client, url + "/figures", {"label": "Elever med fuld skoledag", "value": "41",
                                              "note": "Egen opgørelse"})
    assert r.status_code == 303
    r = post_form(client, url + "/figures", {"label": "", "value": ""})
    assert r.status_code == 422 and "Feltet skal udfyldes." in r.text
    token = client.cookies.get("sus_csrf")
    r = client.post(url + "/files", data={"csrf_token": token},
                    files={"file": ("egne-data.csv", b"trivsel;3,8\n", "text/csv")})
    assert r.status_code == 303
    r = client.post(url + "/files", data={"csrf_token": token},
                    files={"file": ("virus.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 422 and "kan ikke vedhæftes" in r.text

    client.cookies.clear()
    login(client, db, s["consultant"])
    post_form(client, url + "/ready")
    soup = _soup(client.get(url))
    text = soup.get_text(" ", strip=True)
    assert "Skolen medbringer egne data" in text and "Elever med fuld skoledag" in text
    assert soup.select_one("svg.chart") is None  # no indicators for a special school
    link = soup.select_one("a[href*='/files/']")
    assert link.get_text() == "egne-data.csv"
    download = client.get(link["href"])
    assert download.content == b"trivsel;3,8\n"
    assert download.headers["content-disposition"].startswith("attachment;")


def test_school_page_lists_packages(client, db, package_setup):
    s = package_setup
    login(client, db, s["leader"])
    soup = _soup(client.get(f"/schools/{s['school'].id}"))
    assert soup.select_one(f"a[href='{s['url']}']").get_text() == "Skoleåret 2025/26"


def test_settings_and_catalogue_pages(client, db, package_setup):
    s = package_setup
    login(client, db, s["consultant"])
    page = client.get(f"/municipalities/{s['m'].id}/data/indicators")
    assert page.status_code == 200 and "overgang_matematik_7" in page.text
    assert "august, september, oktober" in page.text
    settings = client.get(f"/municipalities/{s['m'].id}/data/settings")
    version = _soup(settings).select_one("input[name=version]")["value"]
    r = post_form(client, f"/municipalities/{s['m'].id}/data/settings",
                  {"version": version, "board_representative": "on"})
    assert r.status_code == 303
    assert service.get_settings_for(db, s["m"].id).board_representative_sees_confidential
    overview = client.get(f"/municipalities/{s['m'].id}/data")
    assert overview.status_code == 200 and "Bakkeskolen" in overview.text
    client.cookies.clear()
    login(client, db, s["leader"])
    assert client.get(f"/municipalities/{s['m'].id}/data/settings").status_code == 403
    assert client.get(f"/municipalities/{s['m'].id}/data/imports").status_code == 403


def test_web_import_upload_preview_commit(client, db, package_setup):
    s = package_setup
    login(client, db, s["consultant"])
    token = client.cookies.get("sus_csrf") or client.get("/login") and client.cookies.get("sus_csrf")
    content = "skoleår;kode;indikator;værdi;antal\n2025/26;701001;trivsel_faglig;3,7;300\n" \
              "2025/26;701001;trivsel_social;4,5;300\n2025/26;701001;fravaer_ulovligt;x;\n"
    r = client.post(f"/municipalities/{s['m'].id}/data/imports", data={"csrf_token": token},
                    files={"file": ("trivsel.csv", content.encode(), "text/csv")},
                    headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert r.status_code == 204
    preview_url = r.headers["hx-redirect"]
    soup = _soup(client.get(preview_url))
    assert soup.select_one("[data-count=error]").get_text() == "1"
    assert "Række 4, kolonne “værdi”: “x” er ikke et tal" in soup.select_one(".import-errors").get_text()
    assert soup.select_one("form[action$='/commit']") is None  # nothing to commit
    outcomes = [(tr["data-row"], tr["data-outcome"]) for tr in soup.select("tr[data-row]")]
    assert outcomes == [("2", "new"), ("3", "replaced"), ("4", "error")]
    # Committing anyway (a forged form) imports nothing.
    r = post_form(client, preview_url + "/commit")
    assert r.status_code == 303
    assert db.exec(select(IndicatorValue).where(IndicatorValue.value == 4.5)).first() is None

    fixed = content.replace(";x;", ";3,6;").encode()
    r = client.post(f"/municipalities/{s['m'].id}/data/imports", data={"csrf_token": token},
                    files={"file": ("trivsel.csv", fixed, "text/csv")})
    assert r.status_code == 303
    preview_url = r.headers["location"]
    filtered = htmx_get(client, preview_url + "?show=replaced", **{"HX-Target": "outcomes"})
    assert "<html" not in filtered.text and filtered.text.count("data-row=") == 1
    r = post_form(client, preview_url + "/commit")
    assert r.status_code == 303
    page = client.get(preview_url)
    assert "Importeret. Nye værdier: 2; erstattede: 1; uændrede: 0." in page.text
    assert db.exec(select(IndicatorValue).where(IndicatorValue.value == 4.5)).first() is not None
    history = _soup(page).select("tr[data-history]")
    assert [tr.get_text(" ", strip=True) for tr in history] == [
        "2025/26 701001 trivsel_social 4,4"]  # the old value, kept


def test_pages_have_no_inline_styles_or_scripts(client, db, package_setup):
    s = package_setup
    login(client, db, s["consultant"])
    for path in (s["url"], s["url"] + "/edit", s["url"] + "/highlights",
                 f"/municipalities/{s['m'].id}/data", f"/municipalities/{s['m'].id}/data/imports",
                 f"/municipalities/{s['m'].id}/data/indicators",
                 f"/municipalities/{s['m'].id}/data/settings"):
        r = client.get(path)
        assert r.status_code == 200, path
        soup = _soup(r)
        assert not soup.select("[style]") and not soup.find_all("style"), path
        assert all(not t.string for t in soup.find_all("script")), path
        assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]
        fragment = htmx_get(client, path)
        assert fragment.status_code == 200 and "<html" not in fragment.text, path
        assert fragment.headers["vary"] == "HX-Request"
        if not path.endswith("/highlights"):  # that one is the section swapped in place
            assert "<title>" in fragment.text, path


def test_sample_files_are_linked_and_served(client, db, package_setup):
    s = package_setup
    login(client, db, s["consultant"])
    links = [a["href"] for a in _soup(client.get(f"/municipalities/{s['m'].id}/data/imports"))
             .select("a[download]")]
    assert [link.split("?")[0] for link in links] == [
        "/static/samples/datapackages/eksempel.csv", "/static/samples/datapackages/eksempel.xlsx"]
    sample = client.get(links[0])
    assert sample.status_code == 200 and sample.content.startswith("skoleår;".encode())


def test_removing_a_figure_or_a_file_asks_first(client, db, factory, package_setup):
    """Nothing irreversible on one click (issue 14.6): the school's own figure and file."""
    s = package_setup
    special, url = _special_school_leader_logged_in(client, db, factory, s)
    post_form(client, url + "/figures", {"label": "Elever med fuld skoledag", "value": "41"})
    token = client.cookies.get("sus_csrf")
    client.post(url + "/files", data={"csrf_token": token},
                files={"file": ("egne-data.csv", b"trivsel;3,8\n", "text/csv")})
    package = service.get_package(db, special.id, s["year"].id)
    figure = db.exec(select(PackageFigure).where(PackageFigure.package_id == package.id)).one()
    stored = db.exec(select(PackageFile).where(PackageFile.package_id == package.id)).one()
    figure_id, file_id = figure.id, stored.id

    def still_there():
        db.expire_all()
        assert db.get(PackageFigure, figure_id) is not None
        assert db.get(PackageFile, file_id) is not None

    yes = asks_first(client, url, f"{url}/figures/{figure_id}/delete",
                     title='Fjern tallet "Elever med fuld skoledag"?',
                     says=["kan ikke hentes tilbage", "Heldagsskolen"], unchanged=still_there)
    r = post_form(client, f"{url}/figures/{figure_id}/delete", yes)
    assert r.status_code == 303
    db.expire_all()
    assert db.get(PackageFigure, figure_id) is None

    def file_kept():
        db.expire_all()
        assert db.get(PackageFile, file_id) is not None

    yes = asks_first(client, url, f"{url}/files/{file_id}/delete",
                     title='Fjern filen "egne-data.csv"?', says=["Gem en kopi"],
                     unchanged=file_kept)
    r = post_form(client, f"{url}/files/{file_id}/delete", yes)
    assert r.status_code == 303
    db.expire_all()
    assert db.get(PackageFile, file_id) is None
    assert "Filen er fjernet." in client.get(url).text
