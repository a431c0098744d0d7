"""GET /healthz: is the service up, and is its database reachable or only busy?"""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy.exc import SQLAlchemyError

from app.accounts.access import HEALTH
from app.db import is_busy

router = APIRouter()


@router.get("/healthz", dependencies=[Depends(HEALTH)], response_class=PlainTextResponse)
def healthz(request: Request) -> PlainTextResponse:
    # A plain `def`: waiting for a pooled connection happens in the thread pool. On the event
    # loop that wait blocked the very clean-up that would have given connections back.
    # Autocommit spares PostgreSQL the BEGIN and ROLLBACK round trips around the SELECT.
    engine = request.app.state.engine
    headers = {"Cache-Control": "no-store"}
    try:
        with engine.connect() as conn:
            if engine.dialect.name != "sqlite":
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        if is_busy(exc):
            # Reachable, but every connection is in use for longer than the pool timeout.
            return PlainTextResponse("database busy\n", status_code=503,
                                     headers={**headers, "Retry-After": "2"})
        return PlainTextResponse("database unavailable\n", status_code=503, headers=headers)
    return PlainTextResponse("ok\n", headers=headers)
