"""Editing an agenda's items: add, change, delete, reorder.
"""

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from app.agendas.models import Agenda, AgendaItem, ItemKind, Owner
from app.db import check_version


def list_items(session: Session, agenda_id: int) -> list[AgendaItem]:
    return list(session.exec(select(AgendaItem).where(AgendaItem.agenda_id == agenda_id)
                             .order_by(AgendaItem.position, AgendaItem.id)))


# --- editing items -----------------------------------------------------------------------------


class ItemForm(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)
    owner: Owner | None = None
    minutes: int | None = Field(default=None, ge=0, le=600)
    sub_points: str = Field(default="", max_length=5000)
    """One sub-point per line."""
    group: str = Field(default="", max_length=200)

    def sub_point_list(self) -> list[str]:
        return [line.strip() for line in self.sub_points.splitlines() if line.strip()]


class MinutesForm(BaseModel):
    """The item's minutes alone, edited in place on the agenda; empty: no time set."""
    minutes: int | None = Field(default=None, ge=0, le=600)


def set_minutes(session: Session, item: AgendaItem, data: MinutesForm, *,
                expected_version: int | None) -> AgendaItem:
    check_version(item, expected_version)
    item.minutes = data.minutes
    item.edited = True
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


def get_item(session: Session, agenda: Agenda, item_id: int) -> AgendaItem | None:
    item = session.get(AgendaItem, item_id)
    return item if item is not None and item.agenda_id == agenda.id else None


def update_item(session: Session, item: AgendaItem, data: ItemForm, *,
                expected_version: int | None) -> AgendaItem:
    check_version(item, expected_version)
    item.title, item.description, item.owner = data.title, data.description, data.owner
    item.minutes, item.sub_points, item.group = data.minutes, data.sub_point_list(), data.group
    item.edited = True
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


def add_item(session: Session, agenda: Agenda, data: ItemForm) -> AgendaItem:
    items = list_items(session, agenda.id)
    # Before the closing agreements item, if there is one: that is where new topics belong.
    at = next((i.position for i in items if i.kind is ItemKind.AGREEMENTS), len(items) + 1)
    for i in items:
        if i.position >= at:
            i.position += 1
            session.add(i)
    item = AgendaItem(agenda_id=agenda.id, position=at, title=data.title,
                      description=data.description, owner=data.owner, minutes=data.minutes,
                      sub_points=data.sub_point_list(), group=data.group, edited=True)
    session.add(item)
    session.commit()
    session.refresh(item)
    return item


def delete_item(session: Session, item: AgendaItem) -> None:
    session.delete(item)
    session.commit()


def move_item(session: Session, agenda: Agenda, item: AgendaItem, direction: str) -> None:
    """Swap the item with its neighbour ("up" or "down")."""
    items = list_items(session, agenda.id)
    index = [i.id for i in items].index(item.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for pos, i in enumerate(items):
        if i.position != pos + 1:
            i.position = pos + 1
            session.add(i)
    session.commit()
