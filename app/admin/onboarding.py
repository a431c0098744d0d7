"""Onboarding by file: a municipality's schools, then its staff, from CSV or XLSX.

The pattern of the data import (app.datapackages.importer): read, check every row, show the
outcome of each (new, changed, unchanged, error), then write all of it or nothing. A school
is matched by its institution number and a person by their e-mail address, so importing the
same file again changes nothing. A column left out of the file changes nothing either.
Formats: README, "Administration"; samples in `static/samples/admin/`.
"""

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.datapackages.importer import FileProblem, Problem, parse_number, read_rows
from app.i18n import gettext as _
from app.schools.models import Municipality, Person, PersonFunction, School, SchoolKind

MAX_ROWS = 20_000
NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
OUTCOMES = (ERROR, NEW, CHANGED, UNCHANGED)
KINDS = ("schools", "people")

SCHOOL_COLUMNS: dict[str, tuple[str, ...]] = {
    "institution_number": ("institutionsnummer", "institutionsnr", "inst.nr.", "kode",
                           "institution_number"),
    "name": ("navn", "skole", "skolenavn", "name"),
    "address": ("adresse", "address"),
    "kind": ("type", "skoletype", "kind"),
    "student_count": ("elevtal", "elever", "pupils", "student_count"),
    "has_special_classes": ("specialklasser", "specialklasserække", "special_classes"),
    "leadership": ("ledelse", "skoleledelse", "ledelsens e-mails", "leadership"),
}
PEOPLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("navn", "name"),
    "email": ("e-mail", "email", "mail", "e-mailadresse"),
    "function": ("funktion", "function"),
    "title": ("titel", "stilling", "title"),
    "school": ("skole", "institutionsnummer", "school"),
    "organisation": ("organisation", "afdeling", "organisation"),
}
REQUIRED = {"schools": ("institution_number", "name"), "people": ("name", "email")}
COLUMNS = {"schools": SCHOOL_COLUMNS, "people": PEOPLE_COLUMNS}

SCHOOL_KINDS = {
    "almen": SchoolKind.ORDINARY, "almen skole": SchoolKind.ORDINARY, "folkeskole":
    SchoolKind.ORDINARY, "ordinary": SchoolKind.ORDINARY,
    "specialskole": SchoolKind.SPECIAL, "special": SchoolKind.SPECIAL,
    "landsbyordning": SchoolKind.VILLAGE, "village": SchoolKind.VILLAGE,
    "intern skole": SchoolKind.INTERNAL, "intern": SchoolKind.INTERNAL,
    "internal": SchoolKind.INTERNAL,
}
FUNCTIONS = {
    "skolechef": PersonFunction.CHIEF, "skole- og uddannelseschef": PersonFunction.CHIEF,
    "skolecenterchef": PersonFunction.CHIEF, "chef": PersonFunction.CHIEF,
    "direktør": PersonFunction.DIRECTOR, "konsulent": PersonFunction.CONSULTANT,
    "ppr-leder": PersonFunction.PPR_LEADER, "ppr leder": PersonFunction.PPR_LEADER,
    "psykolog": PersonFunction.PSYCHOLOGIST, "ppr-psykolog": PersonFunction.PSYCHOLOGIST,
    "pædagogisk konsulent": PersonFunction.PEDAGOGICAL_CONSULTANT,
    "skoleleder": PersonFunction.SCHOOL_LEADER,
    "ledelsesteam": PersonFunction.LEADERSHIP_TEAM, "skoleledelse": PersonFunction.LEADERSHIP_TEAM,
    "viceskoleleder": PersonFunction.LEADERSHIP_TEAM, "afdelingsleder":
    PersonFunction.LEADERSHIP_TEAM,
    "bestyrelsesrepræsentant": PersonFunction.BOARD_REPRESENTATIVE,
    "forælderrepræsentant": PersonFunction.BOARD_REPRESENTATIVE,
    "politiker": PersonFunction.POLITICIAN, "andet": PersonFunction.OTHER,
    **{f.value: f for f in PersonFunction},
}
YES = {"ja", "j", "yes", "x", "1", "true", "sand"}
NO = {"nej", "n", "no", "0", "false", "falsk", ""}
EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@dataclass
class Analysis:
    kind: str
    filename: str
    sha256: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[dict] = field(default_factory=list)
    """{row, outcome, label, changes} per data row, for the preview."""
    counts: Counter = field(default_factory=Counter)
    writes: list[Callable[[Session], None]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.rows > 0


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _header(kind: str, row: list) -> tuple[dict[str, int], dict[str, str], list[Problem]]:
    columns = COLUMNS[kind]
    lookup = {alias: key for key, aliases in columns.items() for alias in aliases}
    positions: dict[str, int] = {}
    spelled = {key: names[0] for key, names in columns.items()}
    problems = []
    for i, cell in enumerate(row):
        key = lookup.get(_text(cell).lower().lstrip("\ufeff"))
        if key is None:
            continue
        if key in positions:
            problems.append(Problem(1, _text(cell), _("The column appears twice.")))
            continue
        positions[key], spelled[key] = i, _text(cell)
    missing = [spelled[k] for k in REQUIRED[kind] if k not in positions]
    if missing:
        names = ", ".join(columns[k][0] for k in columns)
        for name in missing:
            problems.append(Problem(1, name, _(
                "The column is missing. The first row must name the columns: %(names)s.",
                names=names)))
    return positions, spelled, problems


def analyse(session: Session, kind: str, content: bytes, filename: str, municipality:
            Municipality, *, progress: Callable[[int, int], None] | None = None) -> Analysis:
    """Read and check every row; write nothing. `analysis.writes` is what `apply` does."""
    analysis = Analysis(kind, filename, hashlib.sha256(content).hexdigest())
    try:
        rows = read_rows(content)
    except FileProblem as exc:
        analysis.problems.append(exc.problem)
        return analysis
    rows = [r for r in rows if any(_text(c) for c in r)]
    if not rows:
        analysis.problems.append(Problem(0, None, _("The file is empty.")))
        return analysis
    positions, spelled, problems = _header(kind, rows[0])
    if problems:
        analysis.problems.extend(problems)
        return analysis
    data = rows[1:]
    if len(data) > MAX_ROWS:
        analysis.problems.append(Problem(0, None, _("The file has more than %(n)s rows.",
                                                    n=MAX_ROWS)))
        return analysis
    check = _SchoolRows if kind == "schools" else _PeopleRows
    checker = check(session, municipality, positions, spelled)
    for i, row in enumerate(data, start=2):
        analysis.rows += 1
        outcome = checker.row(i, row)
        analysis.problems.extend(outcome.pop("problems"))
        writes = outcome.pop("writes")
        analysis.writes.extend(writes)
        analysis.outcomes.append(outcome)
        analysis.counts[outcome["outcome"]] += 1
        if progress and (analysis.rows % 100 == 0 or analysis.rows == len(data)):
            progress(100 if analysis.rows % 100 == 0 else analysis.rows % 100, len(data))
    if not data:
        analysis.problems.append(Problem(0, None, _("The file has a header row but no rows.")))
    return analysis


class _Rows:
    def __init__(self, session: Session, municipality: Municipality, positions: dict[str, int],
                 spelled: dict[str, str]):
        self.session, self.m = session, municipality
        self.positions, self.spelled = positions, spelled
        self.seen: dict[str, int] = {}

    def has(self, key: str) -> bool:
        return key in self.positions

    def cell(self, row: list, key: str) -> str:
        i = self.positions.get(key)
        return _text(row[i]) if i is not None and i < len(row) else ""

    def result(self, number: int, label: str, problems: list[Problem], changes: list[str],
               new: bool, writes: list) -> dict:
        if problems:
            outcome = ERROR
            writes = []
        else:
            outcome = NEW if new else CHANGED if changes else UNCHANGED
        return {"row": number, "outcome": outcome, "label": label,
                "changes": [str(p) for p in problems] or changes,
                "problems": problems, "writes": writes}

    def person_by_email(self, email: str) -> Person | None:
        return self.session.exec(select(Person).where(Person.email == email)).first()


class _SchoolRows(_Rows):
    def __init__(self, *args):
        super().__init__(*args)
        schools = self.session.exec(select(School).where(School.municipality_id == self.m.id)).all()
        self.by_name = {s.name.lower(): s for s in schools}
        self.names_in_file: dict[str, int] = {}
        self.leaders_in_file: dict[str, int] = {}

    def row(self, number: int, row: list) -> dict:
        problems: list[Problem] = []

        def problem(key: str, message: str) -> None:
            problems.append(Problem(number, self.spelled[key], message))

        number_text = self.cell(row, "institution_number")
        name = self.cell(row, "name")
        if not re.fullmatch(r"\d{6}", number_text):
            problem("institution_number", _("Must be the ministry's six-digit institution number."))
        elif number_text in self.seen:
            problem("institution_number", _("The institution number is also in row %(row)s.",
                                            row=self.seen[number_text]))
        else:
            self.seen[number_text] = number
        if not name:
            problem("name", _("The school's name is missing."))
        elif len(name) > 160:
            problem("name", _("At most %(n)s characters.", n=160))
        elif name.lower() in self.names_in_file:
            problem("name", _("The name is also in row %(row)s.",
                              row=self.names_in_file[name.lower()]))
        else:
            self.names_in_file[name.lower()] = number
        values: dict[str, Any] = {"name": name}
        if self.has("address"):
            values["address"] = self.cell(row, "address")[:300] or None
        if self.has("kind"):
            raw = self.cell(row, "kind").lower()
            if raw and raw not in SCHOOL_KINDS:
                problem("kind", _("Unknown kind of school “%(value)s”: write almen, specialskole, "
                                  "landsbyordning or intern skole.", value=raw))
            values["kind"] = SCHOOL_KINDS.get(raw, SchoolKind.ORDINARY)
        if self.has("student_count"):
            raw = self.cell(row, "student_count")
            count = None
            if raw:
                try:
                    value = parse_number(raw)
                    if value != int(value) or not 0 <= value <= 5000:
                        raise ValueError
                    count = int(value)
                except ValueError:
                    problem("student_count", _("Must be a whole number of pupils (0–5000)."))
            values["student_count"] = count
        if self.has("has_special_classes"):
            raw = self.cell(row, "has_special_classes").lower()
            if raw not in YES | NO:
                problem("has_special_classes", _("Write ja or nej."))
            values["has_special_classes"] = raw in YES
        leaders = []
        if self.has("leadership"):
            for address in filter(None, re.split(r"[\s,;]+", self.cell(row, "leadership").lower())):
                if not EMAIL.fullmatch(address):
                    problem("leadership", _("“%(value)s” is not an e-mail address.", value=address))
                elif address in self.leaders_in_file:
                    problem("leadership", _("%(email)s is also in row %(row)s.", email=address,
                                            row=self.leaders_in_file[address]))
                else:
                    self.leaders_in_file[address] = number
                    leaders.append(address)

        school = None
        if re.fullmatch(r"\d{6}", number_text):
            school = self.session.exec(select(School).where(
                School.institution_number == number_text)).first()
            if school is not None and school.municipality_id != self.m.id:
                problem("institution_number", _("The institution number belongs to %(school)s in "
                                                "another municipality.", school=school.name))
                school = None
        same_name = self.by_name.get(name.lower())
        if same_name is not None and (school is None or same_name.id != school.id):
            problem("name", _("The municipality already has a school with this name (institution "
                              "number %(number)s).", number=same_name.institution_number))

        changes = []
        if school is not None:
            for key, value in values.items():
                if getattr(school, key) != value:
                    changes.append(_("%(field)s: “%(old)s” → “%(new)s”", field=self.spelled[key],
                                     old=_shown(getattr(school, key)), new=_shown(value)))
        leader_people = []
        for address in leaders:
            person = self.person_by_email(address)
            if person is not None and person.municipality_id not in (None, self.m.id):
                problem("leadership", _("%(email)s belongs to a person in another municipality.",
                                        email=address))
                continue
            if person is None or person.school_id != (school.id if school else None) \
                    or person.function not in (PersonFunction.SCHOOL_LEADER,
                                               PersonFunction.LEADERSHIP_TEAM):
                changes.append(_("leadership: %(email)s", email=address))
            leader_people.append((address, person.id if person else None))

        def write(session: Session, school_id=school.id if school else None, values=values,
                  leaders=leader_people, number=number_text) -> None:
            target = session.get(School, school_id) if school_id else None
            if target is None:
                target = School(municipality_id=self.m.id, institution_number=number, **values)
            else:
                for key, value in values.items():
                    setattr(target, key, value)
            session.add(target)
            session.flush()
            for address, person_id in leaders:
                _leader(session, self.m.id, target.id, address, person_id)

        return self.result(number, f"{number_text} {name}".strip(), problems, changes,
                           school is None, [write])


def _leader(session: Session, municipality_id: int, school_id: int, address: str,
            person_id: int | None) -> None:
    person = session.get(Person, person_id) if person_id else None
    if person is None:
        local = address.split("@", 1)[0]
        person = Person(municipality_id=municipality_id, email=address,
                        name=" ".join(w.capitalize() for w in re.split(r"[._-]+", local) if w))
    person.municipality_id = municipality_id
    person.school_id = school_id
    if person.function not in (PersonFunction.SCHOOL_LEADER, PersonFunction.LEADERSHIP_TEAM):
        person.function = PersonFunction.SCHOOL_LEADER
    session.add(person)
    session.flush()


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (SchoolKind, PersonFunction)):
        return value.value
    return str(value)


class _PeopleRows(_Rows):
    def __init__(self, *args):
        super().__init__(*args)
        schools = self.session.exec(select(School).where(School.municipality_id == self.m.id)).all()
        self.schools = {s.institution_number: s for s in schools} | {s.name.lower(): s
                                                                     for s in schools}

    def row(self, number: int, row: list) -> dict:
        problems: list[Problem] = []

        def problem(key: str, message: str) -> None:
            problems.append(Problem(number, self.spelled[key], message))

        name = self.cell(row, "name")
        email = self.cell(row, "email").lower()
        if not name:
            problem("name", _("The person's name is missing."))
        elif len(name) > 160:
            problem("name", _("At most %(n)s characters.", n=160))
        if not EMAIL.fullmatch(email) or len(email) > 254:
            problem("email", _("Must be an e-mail address, e.g. navn@kommune.dk."))
        elif email in self.seen:
            problem("email", _("The e-mail address is also in row %(row)s.", row=self.seen[email]))
        else:
            self.seen[email] = number
        values: dict[str, Any] = {"name": name}
        if self.has("function"):
            raw = self.cell(row, "function").lower()
            if raw and raw not in FUNCTIONS:
                problem("function", _("Unknown function “%(value)s”: write e.g. skoleleder, "
                                      "konsulent, skolechef, PPR-leder, psykolog.", value=raw))
            values["function"] = FUNCTIONS.get(raw) if raw else None
        for key, limit in (("title", 160), ("organisation", 160)):
            if self.has(key):
                text = self.cell(row, key)
                if len(text) > limit:
                    problem(key, _("At most %(n)s characters.", n=limit))
                values[key] = text or None
        if self.has("school"):
            raw = self.cell(row, "school")
            school = self.schools.get(raw) or self.schools.get(raw.lower()) if raw else None
            if raw and school is None:
                problem("school", _("No school of %(municipality)s has the institution number or "
                                    "name “%(value)s”. Import the schools first.",
                                    municipality=self.m.name, value=raw))
            values["school_id"] = school.id if school else None
        person = self.person_by_email(email) if EMAIL.fullmatch(email) else None
        if person is not None and person.municipality_id not in (None, self.m.id):
            problem("email", _("The e-mail address belongs to a person in another "
                               "municipality."))
        changes = []
        if person is not None:
            for key, value in values.items():
                if getattr(person, key) != value:
                    label = self.spelled["school" if key == "school_id" else key]
                    old, new = getattr(person, key), value
                    if key == "school_id":
                        old, new = self._school_name(old), self._school_name(new)
                    changes.append(_("%(field)s: “%(old)s” → “%(new)s”", field=label,
                                     old=_shown(old), new=_shown(new)))

        def write(session: Session, person_id=person.id if person else None, values=values,
                  email=email) -> None:
            target = session.get(Person, person_id) if person_id else None
            if target is None:
                target = Person(municipality_id=self.m.id, email=email, name=values["name"])
            for key, value in values.items():
                setattr(target, key, value)
            target.municipality_id = self.m.id
            session.add(target)
            session.flush()

        return self.result(number, f"{name} <{email}>", problems, changes, person is None,
                           [write])

    def _school_name(self, school_id: int | None) -> str:
        if school_id is None:
            return ""
        school = self.session.get(School, school_id)
        return school.name if school else ""


class ImportRefused(Exception):
    def __init__(self, analysis: Analysis):
        super().__init__(f"{len(analysis.problems)} problems")
        self.analysis = analysis


def apply(session: Session, analysis: Analysis) -> None:
    """Write an analysis without problems, all in one transaction (or nothing)."""
    if not analysis.ok:
        raise ImportRefused(analysis)
    try:
        for write in analysis.writes:
            write(session)
        session.commit()
    except Exception:
        session.rollback()
        raise


def import_file(session: Session, kind: str, content: bytes, filename: str,
                municipality: Municipality, *, dry_run: bool = False,
                progress: Callable[[int, int], None] | None = None) -> Analysis:
    """Check every row and, if all are fine and it is not a dry run, write them all."""
    analysis = analyse(session, kind, content, filename, municipality, progress=progress)
    if analysis.ok and not dry_run:
        apply(session, analysis)
    return analysis


def schools_of(session: Session, municipality_id: int) -> list[School]:
    return list(session.exec(select(School).where(School.municipality_id == municipality_id)
                             .order_by(col(School.name))))
