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

import csv
import difflib
import hashlib
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

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
from app.db import utcnow
from app.i18n import gettext as _
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
    outcomes: list[list] = field(default_factory=list)
    """[row, outcome, message, where, indicator, subgroup, value, old] per data row."""
    counts: Counter = field(default_factory=Counter)
    writes: list[dict] = field(default_factory=list)
    """What a commit would write: new and replaced values (internal, not stored)."""

    @property
    def ok(self) -> bool:
        return not self.problems and self.rows > 0


# --- reading the file ------------------------------------------------------------------------


class FileProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _read_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileProblem(Problem(0, None, _("The file could not be read as an Excel workbook "
                                             "(.xlsx)."))) from exc
    try:
        sheet = wb.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        wb.close()


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")  # Excel's "Unicode text"
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[:exc.start].count(b"\n") + 1
        raise FileProblem(Problem(line, None, _(
            "The file is not saved as UTF-8 (the first character that is not is at byte "
            "%(byte)s). In Excel, save it as “CSV UTF-8 (comma delimited)” and upload it again.",
            byte=exc.start + 1))) from exc


def _read_csv(content: bytes) -> list[list]:
    text = _decode(content)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:  # a cell over csv's field limit (131,072 characters), a NUL byte
        raise FileProblem(Problem(reader.line_num, None, _(
            "Line %(line)s could not be read: a cell is too long (at most %(max)s characters) "
            "or holds a character that does not belong in a CSV file.",
            line=reader.line_num, max=f"{csv.field_size_limit():,}".replace(",", ".")))) from exc


def read_rows(content: bytes) -> list[list]:
    """The file's rows as lists of cells (str, numbers or None), header first."""
    if not content.strip():
        raise FileProblem(Problem(0, None, _("The file is empty.")))
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(Problem(0, None, _(
            "This is the old Excel format (.xls). Save it as .xlsx or as CSV UTF-8.")))
    return _read_csv(content)


# --- cells -----------------------------------------------------------------------------------


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)?|\d{1,3}([. ]\d{3})+(,\d+)?|[.,]\d+)$")


def parse_number(cell) -> float:
    """A number from a cell: 3,9 · 3.9 · -0,4 · 1.234,5 · 1 234 (ValueError otherwise)."""
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
        try:
            value = float(Decimal(raw))
        except InvalidOperation as exc:
            raise ValueError from exc
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
    """Everything a row is checked against, read once per analysis."""

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


def _load_existing(session: Session, years: set[int], indicator_ids: set[int]) -> dict:
    if not years or not indicator_ids:
        return {}
    rows = session.exec(
        select(IndicatorValue.id, IndicatorValue.indicator_id, IndicatorValue.start_year,
               IndicatorValue.level, IndicatorValue.code, IndicatorValue.subgroup,
               IndicatorValue.value, IndicatorValue.n)
        .where(IndicatorValue.start_year.in_(sorted(years)),
               IndicatorValue.indicator_id.in_(sorted(indicator_ids)))
    ).all()
    return {(r[1], r[2], Level(r[3]), r[4], r[5]): (r[0], r[6], r[7]) for r in rows}


def analyse(session: Session, content: bytes, filename: str, *,
            municipality_id: int | None = None,
            progress: Callable[[int, int], None] | None = None) -> Analysis:
    """Read and check every row; write nothing. `municipality_id` limits the schools and
    municipality a (web) import may touch to that municipality's. `progress(step, total)`
    is called as rows are checked (the command line's progress bar)."""
    result = Analysis(filename=filename, sha256=hashlib.sha256(content).hexdigest())
    try:
        rows = read_rows(content)
    except FileProblem as exc:
        result.problems.append(exc.problem)
        return result
    while rows and all(_blank(c) for c in rows[-1]):
        rows.pop()
    if not rows:
        result.problems.append(Problem(0, None, _("The file is empty.")))
        return result
    positions, spelled, problems = _header(rows[0])
    if problems:
        result.problems += problems
        return result
    data_rows = [(number, row) for number, row in enumerate(rows[1:], start=2)
                 if not all(_blank(c) for c in row)]
    if not data_rows:
        result.problems.append(Problem(0, None, _(
            "The file has a header row but no data rows.")))
        return result
    if len(data_rows) > MAX_ROWS:
        result.problems.append(Problem(0, None, _(
            "The file has %(rows)s rows; at most %(max)s can be imported at a time. "
            "Split it into smaller files.", rows=len(data_rows), max=MAX_ROWS)))
        return result
    result.rows = len(data_rows)
    look = _Lookups(session, municipality_id)

    def cell(row: list, key: str):
        i = positions.get(key)
        return row[i] if i is not None and i < len(row) else None

    def col(key: str) -> str:
        return spelled.get(key, HEADER_NAMES[key])

    parsed: list[tuple[int, dict | None, list[Problem]]] = []
    years: set[int] = set()
    indicator_ids: set[int] = set()
    for count, (number, row) in enumerate(data_rows, start=1):
        item, row_problems = _check_row(number, row, cell, col, look)
        if item is not None:
            years.add(item["start_year"])
            indicator_ids.add(item["indicator"].id)
        parsed.append((number, item, row_problems))
        if progress and count % 1000 == 0:
            progress(1000, result.rows)
    existing = _load_existing(session, years, indicator_ids)
    seen: dict[tuple, int] = {}
    for number, item, row_problems in parsed:
        if item is not None:
            key = (item["indicator"].id, item["start_year"], item["level"], item["code"],
                   item["subgroup"])
            if key in seen:
                row_problems.append(Problem(number, None, _(
                    "The row repeats row %(first)s (same school year, place, indicator and "
                    "group). Remove one of them.", first=seen[key])))
            else:
                seen[key] = number
        if row_problems:
            result.problems += row_problems
            result.counts[ERROR] += 1
            result.outcomes.append([number, ERROR, " ".join(str(p) for p in row_problems),
                                    item["where"] if item else "",
                                    item["indicator"].key if item else "",
                                    item["subgroup"] if item else "",
                                    item["shown"] if item else "", ""])
            continue
        old = existing.get(key)
        ind = item["indicator"]
        if old is None:
            outcome, old_text = NEW, ""
        elif _same(old[1], item["value"]) and old[2] == item["n"]:
            outcome, old_text = UNCHANGED, _fmt_plain(old[1])
        else:
            outcome, old_text = REPLACED, _fmt_plain(old[1])
        result.counts[outcome] += 1
        result.outcomes.append([number, outcome, "", item["where"], ind.key, item["subgroup"],
                                item["shown"], old_text])
        if outcome != UNCHANGED:
            result.writes.append({
                "key": key, "old_id": old[0] if old else None, "indicator_id": ind.id,
                "start_year": item["start_year"], "level": item["level"], "code": item["code"],
                "school_id": item["school_id"], "municipality_id": item["municipality_id"],
                "subgroup": item["subgroup"], "value": item["value"], "n": item["n"],
            })
    if progress:
        progress(result.rows % 1000, result.rows)
    return result


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _check_row(number: int, row: list, cell, col, look: _Lookups) -> tuple[dict | None, list]:
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        problems.append(Problem(number, col(key), message))

    # School year.
    start_year = None
    raw_year = cell(row, "year")
    if _blank(raw_year):
        problem("year", _("The school year is missing (write e.g. 2025/26)."))
    else:
        try:
            start_year = parse_year(raw_year)
        except ValueError:
            problem("year", _("“%(value)s” is not a school year (write e.g. 2025/26).",
                              value=_text(raw_year)))

    # Where: level and code.
    code = _text(cell(row, "code")).upper()
    raw_level = _text(cell(row, "level")).lower()
    level = None
    if raw_level:
        level = LEVELS.get(raw_level)
        if level is None:
            problem("level", _("“%(value)s” is not a level: write skole, kommune or land.",
                               value=raw_level))
    if level is None and not raw_level:
        if code in ("", COUNTRY_CODE, "DANMARK"):
            level = Level.COUNTRY
        elif re.fullmatch(r"\d{6}", code):
            level = Level.SCHOOL
        elif re.fullmatch(r"\d{1,3}", code):
            level = Level.MUNICIPALITY
    school_id = municipality_id = None
    where = ""
    if level is Level.COUNTRY:
        code, where = COUNTRY_CODE, _("Denmark")
    elif level is Level.SCHOOL:
        found = look.schools.get(code)
        if found is None:
            problem("code", _("No school has the institution number “%(code)s”.", code=code)
                    if code else _("The institution number is missing."))
        else:
            school_id, where, municipality_id = found
            where = f"{where} ({code})"
            if look.municipality_id is not None and municipality_id != look.municipality_id:
                problem("code", _("%(school)s does not belong to %(municipality)s.",
                                  school=where, municipality=look.municipality_name))
    elif level is Level.MUNICIPALITY:
        code = code.zfill(3)
        found = look.municipalities.get(code)
        if found is None:
            problem("code", _("No municipality has the kommunekode “%(code)s”.", code=code))
        else:
            municipality_id, where = found
            if look.municipality_id is not None and municipality_id != look.municipality_id:
                problem("code", _("Only figures for %(municipality)s can be imported here.",
                                  municipality=look.municipality_name))
    elif not raw_level:
        problem("code", _("“%(value)s” is neither an institution number (6 digits), a "
                          "kommunekode (3 digits) nor DK.", value=code))

    # Indicator.
    raw_indicator = _text(cell(row, "indicator")).lower()
    indicator = look.indicators.get(raw_indicator)
    if indicator is None:
        if not raw_indicator:
            problem("indicator", _("The indicator is missing."))
        else:
            close = difflib.get_close_matches(raw_indicator, look.indicators, n=1)
            problem("indicator", _("Unknown indicator “%(value)s”.", value=raw_indicator)
                    + (" " + _("Did you mean “%(key)s”?", key=close[0]) if close else ""))
    elif start_year is not None:
        first, last = indicator.first_year, indicator.last_year
        if (first is not None and start_year < first) or (last is not None and start_year > last):
            span = (f"{first}/{(first + 1) % 100:02d}" if first else "") + "–" + (
                f"{last}/{(last + 1) % 100:02d}" if last else "")
            problem("year", _("“%(indicator)s” only exists for the school years %(span)s.",
                              indicator=indicator.key, span=span))

    # Group.
    subgroup = " ".join(_text(cell(row, "subgroup")).lower().split())
    if subgroup in ("alle", "all", "i alt"):
        subgroup = ""
    if len(subgroup) > 60:
        problem("subgroup", _("The group is longer than 60 characters."))

    # Value.
    value = None
    raw_value = cell(row, "value")
    if _blank(raw_value):
        problem("value", _("The value is missing."))
    else:
        try:
            value = parse_number(raw_value)
        except ValueError:
            problem("value", _("“%(value)s” is not a number (write e.g. 3,9 or 12).",
                               value=_text(raw_value)))
        else:
            if indicator is not None and (
                (indicator.scale_min is not None and value < indicator.scale_min)
                or (indicator.scale_max is not None and value > indicator.scale_max)
            ):
                problem("value", _("%(value)s is outside the scale of “%(indicator)s” "
                                   "(%(min)s to %(max)s).", value=_fmt_plain(value),
                                   indicator=indicator.key,
                                   min=_fmt_plain(indicator.scale_min)
                                   if indicator.scale_min is not None else "…",
                                   max=_fmt_plain(indicator.scale_max)
                                   if indicator.scale_max is not None else "…"))

    # Number of individuals.
    n = None
    raw_n = cell(row, "n")
    if not _blank(raw_n):
        try:
            number_n = parse_number(raw_n)
            if number_n < 0 or not float(number_n).is_integer():
                raise ValueError
            n = int(number_n)
        except ValueError:
            problem("n", _("“%(value)s” is not a whole number of individuals.",
                           value=_text(raw_n)))

    if indicator is None or start_year is None or level is None or (
            level is not Level.COUNTRY and where == ""):
        return None, problems
    return {
        "start_year": start_year, "level": level, "code": code, "school_id": school_id,
        "municipality_id": municipality_id, "where": where, "indicator": indicator,
        "subgroup": subgroup, "value": value, "n": n,
        "shown": _text(raw_value),
    }, problems


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


def apply(session: Session, analysis: Analysis, imp: DataImport | None) -> None:
    """Write an analysis that has no problems, in the caller's transaction."""
    if not analysis.ok:
        raise ImportRefused(analysis)
    now = utcnow()
    import_id = imp.id if imp is not None else None
    replaced = [w for w in analysis.writes if w["old_id"] is not None]
    new = [w for w in analysis.writes if w["old_id"] is None]
    columns = ("indicator_id", "start_year", "level", "code", "school_id", "municipality_id",
               "subgroup", "value", "n")
    # Core executemany in the session's transaction (the ORM's bulk path costs 3× as much),
    # through session.execute so that the audit log sees it (app.audit.bulk).
    for chunk in _chunks(replaced, 2000):
        ids = [w["old_id"] for w in chunk]
        old_rows = session.exec(select(IndicatorValue).where(IndicatorValue.id.in_(ids))).all()
        session.execute(IndicatorValueHistory.__table__.insert(), [
            {**{c: getattr(o, c) for c in columns}, "import_id": o.import_id,
             "replaced_at": now, "replaced_by_import_id": import_id}
            for o in old_rows
        ])
        session.execute(sa.update(IndicatorValue), [
            {"id": w["old_id"], "value": w["value"], "n": w["n"], "import_id": import_id,
             "updated_at": now}
            for w in chunk
        ])
    for chunk in _chunks(new, 5000):
        session.execute(IndicatorValue.__table__.insert(), [
            {**{c: w[c] for c in columns}, "import_id": import_id, "updated_at": now}
            for w in chunk
        ])


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


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
        # Holding the claim (a row lock on PostgreSQL, the write lock on SQLite), read afresh.
        session.refresh(imp)
        analysis = analyse(session, imp.content, imp.filename,
                           municipality_id=imp.municipality_id)
        if not analysis.ok:
            # Back to a preview, now showing the new problems.
            imp.status, imp.committed_at = DataImportStatus.PREVIEW, None
            _store_analysis(imp, analysis)
            session.add(imp)
            session.commit()
            raise ImportRefused(analysis)
        apply(session, analysis, imp)
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
    """Analyse and, if every row is fine, commit at once (the command line's path)."""
    analysis = analyse(session, content, filename, municipality_id=municipality_id,
                       progress=progress)
    if not analysis.ok or dry_run:
        return analysis, None
    imp = DataImport(municipality_id=municipality_id, user_id=user_id, filename=filename[:255],
                     sha256=analysis.sha256, size=len(content), content=content,
                     status=DataImportStatus.COMMITTED, committed_at=utcnow())
    _store_analysis(imp, analysis)
    session.add(imp)
    try:
        session.flush()
        apply(session, analysis, imp)
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
