"""Reading a development contract (udviklingskontrakt) from pasted text.

Skanderborg's contracts (seeds 000–002) are Word/PDF documents that schools copy as text.
They share the seven headings of every goal but not the way a goal starts: one writes
"Udviklingsmål" above each goal's title (and uses the same word as a heading inside the
goal), one numbers the goals ("3: En beskrivelse af …", the title running over several
lines), one groups them under "Spor 1: …". Copying from PDF adds page numbers on lines of
their own and hard line breaks. The parser is a small state machine over lines:

- a heading line starts a section of the current goal (a heading may carry text after its
  colon on the same line);
- "Udviklingsmål" alone is a *new goal* when there is no goal yet or the current one is
  already past its own "Udviklingsmål" section (or in a later one); otherwise it is that
  section's heading;
- "N: text" starts a new goal under the same condition;
- "Spor N: …" names the track the following goals belong to;
- a line holding only a number is a page number;
- everything else is text of the current section (or the goal's title while no section has
  started, or the contract's preamble before the first goal).

Nothing else is dropped, so no text is lost (a test checks every line of the seeds).
"""

import re
from dataclasses import dataclass, field

from app.i18n import N_

# (key, message id of the label, the headings that start it, lower case, without colon)
SECTIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("background", N_("Background and purpose"), ("baggrund og formål",)),
    ("political", N_("Political and strategic basis"), ("det politiske og strategiske afsæt",)),
    ("goal", N_("Development goal"), ("udviklingsmål",)),
    ("effects", N_("Expected effects for citizens"), ("forventede virkninger for borgeren",
                                                      "forventede virkninger for borgerne")),
    ("timeline", N_("Time frame"), ("tidsperspektiv",)),
    ("activities", N_("Activities"), ("aktiviteter",)),
    ("followup", N_("Follow-up"), ("opfølgning på udviklingsmålet og virkning",
                                   "opfølgning på udviklingsmålet")),
]
SECTION_KEYS = [key for key, _, _ in SECTIONS]
SECTION_LABELS = {key: label for key, label, _ in SECTIONS}
# The Danish headings as the contracts write them: what the DOCX export and the import use.
SECTION_HEADINGS_DA = {
    "background": "Baggrund og formål",
    "political": "Det politiske og strategiske afsæt",
    "goal": "Udviklingsmål",
    "effects": "Forventede virkninger for borgeren",
    "timeline": "Tidsperspektiv",
    "activities": "Aktiviteter",
    "followup": "Opfølgning på udviklingsmålet og virkning",
}
_HEADING = {h: key for key, _, heads in SECTIONS for h in heads}
# Longest first, so "opfølgning på udviklingsmålet og virkning" wins over its prefix.
_HEADING_PREFIXES = sorted(_HEADING, key=len, reverse=True)
_LATE = {"goal", "effects", "timeline", "activities", "followup"}

_PAGE_NUMBER = re.compile(r"^\d{1,3}$")
_NUMBERED_GOAL = re.compile(r"^(\d{1,2}):\s+(\S.*)$")
_TRACK = re.compile(r"^Spor\s+\d+\s*:\s*\S.*$", re.IGNORECASE)
_TITLE = re.compile(r"^Udviklingskontrakt\s+(\d{4})\s+for\s+(.+?)\s*$", re.IGNORECASE)


@dataclass
class ParsedGoal:
    title: str = ""
    track: str = ""
    """"Spor 1: Den røde tråd …" where the contract groups its goals."""
    number: int | None = None
    sections: dict[str, str] = field(default_factory=dict)

    def _add(self, key: str, line: str) -> None:
        text = self.sections.get(key, "")
        if not text:
            self.sections[key] = line
        elif _continues(text, line):
            # Undo the hard line breaks of a copy from PDF: only whitespace changes.
            self.sections[key] = f"{text} {line}"
        else:
            self.sections[key] = f"{text}\n{line}"


@dataclass
class ParsedContract:
    title: str = ""
    year: int | None = None
    school_name: str = ""
    preamble: str = ""
    goals: list[ParsedGoal] = field(default_factory=list)
    page_numbers: int = 0
    """Lines dropped as page numbers (reported on the review page)."""


_LIST_ITEM = re.compile(r"^([•\-–*]|\d{1,2}[.)]\s)")


def _continues(text: str, line: str) -> bool:
    """Is `line` the rest of the sentence that `text` ends with (a wrapped line)?"""
    return not text.endswith((".", "!", "?", ":", ";")) and not _LIST_ITEM.match(line)


def _clean(line: str) -> str:
    return re.sub(r"\s+", " ", line.replace("\u00a0", " ")).strip()


def _heading(line: str) -> tuple[str, str] | None:
    """(section key, text after the heading on the same line) if the line is a heading."""
    low = line.lower()
    for prefix in _HEADING_PREFIXES:
        if low == prefix or low == prefix + ":":
            return _HEADING[prefix], ""
        if low.startswith(prefix + ":"):
            return _HEADING[prefix], line[len(prefix) + 1:].strip()
    return None


def parse_contract(text: str) -> ParsedContract:
    contract = ParsedContract()
    preamble: list[str] = []
    goal: ParsedGoal | None = None
    section: str | None = None
    track = ""

    def start_goal(title: str = "", number: int | None = None) -> ParsedGoal:
        new = ParsedGoal(title=title, track=track, number=number)
        contract.goals.append(new)
        return new

    for raw in text.splitlines():
        line = _clean(raw)
        if not line:
            continue
        if _PAGE_NUMBER.match(line):
            contract.page_numbers += 1
            continue
        if goal is None and not contract.title and (m := _TITLE.match(line)):
            contract.title, contract.year, contract.school_name = line, int(m[1]), m[2]
            continue
        if _TRACK.match(line):
            track, section = line, None
            continue
        may_start = goal is None or bool(_LATE & set(goal.sections)) or section in _LATE
        if line.lower() in ("udviklingsmål", "udviklingsmål:") and may_start:
            goal, section = start_goal(), None
            continue
        if may_start and (m := _NUMBERED_GOAL.match(line)) and (goal is None or section is not None):
            goal, section = start_goal(m[2], int(m[1])), None
            continue
        head = _heading(line)
        if head is not None and goal is not None:
            section, rest = head
            goal.sections.setdefault(section, "")
            if rest:
                goal._add(section, rest)
            continue
        if goal is None:
            preamble.append(line)
        elif section is None:
            goal.title = f"{goal.title} {line}".strip()
        else:
            goal._add(section, line)
    contract.preamble = "\n".join(preamble)
    return contract
