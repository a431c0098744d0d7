"""The catalogue beside its sources: what the source doesn't give is marked `assumed` with a
reason (and shown as "antaget"), and the texts are the seed's. The seed passages are compared
with ../shared/seeds/ where it is present and with the fixed copies below otherwise, so the
tests run (and can fail) on a clean clone."""

import re
from pathlib import Path

from bs4 import BeautifulSoup

from app.agendas import build as agenda_build
from app.catalog import read
from tests.conftest import login

_REPO = Path(__file__).resolve().parents[2]
SEEDS = next((p / "shared" / "seeds" for p in (_REPO.parent, _REPO.parent.parent)
              if (p / "shared" / "seeds").is_dir()), _REPO.parent / "shared" / "seeds")
"""../shared/seeds beside the repository (or beside its worktrees' folder)."""

# Fixed copies of the seed passages (STUK, "Skoleudviklingssamtaler – Eksempler fra praksis").
GRUS = ("En årlig GRUS af 3-4 timers varighed med deltagelse af direktør, skolecenterchef, "
        "skoleleder og samlet ledelsesteam samt ledelseskonsulent. Foregår på skolen. Principielt "
        "samme indhold men den bredere deltagerkreds giver nye perspektiver og nuancer, bl.a. er "
        "det ved GRUS, at direktør og skoleleder/skoleledelse har en direkte dialog.")
ROSKILDE_NATIONAL_TESTS = ("Undervisningsministeriet har oplyst os om, at de har fået et nyt "
                           "system, hvilket gør, at resultaterne først bliver synlige i "
                           "slutningen af august.")


def _seed_text() -> str:
    if not SEEDS.is_dir():
        return GRUS + "\n" + ROSKILDE_NATIONAL_TESTS
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


def _flat(text: str) -> str:
    return re.sub(r"[\s*\\]+", " ", text).strip()


def test_the_fixed_copies_are_the_seed_where_it_is_present():
    seed = _flat(_seed_text())
    assert _flat(GRUS) in seed and _flat(ROSKILDE_NATIONAL_TESTS) in seed


def _entries():
    for kind, list_key in (("agendas", "items"), ("cycles", "steps")):
        for entry in read(kind):
            for row in entry.data.get(list_key, []):
                yield kind, entry.key, row


def test_every_assumed_value_has_a_reason_and_no_bare_assumed_comment_is_left():
    marked = [(k, t, r["key"]) for k, t, r in _entries() if r.get("assumed")]
    assert marked
    for kind, template, row in _entries():
        if row.get("assumed"):
            assert len(row.get("assumed_reason", "").strip()) > 10, (kind, template, row["key"])
        else:
            assert "assumed_reason" not in row, (kind, template, row["key"])
    catalog = Path(__file__).resolve().parents[2] / "app" / "catalog"
    for path in list(catalog.glob("agendas/*.toml")) + list(catalog.glob("cycles/*.toml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert not re.search(r"=.*#\s*assumed", line), (path.name, line)


def test_what_the_sources_leave_open_is_marked():
    marked = {(t, r["key"]) for _k, t, r in _entries() if r.get("assumed")}
    assert {("svendborg", "kickoff"), ("svendborg", "prep_round1"), ("svendborg", "prep_round2"),
            ("svendborg", "dialogue"), ("svendborg", "debrief"), ("svendborg", "summary_meeting"),
            ("aalborg", "results"), ("aalborg", "special_classes"), ("ringsted", "lus")} <= marked
    # The village-school item follows the seed (every school) unless the municipality says
    # otherwise: a setting, not an assumption.
    assert ("aalborg", "village") not in marked
    stevns = next(e for e in read("agendas") if e.key == "stevns")
    pause = next(i for i in stevns.data["items"] if i["key"] == "pause")
    assert "minutes" not in pause  # the seed gives the pause no length: none until set


def test_texts_are_the_seeds():
    ringsted = next(e for e in read("cycles") if e.key == "ringsted")
    grus = next(s for s in ringsted.data["steps"] if s["key"] == "grus")
    assert grus["description"] == GRUS
    roskilde = next(e for e in read("agendas") if e.key == "roskilde")
    assert ROSKILDE_NATIONAL_TESTS in roskilde.data["intro"]
    svendborg = next(e for e in read("cycles") if e.key == "svendborg")
    leaders = next(s for s in svendborg.data["steps"] if s["key"] == "presentation_leaders")
    assert (leaders["month"], leaders["month_end"]) == (6, 8)  # "Juni eller august"


def test_the_agenda_marks_an_assumed_item_antaget_with_its_reason(client, db, dialogue, factory):
    dialogue.settings("aalborg")
    meeting = dialogue.meeting(pupils=700)
    agenda = agenda_build.ensure_agenda(db, meeting)
    login(client, db, factory.user("consultant", municipality=dialogue.municipality))
    soup = BeautifulSoup(client.get(f"/agendas/{agenda.id}").text, "html.parser")
    marks = soup.select(".assumed")
    assert marks and all(m.get_text(" ", strip=True).startswith("antaget") for m in marks)
    assert any("600 elever" in m["title"] for m in marks)


# Where a catalogue text is not word for word the seed's, and why. Everything else in the
# templates' texts (agenda items, sub-points, intros; cycle steps; note sections) must be found
# in the seed (../shared/seeds, or the fixed copies of the passages when it is absent).
NOT_VERBATIM = {
    ("agendas", "roskilde", "target_group"): "the seed's 'skolevægning' is a slip for skolevægring",
    ("agendas", "roskilde", "open_discussion"): "the seed's minutes column, as a description",
    ("agendas", "roskilde", "intro"): "the seed's 'skoleværging' is a slip for skolevægring",
    ("agendas", "stevns", "school"): "the seed's '(husk udviklingspunkter)' as a sentence",
    ("agendas", "stevns", "administration"): "the seed's '(bilag ikke for specialskoler- skolen "
                                             "indhenter egen data)' as the special schools' point",
    ("agendas", "stevns", "ministry"): "as above",
    ("agendas", "stevns", "heading"): "the seed's 'XXskolens' filled with the school's name",
    ("cycles", "minimal", "*"): "not from a seed: the law's minimum (§ 40 a)",
    ("cycles", "ringsted", "grus"): "title: the seed names it GRUS only",
    ("cycles", "ringsted", "lus"): "title and the assumed attention point (marked antaget)",
    ("cycles", "svendborg", "ppr_overview"): "a short title for the seed's long step text",
    ("cycles", "svendborg", "book_prep_round1"): "the seed's row split in booking and meetings",
    ("cycles", "svendborg", "prep_round1"): "as above",
    ("cycles", "svendborg", "book_prep_round2"): "as above",
    ("cycles", "svendborg", "prep_round2"): "as above",
    ("cycles", "svendborg", "debrief"): "the seed's 'stikord/ opmærksomhedspunkter' without the stray space",
    ("cycles", "svendborg", "presentation_leaders"): "the seed's 'Juni eller august' as a sentence",
    ("notes", "nyborg", "agreements"): "the agreements every note keeps (next year's evaluation)",
    ("notes", "stevns", "evaluation"): "the seed's 'Evaluerings' is a slip",
    ("notes", "svendborg", "focus"): "the seed's 'xx skole' as 'skolen'",
}

# Fixed copies of the seed passages the catalogue texts come from, for a clone without
# ../shared: the agendas (2.1–2.3, 5.1), the Svendborg process (1.3), Ringsted (1.4) and the
# notes (4.1–4.4) — the lines the comparison below looks up.
_PASSAGES_FILE = Path(__file__).with_name("seed_passages.txt")


def _texts():
    lists = (("agendas", "items", ("title", "description", "sub_points")),
             ("cycles", "steps", ("title", "description", "attention_points")),
             ("notes", "sections", ("title", "prompt", "description")))
    for kind, list_key, fields in lists:
        for entry in read(kind):
            for row in entry.data.get(list_key, []):
                for name in fields:
                    value = row.get(name)
                    for v in value if isinstance(value, list) else [value] if value else []:
                        yield kind, entry.key, row.get("key"), v if isinstance(v, str) else v["text"]
    for entry in read("agendas"):
        for name in ("heading", "intro", "closing", "footnote"):
            yield "agendas", entry.key, name, entry.data.get(name) or ""


def _not_in(seed: str):
    for kind, template, key, text in _texts():
        if (kind, template, key) in NOT_VERBATIM or (kind, template, "*") in NOT_VERBATIM:
            continue
        for line in text.split("\n"):
            flat = _flat(line.lstrip("- •")).lower()
            if flat and flat not in seed:
                yield kind, template, key, line


def test_every_template_text_is_the_seeds_or_a_stated_exception():
    seed = _flat(_seed_text() if SEEDS.is_dir() else _PASSAGES_FILE.read_text(encoding="utf-8"))
    assert list(_not_in(seed.lower())) == []


def test_the_fixed_passages_are_the_seed():
    """The copy used on a clean clone holds only lines of the seed, and every line the
    templates take from it (so that the test above checks the same on both)."""
    passages = _PASSAGES_FILE.read_text(encoding="utf-8")
    assert list(_not_in(_flat(passages).lower())) == []
    if SEEDS.is_dir():
        seed = _flat(_seed_text()).lower()
        for line in passages.splitlines():
            assert _flat(line).lower() in seed, line
