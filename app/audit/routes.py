"""The administration's view of the audit log: /admin/audit, filtered, and as CSV."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from app.accounts.access import Principal, Staff, require
from app.accounts.models import Role
from app.audit import service
from app.audit.models import ACTION_LABELS, AuditAction
from app.db import SessionDep
from app.i18n import gettext as _
from app.web import render

router = APIRouter()


def _date(raw: str | None, errors: dict[str, str], name: str) -> date | None:
    if not raw or not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return None


def _filters(person: str | None, record: str | None, user: str | None, action: str | None,
             date_from: str | None, date_to: str | None) -> tuple[service.Filters, dict[str, str]]:
    errors: dict[str, str] = {}
    f = service.Filters(person=(person or "")[:160], record=(record or "")[:80],
                        user=(user or "")[:254], action=action or "",
                        date_from=_date(date_from, errors, "date_from"),
                        date_to=_date(date_to, errors, "date_to"))
    if f.date_from and f.date_to and f.date_to < f.date_from:
        errors["date_to"] = _("The end of the period is before its start.")
    return f, errors


def scope_of(principal: Principal) -> set[int] | None:
    """Whose entries the principal may see: an administrator all (None); a municipality's own
    administration (its consultants, README "Administration") its municipalities'; else
    refused."""
    if principal.is_admin:
        return None
    ids = principal.municipality_ids(Role.CONSULTANT)
    require(bool(ids))
    return ids


@router.get("/admin/audit")
def audit_log(request: Request, principal: Staff, session: SessionDep,
              person: str | None = None, record: str | None = None, user: str | None = None,
              action: str | None = None, date_from: str | None = None, date_to: str | None = None):
    scope = scope_of(principal)
    f, errors = _filters(person, record, user, action, date_from, date_to)
    entries, more = ([], False) if errors else service.search(session, f, municipality_ids=scope)
    people, schools = service.names(session, entries)
    values = {"person": person or "", "record": record or "", "user": user or "",
              "action": action or "", "date_from": date_from or "", "date_to": date_to or ""}
    query = "&".join(f"{k}={v}" for k, v in values.items() if v)
    return render(request, "audit/index.html", {
        "entries": entries, "more": more, "people": people, "schools": schools,
        "values": values, "errors": errors, "csv_query": request.url.query,
        "has_query": bool(query), "action_labels": ACTION_LABELS,
        "actions": [(a.value, _(ACTION_LABELS[a])) for a in AuditAction],
        "page_size": service.PAGE_SIZE,
    }, status_code=422 if errors else 200,
        partial="audit/_rows.html" if request.headers.get("hx-target") == "audit-rows" else None)


@router.get("/admin/audit.csv")
def audit_csv(request: Request, principal: Staff, session: SessionDep,
              person: str | None = None, record: str | None = None, user: str | None = None,
              action: str | None = None, date_from: str | None = None, date_to: str | None = None):
    scope = scope_of(principal)
    f, errors = _filters(person, record, user, action, date_from, date_to)
    if errors:
        return audit_log(request, principal, session, person, record, user, action, date_from, date_to)
    # Built before the session closes (it closes when the handler returns).
    body = "".join(service.csv_rows(session, f, municipality_ids=scope))
    return StreamingResponse(iter([body.encode("utf-8-sig")]), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
