"""`sus demo`: every domain's demo data, in dependency order. Idempotent."""

from collections.abc import Iterator

from sqlmodel import Session

from app.accounts import demo as accounts_demo
from app.datapackages import demo as datapackages_demo
from app.schools import demo as schools_demo

LOADERS = [schools_demo.load, accounts_demo.load, datapackages_demo.load]


def load(session: Session) -> Iterator[str]:
    for loader in LOADERS:
        yield from loader(session)
