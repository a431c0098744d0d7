"""`sus catalog load`: every domain's catalogue loader, in dependency order. Idempotent."""

from collections.abc import Callable, Iterator

from sqlmodel import Session

from app.cycles.service import load_catalog as load_cycles

# (kind, loader): a loader takes the session and `read(kind)`'s entries and yields lines to
# report. Domains add theirs here.
LOADERS: list[tuple[str, Callable]] = [("cycles", load_cycles)]


def _agendas(session, entries):
    from app.agendas.service import load_templates

    yield from load_templates(session, entries)


LOADERS.append(("agendas", _agendas))


def load_all(session: Session) -> Iterator[str]:
    from app.catalog import read

    for kind, loader in LOADERS:
        yield from loader(session, read(kind))
