"""A stored feed brought up to date by re-rendering only the meetings that changed.

A feed's bytes are its calendar's opening text, then each event's text in one order (by start,
then UID), then END:VCALENDAR. Beside the bytes the FeedState keeps their layout: for each
event its meeting (0 for a step of the year wheel), its place in the order and its length.
After a change of a few meetings (app/feeds/counter.py logs which), their old text is cut
out and their new text, if they are still in the feed, put in its place in the order; the
rest is copied as it was. A test compares the result with a full render after every kind
of change.
"""

import struct
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate

from app.feeds import ical
from app.feeds.ical import FeedEvent

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

Keyed = tuple[int, FeedEvent]
"""An event and its meeting's id (0: not a meeting)."""


def instant(value: datetime | date) -> datetime:
    """When an event starts, as a UTC instant (a whole day from Copenhagen's midnight)."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc)
    return datetime(value.year, value.month, value.day, tzinfo=ical.CPH).astimezone(timezone.utc)


def order(e: FeedEvent) -> tuple[int, str]:
    """One order for every render: by start (dates before times on the same day), then UID."""
    return (instant(e.start) - EPOCH) // timedelta(microseconds=1), e.uid


@dataclass
class Layout:
    """Per event in the body's order: its meeting (0: a step), start (µs since 1970) and UID,
    which give its place in the order, and its length. Arrays, not a list of tuples: a feed
    has thousands of events, and this is read on the request after every change."""

    head: int
    """Length of the calendar's opening text."""
    meetings: array
    starts: array
    uids: list[str]
    lengths: array

    def encode(self) -> bytes:
        return b"".join([_HEADER.pack(self.head, len(self.uids)), self.meetings.tobytes(),
                         self.starts.tobytes(), self.lengths.tobytes(),
                         "\0".join(self.uids).encode()])

    @classmethod
    def decode(cls, data: bytes) -> "Layout":
        head, n = _HEADER.unpack_from(data)
        at = _HEADER.size
        columns = []
        for _column in range(3):
            column = array("q")
            column.frombytes(data[at:at + 8 * n])
            columns.append(column)
            at += 8 * n
        uids = data[at:].decode().split("\0") if n else []
        return cls(head, columns[0], columns[1], uids, columns[2])


_HEADER = struct.Struct("<qq")


def assemble(head: bytes, keyed: list[Keyed], parts: list[bytes]) -> tuple[bytes, Layout]:
    """The whole calendar from events already in order, and its layout."""
    keys = [order(e) for _m, e in keyed]
    layout = Layout(len(head), array("q", [m for m, _e in keyed]), array("q", [k[0] for k in keys]),
                    [k[1] for k in keys], array("q", [len(p) for p in parts]))
    return b"".join([head, *parts, ical.END]), layout


def splice(body: bytes, layout: Layout, changed: set[int], fresh: list[Keyed],
           parts: list[bytes]) -> tuple[bytes, Layout]:
    """`body` with the events of the `changed` meetings replaced by `fresh` (those of them
    still in the feed, with their text `parts`). The rest is copied in runs, as it was."""
    view = memoryview(body)
    n = len(layout.uids)
    offsets = list(accumulate(layout.lengths, initial=layout.head))
    dropped = {i for i, m in enumerate(layout.meetings) if m in changed}
    inserted: dict[int, list[tuple[int, int, str, bytes]]] = {}
    for (m, e), p in sorted(zip(fresh, parts), key=lambda x: order(x[0][1])):
        start, uid = order(e)
        at = bisect_left(layout.starts, start)
        while at < n and layout.starts[at] == start and layout.uids[at] < uid:
            at += 1
        inserted.setdefault(at, []).append((m, start, uid, p))

    out: list = [view[:layout.head]]
    new = Layout(layout.head, array("q"), array("q"), [], array("q"))

    def keep(a: int, b: int) -> None:
        if a < b:
            out.append(view[offsets[a]:offsets[b]])
            new.meetings.extend(layout.meetings[a:b])
            new.starts.extend(layout.starts[a:b])
            new.uids.extend(layout.uids[a:b])
            new.lengths.extend(layout.lengths[a:b])

    kept_from = 0
    for cut in sorted(dropped | set(inserted)):
        keep(kept_from, cut)
        for m, start, uid, p in inserted.get(cut, ()):
            out.append(p)
            new.meetings.append(m)
            new.starts.append(start)
            new.uids.append(uid)
            new.lengths.append(len(p))
        kept_from = cut + 1 if cut in dropped else cut
    keep(kept_from, n)
    out.append(ical.END)
    return b"".join(out), new
