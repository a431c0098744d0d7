"""The `sus` command line: serve the app, migrate the database, load demo data, add users."""

import sys
from pathlib import Path

import click

from app.config import get_settings


def _session():
    from sqlmodel import Session

    from app.db import make_engine
    engine = make_engine(get_settings().database_url)
    return engine, Session(engine)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """SUS: school development dialogues (skoleudviklingssamtaler) for Danish municipalities.

    Settings come from environment variables starting with SUS_ (see the README).
    """
    from app.wiring import bootstrap

    bootstrap(pages=False)  # `sus serve` builds the app, which installs the pages too


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--migrate/--no-migrate",
    default=True,
    show_default=True,
    help="Bring the database schema up to date before serving. With --no-migrate the "
    "server refuses to start if the schema is not up to date.",
)
@click.option("--workers", default=1, show_default=True, help="Worker processes.")
def serve(host: str, port: int, migrate: bool, workers: int) -> None:
    """Serve the web app."""
    import uvicorn

    from app import logs
    from app import migrate as migrations
    from app.db import make_engine

    settings = get_settings()
    logs.configure(settings.log_level)
    if migrate:
        migrations.upgrade(settings.database_url)
    else:
        engine = make_engine(settings.database_url)
        up_to_date = migrations.is_up_to_date(engine)
        engine.dispose()
        if not up_to_date:
            click.echo(
                "The database schema is not up to date. Run `sus db upgrade` first, "
                "or start without --no-migrate.",
                err=True,
            )
            sys.exit(1)
    click.echo(f"SUS is running at http://{host}:{port}  (stop with Ctrl+C)")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # our own access log masks tokens; see app/logs.py
        log_config=None,
        # X-Forwarded-* are believed only from SUS_TRUSTED_PROXIES, by the app itself
        # (app.main); uvicorn's own default would trust 127.0.0.1.
        proxy_headers=False,
        server_header=False,
    )


@main.command()
def routes() -> None:
    """Every route: method, path, who may use it, and the function that answers it."""
    from app.main import create_app
    from app.route_table import route_table

    rows = [(",".join(r.methods), r.path, r.access_rule, r.handler)
            for r in route_table(create_app())]
    heading = ("METHOD", "PATH", "ACCESS", "HANDLER")
    widths = [max(len(row[i]) for row in [heading, *rows]) for i in range(3)]
    for row in [heading, *rows]:
        click.echo("  ".join(col.ljust(w) for col, w in zip(row, widths)) + "  " + row[3])


@main.group()
def db() -> None:
    """Database schema (migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Bring the schema up to REVISION (default: the newest)."""
    from app import migrate

    migrate.upgrade(get_settings().database_url, revision)
    click.echo(f"Database is at {revision}.")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Take the schema back to REVISION ("base" removes every table)."""
    from app import migrate

    migrate.downgrade(get_settings().database_url, revision)
    click.echo(f"Database is at {revision}.")


@db.command("current")
def db_current() -> None:
    """Show the schema's revision and whether it is the newest."""
    from app import migrate

    engine, _ = _session()
    current = migrate.current_revision(engine)
    head = migrate.head_revision()
    click.echo(f"current: {current or '(empty)'}\nnewest:  {head}")


@main.group()
def catalog() -> None:
    """The built-in municipal templates (cycles, agendas, notes, indicators)."""


@catalog.command("load")
def catalog_load() -> None:
    """Load or update the built-in templates (running it again changes nothing)."""
    from app import migrate
    from app.catalog.load import load_all

    migrate.upgrade(get_settings().database_url)
    engine, session = _session()
    with session:
        for line in load_all(session):
            click.echo(line)
    click.echo("The catalogue is loaded.")


@main.command()
def demo() -> None:
    """Load the catalogue and the demo municipalities, schools, years and logins.

    Running it again changes nothing."""
    from app import demo as demo_data
    from app import migrate
    from app.catalog.load import load_all

    migrate.upgrade(get_settings().database_url)
    engine, session = _session()
    with session:
        for line in load_all(session):
            click.echo(line)
        for line in demo_data.load(session):
            click.echo(line)
    click.echo("Demo data is loaded. Log in with e.g. konsulent@skanderborg.demo / demo")


@main.group("import")
def import_() -> None:
    """Import data from files."""


@import_.command("data")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--municipality", "kommunekode",
              help="Kommunekode: accept only that municipality's schools and figures.")
@click.option("--dry-run", is_flag=True, help="Check every row, import nothing.")
def import_data(file: str, kommunekode: str | None, dry_run: bool) -> None:
    """Import indicator values from a CSV or XLSX FILE (format: README, "Data packages").

    Every row is checked first; a file with any error imports nothing. Importing the same
    file again changes nothing; a new value for an existing one replaces it and keeps the
    old one in the history."""
    from pathlib import Path

    from app import migrate
    from app.datapackages import importer
    from app.i18n import gettext as _
    from app.schools import service as schools

    migrate.upgrade(get_settings().database_url)
    engine, session = _session()
    bar = None

    def progress(step: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=_("Checking rows"), file=sys.stderr)
            bar.__enter__()
        bar.update(step)

    with session:
        municipality_id = None
        if kommunekode:
            m = schools.get_municipality_by_code(session, kommunekode)
            if m is None:
                raise click.UsageError("--municipality must be the kommunekode of a municipality.")
            municipality_id = m.id
        content = Path(file).read_bytes()
        analysis, imp = importer.import_file(session, content, Path(file).name,
                                             municipality_id=municipality_id,
                                             progress=progress, dry_run=dry_run)
        if bar is not None:
            bar.__exit__(None, None, None)
        counts = {k: analysis.counts.get(k, 0) for k in importer.OUTCOMES}
        if analysis.problems:
            for problem in analysis.problems:
                click.echo(str(problem), err=True)
            click.echo(_("Nothing is imported: %(n)s problems in %(file)s.",
                         n=len(analysis.problems), file=Path(file).name), err=True)
            sys.exit(1)
        click.echo(_("Rows: %(rows)s · new: %(new)s · replaced: %(replaced)s · "
                     "unchanged: %(unchanged)s", rows=analysis.rows, **counts))
        click.echo(_("Checked; nothing imported (--dry-run).") if dry_run
                   else _("Imported."))


def _onboard(kind: str, file: str, kommunekode: str, dry_run: bool) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from app import migrate
    from app.admin import onboarding
    from app.i18n import gettext as _
    from app.schools import service as schools

    migrate.upgrade(get_settings().database_url)
    engine, session = _session()
    err = Console(stderr=True)
    with session:
        m = schools.get_municipality_by_code(session, kommunekode)
        if m is None:
            raise click.UsageError("--municipality must be the kommunekode of a municipality.")
        content = Path(file).read_bytes()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=err, transient=False) as progress:
            task = progress.add_task(_("Checking rows"), total=None)

            def step(n: int, total: int) -> None:
                progress.update(task, total=total, advance=n)

            analysis = onboarding.import_file(session, kind, content, Path(file).name, m,
                                              dry_run=dry_run, progress=step)
        if analysis.problems:
            for problem in analysis.problems:
                click.echo(str(problem), err=True)
            click.echo(_("Nothing is imported: %(n)s problems in %(file)s.",
                         n=len(analysis.problems), file=Path(file).name), err=True)
            sys.exit(1)
        click.echo(_("Rows: %(rows)s · new: %(new)s · changed: %(changed)s · unchanged: "
                     "%(unchanged)s", rows=analysis.rows, new=analysis.counts.get("new", 0),
                     changed=analysis.counts.get("changed", 0),
                     unchanged=analysis.counts.get("unchanged", 0)))
        click.echo(_("Checked; nothing imported (--dry-run).") if dry_run else _("Imported."))
    engine.dispose()


@import_.command("schools")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--municipality", "kommunekode", required=True, help="Kommunekode.")
@click.option("--dry-run", is_flag=True, help="Check every row, import nothing.")
def import_schools(file: str, kommunekode: str, dry_run: bool) -> None:
    """Import a municipality's schools from a CSV or XLSX FILE (format: README,
    "Administration"). Every row is checked first; a file with any error imports nothing;
    importing the same file again changes nothing."""
    _onboard("schools", file, kommunekode, dry_run)


@import_.command("people")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--municipality", "kommunekode", required=True, help="Kommunekode.")
@click.option("--dry-run", is_flag=True, help="Check every row, import nothing.")
def import_people(file: str, kommunekode: str, dry_run: bool) -> None:
    """Import a municipality's staff from a CSV or XLSX FILE (import the schools first;
    format: README, "Administration"). Every row is checked first; a file with any error
    imports nothing; importing the same file again changes nothing."""
    _onboard("people", file, kommunekode, dry_run)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup(directory: Path) -> None:
    """Back up the database, the uploaded files and the secret key into DIRECTORY.

    DIRECTORY must be new or empty. Safe while the app serves. For PostgreSQL it runs
    pg_dump, which must be at least the server's version."""
    from app import backup as backups

    try:
        manifest = backups.backup(get_settings(), directory)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up the {manifest['database']['kind']} database (schema "
               f"{manifest['alembic_revision']}) and {len(manifest['files']) - 1} file(s) "
               f"into {directory}.")
    if manifest["secret_key"] == "environment":
        click.echo("The secret key comes from SUS_SECRET_KEY and is not in the backup: "
                   "keep it with the backup.", err=True)


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace the tables and uploaded files already in the target.")
def restore(directory: Path, force: bool) -> None:
    """Restore a backup made by `sus backup` into SUS_DATABASE_URL and SUS_VAR_DIR.

    Every file is checked against the manifest first. A target that has tables or uploaded
    files is refused unless --force. Stop the app while restoring."""
    from app import backup as backups
    from app import migrate

    try:
        manifest = backups.restore(get_settings(), directory, force=force)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored the backup of {manifest['created_at']} "
               f"(schema {manifest['alembic_revision']}).")
    if manifest["alembic_revision"] != migrate.head_revision():
        click.echo("The schema is older than this version of SUS: `sus serve` brings it up "
                   "to date (or run `sus db upgrade`).")


@main.group()
def outbox() -> None:
    """E-mailed invitations waiting to be sent."""


@outbox.command("send")
def outbox_send() -> None:
    """Send the e-mails that are due now, once (the app's own sender does it anyway).

    Exits with 1 if any could not be sent; they are tried again later."""
    import app.models  # noqa: F401  (every table, for the session)
    from app.feeds import outbox as sender

    engine, session = _session()
    with session:
        sender.run_scans(session)  # the e-mails on what waits for people, too
        result = sender.deliver(session)
    engine.dispose()
    click.echo(f"sent: {result.sent} · not sent: {result.failed}")
    if result.failed:
        sys.exit(1)


@main.group()
def user() -> None:
    """Users and their roles."""


@user.command("create")
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--name", required=True, help="Full name.")
@click.option(
    "--role",
    type=click.Choice(["admin", "consultant", "school_leader", "participant"]),
    required=True,
    help="admin: everything; consultant/participant: of a municipality; "
    "school_leader: of a school.",
)
@click.option("--municipality", "kommunekode", help="Kommunekode (3 digits), for consultant/participant.")
@click.option("--school", "institution_number", help="Institution number (6 digits), for school_leader.")
@click.password_option(help="Password (asked for if not given).")
def user_create(email, name, role, kommunekode, institution_number, password) -> None:
    """Create a user with one role (or give an existing user one more role)."""
    from app.accounts import service as accounts
    from app.accounts.models import Role
    from app.schools import service as schools

    engine, session = _session()
    with session:
        scope: dict = {}
        if role in ("consultant", "participant"):
            m = schools.get_municipality_by_code(session, kommunekode or "")
            if m is None:
                raise click.UsageError("--municipality must be the kommunekode of a municipality.")
            scope["municipality_id"] = m.id
        elif role == "school_leader":
            s = schools.get_school_by_institution_number(session, institution_number or "")
            if s is None:
                raise click.UsageError("--school must be the institution number of a school.")
            scope["school_id"] = s.id
        u = accounts.get_user_by_email(session, email)
        if u is None:
            u = accounts.create_user(session, email=email, name=name, password=password)
            click.echo(f"Created {u.email}.")
        accounts.grant(session, u, Role(role), **scope)
        click.echo(f"{u.email} is {role}.")


if __name__ == "__main__":
    main()
