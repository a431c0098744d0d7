"""Asking before anything irreversible: one mechanism for every domain.

In the template, the button is a form made by the macro in templates/base/confirm_macros.html
(a call block adds visible fields, such as a reason):

    {% from "base/confirm_macros.html" import confirm_form with context %}
    {{ confirm_form("/meetings/3/cancel", _("Cancel the meeting"), fields={"version": m.version}) }}

It POSTs to its action like any form. The route handler asks first:

    if not confirm.confirmed(form):
        return confirm.ask(request, form, action=..., title=..., consequences=[...], back=url)
    ... do it, then redirect ...

Without JavaScript the first POST answers a confirmation page that says what will happen, with
a form posting the same fields again plus `confirmed=1`, and a way back. With HTMX the macro's
form posts with hx-post and the answer is the same text as a <dialog> fragment swapped in next
to the button; static/js/app.js opens it modally (focus moves into it, Esc closes it, focus
returns to the button). Its confirm button posts the fields as a plain form, so what follows is
the ordinary POST → redirect. The CSRF token rides along as in every form.
"""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from app.web import CSRF_FIELD, is_htmx, render

CONFIRMED = "confirmed"


def confirmed(form: Any) -> bool:
    """The user has seen the question and said yes."""
    return form.get(CONFIRMED) == "1"


def ask(request: Request, form: Any, *, action: str, title: str, consequences: list[str],
        back: str, button: str, danger: bool = True) -> HTMLResponse:
    """The question: a page without JavaScript, a dialog with HTMX. `consequences` says in the
    reader's language what will happen; the form's own fields are posted again."""
    fields = [(k, v) for k, v in form.multi_items()
              if k not in (CSRF_FIELD, CONFIRMED)] if hasattr(form, "multi_items") \
        else [(k, v) for k, v in dict(form).items() if k not in (CSRF_FIELD, CONFIRMED)]
    ctx = {"confirm": {"action": action, "title": title, "consequences": consequences,
                       "back": back, "button": button, "danger": danger, "fields": fields}}
    if is_htmx(request):
        return render(request, "base/confirm_dialog.html", ctx)
    return render(request, "base/confirm.html", ctx)


def refuse(request: Request, *, title: str, reason: str) -> HTMLResponse:
    """With HTMX, the answer when it cannot be done at all: a dialog that says why, and the
    page with what the user typed stays as it was. (Without JavaScript the route shows its
    page again with the error next to the field.)"""
    return render(request, "base/confirm_dialog.html", {"confirm": {
        "action": None, "title": title, "consequences": [reason], "fields": []}},
        status_code=422)
