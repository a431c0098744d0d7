"""Where other domains contribute to an event's DESCRIPTION: today the agenda's item titles.

The agendas domain's source is added by app.wiring.bootstrap():

    registry.agenda_sources.add(registry.AgendaSource(
        items=lambda session, meeting_ids: {...},        # meeting id → item titles, in order
        version=lambda session, municipality_id: "...",  # changes whenever any item would
    ))

Rules a source must keep, because feeds travel to phones and other people's calendars:
- titles only (e.g. "Trivsel og fravær (30 min)"): never confidential content, never a
  figure from a data package, never the text of a note;
- `items` is never asked about confidential meetings (LUS) or for public feeds: the feed
  leaves those out before it asks;
- `version` is cheap (one aggregate query); the feeds' conditional requests no longer ask
  it: a source registers its row kinds in `change_sources` too, which raise the feed counter.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.registry import Registry


@dataclass(frozen=True)
class AgendaSource:
    items: Callable[[Session, Sequence[int]], Mapping[int, Sequence[str]]]
    version: Callable[[Session, int], str]


agenda_sources: Registry[AgendaSource] = Registry("feeds.agenda_sources")

MunicipalityOf = Callable[[Any, Any], "int | None"]


@dataclass(frozen=True)
class ChangeSource:
    """A kind of row from another domain that shows in feeds: a new, changed or deleted one
    raises its municipality's feed counter (app/feeds/counter.py)."""

    model: type
    municipality_of: MunicipalityOf
    """(session, object) → the municipality whose feeds it can alter, or None."""
    meeting_of: MunicipalityOf | None = None
    """(session, object) → the one meeting whose event it alters; None (or no function):
    it can alter any event, and feeds are rendered again in full."""


change_sources: Registry[ChangeSource] = Registry("feeds.change_sources")


def agenda_items(session: Session, meeting_ids: Sequence[int]) -> dict[int, list[str]]:
    """Every registered source's items per meeting, in registration order."""
    found: dict[int, list[str]] = {}
    if not meeting_ids:
        return found
    for source in agenda_sources:
        for meeting_id, titles in source.items(session, meeting_ids).items():
            found.setdefault(meeting_id, []).extend(t for t in titles if t)
    return found


def agenda_version(session: Session, municipality_id: int) -> str:
    return "|".join(source.version(session, municipality_id) for source in agenda_sources)
