"""`sus backup` of a serving demo and `sus restore` into a new database and var directory:
every row of every table, every uploaded file and the secret key come back identical."""

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx2 as httpx
import pytest
import sqlalchemy as sa

from tests.conftest import _TMP, BACKEND, demo_server, drop_database, provision_database

ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n% SUS backup test\n" + bytes(range(256)) + b"\n%%EOF\n"


def sus(*args: str, url: str, var: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SUS_SECRET_KEY"}
    env.update(SUS_DATABASE_URL=url, SUS_VAR_DIR=str(var),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([str(Path(sys.executable).with_name("sus")), *args], env=env,
                          capture_output=True, text=True)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def everything(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (alembic_version included), in primary-key order; and on
    PostgreSQL every sequence's position, so that new rows get fresh ids."""
    engine = sa.create_engine(url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine)
        found = {}
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                found[table.name] = [tuple(r) for r in
                                     conn.execute(sa.select(table).order_by(*order))]
            if engine.dialect.name == "postgresql":
                for (seq,) in conn.execute(sa.text(
                        "SELECT sequence_name FROM information_schema.sequences")):
                    found["sequence " + seq] = [tuple(conn.execute(sa.text(
                        f'SELECT last_value, is_called FROM "{seq}"')).one())]
        return found
    finally:
        engine.dispose()


def files(var: Path) -> dict[str, bytes]:
    return {p.relative_to(var).as_posix(): p.read_bytes()
            for p in sorted(var.rglob("*")) if p.is_file() and not p.name.startswith("sus.db")}


@pytest.fixture
def generated_key(monkeypatch):
    # The server keeps a generated key in its var dir, as an instance without SUS_SECRET_KEY does.
    monkeypatch.delenv("SUS_SECRET_KEY")


def _attach(var: Path):
    def prepare(url: str):
        from sqlmodel import Session, select

        from app import config
        from app.agendas import attachments as agendas
        from app.agendas.models import Agenda, AgendaItem
        from app.db import make_engine

        saved, config.VAR_DIR = config.VAR_DIR, var  # the server's uploads, not the tests'
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                item = session.exec(select(AgendaItem).order_by(AgendaItem.id)).first()
                agendas.add_file(session, session.get(Agenda, item.agenda_id), item=item,
                                 file_name="Handleplan.pdf", content=PDF, title="Handleplan")
        finally:
            config.VAR_DIR = saved
            engine.dispose()
    return prepare


def test_backup_of_a_serving_demo_restores_every_row_and_file(generated_key, tmp_path):
    name = "backup"
    var = _TMP / f"{name}-var"  # demo_server's var directory for this name
    with demo_server(name, prepare=_attach(var)) as (base, url, _):
        # The server is serving and has written: a login stores a session row.
        with httpx.Client(base_url=base) as c:
            c.get("/login")
            r = c.post("/login", data={"csrf_token": c.cookies["sus_csrf"], "next": "/",
                                       "email": "konsulent@skanderborg.demo",
                                       "password": "demo"})
            assert r.status_code in (302, 303), r.text
        target = tmp_path / "backup"
        sus("backup", str(target), url=url, var=var)
        assert httpx.get(base + "/healthz").status_code == 200  # still serving

        manifest = json.loads((target / "manifest.json").read_text())
        assert manifest["format"] == 1 and manifest["database"]["kind"] == BACKEND
        assert manifest["alembic_revision"] == everything(url)["alembic_version"][0][0]
        assert manifest["secret_key"] == "file"
        uploaded = [n for n in manifest["files"] if n.startswith("uploads/")]
        assert PDF in [(target / n).read_bytes() for n in uploaded]

        restored_url = provision_database("restored")
        restored_var = tmp_path / "restored-var"
        try:
            sus("restore", str(target), url=restored_url, var=restored_var)
            source, copy = everything(url), everything(restored_url)
            assert source.keys() == copy.keys()
            assert all(source[t] == copy[t] for t in source), [
                t for t in source if source[t] != copy[t]]
            assert sum(len(rows) for rows in source.values()) > 1000  # the demo, not nothing
            assert files(restored_var) == files(var)
            assert set(files(var)) == {"secret_key", *uploaded}

            # A second restore into the same place is refused, and allowed with --force.
            again = sus("restore", str(target), url=restored_url, var=restored_var, check=False)
            assert again.returncode == 1 and "--force" in again.stderr
            sus("restore", "--force", str(target), url=restored_url, var=restored_var)
            assert everything(restored_url) == source
            assert files(restored_var) == files(var)
        finally:
            drop_database(restored_url)


def test_restore_checks_the_manifest_before_touching_anything(tmp_path):
    url = provision_database("damaged")
    try:
        source_var = tmp_path / "var"
        sus("db", "upgrade", url=url, var=source_var)
        (source_var / "uploads" / "agendas").mkdir(parents=True)
        (source_var / "uploads" / "agendas" / "a.pdf").write_bytes(PDF)
        target = tmp_path / "backup"
        sus("backup", str(target), url=url, var=source_var)
        assert sus("backup", str(target), url=url, var=source_var,
                   check=False).returncode == 1  # never into a backup already there

        (target / "uploads" / "agendas" / "a.pdf").write_bytes(PDF + b"changed")
        new_url = provision_database("damaged-target")
        try:
            done = sus("restore", str(target), url=new_url, var=tmp_path / "new-var",
                       check=False)
            assert done.returncode == 1
            assert "uploads/agendas/a.pdf does not match its checksum" in done.stderr
            assert everything(new_url) == {}  # nothing restored
            assert not (tmp_path / "new-var" / "uploads").exists()

            manifest = json.loads((target / "manifest.json").read_text())
            (target / "manifest.json").write_text(json.dumps({**manifest, "format": 99}))
            done = sus("restore", str(target), url=new_url, var=tmp_path / "new-var",
                       check=False)
            assert done.returncode == 1 and "format 99" in done.stderr
        finally:
            drop_database(new_url)
    finally:
        drop_database(url)


@pytest.mark.skipif(BACKEND != "postgresql", reason="pg_dump is for PostgreSQL only")
def test_missing_or_old_postgresql_client_tools_are_named(database_url, monkeypatch):
    from app import backup

    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="pg_dump was not found.*postgresql-client"):
        backup._pg_tool("pg_dump", database_url)
    monkeypatch.setattr(backup.shutil, "which", lambda name: "/bin/echo")  # prints no version
    with pytest.raises(backup.BackupError, match="older than the server"):
        backup._pg_tool("pg_dump", database_url)
