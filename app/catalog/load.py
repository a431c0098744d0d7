"""`sus catalog load`: every domain's catalogue loader, in dependency order. Idempotent."""

from collections.abc import Callable, Iterator
from importlib import import_module

from sqlmodel import Session


def _loader(module: str, name: str) -> Callable[[Session, list], Iterator[str]]:
    """Import the domain only when loading, so this registry imports no domain itself."""

    def load(session: Session, entries) -> Iterator[str]:
        yield from getattr(import_module(module), name)(session, entries)

    return load


# (kind, loader): a loader takes the session and `read(kind)`'s entries and yields lines to
# report. Domains add theirs here.
LOADERS: list[tuple[str, Callable]] = [
    ("cycles", _loader("app.cycles.catalog", "load_catalog")),
    ("agendas", _loader("app.agendas.settings", "load_templates")),
    ("indicators", _loader("app.datapackages.catalog", "load")),
    ("notes", _loader("app.notes.service", "load_templates")),
]


def load_all(session: Session) -> Iterator[str]:
    from app.catalog import read

    for kind, loader in LOADERS:
        yield from loader(session, read(kind))
