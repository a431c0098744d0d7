"""`sus backup DIR` and `sus restore DIR`: everything an instance keeps, in one directory.

A backup holds the database (SQLite: a copy made with SQLite's online backup API, safe while
the app serves; PostgreSQL: `pg_dump --format=custom`), the uploaded files under
$SUS_VAR_DIR/uploads, the generated secret key ($SUS_VAR_DIR/secret_key; a key given in
SUS_SECRET_KEY stays the operator's to keep) and manifest.json: the format version, the
database kind, the schema's alembic revision and the sha256 of every file. The database is
copied first and the files after it, so every file a backed-up row names is there.

restore checks the manifest and every checksum before it touches anything, and refuses a
target that already has tables or uploaded files unless forced.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app import migrate
from app.config import Settings

FORMAT = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
SECRET_KEY = "secret_key"
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """Why a backup or restore cannot go on, in words for the operator."""


def _var_dir() -> Path:
    from app import config

    return config.VAR_DIR


def _kind(settings: Settings) -> str:
    return "sqlite" if settings.is_sqlite else "postgresql"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


# --- the database ----------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("Only a SQLite database in a file can be backed up or restored.")
    return Path(path)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while others read and write."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        # One self-contained file (the app turns WAL on again when it opens it).
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def _libpq(url: str) -> tuple[str, dict]:
    """The URL for pg_dump/pg_restore, and the password in the environment, not argv."""
    u = make_url(url)
    env = {**os.environ}
    if u.password:
        env["PGPASSWORD"] = u.password
    return u.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False), env


def _major(version: str) -> int:
    m = re.search(r"(\d+)(?:\.\d+)*", version)
    return int(m.group(1)) if m else 0


def _pg_tool(name: str, url: str) -> str:
    path = shutil.which(name)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            server = int(conn.execute(sa.text("SHOW server_version_num")).scalar()) // 10000
    finally:
        engine.dispose()
    hint = (f"Install the PostgreSQL client tools of the server's version {server} "
            f"(Debian: apt-get install postgresql-client-{server}, or postgresql-client).")
    if path is None:
        raise BackupError(f"{name} was not found. {hint}")
    out = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    if _major(out) < server:
        raise BackupError(f"{name} is version {_major(out)}, older than the server ({server}). "
                          + hint)
    return path


def _run(args: list[str], env: dict, what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what} failed:\n{done.stderr.strip()}")


def _has_tables(url: str) -> bool:
    from app.db import make_engine

    engine = make_engine(url)
    try:
        return bool(sa.inspect(engine).get_table_names())
    except sa.exc.OperationalError as exc:
        raise BackupError(f"The database cannot be reached ({exc.orig}). For PostgreSQL, "
                          "create the empty database first (createdb).") from exc
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    from app.db import make_engine

    engine = make_engine(url)
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


# --- backup and restore ----------------------------------------------------------------------


def backup(settings: Settings, target: Path) -> dict:
    """Write a backup of the running instance into the new or empty directory `target`."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} is not an empty directory: choose a new one.")
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)  # it holds the secret key and every user's data
    kind = _kind(settings)
    db_file = target / DB_FILES[kind]
    if kind == "sqlite":
        source = _sqlite_path(settings.database_url)
        if not source.is_file():
            raise BackupError(f"There is no database at {source}.")
        _sqlite_copy(source, db_file)
        revision = _revision(f"sqlite:///{db_file}")
    else:
        tool = _pg_tool("pg_dump", settings.database_url)
        revision = _revision(settings.database_url)
        dsn, env = _libpq(settings.database_url)
        _run([tool, "--format=custom", "--no-owner", "--no-privileges", "--file", str(db_file),
              "--dbname", dsn], env, "pg_dump")
    db_file.chmod(0o600)

    var = _var_dir()
    for path in _files_under(var / UPLOADS):
        copy = target / UPLOADS / path.relative_to(var / UPLOADS)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copy)
    key = var / SECRET_KEY
    has_key = key.is_file() and not os.environ.get("SUS_SECRET_KEY")
    if has_key:
        shutil.copy2(key, target / SECRET_KEY)
        (target / SECRET_KEY).chmod(0o600)

    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "database": {"kind": kind, "file": db_file.name},
        "alembic_revision": revision,
        "secret_key": "file" if has_key else "environment",
        "files": {p.relative_to(target).as_posix(): _sha256(p) for p in _files_under(target)},
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def read_manifest(source: Path) -> dict:
    """The backup's manifest, once every file in it is there with its checksum."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} is not a SUS backup: it has no {MANIFEST}.") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source / MANIFEST} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} has backup format {manifest.get('format')!r}; this "
                          f"version of SUS reads format {FORMAT}.")
    kind = manifest.get("database", {}).get("kind")
    files = manifest.get("files") or {}
    if kind not in DB_FILES or DB_FILES[kind] not in files:
        raise BackupError(f"{source / MANIFEST} names no database.")
    for name, digest in files.items():
        path = source / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise BackupError(f"{source / MANIFEST} names a file outside the backup: {name}")
        if not path.is_file():
            raise BackupError(f"The backup is incomplete: {name} is missing.")
        if _sha256(path) != digest:
            raise BackupError(f"The backup is damaged: {name} does not match its checksum.")
    return manifest


def restore(settings: Settings, source: Path, *, force: bool = False) -> dict:
    """Restore the backup in `source` into the configured database and var directory."""
    manifest = read_manifest(source)
    kind = manifest["database"]["kind"]
    if kind != _kind(settings):
        raise BackupError(f"The backup holds a {kind} database, but SUS_DATABASE_URL is "
                          f"{_kind(settings)}: restore it into a {kind} database.")
    revision = manifest.get("alembic_revision")
    if revision is not None:
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError

        try:
            ScriptDirectory.from_config(migrate.alembic_config()).get_revision(revision)
        except CommandError:
            raise BackupError(f"The backup's schema ({revision}) is newer than this version of "
                              "SUS knows: restore it with the version that made it.") from None
    var = _var_dir()
    uploads = var / UPLOADS
    if not force:
        if _has_tables(settings.database_url):
            raise BackupError("The target database is not empty. Restore into a new one, or "
                              "add --force to replace what is there.")
        if _files_under(uploads):
            raise BackupError(f"{uploads} is not empty. Restore into a new SUS_VAR_DIR, or add "
                              "--force to replace what is there.")

    db_file = source / manifest["database"]["file"]
    if kind == "sqlite":
        path = _sqlite_path(settings.database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(db_file, path)
    else:
        tool = _pg_tool("pg_restore", settings.database_url)
        dsn, env = _libpq(settings.database_url)
        _run([tool, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              *(["--clean", "--if-exists"] if force else []), "--dbname", dsn, str(db_file)],
             env, "pg_restore")

    if force and uploads.exists():
        shutil.rmtree(uploads)
    for name in manifest["files"]:
        if name.startswith(UPLOADS + "/"):
            copy = var / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, copy)
    if SECRET_KEY in manifest["files"]:
        var.mkdir(parents=True, exist_ok=True)
        key = var / SECRET_KEY
        key.unlink(missing_ok=True)
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write((source / SECRET_KEY).read_bytes())
    return manifest
