"""Extension points: domains add sections to other domains' pages and items to the menu.

A page owned by one domain (the school page, the municipality overview) shows sections from
others (meetings, data package, notes) without importing them: each domain writes the
section's context function, and app.wiring.bootstrap() adds it here; the owning page collects
them:

    def school_meetings(session, principal, school):
        return {"meetings": ...}          # or None to leave the section out

    # in app/wiring.py
    sections.add_section("school", order=20, template="cycles/_school_meetings.html",
                         context=cycles_routes.school_meetings)
    sections.add_nav_item(order=10, label=N_("Year wheel"),
                          url=lambda m: f"/municipalities/{m.id}/years")
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.accounts.access import Principal
from app.registry import Registry


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


page_sections: Registry[Section] = Registry(
    "sections.page_sections", sort_key=lambda s: (s.page, s.order),
    key=lambda s: (s.page, s.template, s.context))
nav_items: Registry[NavItem] = Registry(
    "sections.nav_items", sort_key=lambda n: n.order, key=lambda n: n.label)


@dataclass(frozen=True)
class SiteItem:
    """An entry of the site-wide menu (shown on every page, not per municipality)."""

    order: int
    label: str
    """A message id."""
    url: str
    visible: Callable[[Principal], bool]


site_items: Registry[SiteItem] = Registry(
    "sections.site_items", sort_key=lambda n: n.order, key=lambda n: n.url)


def add_site_item(*, order: int, label: str, url: str,
                  visible: Callable[[Principal], bool] = lambda p: True) -> None:
    site_items.add(SiteItem(order, label, url, visible))


def site_menu(principal: Principal | None) -> list[tuple[str, str]]:
    """(label message id, url) of the site-wide entries this principal may see."""
    if principal is None or not principal.is_authenticated:
        return []
    return [(n.label, n.url) for n in site_items if n.visible(principal)]


def add_section(page: str, *, order: int, template: str,
                context: Callable[[Session, Principal, Any], dict | None]) -> None:
    page_sections.add(Section(page, order, template, context))


def collect(page: str, session: Session, principal: Principal, obj: Any) -> list[tuple[str, dict]]:
    """The (template, context) of every section that has something to show for `obj`."""
    found = []
    for s in page_sections:
        if s.page == page:
            context = s.context(session, principal, obj)
            if context is not None:
                found.append((s.template, context))
    return found


def add_nav_item(*, order: int, label: str, url: Callable[[Any], str],
                 visible: Callable[[Principal, Any], bool] = lambda p, m: True,
                 settings: bool = False) -> None:
    nav_items.add(NavItem(order, label, url, visible, settings))


def menu(principal: Principal | None, municipality: Any, *,
         settings: bool = False) -> list[tuple[str, str]]:
    """(label message id, url) of the municipality's menu — or, with settings=True, of its
    settings pages — as this principal may see them."""
    if principal is None or municipality is None:
        return []
    return [(n.label, n.url(municipality)) for n in nav_items
            if n.settings == settings and n.visible(principal, municipality)]
