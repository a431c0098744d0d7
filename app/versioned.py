"""The versioned save, written once: parse, apply with the version the form was based on,
and when someone saved in between, show both versions.

A handler parses the form (a `FormResult`) and hands over three steps::

    result = parse_form(SchoolForm, form)
    return save_versioned(
        session, form, school, result,
        apply=lambda data, version: service.update_school(session, school, data,
                                                          expected_version=version),
        done=lambda _saved: redirect(request, f"/schools/{school.id}", message=...),
        again=lambda **kw: _form_page(request, municipality, school=school, **kw))

`again(values=, errors=, conflict=, status_code=)` re-renders the form with the user's input:
422 with the field errors (the parse failed, or the service raised `FieldError`), or 409 with
`conflict` = the stored record after a refresh (theirs) next to `values` (mine). `theirs`
turns the refreshed record into what the template compares (its form values, say; never None).
"""

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.responses import Response
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel

from app.db import StaleVersion
from app.forms import FieldError, FormResult, int_or_none

R = TypeVar("R", bound=SQLModel)


def save_versioned(
    session: Session,
    form: Any,
    record: R,
    parsed: FormResult,
    *,
    apply: Callable[[Any, int | None], Any],
    done: Callable[[Any], Response],
    again: Callable[..., Response],
    theirs: Callable[[R], Any] | None = None,
) -> Response:
    """Apply `parsed.data` to `record` unless it changed since the form was opened."""
    conflict = None
    if parsed.ok:
        try:
            saved = apply(parsed.data, int_or_none(form.get("version")))
        except FieldError as err:
            parsed.add(err)
        except StaleVersion:
            if inspect(record).persistent:  # defaults not saved yet have nothing to reload
                session.refresh(record)
            conflict = theirs(record) if theirs else record
        else:
            return done(saved)
    return again(values=parsed.values, errors=parsed.errors, conflict=conflict,
                 status_code=409 if conflict is not None else 422)


def stale_settings(errors: dict, conflict: Any, field: str) -> dict:
    """A settings page's errors, with the conflict said at `field` when someone saved the
    settings in between (the page then shows the stored settings and the user's input)."""
    from app.i18n import gettext as _

    if conflict is None:
        return errors
    return {**errors, field: _("Someone else changed the settings meanwhile. Check them and "
                               "save again.")}
