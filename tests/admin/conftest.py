import pytest
from sqlmodel import select

from app.feeds.models import OutboxMessage


@pytest.fixture
def world(db, factory):
    """Two municipalities with a school each, an administrator, a consultant of the first."""
    m = factory.municipality(name="Æblerød Kommune", kommunekode="999")
    other = factory.municipality(name="Pærelund Kommune", kommunekode="998")
    school = factory.school(m, name="Æblerød Skole", institution_number="999001")
    other_school = factory.school(other, name="Pærelund Skole", institution_number="998001")
    admin = factory.user("admin", email="admin@test.dk", name="Ada Admin")
    consultant = factory.user("consultant", municipality=m, email="kons@aeblerod.dk",
                              name="Kim Konsulent")
    return {"m": m, "other": other, "school": school, "other_school": other_school,
            "admin": admin, "consultant": consultant}


def outbox_for(db, address: str) -> list[OutboxMessage]:
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.recipient == address)))
