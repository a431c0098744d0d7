"""The built-in catalogue: municipal examples as data files, loaded into the database.

Each kind of template lives in its own folder as TOML files — `app/catalog/<kind>/<key>.toml`
(cycles, agendas, notes, indicators, …). `read(kind)` is the one way to read them; each
domain's loader (listed in `app.catalog.load`) turns them into rows, keyed by the file's `key`
so that loading again updates rather than duplicates, and skips files whose digest is
unchanged. Code never hard-codes a municipality's template: it lives here, as data.
"""

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Entry:
    kind: str
    key: str
    """Stable identity of the template, e.g. "svendborg"."""
    data: dict
    digest: str
    """sha256 of the file: a loader can skip a template whose file has not changed."""
    path: Path


class CatalogError(ValueError):
    pass


_parsed: dict[Path, tuple[tuple[int, int], Entry]] = {}
"""Each file as last parsed, by its modification time and size: pages read the catalogue
(a step's assumed facts) and parsing its TOML cost more than the rest of the page. An edited
file is parsed again. The entries are shared: callers read `data`, never change it."""


def _entry(kind: str, path: Path) -> Entry:
    st = path.stat()
    stamp = (st.st_mtime_ns, st.st_size)
    known = _parsed.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path.name}: {exc}") from exc
    key = data.get("key") or path.stem
    entry = Entry(kind, key, data, hashlib.sha256(raw).hexdigest(), path)
    _parsed[path] = (stamp, entry)
    return entry


def read(kind: str) -> list[Entry]:
    folder = CATALOG_DIR / kind
    entries = [_entry(kind, path) for path in sorted(folder.glob("*.toml"))]
    keys = [e.key for e in entries]
    if len(keys) != len(set(keys)):
        raise CatalogError(f"duplicate keys in catalog/{kind}: {keys}")
    return entries


def entry(kind: str, key: str) -> Entry | None:
    """One template of the catalogue by its key, read as `read` reads it (the previews)."""
    return next((e for e in read(kind) if e.key == key), None)


def assumed_reason(spec: dict) -> str | None:
    """For a value the source doesn't give (`assumed = true`): the file's reason why we
    chose it; None for what the source gives."""
    if not spec.get("assumed"):
        return None
    return str(spec.get("assumed_reason") or "").strip()


def upsert_templates(session, model, entries: list[Entry], label: str) -> list[str]:
    """Load template files into `model` rows (key, name, source, data, digest): a changed file
    updates its row, an unchanged one is skipped, nothing is duplicated."""
    from sqlmodel import select

    lines = []
    for entry in entries:
        row = session.exec(select(model).where(model.key == entry.key)).first()
        if row is not None and row.digest == entry.digest:
            continue
        lines.append(f"{label} {entry.key} {'loaded' if row is None else 'updated'}.")
        row = row or model(key=entry.key, name=entry.data["name"])
        row.name = entry.data["name"]
        row.source = entry.data.get("source", "")
        row.data = entry.data
        row.digest = entry.digest
        session.add(row)
    session.commit()
    return lines


def templates_or_load(session, model, kind: str, load) -> list:
    """Every template of `model` by name; a fresh database that never ran `sus catalog load`
    gets the catalogue that ships in the package first (`load(session, read(kind))`)."""
    from sqlmodel import select

    rows = list(session.exec(select(model).order_by(model.name)))
    if not rows:
        load(session, read(kind))
        rows = list(session.exec(select(model).order_by(model.name)))
    return rows
