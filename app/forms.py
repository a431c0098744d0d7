"""Form parsing shared by every domain: a pydantic model in, field errors in Danish out.

A form that fails keeps what the user typed (`values`) so the page re-renders it untouched.
"""

from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from app.i18n import N_, gettext

M = TypeVar("M", bound=BaseModel)

INT_MAX = 2**31 - 1
"""The largest whole number an INTEGER column holds on PostgreSQL (SQLite's are wider): ids,
versions and counts. A larger one from a form or an address names nothing that exists."""
INT_MIN = -(2**31)


def int_or_none(value: Any) -> int | None:
    """A form field or path parameter as a whole number; None when empty, not a whole number
    or beyond what the database holds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip():
        try:
            number = int(value)
        except ValueError:
            return None
    else:
        return None
    return number if INT_MIN <= number <= INT_MAX else None

# pydantic error type → message id; anything unlisted falls back to "Invalid value".
_MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_too_long": N_("Too long: at most %(max_length)s characters."),
    "int_parsing": N_("Must be a whole number."),
    "int_type": N_("Must be a whole number."),
    "float_parsing": N_("Must be a number."),
    "decimal_parsing": N_("Must be a number."),
    "greater_than_equal": N_("Must be at least %(ge)s."),
    "less_than_equal": N_("Must be at most %(le)s."),
    "greater_than": N_("Must be greater than %(gt)s."),
    "less_than": N_("Must be less than %(lt)s."),
    "string_pattern_mismatch": N_("Invalid format."),
    "enum": N_("Choose one of the options."),
    "literal_error": N_("Choose one of the options."),
    "date_from_datetime_parsing": N_("Must be a date (dd.mm.yyyy)."),
    "date_parsing": N_("Must be a date (dd.mm.yyyy)."),
    "time_parsing": N_("Must be a time (hh:mm)."),
    "url_parsing": N_("Must be a web address beginning with https://"),
    "url_scheme": N_("Must be a web address beginning with https://"),
    "value_error": N_("Invalid value."),
    "bool_parsing": N_("Choose yes or no."),
}


class FieldError(Exception):
    """A rule broken by one field, raised by services: shown next to that field."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass
class FormResult(Generic[M]):
    values: dict[str, Any]
    data: M | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.errors

    def add(self, err: FieldError) -> None:
        self.errors[err.field] = err.message


def _message(err: dict) -> str:
    ctx = err.get("ctx") or {}
    if err["type"] == "value_error" and isinstance(ctx.get("error"), ValueError):
        # Validators raise ValueError(N_("…")) with a message id of their own.
        return gettext(str(ctx["error"]))
    msgid = _MESSAGES.get(err["type"], N_("Invalid value."))
    try:
        return gettext(msgid, **{k: v for k, v in ctx.items() if isinstance(v, (int, float, str))})
    except (KeyError, ValueError):
        return gettext(msgid)


def parse_form(model: type[M], form: Any, *, fields: list[str] | None = None) -> FormResult[M]:
    """Validate submitted form data; blank strings count as "not given"."""
    names = fields or list(model.model_fields)
    values: dict[str, Any] = {}
    for name in names:
        annotation = model.model_fields[name].annotation
        if annotation is bool:
            values[name] = form.get(name) in ("on", "true", "1", "yes")
        else:
            raw = form.get(name)
            values[name] = raw.strip() if isinstance(raw, str) else raw
    cleaned = {k: (None if v == "" else v) for k, v in values.items()}
    cleaned = {k: v for k, v in cleaned.items() if v is not None}
    errors: dict[str, str] = {}
    for name in names:
        # Every whole-number field is bounded by what the database holds, stated or not.
        raw = cleaned.get(name)
        if (_is_int(model.model_fields[name].annotation) and isinstance(raw, str)
                and _whole(raw) and int_or_none(raw) is None):
            errors[name] = (gettext(N_("Must be at least %(ge)s."), ge=INT_MIN) if int(raw) < 0
                            else gettext(N_("Must be at most %(le)s."), le=INT_MAX))
    if errors:
        return FormResult(values=values, errors=errors)
    try:
        return FormResult(values=values, data=model.model_validate(cleaned))
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "__all__"
            errors.setdefault(name, _message(err))
        return FormResult(values=values, errors=errors)


def _is_int(annotation) -> bool:
    return annotation is int or annotation == (int | None)


def _whole(raw: str) -> bool:
    try:
        int(raw)
    except ValueError:
        return False
    return True


_field_models: dict[tuple[type, str], type[BaseModel]] = {}


def parse_field(model: type[M], name: str, form: Any) -> FormResult[BaseModel]:
    """Validate one field of a form model: what an inline edit submits."""
    from pydantic import create_model

    key = (model, name)
    if key not in _field_models:
        info = model.model_fields[name]
        _field_models[key] = create_model(  # type: ignore[call-overload]
            f"{model.__name__}_{name}", **{name: (info.annotation, info)}
        )
    return parse_form(_field_models[key], form)


async def read_form(request: Request) -> FormData:
    """The submitted form, read before a plain `def` handler runs in the thread pool."""
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]
