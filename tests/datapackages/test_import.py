"""Importing figures: every kind of bad file is refused whole, with Danish row/column errors."""

import io

import pytest
from openpyxl import Workbook
from sqlmodel import select

from app.datapackages import importer
from app.datapackages.models import (
    DataImport,
    DataImportStatus,
    Indicator,
    IndicatorValue,
    IndicatorValueHistory,
    Level,
)
from app.paths import ROOT
from tests.datapackages.conftest import csv_bytes


def _values(db):
    return db.exec(select(IndicatorValue)).all()


def _import(db, content: bytes, municipality_id=None, name="data.csv"):
    return importer.import_file(db, content, name, municipality_id=municipality_id)


def test_a_good_csv_imports_every_row(db, data_setup):
    content = csv_bytes(
        "2025/26;701001;trivsel_social;;4,1;300",
        "2025/26;701001;trivsel_social;Piger;4,3;150",
        "2025;701;fravaer_samlet;;6.5;",
        "2025/2026;DK;trivsel_social;;3,9;",
    )
    analysis, imp = _import(db, content)
    assert analysis.ok and imp is not None
    assert analysis.counts == {"new": 4}
    values = {(v.level, v.code, v.subgroup): v for v in _values(db)}
    assert values[(Level.SCHOOL, "701001", "")].value == pytest.approx(4.1)
    assert values[(Level.SCHOOL, "701001", "")].school_id == data_setup["school"].id
    assert values[(Level.SCHOOL, "701001", "piger")].n == 150
    assert values[(Level.MUNICIPALITY, "701", "")].municipality_id == data_setup["m"].id
    assert values[(Level.COUNTRY, "DK", "")].value == pytest.approx(3.9)
    assert all(v.start_year == 2025 for v in values.values())


def _problems(analysis) -> list[str]:
    return [str(p) for p in analysis.problems]


def test_bad_number_names_row_column_and_problem_in_danish(db, data_setup):
    content = csv_bytes("2025/26;701001;trivsel_social;;4,1;", "2025/26;701001;trivsel_faglig;;fire;")
    analysis, imp = _import(db, content)
    assert imp is None and _values(db) == []
    assert _problems(analysis) == [
        "Række 3, kolonne “værdi”: “fire” er ikke et tal (skriv f.eks. 3,9 eller 12)."]


def test_value_outside_the_scale_is_an_error(db, data_setup):
    analysis, _ = _import(db, csv_bytes("2025/26;701001;trivsel_social;;7;"))
    assert _problems(analysis) == [
        "Række 2, kolonne “værdi”: 7 ligger uden for skalaen for “trivsel_social” (1 til 5)."]


def test_unknown_school_and_unknown_indicator(db, data_setup):
    analysis, imp = _import(db, csv_bytes("2025/26;799999;trivsel_social;;4;",
                                          "2025/26;701001;trivsel_sociel;;4;"))
    assert imp is None and _values(db) == []
    assert _problems(analysis) == [
        "Række 2, kolonne “kode”: Ingen skole har institutionsnummeret “799999”.",
        "Række 3, kolonne “indikator”: Ukendt indikator “trivsel_sociel”. "
        "Mente du “trivsel_social”?",
    ]


def test_duplicate_rows_are_an_error_naming_the_first(db, data_setup):
    analysis, imp = _import(db, csv_bytes("2025/26;701001;trivsel_social;;4;",
                                          "2025/26;701001;trivsel_faglig;;4;",
                                          "2025/26;701001;trivsel_social;;4,2;"))
    assert imp is None and _values(db) == []
    assert _problems(analysis) == [
        "Række 4: Rækken gentager række 2 (samme skoleår, sted, indikator og gruppe). "
        "Fjern den ene."]


def test_wrong_encoding_is_refused_with_advice(db, data_setup):
    content = "skoleår;kode;indikator;værdi\n2025/26;701001;trivsel_social;4\n".encode("cp1252")
    analysis, imp = _import(db, content)
    assert imp is None and _values(db) == []
    (problem,) = _problems(analysis)
    assert problem.startswith("Række 1: Filen er ikke gemt som UTF-8")
    assert "CSV UTF-8" in problem


def test_utf16_from_excel_unicode_text_is_read(db, data_setup):
    content = "skoleår\tkode\tindikator\tværdi\n2025/26\t701001\ttrivsel_social\t4\n"
    analysis, imp = _import(db, content.encode("utf-16"))
    assert analysis.ok and analysis.counts == {"new": 1}


@pytest.mark.parametrize("content, message", [
    (b"", "Filen er tom."),
    (b"  \n\n", "Filen er tom."),
    ("skoleår;kode;indikator;værdi\n".encode(), "Filen har en overskriftsrække, men ingen datarækker."),
])
def test_empty_files(db, data_setup, content, message):
    analysis, imp = _import(db, content)
    assert imp is None and _problems(analysis) == [message]


def test_missing_column_is_named(db, data_setup):
    analysis, _ = _import(db, b"skoleaar;kode;indikator\n2025/26;701001;trivsel_social\n")
    assert [p.column for p in analysis.problems] == ["værdi"]
    assert str(analysis.problems[0]).startswith("Række 1, kolonne “værdi”: Kolonnen mangler.")


def test_a_file_with_one_bad_row_imports_nothing(db, data_setup):
    rows = [f"2025/26;701001;trivsel_social;gruppe {i};4;" for i in range(50)]
    rows.append("2025/26;701001;trivsel_social;;x;")
    analysis, imp = _import(db, csv_bytes(*rows))
    assert imp is None and analysis.counts["error"] == 1 and _values(db) == []


def test_reimport_changes_nothing_and_a_new_value_replaces_with_history(db, data_setup):
    first = csv_bytes("2025/26;701001;trivsel_social;;4,1;300", "2025/26;701001;trivsel_faglig;;3,8;300")
    _import(db, first)
    before = [(v.id, v.value, v.import_id, v.updated_at) for v in _values(db)]
    analysis, _ = _import(db, first)
    assert analysis.counts == {"unchanged": 2}
    assert [(v.id, v.value, v.import_id, v.updated_at) for v in _values(db)] == before
    assert db.exec(select(IndicatorValueHistory)).all() == []

    corrected = csv_bytes("2025/26;701001;trivsel_social;;4,2;300", "2025/26;701001;trivsel_faglig;;3,8;300")
    analysis, imp = _import(db, corrected)
    assert analysis.counts == {"replaced": 1, "unchanged": 1}
    social = db.exec(select(IndicatorValue).join(Indicator).where(
        Indicator.key == "trivsel_social")).one()
    assert social.value == pytest.approx(4.2) and social.import_id == imp.id
    (old,) = db.exec(select(IndicatorValueHistory)).all()
    assert old.value == pytest.approx(4.1) and old.replaced_by_import_id == imp.id
    assert old.code == "701001" and old.start_year == 2025


def test_web_import_is_limited_to_the_municipality(db, data_setup):
    analysis = importer.analyse(db, csv_bytes("2025/26;702001;trivsel_social;;4;",
                                              "2025/26;702;trivsel_social;;4;"),
                                "x.csv", municipality_id=data_setup["m"].id)
    assert _problems(analysis) == [
        "Række 2, kolonne “kode”: Naboskolen (702001) hører ikke til Datakommune.",
        "Række 3, kolonne “kode”: Her kan kun importeres tal for Datakommune.",
    ]


def test_national_tests_only_for_their_school_years(db, data_setup):
    analysis = importer.analyse(db, csv_bytes("2026/27;701001;overgang_laesning_2;;60;",
                                              "2025/26;701001;faerdighed_dansk;3. klasse;60;"),
                                "x.csv")
    assert _problems(analysis) == [
        "Række 2, kolonne “skoleår”: “overgang_laesning_2” findes kun for skoleårene "
        "2022/23–2025/26.",
        "Række 3, kolonne “skoleår”: “faerdighed_dansk” findes kun for skoleårene 2026/27–.",
    ]


def test_bad_year_level_and_count(db, data_setup):
    header = "skoleår;niveau;kode;indikator;værdi;antal"
    analysis = importer.analyse(db, csv_bytes("2025/27;skole;701001;trivsel_social;4;3",
                                              "2025/26;amt;701001;trivsel_social;4;3",
                                              "2025/26;skole;701001;trivsel_social;4;2,5",
                                              header=header), "x.csv")
    assert _problems(analysis) == [
        "Række 2, kolonne “skoleår”: “2025/27” er ikke et skoleår (skriv f.eks. 2025/26).",
        "Række 3, kolonne “niveau”: “amt” er ikke et niveau: skriv skole, kommune eller land.",
        "Række 4, kolonne “antal”: “2,5” er ikke et helt antal personer.",
    ]


@pytest.mark.parametrize("raw, expected", [
    ("3,9", 3.9), ("3.9", 3.9), ("-0,4", -0.4), ("1.234,5", 1234.5), ("1 234", 1234.0),
    ("12", 12.0), (7, 7.0), (4.25, 4.25), ("\u22120,3", -0.3),
])
def test_numbers(raw, expected):
    assert importer.parse_number(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["", "abc", "4,1,2", "nan", "inf", "3,9%", True, "1e5"])
def test_not_numbers(raw):
    with pytest.raises(ValueError):
        importer.parse_number(raw)


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_with_numeric_cells(db, data_setup):
    content = _xlsx([["Skoleår", "Kode", "Indikator", "Gruppe", "Værdi", "Antal"],
                     ["2025/26", 701001, "trivsel_social", None, 4.1, 300],
                     ["2025/26", 701, "trivsel_social", None, 4, None],
                     [None, None, None, None, None, None]])
    analysis, imp = _import(db, content, name="data.xlsx")
    assert analysis.ok and analysis.counts == {"new": 2}
    content = _xlsx([["skoleår", "kode", "indikator", "værdi"],
                     ["2025/26", 701001, "trivsel_social", "høj"]])
    analysis, _ = _import(db, content, name="bad.xlsx")
    assert _problems(analysis) == [
        "Række 2, kolonne “værdi”: “høj” er ikke et tal (skriv f.eks. 3,9 eller 12)."]


def test_broken_xlsx_and_old_xls(db, data_setup):
    analysis, _ = _import(db, b"PK\x03\x04not really a zip", name="x.xlsx")
    assert _problems(analysis) == ["Filen kunne ikke læses som en Excel-projektmappe (.xlsx)."]
    analysis, _ = _import(db, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="x.xls")
    assert "gamle Excel-format (.xls)" in _problems(analysis)[0]


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_read(db, data_setup):
    """A zip bomb: a small .xlsx whose sheet unpacks to far more than any import needs. The
    sheet here is 300 MB of spaces in a file of about 300 kB."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_xlsx([["skoleår"]]))) as small, \
            zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in small.infolist():
            data = small.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                with bomb.open(info.filename, "w") as part:
                    part.write(data[:-len(b"</worksheet>")])
                    for _ in range(300):
                        part.write(b" " * (1 << 20))
                    part.write(b"</worksheet>")
            else:
                bomb.writestr(info.filename, data)
    assert len(buf.getvalue()) < 2_000_000
    analysis, _ = _import(db, buf.getvalue(), name="bombe.xlsx")
    assert _problems(analysis) == ["Projektmappen er for stor, når den pakkes ud. Del den i "
                                   "mindre filer, eller gem den som CSV UTF-8."]


def test_the_sample_files_import(db, factory):
    from app.datapackages.catalog import ensure_loaded

    ensure_loaded(db)
    m = factory.municipality(name="Skanderborg Kommune", kommunekode="740")
    factory.school(m, name="Bakkeskolen", institution_number="745004")
    for name in ("eksempel.csv", "eksempel.xlsx"):
        content = (ROOT / "static" / "samples" / "datapackages" / name).read_bytes()
        analysis = importer.analyse(db, content, name, municipality_id=m.id)
        assert analysis.ok, _problems(analysis)
        assert analysis.rows == 12


def test_preview_then_commit_then_preview_of_same_file(db, data_setup):
    content = csv_bytes("2025/26;701001;trivsel_social;;4,1;300")
    imp, analysis = importer.create_preview(db, content, "a.csv", municipality_id=data_setup["m"].id,
                                            user_id=None)
    assert imp.status is DataImportStatus.PREVIEW and imp.counts["new"] == 1
    assert imp.outcomes == [[2, "new", "", "Bakkeskolen (701001)", "trivsel_social", "", "4,1", ""]]
    bad, _ = importer.create_preview(db, csv_bytes("2025/26;701001;trivsel_social;;9;"), "b.csv",
                                     municipality_id=data_setup["m"].id, user_id=None)
    assert bad.outcomes[0][:2] == [2, "error"]
    assert bad.outcomes[0][2].startswith("Række 2, kolonne “værdi”: 9 ligger uden for skalaen")
    assert _values(db) == []  # a preview writes nothing
    importer.commit(db, imp)
    assert imp.status is DataImportStatus.COMMITTED and len(_values(db)) == 1
    again, _ = importer.create_preview(db, content, "a.csv", municipality_id=data_setup["m"].id,
                                       user_id=None)
    assert again.counts["unchanged"] == 1
    assert importer.previous_import_of_same_file(db, again).id == imp.id


def test_commit_checks_again(db, data_setup, factory):
    """A school removed between preview and commit: the commit refuses, writes nothing."""
    extra = factory.school(data_setup["m"], name="Kortlivet Skole", institution_number="701009")
    imp, _ = importer.create_preview(db, csv_bytes("2025/26;701009;trivsel_social;;4;"), "a.csv",
                                     municipality_id=data_setup["m"].id, user_id=None)
    db.delete(extra)
    db.commit()
    with pytest.raises(importer.ImportRefused):
        importer.commit(db, imp)
    assert imp.status is DataImportStatus.PREVIEW and imp.counts["error"] == 1
    assert _values(db) == []


def test_a_50000_row_file_is_written_whole_and_again_unchanged(db, data_setup, factory):
    m = data_setup["m"]
    numbers = [f"7011{i:02d}" for i in range(10, 60)]
    for i, number in enumerate(numbers):
        factory.school(m, name=f"Storskole {i}", institution_number=number)
    keys = [i.key for i in db.exec(select(Indicator)).all() if i.scale_max == 5.0]
    rows = []
    for number in numbers:  # 50 schools × 5 years × 5 indicators × 40 groups = 50,000
        for year in range(2021, 2026):
            for key in keys:
                for g in range(40):
                    value = 3 + (g % 20) / 10
                    rows.append(f"{year}/{(year + 1) % 100:02d};{number};{key};g{g};{value:.1f};{g}")
    assert len(rows) == 50_000
    content = csv_bytes(*rows)
    # How fast is bench/import's question (it prints figures); here: all of it, in chunks.
    analysis, imp = _import(db, content)
    assert analysis.ok and analysis.counts == {"new": 50_000}
    analysis, _ = _import(db, content)
    assert analysis.counts == {"unchanged": 50_000}
    assert db.exec(select(DataImport).where(DataImport.id == imp.id)).one().rows == 50_000


def test_a_write_that_fails_in_the_background_imports_nothing(db, data_setup, monkeypatch):
    """On PostgreSQL a chunk is written while the next is checked (importer.Writer): a write
    that fails there stops the import, and what earlier chunks wrote is rolled back."""
    monkeypatch.setattr(importer, "CHUNK", 2)
    real = importer._writer
    chunks = []

    def failing_second(session, import_id):
        write = real(session, import_id)._write

        def write_or_fail(writes):
            chunks.append(len(writes))
            if len(chunks) == 2:
                raise RuntimeError("the database went away")
            write(writes)
        return importer.Writer(write_or_fail, background=True)

    monkeypatch.setattr(importer, "_writer", failing_second)
    rows = [f"2025/26;701001;trivsel_social;g{g};4,1;{g}" for g in range(6)]
    with pytest.raises(RuntimeError, match="went away"):
        _import(db, csv_bytes(*rows))
    assert chunks == [2, 2]  # the third chunk is not written after the failure
    assert _values(db) == []
    assert db.exec(select(DataImport)).all() == []


# --- concurrent commits of one preview ------------------------------------------------------


def _race_setup(engine):
    """Three values already imported and a preview replacing them, committed for real."""
    from app.datapackages.catalog import ensure_loaded
    from tests.committed import session_of
    from tests.conftest import Factory

    with session_of(engine) as s:
        ensure_loaded(s)
        f = Factory(s)
        m = f.municipality(name="Datakommune", kommunekode="701")
        f.school(m, name="Bakkeskolen", institution_number="701001")
        consultant = f.user("consultant", municipality=m)
        importer.import_file(s, csv_bytes("2025/26;701001;trivsel_social;;4,1;300",
                                          "2025/26;701001;trivsel_faglig;;3,2;300",
                                          "2025/26;701;trivsel_social;;3,8;3000"), "old.csv")
        imp, _ = importer.create_preview(
            s, csv_bytes("2025/26;701001;trivsel_social;;4,4;310",
                         "2025/26;701001;trivsel_faglig;;3,6;310",
                         "2025/26;701;trivsel_social;;3,9;3100",
                         "2025/26;701001;fravaer_samlet;;6,5;"),
            "new.csv", municipality_id=m.id, user_id=consultant.id)
        assert imp.counts == {"error": 0, "new": 1, "replaced": 3, "unchanged": 0}
        return imp.id, consultant.id


def _assert_applied_once(engine, import_id):
    from tests.committed import session_of

    with session_of(engine) as s:
        assert s.get(DataImport, import_id).status is DataImportStatus.COMMITTED
        history = s.exec(select(IndicatorValueHistory)).all()
        assert len(history) == 3  # the three replaced values, once each
        assert {h.replaced_by_import_id for h in history} == {import_id}
        values = s.exec(select(IndicatorValue)).all()
        assert len(values) == 4
        assert sorted(v.value for v in values) == pytest.approx([3.6, 3.9, 4.4, 6.5])


def test_concurrent_commits_of_one_preview_apply_it_once():
    """Eight sessions commit the same preview at the same moment: one applies it."""
    from tests.committed import all_at_once, committed_app, session_of

    with committed_app("importrace") as (_app, engine):
        import_id, _ = _race_setup(engine)

        def commit(_i):
            with session_of(engine) as s:
                importer.commit(s, s.get(DataImport, import_id))
                return "applied"

        results = all_at_once(8, commit)
        assert results.count("applied") == 1, results
        assert all(isinstance(r, importer.AlreadyHandled) for r in results if r != "applied")
        _assert_applied_once(engine, import_id)


def test_concurrent_commit_requests_import_once_and_tell_the_others():
    """Six browsers press "Importér" at once: one imports, five get a clear Danish message."""
    from fastapi.testclient import TestClient

    from app.accounts import service as accounts
    from app.accounts.access import SESSION_COOKIE
    from app.accounts.models import User
    from tests.committed import all_at_once, committed_app, session_of
    from tests.conftest import post_form

    with committed_app("importrace-web") as (app, engine):
        import_id, consultant = _race_setup(engine)
        clients = []
        for _ in range(6):
            c = TestClient(app, follow_redirects=False)
            with session_of(engine) as s:
                user = s.get(User, consultant)
                c.cookies.set(SESSION_COOKIE, accounts.start_session(s, app.state.settings, user))
            c.get("/login")  # the CSRF cookie
            clients.append(c)

        def press(i):
            c = clients[i]
            r = post_form(c, f"/data-imports/{import_id}/commit")
            assert r.status_code == 303, r.text
            return c.get(r.headers["location"]).text

        pages = all_at_once(6, press)
        assert not [p for p in pages if isinstance(p, Exception)], pages
        imported = [p for p in pages if "Importeret. Nye værdier: 1; erstattede: 3" in p]
        told = [p for p in pages if "Intet importeres to gange" in p
                or "Filen er allerede behandlet." in p]
        assert len(imported) == 1 and len(told) == 5
        _assert_applied_once(engine, import_id)


def test_discarding_a_preview_someone_just_committed_keeps_it_committed():
    """A preview open in one window is committed from another; "Kassér" must not undo it."""
    from tests.committed import committed_app, session_of

    with committed_app("importdiscard") as (_app, engine):
        import_id, _ = _race_setup(engine)
        with session_of(engine) as stale, session_of(engine) as other:
            seen = stale.get(DataImport, import_id)
            assert seen.status is DataImportStatus.PREVIEW
            importer.commit(other, other.get(DataImport, import_id))
            importer.discard(stale, seen)
            assert seen.status is DataImportStatus.COMMITTED
        _assert_applied_once(engine, import_id)
        with session_of(engine) as s:
            assert s.get(DataImport, import_id).content  # the file is kept, not wiped
