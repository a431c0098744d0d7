"""Extension points: domains add sections to other domains' pages and items to the menu.

A page owned by one domain (the school page, the municipality overview) shows sections from
others (meetings, data package, notes) without importing them: each domain registers a
section in its routes module, and the owning page collects them. Register at import time:

    @sections.section("school", order=20, template="cycles/_school_meetings.html")
    def school_meetings(session, principal, school):
        return {"meetings": ...}          # or None to leave the section out

    sections.nav_item(order=10, label=N_("Year wheel"),
                      url=lambda m: f"/municipalities/{m.id}/years",
                      visible=lambda principal, m: True)
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.accounts.access import Principal


@dataclass(frozen=True)
class Section:
    page: str
    order: int
    template: str
    context: Callable[[Session, Principal, Any], dict | None]


@dataclass(frozen=True)
class NavItem:
    order: int
    label: str
    """A message id; translated when the menu renders."""
    url: Callable[[Any], str]
    visible: Callable[[Principal, Any], bool]
    settings: bool = False
    """A settings page: listed under "Settings" on the municipality overview, not in the menu."""


_sections: list[Section] = []
_nav: list[NavItem] = []


def section(page: str, *, order: int, template: str):
    def register(fn):
        _sections.append(Section(page, order, template, fn))
        _sections.sort(key=lambda s: (s.page, s.order))
        return fn

    return register


def collect(page: str, session: Session, principal: Principal, obj: Any) -> list[tuple[str, dict]]:
    """The (template, context) of every section that has something to show for `obj`."""
    found = []
    for s in _sections:
        if s.page == page:
            context = s.context(session, principal, obj)
            if context is not None:
                found.append((s.template, context))
    return found


def nav_item(*, order: int, label: str, url: Callable[[Any], str],
             visible: Callable[[Principal, Any], bool] = lambda p, m: True,
             settings: bool = False) -> None:
    _nav.append(NavItem(order, label, url, visible, settings))
    _nav.sort(key=lambda n: n.order)


def menu(principal: Principal | None, municipality: Any, *,
         settings: bool = False) -> list[tuple[str, str]]:
    """(label message id, url) of the municipality's menu — or, with settings=True, of its
    settings pages — as this principal may see them."""
    if principal is None or municipality is None:
        return []
    return [(n.label, n.url(municipality)) for n in _nav
            if n.settings == settings and n.visible(principal, municipality)]
