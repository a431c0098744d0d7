"""`sus demo`: every domain's demo data, in dependency order. Idempotent."""

from collections.abc import Iterator

from sqlmodel import Session

from app.accounts import demo as accounts_demo
from app.agendas import demo as agendas_demo
from app.cycles import demo as cycles_demo
from app.datapackages import demo as datapackages_demo
from app.notes import demo as notes_demo
from app.scheduling import demo as scheduling_demo
from app.schools import demo as schools_demo

# Order matters: the cycle makes the school years and meetings; agendas set each dialogue's
# length; the scheduler then books the year's unbooked meetings; data packages belong to the
# school years the cycle made; notes are pre-filled from the agendas and packages.
LOADERS = [schools_demo.load, accounts_demo.load, cycles_demo.load, agendas_demo.load,
           scheduling_demo.load, datapackages_demo.load, notes_demo.load]


def load(session: Session) -> Iterator[str]:
    for loader in LOADERS:
        yield from loader(session)
