"""GET /healthz: is the service up and its database reachable?"""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy.exc import SQLAlchemyError

from app.accounts.access import HEALTH

router = APIRouter()


@router.get("/healthz", dependencies=[Depends(HEALTH)], response_class=PlainTextResponse)
async def healthz(request: Request) -> PlainTextResponse:
    # Async and straight on the pool: one pooled SELECT 1 costs far less than the
    # thread-pool hops a session dependency and a sync handler would add. Autocommit spares
    # PostgreSQL the BEGIN and ROLLBACK round trips around it.
    try:
        with request.app.state.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("SELECT 1")
    except SQLAlchemyError:
        return PlainTextResponse("database unavailable\n", status_code=503)
    return PlainTextResponse("ok\n", headers={"Cache-Control": "no-store"})
