"""The message catalogue: Danish first, English second.

Message ids are English; `app/translations/<lang>/<domain>.po` hold the translations, one
file per domain so domains don't edit each other's catalogue. Catalogues are read straight
from .po at start-up (no compiled .mo to forget). The current locale lives in a contextvar
set once per request; services and templates both translate through it.
"""

import io
from contextvars import ContextVar
from datetime import date, datetime, time, timezone
from functools import lru_cache
from gettext import NullTranslations
from zoneinfo import ZoneInfo

from babel import Locale, negotiate_locale
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _babel_format_decimal
from babel.support import Translations

from app.paths import TRANSLATIONS

LOCALES = ("da", "en")
DEFAULT_LOCALE = "da"
TZ = ZoneInfo("Europe/Copenhagen")

_current: ContextVar[str] = ContextVar("sus_locale", default=DEFAULT_LOCALE)


@lru_cache
def translations(locale: str) -> NullTranslations:
    merged: NullTranslations | None = None
    folder = TRANSLATIONS / locale
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=locale)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        t = Translations(buf)
        if merged is None:
            merged = t
        else:
            merged.merge(t)
    return merged or NullTranslations()


def set_locale(locale: str) -> None:
    _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def get_locale() -> str:
    return _current.get()


def negotiate(accept_language: str | None, preferred: str | None = None) -> str:
    if preferred in LOCALES:
        return preferred
    if accept_language:
        wanted = []
        for part in accept_language.split(","):
            tag = part.split(";")[0].strip().replace("-", "_")
            if tag:
                wanted.append(tag)
        found = negotiate_locale(wanted, LOCALES, sep="_")
        if found:
            return found.split("_")[0]
    return DEFAULT_LOCALE


def gettext(message: str, **variables) -> str:
    text = translations(get_locale()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    text = translations(get_locale()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


def N_(message: str) -> str:
    """Marks a message for extraction; translate it later with gettext()."""
    return message


# --- dates, times and numbers in the user's language -----------------------------------

_DATE_PATTERNS = {
    # "tirsdag 14. april 2026" / "Tuesday 14 April 2026"
    "full": {"da": "EEEE d. MMMM y", "en": "EEEE d MMMM y"},
    # "14. april 2026"
    "long": {"da": "d. MMMM y", "en": "d MMMM y"},
    # "tir. 14. apr."
    "short": {"da": "EEE d. MMM", "en": "EEE d MMM"},
    # "14.04.2026"
    "numeric": {"da": "dd.MM.y", "en": "dd/MM/y"},
    "month": {"da": "MMMM y", "en": "MMMM y"},
}


def local(dt: datetime) -> datetime:
    """A UTC (or aware) datetime in Europe/Copenhagen."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(TZ)


def local_time_exists(day: date, at: time) -> bool:
    """Whether a Copenhagen wall-clock time exists: 02:00-02:59 on the last Sunday of March
    does not (the clocks jump to 03:00), and a form must refuse it rather than store 03:30."""
    naive = datetime.combine(day, at)
    there = naive.replace(tzinfo=TZ).astimezone(timezone.utc).astimezone(TZ)
    return there.replace(tzinfo=None) == naive


NO_SUCH_TIME = N_("That time does not exist in Denmark: the clocks go from 02:00 to 03:00 that "
                  "night. Choose another time.")


def format_date(value: date | datetime | None, style: str = "full") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    loc = get_locale()
    return _babel_format_date(value, _DATE_PATTERNS[style][loc], locale=Locale.parse(loc))


def format_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return _babel_format_datetime(local(value), "HH:mm", locale=Locale.parse(get_locale()))


def format_datetime(value: datetime | None, style: str = "full") -> str:
    if value is None:
        return ""
    return gettext("%(date)s at %(time)s", date=format_date(value, style), time=format_time(value))


def iso_week(value: date | datetime) -> int:
    if isinstance(value, datetime):
        value = local(value).date()
    return value.isocalendar().week


def format_week(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return gettext("week %(week)s", week=iso_week(value))


def format_number(value, digits: int | None = None) -> str:
    if value is None:
        return ""
    fmt = None if digits is None else "#,##0." + "0" * digits if digits else "#,##0"
    return _format_decimal(value, fmt, get_locale())


@lru_cache(maxsize=4096)
def _format_decimal(value, fmt: str | None, locale: str) -> str:
    """Babel's formatting is slow (a pattern and a locale parsed per call) and pages such as
    the year summary format the same few figures many times: remembered per locale."""
    return _babel_format_decimal(value, format=fmt, locale=Locale.parse(locale))
