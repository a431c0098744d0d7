"""Importing indicator values from CSV and XLSX: read, check every row, then all or nothing.

The format (README, "Data packages"; samples in `static/samples/datapackages/`): a header row, then
one value a row, with the columns

    skoleår   2025/26 (or 2025)
    niveau    skole | kommune | land   (optional: follows from kode)
    kode      institution number (6 digits), kommunekode (3 digits) or DK
    indikator an indicator key from the catalogue, e.g. trivsel_social
    gruppe    optional: empty for all pupils, otherwise e.g. piger, 4.-6. klasse
    værdi     the number; decimal comma or point
    antal     optional: how many individuals the value is about

Other columns (a school's name, say) are ignored. CSV must be UTF-8 (Excel: "CSV UTF-8");
the separator may be semicolon, comma or tab. `analyse` reads and checks without writing;
`commit` checks again and then writes everything or nothing. A value for a key that already
exists replaces it, and the old value goes to the history; an equal value changes nothing,
so importing the same file twice changes nothing the second time.
"""

import contextvars
import csv
import difflib
import hashlib
import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from app.datapackages.catalog import ensure_loaded
from app.datapackages.models import (
    COUNTRY_CODE,
    DataImport,
    DataImportStatus,
    Indicator,
    IndicatorValue,
    IndicatorValueHistory,
    Level,
)
from app.db import UTCDateTime, utcnow
from app.i18n import gettext as _
from app.registry import Registry
from app.schools.models import Municipality, School

MAX_ROWS = 200_000

# Canonical column → accepted header spellings (compared in lower case, spaces trimmed).
COLUMNS: dict[str, tuple[str, ...]] = {
    "year": ("skoleår", "skoleaar", "skolear", "school_year", "year"),
    "level": ("niveau", "level"),
    "code": ("kode", "institutionsnummer", "code"),
    "indicator": ("indikator", "indicator"),
    "subgroup": ("gruppe", "group", "subgroup"),
    "value": ("værdi", "vaerdi", "value"),
    "n": ("antal", "n", "count"),
}
REQUIRED = ("year", "code", "indicator", "value")
HEADER_NAMES = {key: names[0] for key, names in COLUMNS.items()}
"""The Danish header of each column, used in messages."""

LEVELS = {
    "skole": Level.SCHOOL, "school": Level.SCHOOL,
    "kommune": Level.MUNICIPALITY, "municipality": Level.MUNICIPALITY,
    "land": Level.COUNTRY, "danmark": Level.COUNTRY, "country": Level.COUNTRY,
}

NEW, REPLACED, UNCHANGED, ERROR = "new", "replaced", "unchanged", "error"
OUTCOMES = (ERROR, NEW, REPLACED, UNCHANGED)


@dataclass
class Problem:
    row: int
    column: str | None
    """The column's header as the file spells it; None for the file or the whole row."""
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Row %(row)s, column “%(column)s”: %(problem)s",
                     row=self.row, column=self.column, problem=self.message)
        if self.row:
            return _("Row %(row)s: %(problem)s", row=self.row, problem=self.message)
        return self.message


@dataclass
class Analysis:
    filename: str
    sha256: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[Sequence] = field(default_factory=list)
    """[row, outcome, message, where, indicator, subgroup, value, old] per data row."""
    counts: Counter = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.problems and self.rows > 0


# --- reading the file ------------------------------------------------------------------------


class FileProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


XLSX_MAX_UNPACKED = 160 * 1024 * 1024
"""What a workbook may unpack to: a sheet of MAX_ROWS rows is about 65 MB of XML. Calamine
holds the sheet in memory, so a small file that unpacks to gigabytes (a zip bomb) is refused
before it is opened."""


def _unpacked_size_ok(content: bytes) -> bool:
    """Unpack every part, counting, and stop at the limit: the sizes a zip declares can lie."""
    total = 0
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for info in archive.infolist():
            with archive.open(info) as part:
                while chunk := part.read(1 << 20):
                    total += len(chunk)
                    if total > XLSX_MAX_UNPACKED:
                        return False
    return True


def _iter_xlsx(content: bytes) -> Iterator[Any]:
    # Calamine (Rust) reads a 50,000-row sheet in a fraction of openpyxl's time; its empty
    # cells are "" and its numbers floats, which the cell parsers take as they are.
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        if not _unpacked_size_ok(content):
            raise FileProblem(Problem(0, None, _(
                "The workbook is too large once unpacked. Split it into smaller files, or "
                "save it as CSV UTF-8.")))
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    except (CalamineError, zipfile.BadZipFile, zlib.error, KeyError, ValueError, OSError,
            IndexError, NotImplementedError, EOFError) as exc:
        raise FileProblem(Problem(0, None, _("The file could not be read as an Excel workbook "
                                             "(.xlsx)."))) from exc
    yield sheet.height
    yield from sheet.iter_rows()


def _encoding(content: bytes) -> str:
    """The file's encoding, checked whole before any row is read (the decoded text is not
    kept: rows are decoded again as they are read, so a 50,000-row file is never held as
    text beside its bytes)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        content.decode("utf-16")  # Excel's "Unicode text"
        return "utf-16"
    try:
        content.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        line = content[:exc.start].count(b"\n") + 1
        raise FileProblem(Problem(line, None, _(
            "The file is not saved as UTF-8 (the first character that is not is at byte "
            "%(byte)s). In Excel, save it as “CSV UTF-8 (comma delimited)” and upload it again.",
            byte=exc.start + 1))) from exc


def _iter_csv(content: bytes) -> Iterator[Any]:
    encoding = _encoding(content)
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    first = stream.readline()
    delimiter = max((";", ",", "\t"), key=first.count)
    stream.seek(0)
    reader = csv.reader(stream, delimiter=delimiter)
    lines = content.decode(encoding).count("\n") if encoding == "utf-16" else content.count(b"\n")
    yield lines + 1
    try:
        yield from reader
    except csv.Error as exc:  # a cell over csv's field limit (131,072 characters), a NUL byte
        raise FileProblem(Problem(reader.line_num, None, _(
            "Line %(line)s could not be read: a cell is too long (at most %(max)s characters) "
            "or holds a character that does not belong in a CSV file.",
            line=reader.line_num, max=f"{csv.field_size_limit():,}".replace(",", ".")))) from exc


def iter_rows(content: bytes) -> tuple[int, Iterator[list]]:
    """About how many rows the file has, and its rows as lists of cells (str, numbers or
    None), header first, one at a time: a file of any size is checked and written without
    holding its rows (FileProblem may be raised while iterating)."""
    if not content.strip():
        raise FileProblem(Problem(0, None, _("The file is empty.")))
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(Problem(0, None, _(
            "This is the old Excel format (.xls). Save it as .xlsx or as CSV UTF-8.")))
    rows = _iter_xlsx(content) if content.startswith(b"PK\x03\x04") else _iter_csv(content)
    total = next(rows)  # opens the file: its problems are raised here
    return total, rows


def read_rows(content: bytes) -> list[list]:
    """All of the file's rows at once (small files: the onboarding and tests)."""
    return list(iter_rows(content)[1])


# --- cells -----------------------------------------------------------------------------------


def _blank(cell) -> bool:
    return cell is None or (cell.__class__ is str and not cell.strip())


def _text(cell) -> str:
    if cell.__class__ is str:  # every CSV cell: the fast path of 300,000 calls a file
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)?|\d{1,3}([. ]\d{3})+(,\d+)?|[.,]\d+)$")
_PLAIN = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
"""Most cells: 3,9 · 12 · -0.4 (a single separator is the decimal one)."""


def parse_number(cell) -> float:
    """A number from a cell: 3,9 · 3.9 · -0,4 · 1.234,5 · 1 234 (ValueError otherwise)."""
    if cell.__class__ is str and _PLAIN.fullmatch(cell):
        return float(cell.replace(",", "."))
    if isinstance(cell, bool):
        raise ValueError
    if isinstance(cell, (int, float)):
        value = float(cell)
    else:
        raw = str(cell).strip().replace("\u00a0", " ").replace("\u2212", "-")
        if not _NUMBER.match(raw):
            raise ValueError
        if "," in raw:
            raw = raw.replace(".", "").replace(" ", "").replace(",", ".")
        else:
            raw = raw.replace(" ", "")
            if raw.count(".") > 1:
                raw = raw.replace(".", "")
        value = float(raw)  # the pattern admits only decimal notation: as exact as Decimal
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError
    return value


def parse_year(cell) -> int:
    """2025/26, 2025/2026, 2025-26 or 2025 → 2025 (ValueError otherwise)."""
    raw = _text(cell)
    m = re.fullmatch(r"(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?", raw)
    if not m:
        raise ValueError
    start = int(m.group(1))
    if m.group(2):
        end = int(m.group(2))
        if end != (start + 1) % (100 if len(m.group(2)) == 2 else 10_000):
            raise ValueError
    if not 2000 <= start <= 2100:
        raise ValueError
    return start


def _fmt_plain(value: float) -> str:
    return f"{value:g}".replace(".", ",")


# --- analysis --------------------------------------------------------------------------------


def _header(row: list) -> tuple[dict[str, int], dict[str, str], list[Problem]]:
    positions: dict[str, int] = {}
    spelled: dict[str, str] = {}
    problems = []
    lookup = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
    for i, cell in enumerate(row):
        name = _text(cell).lower().lstrip("\ufeff")
        key = lookup.get(name)
        if key is None:
            continue
        if key in positions:
            problems.append(Problem(1, _text(cell), _("The column appears twice.")))
            continue
        positions[key] = i
        spelled[key] = _text(cell)
    for key in REQUIRED:
        if key not in positions:
            problems.append(Problem(1, HEADER_NAMES[key], _(
                "The column is missing. The first row must name the columns: "
                "skoleår, kode, indikator, værdi (and optionally niveau, gruppe, antal).")))
    return positions, spelled, problems


class _Lookups:
    """Everything a row is checked against, read once per analysis, and what each distinct
    cell has already been found to mean: a file repeats its years, codes, indicators and
    groups thousands of times, so each is checked once (the messages name the row anew)."""

    def __init__(self, session: Session, municipality_id: int | None):
        ensure_loaded(session)
        self.municipality_id = municipality_id
        self.indicators = {i.key: i for i in session.exec(select(Indicator))}
        schools = session.exec(select(School.id, School.institution_number, School.name,
                                      School.municipality_id)).all()
        self.schools = {number: (sid, name, mid) for sid, number, name, mid in schools}
        self.municipalities = {
            code: (mid, name)
            for mid, code, name in session.exec(
                select(Municipality.id, Municipality.kommunekode, Municipality.name)).all()
        }
        self.municipality_name = next(
            (name for mid, name in self.municipalities.values() if mid == municipality_id), "")
        self.years: dict[str, tuple[int | None, list]] = {}
        self.places: dict[tuple[str, str], tuple] = {}
        self.indicator_cells: dict[str, tuple[Indicator | None, list]] = {}
        self.spans: dict[tuple[str, int], list] = {}
        self.subgroups: dict[str, tuple[str, list]] = {}


CHUNK = 2000
"""Rows checked against the database, and written, at a time: memory stays flat."""


def _load_existing(session: Session, items: list[tuple]) -> dict:
    """The stored values with the keys of these rows (one query; bounded by the chunk)."""
    if not items:
        return {}
    rows = session.exec(
        select(IndicatorValue.id, IndicatorValue.indicator_id, IndicatorValue.start_year,
               IndicatorValue.level, IndicatorValue.code, IndicatorValue.subgroup,
               IndicatorValue.value, IndicatorValue.n)
        .where(IndicatorValue.code.in_(sorted({i[3] for i in items})),
               IndicatorValue.indicator_id.in_(sorted({i[0] for i in items})),
               IndicatorValue.start_year.in_(sorted({i[1] for i in items})))
    ).all()
    return {(r[1], r[2], Level(r[3]), r[4], r[5]): (r[0], r[6], r[7]) for r in rows}


class Writer:
    """Takes the new and replaced values of one checked chunk (commit mode) and writes them in
    the session's transaction. With `background`, a chunk's write runs in a worker thread
    while the next chunk is read and checked: on PostgreSQL most of a large import's time is
    the server's (COPY, its foreign-key checks and indexes, on another core) and the check's
    is the client's, so they overlap. The connection is used by one thread at a time: `wait()`
    comes before the next query and before the analysis returns."""

    def __init__(self, write: Callable[[list[dict]], None], *, background: bool = False):
        self._write = write
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="import-writer") \
            if background else None
        self._pending: Future | None = None

    def __call__(self, writes: list[dict]) -> None:
        self.wait()
        if self._pool is None:
            self._write(writes)
        else:
            # In the caller's context (its locale and any other context variable).
            self._pending = self._pool.submit(contextvars.copy_context().run, self._write, writes)

    def wait(self) -> None:
        """Until the last chunk is written; a write's error is raised here."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown()


def analyse(session: Session, content: bytes, filename: str, *,
            municipality_id: int | None = None,
            progress: Callable[[int, int], None] | None = None,
            writer: Writer | None = None) -> Analysis:
    """Read and check every row, streaming: rows are read, checked and compared with the
    database a chunk at a time. Without `writer` nothing is written; with it, each chunk's
    writes go to it as long as no problem has been found (the caller rolls back if the
    analysis ends with problems: all or nothing). `municipality_id` limits the schools and
    municipality a (web) import may touch to that municipality's. `progress(step, total)`
    is called as rows are checked (total is the file's line count, known before reading)."""
    try:
        return _analyse(session, content, filename, municipality_id=municipality_id,
                        progress=progress, writer=writer)
    finally:
        if writer is not None:
            writer.close()  # no write is left running on the session's connection


def _analyse(session: Session, content: bytes, filename: str, *,
             municipality_id: int | None, progress: Callable[[int, int], None] | None,
             writer: Writer | None) -> Analysis:
    result = Analysis(filename=filename, sha256=hashlib.sha256(content).hexdigest())
    try:
        total, rows = iter_rows(content)
        header = next(rows, None)
    except FileProblem as exc:
        result.problems.append(exc.problem)
        return result
    if header is None or all(_blank(c) for c in header):
        result.problems.append(Problem(0, None, _("The file is empty.")))
        return result
    positions, spelled, problems = _header(header)
    if problems:
        result.problems += problems
        return result
    look = _Lookups(session, municipality_id)
    total = max(total - 1, 1)
    width = max(positions.values()) + 1
    col = {key: spelled.get(key, HEADER_NAMES[key]) for key in COLUMNS}
    seen: dict[tuple, int] = {}
    chunk: list[tuple] = []

    def flush() -> None:
        if writer is not None:
            writer.wait()  # the connection is free, and a failed write stops the import
        existing = _load_existing(session, chunk)
        writes = []
        for item in chunk:
            number, key = item[12], item[:5]
            old = existing.get(key)
            if old is None:
                outcome, old_text = NEW, ""
            elif _same(old[1], item[5]) and old[2] == item[6]:
                outcome, old_text = UNCHANGED, _fmt_plain(old[1])
            else:
                outcome, old_text = REPLACED, _fmt_plain(old[1])
            result.counts[outcome] += 1
            result.outcomes.append((number, outcome, "", item[9], item[10], item[4], item[11],
                                    old_text))  # a tuple: 50,000 of them, lists cost more
            if outcome != UNCHANGED and writer is not None:
                writes.append({
                    "old_id": old[0] if old else None, "indicator_id": item[0],
                    "start_year": item[1], "level": item[2], "code": item[3],
                    "school_id": item[7], "municipality_id": item[8], "subgroup": item[4],
                    "value": item[5], "n": item[6],
                })
        if writes and not result.problems:
            writer(writes)
        chunk.clear()

    number = 1
    try:
        for number, row in enumerate(rows, start=2):
            if all(_blank(c) for c in row):
                continue
            result.rows += 1
            if result.rows > MAX_ROWS:
                continue  # only counted, for the message
            if len(row) < width:
                row = row + [None] * (width - len(row))
            item, row_problems = _check_row(number, row, positions, col, look)
            if item is not None:
                key = item[:5]
                first = seen.get(key)
                if first is not None:
                    row_problems.append(Problem(number, None, _(
                        "The row repeats row %(first)s (same school year, place, indicator and "
                        "group). Remove one of them.", first=first)))
                else:
                    seen[key] = number
            if row_problems:
                result.problems += row_problems
                result.counts[ERROR] += 1
                result.outcomes.append((number, ERROR, " ".join(str(p) for p in row_problems),
                                        item[9] if item else "", item[10] if item else "",
                                        item[4] if item else "", item[11] if item else "", ""))
            elif item is not None:
                chunk.append(item + (number,))
                if len(chunk) >= CHUNK:
                    flush()
            if progress and number % 1000 == 0:
                progress(1000, total)
    except FileProblem as exc:
        result.problems.append(exc.problem)
        return result
    if result.rows > MAX_ROWS:
        rows_in_file = result.rows
        result.rows, result.outcomes, result.problems = 0, [], []
        result.counts.clear()
        result.problems.append(Problem(0, None, _(
            "The file has %(rows)s rows; at most %(max)s can be imported at a time. "
            "Split it into smaller files.", rows=rows_in_file, max=MAX_ROWS)))
        return result
    if not result.rows:
        result.problems.append(Problem(0, None, _(
            "The file has a header row but no data rows.")))
        return result
    flush()
    result.outcomes.sort(key=lambda o: o[0])  # errors are known before their chunk's rows
    if progress:
        progress(max(number % 1000, 0), total)
    return result


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _year(raw, look: _Lookups) -> tuple[int | None, list]:
    text = _text(raw)
    cached = look.years.get(text)
    if cached is None:
        if not text:
            cached = (None, [("year", _("The school year is missing (write e.g. 2025/26)."))])
        else:
            try:
                cached = (parse_year(text), [])
            except ValueError:
                cached = (None, [("year", _("“%(value)s” is not a school year (write e.g. "
                                             "2025/26).", value=text))])
        look.years[text] = cached
    return cached


def _place(raw_level: str, code: str, look: _Lookups) -> tuple:
    """(level, code, school_id, municipality_id, where, problems) for a level and code."""
    cached = look.places.get((raw_level, code))
    if cached is not None:
        return cached
    problems: list[tuple[str, str]] = []
    level = None
    if raw_level:
        level = LEVELS.get(raw_level)
        if level is None:
            problems.append(("level", _("“%(value)s” is not a level: write skole, kommune or "
                                        "land.", value=raw_level)))
    if level is None and not raw_level:
        if code in ("", COUNTRY_CODE, "DANMARK"):
            level = Level.COUNTRY
        elif re.fullmatch(r"\d{6}", code):
            level = Level.SCHOOL
        elif re.fullmatch(r"\d{1,3}", code):
            level = Level.MUNICIPALITY
    school_id = municipality_id = None
    where, stored_code = "", code
    if level is Level.COUNTRY:
        stored_code, where = COUNTRY_CODE, _("Denmark")
    elif level is Level.SCHOOL:
        found = look.schools.get(code)
        if found is None:
            problems.append(("code", _("No school has the institution number “%(code)s”.",
                                       code=code) if code else
                             _("The institution number is missing.")))
        else:
            school_id, name, municipality_id = found
            where = f"{name} ({code})"
            if look.municipality_id is not None and municipality_id != look.municipality_id:
                problems.append(("code", _("%(school)s does not belong to %(municipality)s.",
                                           school=where, municipality=look.municipality_name)))
    elif level is Level.MUNICIPALITY:
        stored_code = code.zfill(3)
        found = look.municipalities.get(stored_code)
        if found is None:
            problems.append(("code", _("No municipality has the kommunekode “%(code)s”.",
                                       code=stored_code)))
        else:
            municipality_id, where = found
            if look.municipality_id is not None and municipality_id != look.municipality_id:
                problems.append(("code", _("Only figures for %(municipality)s can be imported "
                                           "here.", municipality=look.municipality_name)))
    elif not raw_level:
        problems.append(("code", _("“%(value)s” is neither an institution number (6 digits), a "
                                   "kommunekode (3 digits) nor DK.", value=code)))
    cached = (level, stored_code, school_id, municipality_id, where, problems)
    look.places[(raw_level, code)] = cached
    return cached


def _indicator(raw: str, look: _Lookups) -> tuple[Indicator | None, list]:
    cached = look.indicator_cells.get(raw)
    if cached is None:
        indicator = look.indicators.get(raw)
        problems = []
        if indicator is None:
            if not raw:
                problems.append(("indicator", _("The indicator is missing.")))
            else:
                close = difflib.get_close_matches(raw, look.indicators, n=1)
                problems.append(("indicator", _("Unknown indicator “%(value)s”.", value=raw)
                                 + (" " + _("Did you mean “%(key)s”?", key=close[0])
                                    if close else "")))
        cached = look.indicator_cells[raw] = (indicator, problems)
    return cached


def _span(indicator: Indicator, start_year: int, look: _Lookups) -> list:
    cached = look.spans.get((indicator.key, start_year))
    if cached is None:
        cached = []
        first, last = indicator.first_year, indicator.last_year
        if (first is not None and start_year < first) or (last is not None and start_year > last):
            span = (f"{first}/{(first + 1) % 100:02d}" if first else "") + "–" + (
                f"{last}/{(last + 1) % 100:02d}" if last else "")
            cached.append(("year", _("“%(indicator)s” only exists for the school years "
                                     "%(span)s.", indicator=indicator.key, span=span)))
        look.spans[(indicator.key, start_year)] = cached
    return cached


def _subgroup(raw, look: _Lookups) -> tuple[str, list]:
    text = _text(raw)
    cached = look.subgroups.get(text)
    if cached is None:
        subgroup = " ".join(text.lower().split())
        if subgroup in ("alle", "all", "i alt"):
            subgroup = ""
        problems = [("subgroup", _("The group is longer than 60 characters."))] \
            if len(subgroup) > 60 else []
        cached = look.subgroups[text] = (subgroup, problems)
    return cached


def _check_row(number: int, row: list, positions: dict[str, int], col: dict[str, str],
               look: _Lookups) -> tuple[tuple | None, list]:
    """A row as (indicator_id, start_year, level, code, subgroup, value, n, school_id,
    municipality_id, where, indicator key, value as written) and its problems."""
    def cell(key: str):
        return row[positions[key]] if key in positions else None

    found: list[tuple[str, str]] = []
    start_year, p = _year(cell("year"), look)
    found += p
    level, code, school_id, municipality_id, where, p = _place(
        _text(cell("level")).lower(), _text(cell("code")).upper(), look)
    found += p
    indicator, p = _indicator(_text(cell("indicator")).lower(), look)
    found += p
    if indicator is not None and start_year is not None:
        found += _span(indicator, start_year, look)
    subgroup, p = _subgroup(cell("subgroup"), look)
    found += p

    value = None
    raw_value = cell("value")
    if _blank(raw_value):
        found.append(("value", _("The value is missing.")))
    else:
        try:
            value = parse_number(raw_value)
        except ValueError:
            found.append(("value", _("“%(value)s” is not a number (write e.g. 3,9 or 12).",
                                     value=_text(raw_value))))
        else:
            if indicator is not None and (
                (indicator.scale_min is not None and value < indicator.scale_min)
                or (indicator.scale_max is not None and value > indicator.scale_max)
            ):
                found.append(("value", _(
                    "%(value)s is outside the scale of “%(indicator)s” (%(min)s to %(max)s).",
                    value=_fmt_plain(value), indicator=indicator.key,
                    min=_fmt_plain(indicator.scale_min) if indicator.scale_min is not None
                    else "…",
                    max=_fmt_plain(indicator.scale_max) if indicator.scale_max is not None
                    else "…")))

    n = None
    raw_n = cell("n")
    if not _blank(raw_n):
        try:
            number_n = parse_number(raw_n)
            if number_n < 0 or not float(number_n).is_integer():
                raise ValueError
            n = int(number_n)
        except ValueError:
            found.append(("n", _("“%(value)s” is not a whole number of individuals.",
                                 value=_text(raw_n))))

    problems = [Problem(number, col[key], message) for key, message in found]
    if indicator is None or start_year is None or level is None or (
            level is not Level.COUNTRY and where == ""):
        return None, problems
    return (indicator.id, start_year, level, code, subgroup, value, n, school_id,
            municipality_id, where, indicator.key, _text(raw_value)), problems


# --- storing ---------------------------------------------------------------------------------


def create_preview(session: Session, content: bytes, filename: str, *,
                   municipality_id: int | None, user_id: int | None) -> tuple[DataImport, Analysis]:
    """Analyse an upload and keep it, with every row's outcome, for the preview."""
    analysis = analyse(session, content, filename, municipality_id=municipality_id)
    imp = DataImport(municipality_id=municipality_id, user_id=user_id, filename=filename[:255],
                     sha256=analysis.sha256, size=len(content), content=content)
    _store_analysis(imp, analysis)
    session.add(imp)
    session.commit()
    session.refresh(imp)
    return imp, analysis


def _store_analysis(imp: DataImport, analysis: Analysis) -> None:
    imp.rows = analysis.rows
    imp.counts = {k: analysis.counts.get(k, 0) for k in OUTCOMES}
    imp.outcomes = analysis.outcomes
    if not analysis.rows:
        # Problems with the file itself (encoding, header, empty): no row got an outcome.
        imp.outcomes = [[p.row, ERROR, str(p), "", "", "", "", ""] for p in analysis.problems]
        imp.counts[ERROR] = len(analysis.problems)


class ImportRefused(Exception):
    def __init__(self, analysis: Analysis):
        super().__init__(f"{len(analysis.problems)} problems")
        self.analysis = analysis


bulk_write_listeners: Registry[Callable[[Session, str, str, list[tuple[str, int | None]]], None]] = \
    Registry("datapackages.bulk_write_listeners")
"""Told of the rows each chunk creates or updates (table, "create" | "update", (record id or
"*", school id) per row), since they bypass the session's statement events: the audit log."""

_VALUE_COLUMNS = ("indicator_id", "start_year", "level", "code", "school_id",
                  "municipality_id", "subgroup", "value", "n")


def _writer(session: Session, import_id: int | None) -> Writer:
    """Writes one chunk's values in the session's transaction, straight through the driver:
    50,000 rows through SQLAlchemy's per-row parameter processing cost more than the check.
    A replaced value's old row goes to the history by INSERT … SELECT in the database. On
    PostgreSQL the writes run in the background (see Writer)."""
    conn = session.connection()
    dialect = conn.dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    table = IndicatorValue.__table__
    history = IndicatorValueHistory.__table__

    def bound(column: str, value):
        process = table.c[column].type.bind_processor(dialect)
        return process(value) if process else value

    now = utcnow()
    stamp = bound("updated_at", now)
    levels = {level: bound("level", level) for level in Level}
    insert = (f"INSERT INTO {table.name} ({', '.join(_VALUE_COLUMNS)}, import_id, updated_at) "
              f"VALUES ({', '.join([mark] * (len(_VALUE_COLUMNS) + 2))})")
    update = (f"UPDATE {table.name} SET value = {mark}, n = {mark}, import_id = {mark}, "
              f"updated_at = {mark} WHERE id = {mark}")
    keep = [table.c[c] for c in _VALUE_COLUMNS] + [table.c.import_id]
    copy_in = _pg_copy(conn, table.name) if dialect.name == "postgresql" else None

    def write(writes: list[dict]) -> None:
        replaced = [w["old_id"] for w in writes if w["old_id"] is not None]
        if replaced:
            touched = [(str(w["old_id"]), w["school_id"]) for w in writes if w["old_id"] is not None]
            for listener in bulk_write_listeners:
                listener(session, history.name, "create", touched)
                listener(session, table.name, "update", touched)
            conn.execute(history.insert().from_select(
                [*_VALUE_COLUMNS, "import_id", "replaced_at", "replaced_by_import_id"],
                sa.select(*keep, sa.literal(now, UTCDateTime()).label("replaced_at"),
                          sa.literal(import_id, sa.Integer).label("replaced_by_import_id"))
                .where(table.c.id.in_(replaced))))
            conn.exec_driver_sql(update, [
                (w["value"], w["n"], import_id, stamp, w["old_id"])
                for w in writes if w["old_id"] is not None])
        new = [(w["indicator_id"], w["start_year"], levels[w["level"]], w["code"],
                w["school_id"], w["municipality_id"], w["subgroup"], w["value"], w["n"],
                import_id, stamp) for w in writes if w["old_id"] is None]
        if new:
            if copy_in is not None:
                copy_in(new)
            else:
                conn.exec_driver_sql(insert, new)
            for listener in bulk_write_listeners:
                listener(session, table.name, "create", [("*", row[4]) for row in new])

    return Writer(write, background=copy_in is not None)


def _pg_copy(conn, table_name: str) -> Callable[[list[tuple]], None]:
    """New values by COPY on PostgreSQL: a stream, not a statement per row (the server's
    share of a 50,000-row import falls from seconds to a fraction), in the same transaction."""
    raw = conn.connection.driver_connection
    statement = (f"COPY {table_name} ({', '.join(_VALUE_COLUMNS)}, import_id, updated_at) "
                 "FROM STDIN")

    def copy_in(rows: list[tuple]) -> None:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    return copy_in


class AlreadyHandled(Exception):
    """Someone else committed (or discarded) the preview first: nothing was written."""


def commit(session: Session, imp: DataImport) -> Analysis:
    """Check the kept file again (the data may have changed since the preview) and write
    all of it, or nothing: raises ImportRefused with the new analysis.

    Committing is one state change, claimed by a conditional UPDATE: of concurrent commits of
    one preview exactly one applies it, the others get AlreadyHandled."""
    # The claim must be the first statement of its transaction (so the id is read before the
    # commit expires imp): SQLite cannot turn a transaction that has read into a writing one
    # while another connection writes.
    import_id = imp.id
    session.commit()
    claimed = session.execute(
        sa.update(DataImport)
        .where(DataImport.id == import_id, DataImport.status == DataImportStatus.PREVIEW)
        .values(status=DataImportStatus.COMMITTED, committed_at=utcnow())
    ).rowcount
    if claimed != 1:
        session.rollback()
        raise AlreadyHandled()
    try:
        # Holding the claim (a row lock on PostgreSQL, the write lock on SQLite), read afresh
        # and write chunk by chunk as the rows are checked.
        session.refresh(imp)
        analysis = analyse(session, imp.content, imp.filename,
                           municipality_id=imp.municipality_id,
                           writer=_writer(session, import_id))
        if not analysis.ok:
            # Nothing written, the claim undone: back to a preview showing the new problems.
            session.rollback()
            session.refresh(imp)
            _store_analysis(imp, analysis)
            session.add(imp)
            session.commit()
            raise ImportRefused(analysis)
        _store_analysis(imp, analysis)
        session.add(imp)
        session.commit()
    except ImportRefused:
        raise
    except Exception:
        session.rollback()
        raise
    return analysis


def import_file(session: Session, content: bytes, filename: str, *,
                municipality_id: int | None = None, user_id: int | None = None,
                progress: Callable[[int, int], None] | None = None,
                dry_run: bool = False) -> tuple[Analysis, DataImport | None]:
    """Check and, if every row is fine, import at once (the command line's path): one pass,
    the rows written as they are checked, and rolled back if any row has a problem."""
    if dry_run:
        return analyse(session, content, filename, municipality_id=municipality_id,
                       progress=progress), None
    imp = DataImport(municipality_id=municipality_id, user_id=user_id, filename=filename[:255],
                     sha256=hashlib.sha256(content).hexdigest(), size=len(content),
                     content=content, status=DataImportStatus.COMMITTED, committed_at=utcnow())
    try:
        session.add(imp)
        session.flush()
        analysis = analyse(session, content, filename, municipality_id=municipality_id,
                           progress=progress, writer=_writer(session, imp.id))
        if not analysis.ok:
            session.rollback()
            return analysis, None
        _store_analysis(imp, analysis)
        session.add(imp)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return analysis, imp


def discard(session: Session, imp: DataImport) -> None:
    """Discard a preview; a preview committed meanwhile stays committed."""
    import_id = imp.id
    session.commit()  # as in commit(): the conditional UPDATE starts its transaction
    session.execute(
        sa.update(DataImport)
        .where(DataImport.id == import_id, DataImport.status == DataImportStatus.PREVIEW)
        .values(status=DataImportStatus.DISCARDED, content=b"")
    )
    session.commit()
    session.refresh(imp)


def previous_import_of_same_file(session: Session, imp: DataImport) -> DataImport | None:
    return session.exec(
        select(DataImport).where(DataImport.sha256 == imp.sha256, DataImport.id != imp.id,
                                 DataImport.status == DataImportStatus.COMMITTED)
        .order_by(DataImport.committed_at.desc())
    ).first()
