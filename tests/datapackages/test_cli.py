"""`sus import data FILE` and the demo packages, run as a user runs them."""

from sqlalchemy import func, select
from sqlmodel import Session

from app.datapackages.models import IndicatorValue, IndicatorValueHistory, Package, PackageStatus
from app.db import make_engine
from app.paths import ROOT
from tests.conftest import _TMP
from tests.test_cli import cli_db  # noqa: F401  (fixture)

SAMPLE = str(ROOT / "static" / "samples" / "datapackages" / "eksempel.csv")


def _count(url, model, *where):
    engine = make_engine(url)
    with Session(engine) as s:
        n = s.exec(select(func.count()).select_from(model).where(*where)).one()[0]
    engine.dispose()
    return n


def test_import_data_command(cli_db):  # noqa: F811
    url, run = cli_db
    run("demo")
    before = _count(url, IndicatorValue)
    out = run("import", "data", SAMPLE, "--municipality", "740")
    assert "Rækker: 12" in out.stdout and "Importeret." in out.stdout
    assert "Kontrollerer rækker" in out.stderr  # the progress bar
    # The demo already had Bakkeskolen's 2025/26 social wellbeing: replaced, kept in history.
    assert _count(url, IndicatorValueHistory) > 0
    after = _count(url, IndicatorValue)
    again = run("import", "data", SAMPLE)
    assert "uændrede: 12" in again.stdout
    assert _count(url, IndicatorValue) == after and after >= before

    bad = _TMP / "bad.csv"
    bad.write_text("skoleår;kode;indikator;værdi\n2025/26;745004;trivsel_social;3,9\n"
                   "2025/26;999999;trivsel_social;mange\n", encoding="utf-8")
    result = run("import", "data", str(bad), check=False)
    assert result.returncode == 1
    assert "Række 3, kolonne “kode”: Ingen skole har institutionsnummeret “999999”." in result.stderr
    assert "Række 3, kolonne “værdi”: “mange” er ikke et tal" in result.stderr
    assert "Intet er importeret: 2 fejl i bad.csv." in result.stderr
    assert _count(url, IndicatorValue) == after

    dry = run("import", "data", SAMPLE, "--dry-run")
    assert "intet importeret (--dry-run)" in dry.stdout


def test_demo_packages_are_idempotent(cli_db):  # noqa: F811
    url, run = cli_db
    run("demo")
    counts = (_count(url, IndicatorValue), _count(url, Package),
              _count(url, Package, Package.status == PackageStatus.READY))
    assert counts[0] > 1000 and counts[1] == 36  # 12 schools × 3 school years
    second = run("demo")
    assert "demo figures" not in second.stdout and "data packages" not in second.stdout
    assert (_count(url, IndicatorValue), _count(url, Package),
            _count(url, Package, Package.status == PackageStatus.READY)) == counts
