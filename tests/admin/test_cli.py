"""`sus import schools|people FILE --municipality KODE [--dry-run]`, run as a user runs it."""

import sqlalchemy as sa

from app.db import make_engine
from app.paths import STATIC
from tests.test_cli import cli_db  # noqa: F401  (fixture)

SAMPLES = STATIC / "samples" / "admin"


def _count(url, table: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            return c.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def test_import_schools_and_people_from_the_command_line(cli_db, tmp_path):  # noqa: F811
    url, sus = cli_db
    sus("db", "upgrade")
    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(sa.text("INSERT INTO municipality (name, kommunekode, is_demo, "
                          "invites_board_representative, version, created_at, updated_at) "
                          "VALUES ('Æblerød Kommune', '999', false, false, 1, "
                          "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    engine.dispose()

    dry = sus("import", "schools", str(SAMPLES / "skoler.xlsx"), "--municipality", "999",
              "--dry-run")
    assert "Rækker: 4 · nye: 4 · ændrede: 0 · uændrede: 0" in dry.stdout
    assert "intet importeret (--dry-run)" in dry.stdout
    assert "Kontrollerer rækker" in dry.stderr and "4/4" in dry.stderr  # the progress bar
    assert _count(url, "school") == 0

    sus("import", "schools", str(SAMPLES / "skoler.csv"), "--municipality", "999")
    done = sus("import", "people", str(SAMPLES / "personer.csv"), "--municipality", "999")
    assert "Importeret." in done.stdout
    assert _count(url, "school") == 4 and _count(url, "person") == 8
    again = sus("import", "people", str(SAMPLES / "personer.xlsx"), "--municipality", "999")
    assert "uændrede: 8" in again.stdout

    bad = tmp_path / "forkert.csv"
    bad.write_text("navn;e-mail\nAnne;anne-at-x\n", encoding="utf-8")
    failed = sus("import", "people", str(bad), "--municipality", "999", check=False)
    assert failed.returncode == 1
    assert "Række 2, kolonne “e-mail”: Skal være en e-mailadresse" in failed.stderr
    assert _count(url, "person") == 8
    wrong = sus("import", "people", str(bad), "--municipality", "123", check=False)
    assert wrong.returncode == 2 and "kommunekode" in wrong.stderr
