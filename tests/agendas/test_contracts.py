"""The three seed contracts import with every goal and without losing a line."""

import re
from pathlib import Path

import pytest

from app.agendas import goals as agenda_goals
from app.agendas.contracts import SECTION_KEYS, parse_contract

CONTRACTS = Path(__file__).resolve().parents[2] / "app" / "catalog" / "contracts"
# shared/ sits beside the clone (CI) or beside the worktrees' folder (development).
SEEDS = next((p / "shared" / "seeds" for p in Path(__file__).resolve().parents[3:5]
              if (p / "shared" / "seeds").exists()), Path("/nonexistent"))

# file, school, goals, the first and last goal's title (start)
EXPECTED = [
    ("mortenboerup.txt", "Morten Børup Skolen", 15, "Fokus i ledelsesudviklingen",
     "Hvad skal vi holde op med et gøre?"),
    ("bakkeskolen.txt", "Bakkeskolen", 6, "Forslag til noget vi skal holde op med at gøre",
     "En beskrivelse af fokusområder, hvor jeres opgaveløsning"),
    ("veng.txt", "Veng Skole & Børnehus", 4, "Trivsel i dagtilbud, skole og fritidstilbud",
     "Bæredygtig og fleksibel organisation"),
]
HEADINGS = re.compile(
    r"^(baggrund og formål|det politiske og strategiske afsæt|udviklingsmål|forventede "
    r"virkninger for borgeren|tidsperspektiv|aktiviteter|opfølgning på udviklingsmålet"
    r"( og virkning)?):?$", re.IGNORECASE)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_repository_holds_the_seed_texts_unchanged():
    if not SEEDS.exists():
        pytest.skip("shared/seeds is not beside the repository")
    seeds = sorted(SEEDS.glob("00[012]_*.txt"))
    ours = [CONTRACTS / name for name, *_ in EXPECTED]
    assert [p.read_text() for p in seeds] == [p.read_text() for p in ours]


@pytest.mark.parametrize("name,school,count,first,last", EXPECTED)
def test_every_goal_is_found_with_its_sections(name, school, count, first, last):
    parsed = parse_contract((CONTRACTS / name).read_text())
    assert parsed.school_name == school and parsed.year == 2023
    assert len(parsed.goals) == count
    assert parsed.goals[0].title.startswith(first)
    assert parsed.goals[-1].title.startswith(last)
    for goal in parsed.goals:
        # Every goal has the headings of the seed format (Bakkeskolen's goals 1 and 3-6
        # have no "Det politiske og strategiske afsæt" in the seed itself).
        assert set(goal.sections) >= set(SECTION_KEYS) - {"political"}, goal.title
        assert goal.sections["goal"].strip() or goal.title.startswith("Hvad skal vi")


def test_morten_boerup_has_more_than_ten_goals():
    assert len(parse_contract((CONTRACTS / "mortenboerup.txt").read_text()).goals) > 10


@pytest.mark.parametrize("name", [e[0] for e in EXPECTED])
def test_no_line_of_the_seed_is_lost(name):
    """Every line that is not boilerplate ends up in the preamble, a goal's title or track,
    or one of its sections. Boilerplate: blank lines, page numbers, the contract's title,
    the section headings and the "Udviklingsmål" above a goal."""
    text = (CONTRACTS / name).read_text()
    parsed = parse_contract(text)
    kept = [_norm(parsed.preamble)]
    for goal in parsed.goals:
        kept += [_norm(goal.title), _norm(goal.track)]
        kept += [_norm(v) for v in goal.sections.values()]
    haystack = "\n".join(kept)
    lost = []
    for raw in text.splitlines():
        line = _norm(raw)
        if (not line or re.fullmatch(r"\d{1,3}", line) or line == parsed.title
                or HEADINGS.match(line)):
            continue
        # A numbered goal ("3: En beskrivelse …") keeps its number as its position.
        line = re.sub(r"^\d{1,2}: ", "", line)
        if line not in haystack:
            lost.append(line)
    assert lost == []
    # And section text is where it belongs: a known sentence in a known section.
    by_title = {g.title: g for g in parsed.goals}
    if name == "mortenboerup.txt":
        goal = by_title["Lokale mål: Fællesskab"]
        assert "16. To-voksen-ordning i mange timer i 0. – 2. klasse." in goal.sections["activities"]
        assert goal.sections["followup"].startswith("Løbende fokus på enkelte elevers trivsel")
    if name == "veng.txt":
        assert by_title["Bæredygtig og fleksibel organisation"].track == \
            "Spor 2: God ledelse og en bæredygtig organisation"


def test_import_saves_the_goals_and_refuses_text_without_goals(db, factory):
    from app.forms import FieldError

    school = factory.school(factory.municipality(), name="Bakkeskolen")
    contract = agenda_goals.import_contract(db, school, (CONTRACTS / "bakkeskolen.txt").read_text())
    goals = agenda_goals.list_goals(db, school.id)
    assert len(goals) == 6 and contract.title == "Udviklingskontrakt 2023 for Bakkeskolen"
    assert goals[3].sections["goal"].startswith("- At skabe en skemaflade")
    with pytest.raises(FieldError):
        agenda_goals.import_contract(db, school, "Bare en tekst uden overskrifter.")
    assert len(agenda_goals.list_contracts(db, school.id)) == 1


def test_removing_a_contract_asks_first(client, db, factory):
    """Nothing irreversible on one click (issue 14.6): a contract and all its goals."""
    from tests.confirming import asks_first
    from tests.conftest import login, post_form

    school = factory.school(factory.municipality(), name="Bakkeskolen")
    contract = agenda_goals.import_contract(db, school, (CONTRACTS / "bakkeskolen.txt").read_text())
    login(client, db, factory.user("school_leader", school=school))
    page, action = f"/schools/{school.id}/goals", \
        f"/schools/{school.id}/goals/contracts/{contract.id}/delete"

    def kept():
        db.expire_all()
        assert len(agenda_goals.list_goals(db, school.id)) == 6

    yes = asks_first(client, page, action,
                     title='Fjern kontrakten "Udviklingskontrakt 2023 for Bakkeskolen"?',
                     says=["alle dens mål", "indsæt den igen"], unchanged=kept)
    assert post_form(client, action, yes).status_code == 303
    db.expire_all()
    assert agenda_goals.list_goals(db, school.id) == []
    assert agenda_goals.list_contracts(db, school.id) == []
