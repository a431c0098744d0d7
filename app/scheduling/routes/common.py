"""What the scheduling pages share: weekday choices and reading numbers and lists from a form.
"""

from app.forms import int_or_none
from app.i18n import gettext as _
from app.scheduling import availability


def weekday_options():
    return [(i, _(availability.WEEKDAY_LABELS[i])) for i in range(7)]


def weekdays_of(form) -> list[int]:
    return [d for d in (int_or_none(v) for v in form.getlist("weekdays")) if d is not None]


class MultiValues(dict):
    """A dict that answers parse_form like a submitted form (lists stay lists)."""

    def getlist(self, key):
        value = self.get(key)
        return value if isinstance(value, list) else [value]
