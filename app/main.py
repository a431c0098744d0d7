"""create_app(): settings, routers, static files, middleware and error pages."""

from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import app.models  # noqa: F401  (registers every table)
from app import db, errors, logs
from app.accounts.routes import router as accounts_router
from app.admin.routes import home as admin_home
from app.admin.routes import onboarding as admin_onboarding
from app.admin.routes import password as admin_password
from app.admin.routes import people as admin_people
from app.agendas.routes import agenda as agendas_agenda
from app.agendas.routes import attachments as agendas_attachments
from app.agendas.routes import catalog as agendas_catalog
from app.agendas.routes import goals as agendas_goals
from app.agendas.routes import items as agendas_items
from app.agendas.routes import settings as agendas_settings
from app.agendas.routes import themes as agendas_themes
from app.audit.recording import AUDIT_REQUEST
from app.audit.routes import router as audit_router
from app.catalog.routes import router as catalog_router
from app.config import Settings, get_settings
from app.cycles.routes import assignments as cycles_assignments
from app.cycles.routes import board as cycles_board
from app.cycles.routes import catalog as cycles_catalog
from app.cycles.routes import holidays as cycles_holidays
from app.cycles.routes import steps as cycles_steps
from app.cycles.routes import years as cycles_years
from app.datapackages.catalog_preview import router as datapackages_catalog_router
from app.datapackages.routes import router as datapackages_router
from app.feeds.routes import router as feeds_router
from app.health import router as health_router
from app.meetings.routes import router as meetings_router
from app.notes.account_routes import router as notes_account_router
from app.notes.catalog_preview import router as notes_catalog_router
from app.notes.comment_routes import router as notes_comment_router
from app.notes.export_routes import router as notes_export_router
from app.notes.followup import router as notes_followup_router
from app.notes.public import router as notes_public_router
from app.notes.routes import router as notes_router
from app.paths import STATIC
from app.scheduling.routes import availability as scheduling_availability
from app.scheduling.routes import findtime as scheduling_findtime
from app.scheduling.routes import manage as scheduling_manage
from app.scheduling.routes import moves as scheduling_moves
from app.scheduling.routes import proposals as scheduling_proposals
from app.scheduling.routes import settings as scheduling_settings
from app.schools.routes import router as schools_router
from app.security import SecurityMiddleware, verify_csrf
from app.sso.routes import router as sso_router
from app.summary.routes import router as summary_router
from app.wiring import bootstrap

ROUTERS = [health_router, accounts_router, schools_router,
           cycles_years.router, cycles_holidays.router, cycles_assignments.router, cycles_steps.router,
           cycles_board.router,
           meetings_router,
           agendas_agenda.router, agendas_items.router, agendas_themes.router,
           agendas_attachments.router, agendas_goals.router, agendas_settings.router, feeds_router,
           scheduling_proposals.router, scheduling_moves.router, scheduling_manage.router,
           scheduling_findtime.router,
           scheduling_availability.router,
           scheduling_settings.router,
           datapackages_router,
           # Before the note editor's /notes/{note_id}, which would also match /notes/1.docx.
           notes_export_router, notes_followup_router, notes_public_router, notes_router,
           notes_comment_router, notes_account_router,
           summary_router, audit_router, sso_router,
           catalog_router, cycles_catalog.router, agendas_catalog.router,
           datapackages_catalog_router, notes_catalog_router,
           admin_home.router, admin_people.router, admin_onboarding.router, admin_password.router]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    bootstrap()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from app.feeds import outbox
        from app.feeds.config import get_env

        # Each process sends the mail its own and other processes' commits stored: meeting
        # invitations (when on) and the login e-mails (invitations to log in, password resets).
        sender = outbox.Worker(app.state.engine) if get_env().mail_on else None
        if sender:
            sender.start()
        yield
        if sender:
            sender.stop()
        app.state.engine.dispose()

    app = FastAPI(
        title="SUS",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(errors.ids_in_range), Depends(verify_csrf), AUDIT_REQUEST],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = db.make_engine(settings.database_url,
                                      pool_timeout=settings.db_pool_timeout)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Innermost first: both answer with pages that SecurityMiddleware gives its headers.
    app.add_middleware(errors.ErrorPageMiddleware)
    app.add_middleware(errors.BodyLimitMiddleware, max_bytes=settings.max_upload_mb * 1024 * 1024)
    app.add_middleware(SecurityMiddleware)
    app.add_middleware(logs.AccessLogMiddleware)
    if settings.trusted_proxy_list:
        # Outermost, so the access log and the login limits see the client the proxy names.
        # Only from these peers: anyone else's X-Forwarded-For is ignored.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    errors.install(app)
    db.install(app)
    return app
