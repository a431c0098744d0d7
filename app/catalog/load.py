"""`sus catalog load`: every domain's catalogue loader, in dependency order. Idempotent."""

from collections.abc import Callable, Iterator

from sqlmodel import Session

# (kind, loader): a loader takes the session and `read(kind)`'s entries and yields lines to
# report. Domains add theirs here.
def _indicators(session: Session, entries) -> Iterator[str]:
    from app.datapackages.catalog import load

    yield from load(session, entries)


LOADERS: list[tuple[str, Callable]] = [("indicators", _indicators)]


def load_all(session: Session) -> Iterator[str]:
    from app.catalog import read

    for kind, loader in LOADERS:
        yield from loader(session, read(kind))
