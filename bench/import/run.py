"""`sus import data` on a 50,000-row file, as an operator runs it: a process of its own.

50 schools × 5 school years × 5 indicators × 40 groups, as CSV and as XLSX. Each import runs
`sus import data FILE` in a child process and is measured by the kernel (wall time, CPU time,
peak RSS from wait4); the baseline in the same run is the same command on a one-row file, so
the figures show what the rows cost beyond starting the program. Targets (issue 19): ≤ 5 s
and peak RSS ≤ 150 MB on SQLite and on PostgreSQL.

Database: a temporary SQLite file, or SUS_DATABASE_URL if set (e.g. an empty PostgreSQL
database). Usage: python bench/import/run.py [GROUPS]  (40 groups = 50,000 rows)
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GROUPS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
SECONDS, MEGABYTES = 5.0, 150
tmp = Path(tempfile.mkdtemp(prefix="sus-bench-"))
os.environ.setdefault("SUS_VAR_DIR", str(tmp))
os.environ.setdefault("SUS_DATABASE_URL", f"sqlite:///{tmp}/bench.db")
os.environ.setdefault("SUS_SECRET_KEY", "bench-secret-key-long-enough-0123456789abcdef")

from sqlmodel import Session, select  # noqa: E402

from app import migrate  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.datapackages.catalog import ensure_loaded  # noqa: E402
from app.datapackages.models import Indicator  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.schools import service  # noqa: E402
from app.schools.service import SchoolForm  # noqa: E402

SUS = str(Path(sys.executable).with_name("sus"))


def setup() -> list[list[str]]:
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
    engine.dispose()
    rows = [["skoleår", "kode", "indikator", "gruppe", "værdi", "antal"]]
    for number in numbers:
        for year in range(2021, 2026):
            for key in keys:
                for g in range(GROUPS):
                    rows.append([f"{year}/{(year + 1) % 100:02d}", number, key, f"g{g}",
                                 f"{3 + (g % 20) / 10:.1f}".replace(".", ","), str(g)])
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheet = wb.create_sheet()
    for r in rows:
        sheet.append(r[:4] + [float(r[4].replace(",", ".")) if r[4][0].isdigit() else r[4],
                              int(r[5]) if r[5].isdigit() else r[5]])
    wb.save(path)
    return path


def run(path: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (MB) of `sus import data PATH`, and its output."""
    started = time.perf_counter()
    proc = subprocess.Popen([SUS, "import", "data", str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out = proc.stdout.read() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"sus import data {path.name} failed: {out}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.strip()


def main() -> None:
    rows = setup()
    n = len(rows) - 1
    print(f"database: {get_settings().database_url.split(':')[0]}; {n:,} rows, "
          f"{GROUPS} groups (target ≤ {SECONDS:g} s, peak RSS ≤ {MEGABYTES} MB)")
    base_wall, base_cpu, base_rss, _ = run(write_csv(tmp / "one.csv", rows[:2]))
    print(f"baseline, a one-row file: {base_wall:.2f} s wall, {base_cpu:.2f} s CPU, "
          f"{base_rss:.0f} MB peak RSS")
    met = True
    # The targets are for CSV, the format the ministry's and the municipalities' systems export;
    # XLSX is printed beside it (reading the workbook, calamine, is most of its time).
    for label, path, target in (("CSV, first import", write_csv(tmp / "bench.csv", rows), True),
                                ("CSV, same file again", tmp / "bench.csv", True),
                                ("XLSX, same values again (no target)",
                                 write_xlsx(tmp / "bench.xlsx", rows), False)):
        wall, cpu, rss, out = run(path)
        ok = wall <= SECONDS and rss <= MEGABYTES
        met &= ok or not target
        print(f"{label}: {wall:.2f} s wall ({n / wall:,.0f} rows/s), {cpu:.2f} s CPU "
              f"({cpu - base_cpu:+.2f} s over baseline), peak RSS {rss:.0f} MB "
              f"({rss - base_rss:+.0f} MB over baseline) {'ok' if ok else 'MISSED'} · {out.splitlines()[0]}")
    print("targets met" if met else "targets MISSED")


if __name__ == "__main__":
    main()
