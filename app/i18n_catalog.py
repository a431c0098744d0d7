"""Keeping the message catalogues in step with the code: `make messages`.

Each domain (a package under app/) owns `app/translations/<lang>/<domain>.po`, extracted from
its Python files and from `templates/<domain>/`; "core" owns app/*.py and every template
folder that is not a domain's (base, errors). English is the source language, so the English
catalogue may leave msgstr empty; the Danish one must translate everything (a test checks).

Note for templates: Jinja's newstyle gettext always applies `%`, so write a literal percent
sign as `%%` inside _("…").
"""

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from app.i18n import LOCALES
from app.paths import ROOT, TEMPLATES, TRANSLATIONS

APP = ROOT / "app"
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


def domains() -> list[str]:
    return sorted(p.name for p in APP.iterdir() if (p / "__init__.py").exists()
                  and p.name not in ("translations",))


def sources(domain: str) -> list[tuple[Path, str]]:
    if domain == "core":
        files = [(p, "python") for p in sorted(APP.glob("*.py"))]
        doms = set(domains())
        for folder in sorted(TEMPLATES.iterdir()):
            if folder.is_dir() and folder.name not in doms:
                files += [(p, "jinja2") for p in sorted(folder.rglob("*.html"))]
                files += [(p, "jinja2") for p in sorted(folder.rglob("*.svg"))]
        return files
    files = [(p, "python") for p in sorted((APP / domain).rglob("*.py"))]
    tdir = TEMPLATES / domain
    if tdir.exists():
        files += [(p, "jinja2") for p in sorted(tdir.rglob("*"))
                  if p.suffix in (".html", ".svg", ".txt", ".ics")]
    return files


def extract(domain: str) -> Catalog:
    template = Catalog(project="sus", fuzzy=False)
    for path, method in sources(domain):
        method_fn = "jinja2.ext:babel_extract" if method == "jinja2" else "python"
        options = JINJA_OPTIONS if method == "jinja2" else {}
        for lineno, message, comments, context in extract_from_file(
            method_fn, str(path), options=options
        ):
            template.add(message, locations=[(str(path.relative_to(ROOT)), lineno)],
                         auto_comments=comments, context=context)
    return template


def po_path(locale: str, domain: str) -> Path:
    return TRANSLATIONS / locale / f"{domain}.po"


def read(locale: str, domain: str) -> Catalog:
    path = po_path(locale, domain)
    if not path.exists():
        return Catalog(locale=locale, project="sus", fuzzy=False)
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def update() -> None:
    for domain in ["core", *domains()]:
        template = extract(domain)
        for locale in LOCALES:
            catalog = read(locale, domain)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            path = po_path(locale, domain)
            if not len(catalog):
                if path.exists():
                    path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as f:
                # No "#: file:line" comments: they churn on every edit and make parallel
                # branches conflict; msgids are found with grep.
                write_po(f, catalog, width=100, sort_output=True, omit_header=False,
                         include_previous=False, no_location=True)


def missing(locale: str = "da") -> list[tuple[str, str]]:
    """(domain, msgid) pairs used in the code without a translation in `locale`."""
    gaps = []
    for domain in ["core", *domains()]:
        template = extract(domain)
        catalog = read(locale, domain)
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id, context=message.context)
            text = found.string if found else None
            if isinstance(text, tuple):
                ok = all(text)
            else:
                ok = bool(text)
            if not ok or (found and found.fuzzy):
                gaps.append((domain, message.id if isinstance(message.id, str) else message.id[0]))
    return gaps


def fill(translations: dict[str, str], locale: str = "da") -> int:
    """Set translations for msgids found in any domain's catalogue; returns how many."""
    count = 0
    for path in sorted((TRANSLATIONS / locale).glob("*.po")):
        with path.open("rb") as f:
            catalog = read_po(f, locale=locale)
        changed = False
        for message in catalog:
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key in translations and message.string != translations[key]:
                value = translations[key]
                if isinstance(message.id, tuple):
                    value = tuple(value) if isinstance(value, list) else (value, value)
                message.string = value
                message.flags.discard("fuzzy")
                changed = True
                count += 1
        if changed:
            with path.open("wb") as f:
                write_po(f, catalog, width=100, sort_output=True, include_previous=False,
                         no_location=True)
    return count


if __name__ == "__main__":
    import json

    if "--todo" in sys.argv:
        # A JSON skeleton of what Danish lacks: fill in the values, then --fill FILE.
        print(json.dumps({msgid: "" for _, msgid in missing()}, ensure_ascii=False, indent=1))
        sys.exit(0)
    if "--fill" in sys.argv:
        source = Path(sys.argv[sys.argv.index("--fill") + 1])
        print("translated:", fill(json.loads(source.read_text(encoding="utf-8"))))
        sys.exit(0)
    if "--check" in sys.argv:
        gaps = missing()
        for domain, msgid in gaps:
            print(f"{domain}: {msgid!r}")
        sys.exit(1 if gaps else 0)
    update()
    print("Catalogues updated; untranslated Danish messages:", len(missing()))
