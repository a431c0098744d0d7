"""`sus import data` on a 50,000-row file: checking, writing, and importing it again.

50 schools × 5 school years × 5 indicators × 40 groups. Database: a temporary SQLite file,
or SUS_DATABASE_URL if set (e.g. an empty PostgreSQL database).
Usage: python bench/import/run.py [ROWS_PER_SCHOOL_YEAR_INDICATOR]
"""

import os
import sys
import tempfile
import time

GROUPS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
tmp = tempfile.mkdtemp(prefix="sus-bench-")
os.environ.setdefault("SUS_VAR_DIR", tmp)
os.environ.setdefault("SUS_DATABASE_URL", f"sqlite:///{tmp}/bench.db")
os.environ.setdefault("SUS_SECRET_KEY", "bench-secret-key-long-enough-0123456789abcdef")

from sqlmodel import Session, select  # noqa: E402

from app import migrate  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.datapackages import importer  # noqa: E402
from app.datapackages.catalog import ensure_loaded  # noqa: E402
from app.datapackages.models import Indicator  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.schools import service  # noqa: E402
from app.schools.service import SchoolForm  # noqa: E402

url = get_settings().database_url
migrate.upgrade(url)
engine = make_engine(url)
with Session(engine) as session:
    ensure_loaded(session)
    m = service.get_municipality_by_code(session, "799") or service.create_municipality(
        session, name="Benchkommune", kommunekode="799")
    numbers = [f"79{i:04d}" for i in range(50)]
    for i, number in enumerate(numbers):
        if service.get_school_by_institution_number(session, number) is None:
            service.create_school(session, m.id, SchoolForm(name=f"Benchskole {i}",
                                                            institution_number=number))
    keys = [i.key for i in session.exec(select(Indicator)) if i.scale_max == 5.0][:5]
    rows = ["skoleår;kode;indikator;gruppe;værdi;antal"]
    for number in numbers:
        for year in range(2021, 2026):
            for key in keys:
                for g in range(GROUPS):
                    rows.append(f"{year}/{(year + 1) % 100:02d};{number};{key};g{g};"
                                f"{3 + (g % 20) / 10:.1f};{g}")
    content = ("\n".join(rows) + "\n").encode()
    n = len(rows) - 1
    for label in ("first import", "same file again"):
        started = time.perf_counter()
        analysis, imp = importer.import_file(session, content, "bench.csv")
        took = time.perf_counter() - started
        assert not analysis.problems
        print(f"{label}: {n:,} rows in {took:.2f} s ({n / took:,.0f} rows/s); "
              f"{dict(analysis.counts)}")
engine.dispose()
