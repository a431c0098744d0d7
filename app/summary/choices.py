"""The consultant's choices for a public version's presentation (order, hidden slides, a
comment per slide), kept per municipality's school year and version: read when the page
opens, saved from its form, applied to every export.

Slides come and go with the data (a new theme group, a school): a saved slide that no longer
exists is forgotten, and a new one takes its natural place after the slide it follows in the
built deck, with its default visibility."""

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from app.db import StaleVersion, check_version
from app.summary.models import SlideChoices
from app.summary.service import Version
from app.summary.slides import Slide

MAX_COMMENT = 2000


def get(session: Session, school_year_id: int, version: Version) -> SlideChoices:
    """The saved choices, or unsaved defaults (version 1) when none are saved yet."""
    row = session.exec(select(SlideChoices).where(
        SlideChoices.school_year_id == school_year_id,
        SlideChoices.audience == version.value)).first()
    return row or SlideChoices(school_year_id=school_year_id, audience=version.value)


def apply(deck: list[Slide], entries: list[dict]) -> list[Slide]:
    """The built deck in the saved order, with the saved visibility and comments."""
    saved = {e["key"]: (i, e) for i, e in enumerate(entries) if isinstance(e, dict) and "key" in e}
    if not saved:
        return deck
    place: dict[str, float] = {}
    before = -1.0
    for s in deck:
        if s.key in saved:
            before = place[s.key] = saved[s.key][0]
            entry = saved[s.key][1]
            s.hidden = bool(entry.get("hidden"))
            s.comment = str(entry.get("comment") or "")[:MAX_COMMENT]
        else:
            place[s.key] = before + 0.5
    return sorted(deck, key=lambda s: place[s.key])


def from_form(deck: list[Slide], form: Any) -> list[Slide]:
    """The deck arranged as the form says: `order-KEY` (a number), `show-KEY` (present when
    shown) and `comment-KEY`; a form without `choices` leaves the deck as it is."""
    if form is None or "choices" not in form:
        return deck
    position = {}
    for i, s in enumerate(deck):
        try:
            position[s.key] = float(form.get(f"order-{s.key}") or i + 1)
        except ValueError:
            position[s.key] = i + 1
        s.hidden = f"show-{s.key}" not in form
        s.comment = str(form.get(f"comment-{s.key}") or "").strip()[:MAX_COMMENT]
    natural = {s.key: i for i, s in enumerate(deck)}
    return sorted(deck, key=lambda s: (position[s.key], natural[s.key]))


def entries(deck: list[Slide]) -> list[dict]:
    return [{"key": s.key, "hidden": s.hidden, "comment": s.comment} for s in deck]


def save(session: Session, row: SlideChoices, deck: list[Slide], *,
         expected_version: int | None) -> SlideChoices:
    """Store the arranged deck; StaleVersion when someone saved since the form was opened."""
    check_version(row, expected_version)
    row.slides = entries(deck)
    session.add(row)
    try:
        session.commit()
    except (IntegrityError, StaleDataError):  # someone else's save slipped in between
        session.rollback()
        raise StaleVersion(row) from None
    session.refresh(row)
    return row
